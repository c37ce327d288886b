"""A Zebra-like label printer on TCP: stores the formats it prints and answers ``~HS``.

    with ZebraSimulator() as printer:          # listens on 127.0.0.1, printer.port
        printer.set_paper_out(True)            # also set_head_open, set_paused, set_buffer_full
        printer.answer_when_faulted = False    # like printers that go silent with the media out
        ...
        printer.printed                        # list of formats (bytes, ^XA … ^XZ) that came out

Like a real printer it executes ``~`` commands the moment they arrive, even in the middle of a
format (``immediate`` records them), and ends a format at the first ``^XZ`` — which is why field
data must be escaped. Formats received during a fault wait in the buffer and print when it clears.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading

from app.devices.printers.status import PrinterStatus, format_host_status
from app.devices.sim.tcp_device import TcpDevice

_TILDE = re.compile(rb"~([A-Za-z]{2})")


class ZebraSimulator(TcpDevice):
    thread_name = "zebra-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.printed: list[bytes] = []
        self.buffered: list[bytes] = []
        self.immediate: list[str] = []
        self.paper_out = self.head_open = self.paused = self.buffer_full = False
        self.answer_when_faulted = True
        self._labels_left: int | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    # -- switches ------------------------------------------------------------------------
    def _set(self, name: str, on: bool) -> None:
        with self._lock:
            setattr(self, name, on)
            self._flush_locked()

    def set_paper_out(self, on: bool = True) -> None:
        self._set("paper_out", on)

    def set_head_open(self, on: bool = True) -> None:
        self._set("head_open", on)

    def set_paused(self, on: bool = True) -> None:
        self._set("paused", on)

    def set_buffer_full(self, on: bool = True) -> None:
        self._set("buffer_full", on)

    def paper_runs_out_after(self, labels: int) -> None:
        """The roll ends after ``labels`` more labels: the next format finds the paper out and waits."""
        with self._lock:
            self._labels_left = labels

    @property
    def faulted(self) -> bool:
        return self.paper_out or self.head_open or self.paused

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status_locked()

    def _status_locked(self) -> PrinterStatus:
        return PrinterStatus(
            paper_out=self.paper_out,
            paused=self.paused,
            formats_in_buffer=len(self.buffered),
            buffer_full=self.buffer_full,
            head_open=self.head_open,
            ribbon_out=False,
            labels_remaining=len(self.buffered),
        )

    def wait_printed(self, count: int, timeout_s: float = 30.0) -> bool:
        """Block until at least ``count`` formats have printed (or ``timeout_s`` passes)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.printed) >= count, timeout=timeout_s)

    def _flush_locked(self) -> None:
        if not self.faulted and self.buffered:
            self.printed.extend(self.buffered)
            self.buffered.clear()
        self._changed.notify_all()

    def consume(self, conn: socket.socket, data: bytes) -> bytes:
        pending, replies = self._consume(data)
        for reply in replies:
            with contextlib.suppress(OSError):
                conn.sendall(reply)
        return pending

    def _consume(self, data: bytes) -> tuple[bytes, list[bytes]]:
        """Run immediate commands, file complete formats; return the unconsumed tail and replies."""
        replies: list[bytes] = []
        # ~ commands act at once wherever they are; keep a possible partial command at the end.
        keep_from = len(data)
        tail = data.rfind(b"~")
        if tail >= 0 and len(data) - tail < 3:
            keep_from = tail
        body, rest = data[:keep_from], data[keep_from:]
        with self._lock:
            for m in _TILDE.finditer(body):
                cmd = m.group(1).decode().upper()
                self.immediate.append(cmd)
                if cmd == "HS" and (self.answer_when_faulted or not self.faulted):
                    replies.append(format_host_status(self._status_locked()))
                elif cmd == "JA":  # cancel all
                    self.buffered.clear()
            stream = _TILDE.sub(b"", body) + rest
            while True:
                start = stream.find(b"^XA")
                if start < 0:
                    stream = stream[-2:] if stream.endswith((b"^", b"^X")) else b""
                    break
                end = stream.find(b"^XZ", start + 3)
                if end < 0:
                    stream = stream[start:]
                    break
                label = stream[start : end + 3]
                stream = stream[end + 3 :]
                if self._labels_left is not None and not self.faulted:
                    if self._labels_left == 0:
                        self.paper_out, self._labels_left = True, None
                    else:
                        self._labels_left -= 1
                (self.buffered if self.faulted else self.printed).append(label)
            self._changed.notify_all()
        return stream, replies
