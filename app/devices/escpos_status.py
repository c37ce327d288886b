"""ESC/POS real-time status: ``DLE EOT n`` (Epson ESC/POS Command Reference, "DLE EOT n  Transmit
real-time status", ``10 04 n``), asked before and after every packing slip.

The printer answers each request with one byte in which bit 1 and bit 4 are always 1 and bits 0 and 7
always 0 (so ``b & 0x93 == 0x12``):

- n = 1, printer status: bit 3 "Offline".
- n = 2, offline cause: bit 2 "Cover is open", bit 3 "Paper is being fed by the paper feed button",
  bit 5 "Printing stops due to a paper-end", bit 6 "Error occurred".
- n = 4, roll paper sensor: bits 2-3 "Roll paper near-end sensor: paper near end", bits 5-6
  "Roll paper end sensor: paper not present".

A printer out of paper answers 0x1A, 0x32, 0x7E; with its cover open 0x1A, 0x16, 0x12. A printer that
does not answer within the timeout is reported as *unknown*, never as ready.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, PAPER = 1, 2, 4


@dataclass(frozen=True, slots=True)
class EscPosStatus:
    """``known`` False when the printer did not answer (or cannot be asked): nothing is known."""

    known: bool
    online: bool = False
    cover_open: bool = False
    paper_end: bool = False
    paper_near_end: bool = False
    error: bool = False

    @property
    def faults(self) -> list[str]:
        """What stops printing, in words a packer can act on (empty when ready)."""
        if not self.known:
            return ["the receipt printer did not answer its status request: check power and cable"]
        out = []
        if self.paper_end:
            out.append("receipt printer out of paper: load a new roll")
        if self.cover_open:
            out.append("receipt printer cover open: close it")
        if self.error:
            out.append("receipt printer error: switch it off and on")
        if not out and not self.online:
            out.append("receipt printer offline")
        return out

    @property
    def ready(self) -> bool:
        return self.known and not self.faults

    def describe(self) -> str:
        if self.ready:
            return "ready (paper low)" if self.paper_near_end else "ready"
        return "; ".join(self.faults)


UNKNOWN = EscPosStatus(known=False)


def _is_status_byte(b: int) -> bool:
    return b & 0x93 == 0x12


def parse_status(printer: int, offline_cause: int, paper: int) -> EscPosStatus:
    """The answers to DLE EOT 1, 2 and 4. Raises ValueError for a byte that is not a status byte."""
    for name, b in (("DLE EOT 1", printer), ("DLE EOT 2", offline_cause), ("DLE EOT 4", paper)):
        if not _is_status_byte(b):
            raise ValueError(f"{name} answer 0x{b:02x} is not an ESC/POS status byte")
    return EscPosStatus(
        known=True,
        online=not printer & 0x08,
        cover_open=bool(offline_cause & 0x04),
        paper_end=bool(offline_cause & 0x20) or paper & 0x60 == 0x60,
        paper_near_end=paper & 0x0C == 0x0C,
        error=bool(offline_cause & 0x40),
    )


def _ask_socket(sock: socket.socket, n: int, timeout_s: float) -> int | None:
    sock.sendall(DLE_EOT + bytes([n]))
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(1)
        except TimeoutError:
            return None
        if not data:
            return None
        if _is_status_byte(data[0]):
            return data[0]
        # anything else (an automatic status back, an echo) is skipped until the deadline


def _ask_serial(port: Any, n: int, timeout_s: float) -> int | None:
    port.timeout = timeout_s
    port.reset_input_buffer()
    port.write(DLE_EOT + bytes([n]))
    data = port.read(1)
    return data[0] if data and _is_status_byte(data[0]) else None


def query_status(printer: Any, timeout_s: float = 1.0) -> EscPosStatus:
    """Ask an open python-escpos printer (Network or Serial) for its status; UNKNOWN when it cannot be
    asked (file, USB without a read endpoint) or does not answer within ``timeout_s`` per byte."""
    device = getattr(printer, "device", None)
    ask: Callable[[Any, int, float], int | None]
    if isinstance(device, socket.socket):
        ask = _ask_socket
    elif device is not None and hasattr(device, "reset_input_buffer"):
        ask = _ask_serial
    else:
        return UNKNOWN
    answers: list[int] = []
    for n in (PRINTER, OFFLINE_CAUSE, PAPER):
        try:
            answer = ask(device, n, timeout_s)
        except OSError:
            return UNKNOWN
        if answer is None:
            return UNKNOWN  # one silence is enough: do not wait for the other two
        answers.append(answer)
    return parse_status(*answers)
