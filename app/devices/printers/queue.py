"""The operating system's print queue (CUPS ``lpr -o raw`` / win32print) through the ``zebra`` package.

``zebra`` ignores lpr's exit status and encodes text as cp437, so we hand it bytes and run the Unix
submission ourselves to check the result. A job accepted by the queue is reported sent; the queue
(CUPS) owns retries from there.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

from app.devices.errors import DependencyMissing, DeviceError, PrinterNotReady


def _zebra_class() -> Any:
    try:
        from zebra import Zebra
    except ImportError as exc:  # win32print missing on Windows, or zebra not installed
        raise DependencyMissing(f"OS print queues need the 'zebra' package ({exc})") from exc
    return Zebra


class _CheckedZebra:
    """A ``zebra.Zebra`` whose Unix output checks lpr's exit status."""

    def __init__(self, queue: str, timeout_s: float) -> None:
        base = _zebra_class()
        outer = self

        class Checked(base):  # type: ignore[misc, valid-type]
            def _output_unix(self, commands: bytes) -> None:
                outer._lpr(self.queue, commands)

        self.zebra = Checked(queue)
        self.timeout_s = timeout_s

    def _lpr(self, queue: str, data: bytes) -> None:
        try:
            done = subprocess.run(
                ["lpr", f"-P{queue}", "-oraw"], input=data, capture_output=True, timeout=self.timeout_s, check=False
            )
        except FileNotFoundError as exc:
            raise PrinterNotReady("Cannot print to a queue: lpr is not installed (install CUPS: cups-bsd)") from exc
        except subprocess.TimeoutExpired as exc:
            raise DeviceError(f"Print queue {queue} did not accept the label in time", retry_safe=False) from exc
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip() or f"lpr exit status {done.returncode}"
            raise PrinterNotReady(f"Print queue {queue} refused the label: {reason}")


class QueueLabelPrinter:
    """A printer behind an OS queue named ``queue``."""

    def __init__(self, queue: str, *, timeout_s: float = 15.0) -> None:
        self.queue = queue
        self.timeout_s = timeout_s
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        with self._lock:
            checked = _CheckedZebra(self.queue, self.timeout_s)
            try:
                checked.zebra.output(bytes(data))
            except DeviceError:
                raise
            except Exception as exc:  # win32print raises pywintypes.error; nothing else is expected
                raise PrinterNotReady(f"Print queue {self.queue} refused the label: {exc}") from exc


def list_queues() -> list[str]:
    """Names of the OS print queues; empty when there is no print system."""
    if sys.platform.startswith("win"):
        try:
            queues: list[str] = _zebra_class()().getqueues()
        except Exception:  # no print spooler service
            return []
        return queues
    try:
        done = subprocess.run(["lpstat", "-e"], capture_output=True, timeout=5, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
