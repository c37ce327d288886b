"""NCI / Weigh-Tronix / Avery / Brecknell SCP-01 ``W``/``S``/``Z`` protocol.

Request ``W`` CR. Answer: LF ``<weight><unit>`` CR LF ``<status bytes>`` CR ETX. ``S`` and ``Z``
answer with the status part only. Status bytes have bits 4 and 5 set (so they print as ``0``-``?``);
bit 7 is parity and ignored.

- byte 1: bit 0 in motion, bit 1 at zero, bit 2 RAM error, bit 3 EEPROM error, bit 6 always 0
- byte 2: bit 0 under capacity, bit 1 over capacity, bit 2 ROM error, bit 3 faulty calibration
- byte 3 (optional): range, net/gross, initial zero error (bit 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.devices.errors import DeviceError
from app.devices.serial_link import SerialLink
from app.devices.weights import ScaleState, WeightReading, error, reading, to_grams

LF, CR, ETX = b"\n", b"\r", b"\x03"
# Units in lower case (SCP-01) or upper case (``002.50LB``, the NCI-ECR variants): both are the unit.
_WEIGHT_RE = re.compile(r"^\s*([-+]?\s*(?:\d+(?:\.\d*)?|\.\d+))\s*(lb|kg|oz|g)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NciStatus:
    motion: bool
    at_zero: bool
    under_capacity: bool
    over_capacity: bool
    fault: str  # "" when the scale reports no hardware fault


def parse_status(raw: bytes) -> NciStatus:
    """Decode two or three NCI status bytes. Raises ValueError when they cannot be status bytes."""
    if not 2 <= len(raw) <= 4:
        raise ValueError(f"expected 2-4 status bytes, got {len(raw)}")
    bytes7 = [b & 0x7F for b in raw]
    for b in bytes7:
        if b & 0x30 != 0x30:
            raise ValueError(f"not a status byte: 0x{b:02x}")
    if bytes7[0] & 0x40:
        raise ValueError("status byte 1 has bit 6 set")
    b1, b2 = bytes7[0], bytes7[1]
    faults = []
    if b1 & 0x04:
        faults.append("RAM error")
    if b1 & 0x08:
        faults.append("EEPROM error")
    if b2 & 0x04:
        faults.append("ROM error")
    if b2 & 0x08:
        faults.append("faulty calibration")
    if len(bytes7) >= 3 and bytes7[2] & 0x08:
        faults.append("initial zero error: clear the platter and restart the scale")
    return NciStatus(
        motion=bool(b1 & 0x01),
        at_zero=bool(b1 & 0x02),
        under_capacity=bool(b2 & 0x01),
        over_capacity=bool(b2 & 0x02),
        fault=", ".join(faults),
    )


def parse_response(frame: bytes) -> WeightReading:
    """Decode a whole ``W`` answer (LF weight CR LF status CR ETX) or a status-only answer."""
    if not frame.endswith(CR + ETX) or not frame.startswith(LF):
        return error(f"garbled answer from scale: {frame!r}")
    parts = frame[:-1].split(CR)  # drop ETX; every part but the last ends at a CR
    if parts[-1] != b"":
        return error(f"garbled answer from scale: {frame!r}")
    lines = [p for p in parts[:-1]]
    if not all(line.startswith(LF) for line in lines) or len(lines) not in (1, 2):
        return error(f"garbled answer from scale: {frame!r}")
    try:
        status = parse_status(lines[-1][1:])
    except ValueError as exc:
        return error(f"garbled status from scale: {exc}")
    if status.fault:
        return error(f"scale reports {status.fault}")
    if status.over_capacity:
        return WeightReading(ScaleState.OVERLOAD, None, "too heavy for the scale")
    if status.under_capacity:
        return WeightReading(ScaleState.UNDERLOAD, None, "below zero: clear the platter and zero the scale")
    if len(lines) == 1:
        return error("scale sent status without a weight")
    try:
        text = lines[0][1:].decode("ascii")
    except UnicodeDecodeError:
        return error(f"garbled weight from scale: {lines[0]!r}")
    m = _WEIGHT_RE.match(text)
    if m is None:
        return error(f"garbled weight from scale: {text!r}")
    try:
        grams = to_grams(m.group(1).replace(" ", ""), m.group(2))
    except ValueError as exc:
        return error(f"garbled weight from scale: {exc}")
    if status.motion:
        return reading(grams, stable=False)
    if status.at_zero and grams != 0:
        return error(f"scale says 'at zero' but sent {text.strip()!r}")
    return reading(grams, stable=True)


class NciProtocol:
    """NCI over a serial link: ``W`` for each reading, ``Z`` to zero."""

    name = "nci"

    def exchange(self, link: SerialLink) -> WeightReading:
        link.discard_input()
        link.write(b"W" + CR)
        return parse_response(link.read_until(ETX, max_bytes=64))

    def zero(self, link: SerialLink) -> None:
        """Zero the scale. Raises DeviceError if it reports a fault afterwards."""
        link.discard_input()
        link.write(b"Z" + CR)
        answer = parse_response(link.read_until(ETX, max_bytes=64))
        if answer.state is ScaleState.ERROR and "without a weight" not in answer.message:
            raise DeviceError(f"Scale could not zero: {answer.message}")
