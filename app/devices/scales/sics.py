"""Mettler Toledo MT-SICS (level 0/1): ``S``, ``SI``, ``SIR``, ``Z``, ``T``.

A request is the command followed by CR LF. A weight answer is ``S <status> <value> <unit>`` CR LF
where status ``S`` is stable and ``D`` dynamic (in motion); ``S I`` means not executable right now
(busy), ``S +`` overload and ``S -`` underload. ``ES``/``ET``/``EL`` are syntax, transmission and
logical errors. ``Z A`` / ``T S <tare>`` acknowledge zero and tare.
"""

from __future__ import annotations

import re

from app.devices.errors import DeviceError
from app.devices.serial_link import NoAnswer, SerialLink
from app.devices.weights import ScaleState, WeightReading, error, reading, to_grams

CRLF = b"\r\n"
_WEIGHT_RE = re.compile(r"^S ([SD]) +([-+]?\d+(?:\.\d+)?|[-+]?\.\d+) ([A-Za-z]{1,3})$")
_ERRORS = {
    "ES": "scale did not understand the command (MT-SICS syntax error)",
    "ET": "scale reported a transmission error: check baud rate and cable",
    "EL": "scale reported a logical error",
}


def parse_weight_line(line: bytes) -> WeightReading:
    """Decode one ``S``/``SI``/``SIR`` answer line, CR LF included, into a reading."""
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        return error(f"garbled answer from scale: {line!r}")
    if not text.endswith("\r\n"):
        return error(f"incomplete answer from scale: {line!r}")
    text = text[:-2]
    if "\r" in text or "\n" in text:
        return error(f"garbled answer from scale: {line!r}")
    stripped = text.strip()
    if stripped in _ERRORS:
        return error(_ERRORS[stripped])
    if stripped == "S I":
        return error("scale busy: command not executable right now")
    if stripped == "S +":
        return WeightReading(ScaleState.OVERLOAD, None, "too heavy for the scale")
    if stripped == "S -":
        return WeightReading(ScaleState.UNDERLOAD, None, "below zero: clear the pan and zero the scale")
    m = _WEIGHT_RE.match(stripped)
    if m is None:
        return error(f"garbled answer from scale: {line!r}")
    status, value, unit = m.groups()
    try:
        grams = to_grams(value, unit)
    except ValueError as exc:
        return error(f"scale answered in an unknown unit: {exc}")
    return reading(grams, stable=status == "S")


class SicsProtocol:
    """MT-SICS over a serial link. ``command`` is ``"SI"`` (immediate, default), ``"S"`` or ``"SIR"``.

    ``S`` waits on the scale side until the weight is stable, so a reading in motion shows up as a
    timeout; ``SI`` answers at once with ``S D`` while in motion. ``SIR`` makes the scale stream
    ``SI`` answers; each read takes the freshest one.
    """

    name = "sics"

    def __init__(self, command: str = "SI") -> None:
        if command not in ("S", "SI", "SIR"):
            raise ValueError(f"MT-SICS weight command must be S, SI or SIR, not {command!r}")
        self.command = command
        self._streaming = False

    def exchange(self, link: SerialLink) -> WeightReading:
        if self.command == "SIR":
            if not self._streaming or not link.is_open:
                link.discard_input()
                link.write(b"SIR" + CRLF)
                self._streaming = True
            else:
                link.discard_input()
            try:
                return parse_weight_line(link.read_until(b"\n"))
            except NoAnswer:
                self._streaming = False
                raise
        link.discard_input()
        link.write(self.command.encode() + CRLF)
        return parse_weight_line(link.read_until(b"\n"))

    def zero(self, link: SerialLink) -> None:
        """Zero the scale (``Z``). Raises DeviceError when the scale refuses."""
        self._streaming = False
        link.discard_input()
        link.write(b"Z" + CRLF)
        answer = link.read_until(b"\n").decode("ascii", "replace").strip()
        if answer == "Z A":
            return
        raise DeviceError(
            {
                "Z I": "Scale cannot zero now: wait until it is still",
                "Z +": "Scale cannot zero: weight above the zero range — clear the pan",
                "Z -": "Scale cannot zero: weight below the zero range",
            }.get(answer, f"Scale refused to zero ({answer!r})")
        )

    def tare(self, link: SerialLink) -> int:
        """Tare the scale (``T``); returns the tare weight in grams. Raises DeviceError on refusal."""
        self._streaming = False
        link.discard_input()
        link.write(b"T" + CRLF)
        raw = link.read_until(b"\n")
        text = raw.decode("ascii", "replace").strip()
        m = re.match(r"^T S +([-+]?\d*\.?\d+) ([A-Za-z]{1,3})$", text)
        if m:
            return to_grams(m.group(1), m.group(2))
        raise DeviceError(
            {
                "T I": "Scale cannot tare now: wait until it is still",
                "T +": "Scale cannot tare: weight above the tare range",
                "T -": "Scale cannot tare: weight below the tare range",
            }.get(text, f"Scale refused to tare ({text!r})")
        )
