"""A serial port opened on demand, with deadlines, that survives an unplugged cable.

pyserial errors never leave this module: they become ``PortGone`` (the port vanished or cannot be
opened) or ``NoAnswer`` (the port is open but the device said nothing in time).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from app.devices.errors import DeviceError

try:
    from termios import error as _TermiosError
except ImportError:  # Windows

    class _TermiosError(Exception):  # type: ignore[no-redef]
        pass


#: what pyserial lets escape on an unplugged port: its own errors, OSError, and raw termios errors
IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)
_OPEN_ERRORS: tuple[type[BaseException], ...] = (*IO_ERRORS, ValueError)


class PortGone(DeviceError):
    """The serial port cannot be opened or went away (cable pulled, adapter unplugged)."""


class NoAnswer(DeviceError):
    """The device did not answer in time. ``partial`` holds whatever bytes did arrive."""

    def __init__(self, message: str, partial: bytes = b"") -> None:
        super().__init__(message)
        self.partial = partial


class FrameTooLong(NoAnswer):
    """More than ``max_bytes`` arrived without the terminator: a frame too long to be one (or a babbling
    device). ``partial`` holds the bytes read; the rest of that frame is still in the port."""


Opener = Callable[..., Any]


class SerialLink:
    """One serial port. Opens lazily; after an I/O error it closes itself and reopens on next use.

    ``timeout_s`` is the default deadline, in seconds, for one answer from the device.
    Not thread-safe by itself: callers (the scale classes) hold a lock around each exchange.
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
        timeout_s: float = 2.0,
        device: str = "Scale",
        opener: Opener | None = None,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.bytesize = bytesize
        self.parity = parity
        self.stopbits = stopbits
        self.timeout_s = timeout_s
        self.device = device
        self._opener: Opener = opener or serial.serial_for_url
        self._serial: Any = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        """Open the port if it is not open. Raises PortGone with a message for the packer."""
        if self._serial is not None:
            return
        try:
            self._serial = self._opener(
                self.port,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                timeout=0.05,
                write_timeout=self.timeout_s,
                exclusive=True,
            )
        except _OPEN_ERRORS as exc:
            self._serial = None
            raise PortGone(f"{self.device} not connected on {self.port}: check the cable ({exc})") from exc

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            with contextlib.suppress(*IO_ERRORS):
                ser.close()

    def _gone(self, exc: BaseException) -> PortGone:
        self.close()
        return PortGone(f"{self.device} disconnected from {self.port}: check the cable ({exc})")

    # -- I/O -------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        self.open()
        try:
            self._serial.write(data)
            self._serial.flush()
        except IO_ERRORS as exc:
            raise self._gone(exc) from exc

    def discard_input(self) -> None:
        """Drop bytes that arrived before our request (stale frames, half a streamed line)."""
        self.open()
        try:
            self._serial.reset_input_buffer()
        except IO_ERRORS as exc:
            raise self._gone(exc) from exc

    def _read_some(self, n: int) -> bytes:
        try:
            data: bytes = self._serial.read(n)
        except IO_ERRORS as exc:
            raise self._gone(exc) from exc
        return data

    def read_until(self, terminator: bytes, *, max_bytes: int = 256, timeout_s: float | None = None) -> bytes:
        """Bytes up to and including ``terminator``. Raises NoAnswer after ``timeout_s`` seconds.

        More than ``max_bytes`` without a terminator also raises NoAnswer (a babbling device).
        """
        self.open()
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        buf = bytearray()
        while True:
            chunk = self._read_some(1)
            if chunk:
                buf += chunk
                if buf.endswith(terminator):
                    return bytes(buf)
                if len(buf) > max_bytes:
                    raise FrameTooLong(f"{self.device} on {self.port} sent no frame end", bytes(buf))
            elif time.monotonic() >= deadline:
                raise NoAnswer(self._silent_message(), bytes(buf))

    def read_exact(self, n: int, *, timeout_s: float | None = None) -> bytes:
        """Exactly ``n`` bytes or NoAnswer (with the partial bytes) after ``timeout_s`` seconds."""
        self.open()
        deadline = time.monotonic() + (self.timeout_s if timeout_s is None else timeout_s)
        buf = bytearray()
        while len(buf) < n:
            chunk = self._read_some(n - len(buf))
            if chunk:
                buf += chunk
            elif time.monotonic() >= deadline:
                raise NoAnswer(self._silent_message(), bytes(buf))
        return bytes(buf)

    def _silent_message(self) -> str:
        return (
            f"{self.device} not answering on {self.port}: check that it is switched on and that its "
            f"protocol and baud rate ({self.baudrate}) match"
        )
