"""An Epson-like ESC/POS receipt printer on TCP that answers ``DLE EOT n`` real-time status requests.

    with EscPosSimulator() as printer:        # listens on 127.0.0.1, printer.port
        printer.set_paper_end(True)           # DLE EOT 1/2/4 answer 0x1A / 0x32 / 0x7E
        printer.set_cover_open(True)          # 0x1A / 0x16 / 0x12
        printer.silent = True                 # no answer at all (a printer that does not support it)
        printer.received                      # every byte that was not a status request
        printer.jobs                          # slips printed (bytes from one ESC @ to the next)

Like a real printer it answers ``DLE EOT`` the moment the three bytes arrive, even between other data;
while the paper is out or the cover open it prints nothing (the data waits in ``received``).
"""

from __future__ import annotations

import socket
import threading

from app.devices.sim.tcp_device import TcpDevice

DLE_EOT = b"\x10\x04"
ESC_INIT = b"\x1b@"


class EscPosSimulator(TcpDevice):
    thread_name = "escpos-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.received = bytearray()
        self.queries: list[int] = []
        self.paper_end = self.cover_open = self.near_end = self.silent = False
        self.paper_ends_after: int | None = None  # slips left before the roll ends
        self._printed_jobs = 0
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"escpos+tcp://{self.host}:{self.port}"

    def set_paper_end(self, on: bool = True) -> None:
        with self._lock:
            self.paper_end = on

    def set_cover_open(self, on: bool = True) -> None:
        with self._lock:
            self.cover_open = on

    @property
    def jobs(self) -> list[bytes]:
        """Each job as sent: from one ``ESC @`` (initialise printer) to the next."""
        with self._lock:
            data = bytes(self.received)
        return [ESC_INIT + part for part in data.split(ESC_INIT)[1:]]

    def status_byte(self, n: int) -> int:
        """The answer to ``DLE EOT n`` in the current state (Epson ESC/POS reference, DLE EOT)."""
        offline = self.paper_end or self.cover_open
        if n == 1:
            return 0x12 | (0x08 if offline else 0)
        if n == 2:
            return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper_end else 0)
        if n == 3:
            return 0x12
        return 0x12 | (0x0C if self.near_end or self.paper_end else 0) | (0x60 if self.paper_end else 0)

    def consume(self, conn: socket.socket, data: bytes) -> bytes:
        """Answer every complete ``DLE EOT n`` in ``data``; keep the rest; return an incomplete tail."""
        out = bytearray()
        i = 0
        while i < len(data):
            if data.startswith(DLE_EOT, i):
                if i + 2 >= len(data):
                    break  # wait for n
                n = data[i + 2]
                with self._lock:
                    self.queries.append(n)
                    answer = None if self.silent else self.status_byte(n)
                if answer is not None:
                    conn.sendall(bytes([answer]))
                i += 3
                continue
            if data[i] == DLE_EOT[0] and i + 1 == len(data):
                break  # maybe the start of a DLE EOT
            out.append(data[i])
            i += 1
        with self._lock:
            starts = bytes(out).count(ESC_INIT)
            self.received += out
            if self.paper_ends_after is not None:
                self._printed_jobs += starts
                if self._printed_jobs > self.paper_ends_after:
                    self.paper_end = True
        return data[i:]
