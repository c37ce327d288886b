"""A barcode scanner on a serial port (RS-232 or USB CDC): each code ends with a terminator."""

from __future__ import annotations

import threading

from app.devices.errors import DeviceError, InvalidScan
from app.devices.scanners.parse import Scan, ScanConfig, parse_scan
from app.devices.serial_link import FrameTooLong, NoAnswer, SerialLink

#: the longest code a serial scanner may send (GS1 element strings and 2D codes fit well inside)
MAX_FRAME = 4096


class SerialScanner:
    """``read(timeout_s)`` waits up to ``timeout_s`` seconds for one code; ``None`` if none came.

    Raises InvalidScan for an unreadable code and DeviceError (PortGone) when the scanner is
    unplugged; the next call reopens the port. ``terminator`` is what the scanner appends (CR default).
    """

    def __init__(
        self,
        link: SerialLink,
        *,
        terminator: bytes = b"\r",
        encoding: str = "utf-8",
        config: ScanConfig | None = None,
    ) -> None:
        if not terminator:
            raise ValueError("a serial scanner needs a terminator")
        self.link = link
        self.link.device = "Scanner"
        self.terminator = terminator
        self.encoding = encoding
        self.config = config or ScanConfig()
        self._lock = threading.Lock()
        self._discarding = False  # inside a frame that was too long: drop to its terminator

    def _skip_to_terminator(self, timeout_s: float) -> bool:
        """Drop bytes up to and including the next terminator; False if it did not come in time (the
        scanner keeps discarding on the next read)."""
        while True:
            try:
                self.link.read_until(self.terminator, max_bytes=MAX_FRAME, timeout_s=timeout_s)
            except FrameTooLong:
                continue
            except NoAnswer:
                return False
            self._discarding = False
            return True

    def open(self) -> None:
        """Open the port now (otherwise the first ``read`` does). Raises DeviceError when it is missing."""
        self.link.open()

    def read(self, timeout_s: float = 1.0) -> Scan | None:
        """One code. A frame longer than ``MAX_FRAME`` bytes is discarded whole, up to and including its
        terminator, and reported as InvalidScan: no part of it (its tail least of all) is acted on."""
        with self._lock:
            if self._discarding and not self._skip_to_terminator(timeout_s):
                return None
            try:
                raw = self.link.read_until(self.terminator, max_bytes=MAX_FRAME, timeout_s=timeout_s)
            except FrameTooLong as exc:
                self._discarding = True
                self._skip_to_terminator(timeout_s)
                raise InvalidScan(
                    f"Scanner sent a code longer than {MAX_FRAME} bytes: discarded whole, nothing acted on"
                ) from exc
            except NoAnswer as exc:
                if exc.partial:
                    raise DeviceError(
                        "Scanner sent a code without its end character: check the suffix setting"
                    ) from exc
                return None
        body = raw[: -len(self.terminator)].lstrip(b"\r\n")
        try:
            text = body.decode(self.encoding)
        except UnicodeDecodeError:
            text = body.decode("latin-1")
        return parse_scan(text, self.config)
