"""Raw TCP (port 9100) to a Zebra printer, with a ``~HS`` status check before and after each job."""

from __future__ import annotations

import socket
import threading
import time

from app.devices.errors import PrinterNotReady, PrintUnconfirmed
from app.devices.printers.status import PrinterStatus, parse_host_status, split_frames


class TcpLabelPrinter:
    """A network label printer. ``timeout_s``: seconds to wait for a connection or a status answer.

    ``send`` asks ``~HS`` first: a fault or no answer (some printers stay silent while the media is
    out or the head is open) raises PrinterNotReady and nothing is sent. After sending it asks again
    and waits up to ``settle_s`` seconds for the printer's buffer to empty; a fault or silence then
    raises PrintUnconfirmed (the label is in the printer and will come out when the fault is fixed,
    so it must not be sent again). One job at a time per printer object (a lock).
    """

    def __init__(self, host: str, port: int = 9100, *, timeout_s: float = 3.0, settle_s: float = 5.0) -> None:
        self.host, self.port = host, port
        self.timeout_s = timeout_s
        self.settle_s = settle_s
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise PrinterNotReady(
                f"Printer not reachable at {self.where}: check that it is on and its network cable is in ({exc})"
            ) from exc

    def _query(self, sock: socket.socket) -> PrinterStatus | None:
        """The printer's status, or None when it does not answer within ``timeout_s``."""
        sock.sendall(b"~HS")
        deadline = time.monotonic() + self.timeout_s
        buf = b""
        while len(split_frames(buf)) < 3:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(1024)
            except TimeoutError:
                return None
            if not chunk:
                return None
            buf += chunk
        try:
            return parse_host_status(buf)
        except ValueError:
            return None

    def status(self) -> PrinterStatus:
        """Ask the printer for its status. Raises PrinterNotReady when it does not answer."""
        with self._lock, self._connect() as sock:
            status = self._query(sock)
        if status is None:
            raise PrinterNotReady(f"Printer at {self.where} does not answer: check paper and lid")
        return status

    def is_idle(self) -> bool:
        """True when the printer answers, has no fault and nothing left to print."""
        try:
            return self.status().idle
        except PrinterNotReady:
            return False

    def send(self, data: bytes) -> None:
        with self._lock, self._connect() as sock:
            try:
                before = self._query(sock)
            except OSError as exc:
                raise PrinterNotReady(f"Printer at {self.where} dropped the connection ({exc})") from exc
            if before is None:
                raise PrinterNotReady(
                    f"Printer at {self.where} does not answer: check paper and lid (nothing was printed)"
                )
            if before.faults:
                raise PrinterNotReady(f"{'; '.join(before.faults)} (nothing was printed)")
            try:
                sock.sendall(data)
            except OSError as exc:
                raise PrintUnconfirmed(
                    f"Connection to the printer at {self.where} broke while sending: check whether the "
                    f"label came out before printing it again ({exc})"
                ) from exc
            self._settle(sock)

    def _settle(self, sock: socket.socket) -> None:
        deadline = time.monotonic() + self.settle_s
        while True:
            try:
                after = self._query(sock)
            except OSError:
                after = None
            if after is None:
                raise PrintUnconfirmed(
                    f"Printer at {self.where} stopped answering after the label was sent: check paper and "
                    "lid; the label prints when the printer is ready, do not print it again"
                )
            if after.faults:
                raise PrintUnconfirmed(
                    f"{'; '.join(after.faults)}. The label is waiting in the printer and prints when this "
                    "is fixed; do not print it again"
                )
            if after.formats_in_buffer == 0 and after.labels_remaining == 0:
                return
            if time.monotonic() >= deadline:
                raise PrintUnconfirmed(f"Printer at {self.where} is still busy with the label")
            time.sleep(0.05)
