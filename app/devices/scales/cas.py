"""CAS scales: the continuous 22-byte stream and the ECR ``ENQ``/``ACK``/``DC1`` handshake.

Stream frame (22 bytes, sent continuously)::

    ST|US|OL  ","  GS|NT  ","  <id> <lamp>  ","  <8-byte weight>  " "  <2-byte unit>  CR LF

ECR handshake: we send ENQ, the scale answers ACK (NAK = not ready), we send DC1, the scale sends
``SOH STX <STA> <SIGN> <6-byte weight> <2-byte unit> <BCC> ETX EOT`` (15 bytes) where STA is ``S``
(stable) or ``U``, SIGN is space, ``-`` or ``F`` (overload; the weight is then all ``F``) and BCC
is the XOR of the ten bytes from STA to the unit.
"""

from __future__ import annotations

from functools import reduce

from app.devices.serial_link import NoAnswer, SerialLink
from app.devices.weights import ScaleState, WeightReading, error, reading, to_grams

SOH, STX, ETX, EOT, ENQ, ACK, NAK, DC1 = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05", b"\x06", b"\x15", b"\x11"
STREAM_FRAME_LEN = 22
ECR_FRAME_LEN = 15
_UNITS = {b"kg": "kg", b" g": "g", b"g ": "g", b"lb": "lb", b" t": "t", b"oz": "oz"}


def parse_stream_frame(frame: bytes) -> WeightReading:
    """Decode one 22-byte stream frame (including CR LF)."""
    if len(frame) != STREAM_FRAME_LEN or not frame.endswith(b"\r\n"):
        return error(f"garbled frame from scale ({len(frame)} bytes)")
    if frame[2:3] != b"," or frame[5:6] != b"," or frame[8:9] != b"," or frame[17:18] != b" ":
        return error("garbled frame from scale: separators missing")
    head, kind, lamp = frame[0:2], frame[3:5], frame[7]
    if kind not in (b"GS", b"NT"):
        return error(f"garbled frame from scale: {kind!r} is neither gross nor net")
    if not lamp & 0x80:
        return error("garbled frame from scale: bad lamp status byte")
    if head == b"OL":
        return WeightReading(ScaleState.OVERLOAD, None, "too heavy for the scale")
    if head not in (b"ST", b"US"):
        return error(f"garbled frame from scale: unknown header {head!r}")
    unit = _UNITS.get(frame[18:20])
    if unit is None:
        return error(f"scale sent an unknown unit {frame[18:20]!r}")
    try:
        grams = to_grams(frame[9:17].decode("ascii").replace(" ", ""), unit)
    except (UnicodeDecodeError, ValueError):
        return error(f"garbled weight from scale: {frame[9:17]!r}")
    return reading(grams, stable=head == b"ST")


def bcc(data: bytes) -> int:
    """CAS block check character: XOR of ``data`` (the bytes from STA to the unit)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def parse_ecr_frame(frame: bytes) -> WeightReading:
    """Decode the 15-byte answer to DC1 and check its BCC."""
    if len(frame) != ECR_FRAME_LEN:
        return error(f"garbled answer from scale ({len(frame)} bytes, 15 expected)")
    if frame[0:2] != SOH + STX or frame[13:15] != ETX + EOT:
        return error("garbled answer from scale: framing bytes missing")
    body = frame[2:12]
    if bcc(body) != frame[12]:
        return error("garbled answer from scale: wrong check byte")
    sta, sign, weight, unit_raw = body[0:1], body[1:2], body[2:8], body[8:10]
    if sign == b"F":
        return WeightReading(ScaleState.OVERLOAD, None, "too heavy for the scale")
    if sta not in (b"S", b"U") or sign not in (b" ", b"-"):
        return error("garbled answer from scale: bad status or sign")
    unit = {b"kg": "kg", b"lb": "lb", b"KG": "kg", b"LB": "lb", b" g": "g", b"oz": "oz"}.get(unit_raw)
    if unit is None:
        return error(f"scale sent an unknown unit {unit_raw!r}")
    try:
        grams = to_grams(("-" if sign == b"-" else "") + weight.decode("ascii").strip(), unit)
    except (UnicodeDecodeError, ValueError):
        return error(f"garbled weight from scale: {weight!r}")
    return reading(grams, stable=sta == b"S")


class CasStreamProtocol:
    """CAS continuous output: drop stale bytes, resynchronise on a frame end, decode the next frame."""

    name = "cas"

    def exchange(self, link: SerialLink) -> WeightReading:
        link.discard_input()
        # The first line after discarding is usually half a frame; a whole frame is 22 bytes.
        for _ in range(3):
            line = link.read_until(b"\r\n", max_bytes=64)
            if len(line) == STREAM_FRAME_LEN:
                return parse_stream_frame(line)
        return error("scale sends lines that are not CAS 22-byte frames: check the protocol setting")


class CasEcrProtocol:
    """CAS ECR handshake (ENQ → ACK, DC1 → weight frame)."""

    name = "cas-ecr"

    def exchange(self, link: SerialLink) -> WeightReading:
        link.discard_input()
        link.write(ENQ)
        answer = link.read_exact(1)
        if answer == NAK:
            return error("scale not ready (answered NAK)")
        if answer != ACK:
            return error(f"garbled answer from scale: expected ACK, got {answer!r}")
        link.write(DC1)
        try:
            frame = link.read_exact(ECR_FRAME_LEN)
        except NoAnswer as exc:
            if exc.partial:
                return error(f"incomplete answer from scale ({len(exc.partial)} of 15 bytes)")
            raise
        return parse_ecr_frame(frame)
