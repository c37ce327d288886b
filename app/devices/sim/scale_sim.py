"""A bench scale on a pseudo-terminal speaking MT-SICS, NCI, CAS stream or CAS ECR.

    with ScaleSimulator("nci") as sim:
        sim.set_weight(1234)                   # grams on the platter, stable
        SerialScale(SerialLink(sim.port), NciProtocol()).read()   # → 1234 g stable
        sim.set_motion(True); sim.set_overload(True); sim.unplug(); sim.replug(); sim.silence(True)

Weights are shown in ``unit`` (kg with 3 decimals by default, so grams round-trip exactly).
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from decimal import Decimal
from types import TracebackType

from app.devices.scales.cas import ACK, DC1, ENQ, EOT, ETX, SOH, STX, bcc
from app.devices.sim.pty_port import PtyPort
from app.devices.weights import GRAMS_PER_UNIT

PROTOCOLS = ("sics", "nci", "cas", "cas-ecr")


class ScaleSimulator:
    """A simulated scale. Thread-safe setters; ``start()``/``stop()`` or use as a context manager."""

    def __init__(self, protocol: str, *, unit: str = "kg", stream_interval_s: float = 0.05) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"simulated protocols: {', '.join(PROTOCOLS)}")
        self.protocol = protocol
        self.unit = unit
        self.stream_interval_s = stream_interval_s
        self.grams = 0
        self.motion = False
        self.overload = False
        self.underload = False
        self.silent = False
        self.requests: list[bytes] = []
        self._pty = PtyPort(name=f"tty-{protocol}")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._inbuf = b""
        self._sir = False
        self._last_stream = 0.0

    # -- control -------------------------------------------------------------------------
    @property
    def port(self) -> str:
        """The path the application opens (stable across unplug/replug)."""
        return self._pty.path

    def set_weight(self, grams: int) -> None:
        with self._lock:
            self.grams, self.motion, self.overload, self.underload = grams, False, False, False

    def set_motion(self, on: bool = True) -> None:
        with self._lock:
            self.motion = on

    def set_overload(self, on: bool = True) -> None:
        with self._lock:
            self.overload = on

    def set_underload(self, on: bool = True) -> None:
        with self._lock:
            self.underload = on

    def silence(self, on: bool = True) -> None:
        """Stop (or resume) answering while the port stays present, like a scale switched off."""
        with self._lock:
            self.silent = on

    def unplug(self) -> None:
        with self._lock:
            self._pty.unplug()
            self._inbuf, self._sir = b"", False

    def replug(self) -> None:
        with self._lock:
            self._pty.plug()

    def start(self) -> ScaleSimulator:
        self._thread = threading.Thread(target=self._run, name=f"scale-sim-{self.protocol}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pty.close()

    def __enter__(self) -> ScaleSimulator:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- device loop ---------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            fd = self._pty.master_fd
            if fd is None:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([fd], [], [], 0.02)
            except (OSError, ValueError):
                continue
            with self._lock:
                if fd != self._pty.master_fd:
                    continue
                if ready:
                    try:
                        data = os.read(fd, 1024)
                    except OSError:
                        data = b""
                    self._inbuf += data
                    out = self._handle_input()
                else:
                    out = b""
                now = time.monotonic()
                streaming = self.protocol == "cas" or self._sir
                if streaming and now - self._last_stream >= self.stream_interval_s:
                    self._last_stream = now
                    out += self._sics_weight() if self.protocol == "sics" else self._stream_frame()
                if out and not self.silent:
                    # A full pty buffer means nobody reads: drop, as a real scale's UART would.
                    with contextlib.suppress(BlockingIOError, OSError):
                        os.write(fd, out)

    def _handle_input(self) -> bytes:
        out = b""
        if self.protocol in ("sics", "nci"):
            term = b"\n" if self.protocol == "sics" else b"\r"
            while term in self._inbuf:
                line, self._inbuf = self._inbuf.split(term, 1)
                line = line.strip(b"\r\n")
                if not line:
                    continue
                self.requests.append(line)
                out += self._sics(line) if self.protocol == "sics" else self._nci(line)
        elif self.protocol == "cas-ecr":
            for byte in self._inbuf:
                b = bytes([byte])
                self.requests.append(b)
                if b == ENQ:
                    out += ACK
                elif b == DC1:
                    out += self._ecr_frame()
            self._inbuf = b""
        else:
            self._inbuf = b""  # the CAS stream ignores what it is sent
        return out

    def _value(self, digits: int) -> str:
        value = Decimal(self.grams) / GRAMS_PER_UNIT[self.unit]
        return f"{value:.{digits}f}"

    # -- protocols -----------------------------------------------------------------------
    def _sics(self, cmd: bytes) -> bytes:
        if cmd in (b"S", b"SI", b"SIR"):
            self._sir = cmd == b"SIR"
            if cmd == b"S" and self.motion:
                return b"S I\r\n"
            return self._sics_weight()
        self._sir = False
        if cmd == b"Z":
            return b"Z I\r\n" if self.motion else b"Z A\r\n"
        if cmd == b"T":
            return b"T I\r\n" if self.motion else f"T S {self._value(3):>10} {self.unit}\r\n".encode()
        if cmd == b"@":
            return b'I4 A "SIM0001"\r\n'
        return b"ES\r\n"

    def _sics_weight(self) -> bytes:
        if self.overload:
            return b"S +\r\n"
        if self.underload:
            return b"S -\r\n"
        status = "D" if self.motion else "S"
        return f"S {status} {self._value(3):>10} {self.unit}\r\n".encode()

    def _nci_status(self) -> bytes:
        b1 = 0x30 | (0x01 if self.motion else 0) | (0x02 if self.grams == 0 and not self.motion else 0)
        b2 = 0x30 | (0x01 if self.underload else 0) | (0x02 if self.overload else 0)
        return bytes([b1, b2])

    def _nci(self, cmd: bytes) -> bytes:
        status = b"\n" + self._nci_status() + b"\r\x03"
        if cmd == b"W":
            if self.overload:
                weight = b"^^^^^^" + self.unit.encode()
            elif self.underload:
                weight = b"------" + self.unit.encode()
            else:
                weight = f"{self._value(3):>8}{self.unit}".encode()
            return b"\n" + weight + b"\r" + status
        if cmd in (b"S", b"Z"):
            if cmd == b"Z" and not self.motion:
                self.grams = 0
            return status
        return b"\n?\r\x03"

    def _stream_frame(self) -> bytes:
        head = b"OL" if self.overload else (b"US" if self.motion else b"ST")
        lamp = 0x80 | (0x40 if not self.motion else 0) | 0x04 | (0x01 if self.grams == 0 else 0)
        unit = {"kg": b"kg", "g": b" g", "lb": b"lb"}[self.unit]
        value = self._value(3 if self.unit != "g" else 0)
        return head + b",GS,1" + bytes([lamp]) + b"," + f"{value:>8}".encode()[-8:] + b" " + unit + b"\r\n"

    def _ecr_frame(self) -> bytes:
        sta = b"U" if self.motion else b"S"
        if self.overload:
            sign, weight = b"F", b"FFFFFF"
        else:
            sign = b"-" if self.grams < 0 else b" "
            value = Decimal(abs(self.grams)) / GRAMS_PER_UNIT[self.unit]
            weight = f"{value:06.3f}".encode()[-6:]
        body = sta + sign + weight + {"kg": b"kg", "lb": b"lb"}[self.unit]
        return SOH + STX + body + bytes([bcc(body)]) + ETX + EOT
