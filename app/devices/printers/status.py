"""The Zebra ``~HS`` host status answer.

Three ``STX … ETX CR LF`` strings. String 1: ``aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`` — b paper out,
c paused, dddd label length (dots), eee formats in the receive buffer, f buffer full, g diagnostic
mode, h partial format, j corrupt RAM, k/l under/over temperature. String 2:
``mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www`` — o head up (open), p ribbon out, uuuuuuuu labels remaining
in the batch. String 3: ``xxxx,y`` — password, static RAM.
"""

from __future__ import annotations

from dataclasses import dataclass

STX, ETX = b"\x02", b"\x03"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    paper_out: bool
    paused: bool
    formats_in_buffer: int
    buffer_full: bool
    head_open: bool
    ribbon_out: bool
    labels_remaining: int
    corrupt_ram: bool = False
    under_temperature: bool = False
    over_temperature: bool = False

    @property
    def faults(self) -> list[str]:
        """Faults in the words a packer acts on; empty when the printer can print."""
        names = [
            (self.paper_out, "Printer paper out: load labels"),
            (self.head_open, "Printer head open: close the lid"),
            (self.ribbon_out, "Printer ribbon out: load a ribbon"),
            (self.paused, "Printer paused: press the pause button"),
            (self.buffer_full, "Printer buffer full: wait for it to finish"),
            (self.corrupt_ram, "Printer memory error: switch it off and on"),
            (self.under_temperature, "Printer too cold"),
            (self.over_temperature, "Printer head too hot: let it cool"),
        ]
        return [text for flag, text in names if flag]

    @property
    def idle(self) -> bool:
        """No fault and nothing left to print."""
        return not self.faults and self.formats_in_buffer == 0 and self.labels_remaining == 0


def split_frames(data: bytes) -> list[bytes]:
    """The payloads of the complete ``STX … ETX`` frames in ``data``."""
    frames: list[bytes] = []
    pos = 0
    while True:
        s = data.find(STX, pos)
        if s < 0:
            return frames
        e = data.find(ETX, s + 1)
        if e < 0:
            return frames
        frames.append(data[s + 1 : e])
        pos = e + 1


def parse_host_status(data: bytes) -> PrinterStatus:
    """Decode a ``~HS`` answer. Raises ValueError when it is incomplete or garbled."""
    frames = split_frames(data)
    if len(frames) < 3:
        raise ValueError(f"incomplete printer status ({len(frames)} of 3 parts)")
    one = frames[0].decode("ascii", "replace").split(",")
    two = frames[1].decode("ascii", "replace").split(",")
    if len(one) < 12 or len(two) < 11:
        raise ValueError("garbled printer status")

    def flag(value: str) -> bool:
        if value not in ("0", "1"):
            raise ValueError(f"garbled printer status flag {value!r}")
        return value == "1"

    def number(value: str) -> int:
        if not value.isdigit():
            raise ValueError(f"garbled printer status number {value!r}")
        return int(value)

    return PrinterStatus(
        paper_out=flag(one[1]),
        paused=flag(one[2]),
        formats_in_buffer=number(one[4]),
        buffer_full=flag(one[5]),
        corrupt_ram=flag(one[9]),
        under_temperature=flag(one[10]),
        over_temperature=flag(one[11]),
        head_open=flag(two[2]),
        ribbon_out=flag(two[3]),
        labels_remaining=number(two[8]),
    )


def format_host_status(status: PrinterStatus) -> bytes:
    """The ``~HS`` answer a printer in ``status`` sends (used by the simulator)."""

    def b(v: bool) -> str:
        return "1" if v else "0"

    one = (
        f"030,{b(status.paper_out)},{b(status.paused)},1218,{status.formats_in_buffer:03d},"
        f"{b(status.buffer_full)},0,0,000,{b(status.corrupt_ram)},{b(status.under_temperature)},"
        f"{b(status.over_temperature)}"
    )
    two = f"001,0,{b(status.head_open)},{b(status.ribbon_out)},0,2,6,0,{status.labels_remaining:08d},1,000"
    return b"".join(STX + s.encode() + ETX + b"\r\n" for s in (one, two, "1234,0"))
