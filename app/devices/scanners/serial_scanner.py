"""A barcode scanner on a serial port (RS-232 or USB CDC): each code ends with a terminator."""

from __future__ import annotations

import threading

from app.devices.errors import DeviceError
from app.devices.scanners.parse import Scan, ScanConfig, parse_scan
from app.devices.serial_link import NoAnswer, SerialLink


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

    def open(self) -> None:
        """Open the port now (otherwise the first ``read`` does). Raises DeviceError when it is missing."""
        self.link.open()

    def read(self, timeout_s: float = 1.0) -> Scan | None:
        with self._lock:
            try:
                raw = self.link.read_until(self.terminator, max_bytes=4096, timeout_s=timeout_s)
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
