"""Work off the GUI thread, results posted back through signals.

``TaskRunner.run(fn, on_done, on_error)`` runs ``fn`` on a worker thread and calls the callbacks
on the GUI thread. ``ScaleMonitor`` polls a scale on its own thread and emits every reading. In
tests a runner can be made synchronous, so a test reads as the packer's actions in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.devices.weights import ScaleState, WeightReading


class _Relay(QObject):
    done = Signal(object, object)  # (callback, result)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, ok: Callable[[Any], None], err: Callable[[Any], None]):
        super().__init__()
        self.fn, self.relay, self.ok, self.err = fn, relay, ok, err

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the GUI as a value, never raised on a worker
            self.relay.done.emit(self.err, exc)
        else:
            self.relay.done.emit(self.ok, result)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False, threads: int = 4) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay()
        self._relay.done.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        ok = on_done or (lambda _r: None)
        err: Callable[[Any], None] = on_error or (lambda _e: None)
        if self.synchronous:
            try:
                result = fn()
            except Exception as exc:
                err(exc)
            else:
                ok(result)
            return
        self.pool.start(_Job(fn, self._relay, ok, err))

    def wait(self, msecs: int = 10000) -> bool:
        return bool(self.pool.waitForDone(msecs))


class Poller(QObject):
    """Calls ``probe`` every ``interval_s`` seconds on its own thread and emits each result as ``result``.

    A probe that raises emits the exception itself (the GUI shows it); polling goes on.
    """

    result = Signal(object)

    def __init__(self, probe: Callable[[], Any], *, interval_s: float = 5.0, parent: QObject | None = None):
        super().__init__(parent)
        self._probe = probe
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=type(self).__name__, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                value = self._probe()
            except Exception as exc:
                value = exc
            self.result.emit(value)
            self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - started)))


class ScaleMonitor(Poller):
    """Reads the scale continuously on its own thread; the latest reading is always on screen.

    ``read`` is the device's read function (``Scale.read``); a reading that raises becomes a
    DISCONNECTED reading with the device's message, and reading goes on (the device layer
    reopens an unplugged port by itself). Readings arrive as ``reading``.
    """

    reading = Signal(object)

    def __init__(self, read: Callable[[], WeightReading], *, interval_s: float = 0.2, parent: QObject | None = None):
        super().__init__(self._safe_read, interval_s=interval_s, parent=parent)
        self._read = read
        self.latest = WeightReading(ScaleState.DISCONNECTED, None, "not started")
        self.result.connect(self.reading.emit)

    def _safe_read(self) -> WeightReading:
        try:
            r = self._read()
        except Exception as exc:
            r = WeightReading(ScaleState.DISCONNECTED, None, str(exc))
        self.latest = r
        return r
