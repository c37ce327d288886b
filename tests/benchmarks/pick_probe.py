"""Pick scan-to-feedback in the real pick screen, in a process of its own:
``python -m tests.benchmarks.pick_probe`` prints one line ``RESULT {json}``.

A 200-stop cluster batch (a fake of the picking contract answers the lease; nothing after it touches the
network), every bin, unit and tote scanned as a keyboard wedge types it, timed from the Enter key to the
screen repainted with the answer. The pick controller's own share of each scan is timed too (the
baseline: the same scans without Qt).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.station_probe import emit
from tests.fakes.pick_hub import FakePickHub, fake_hub_window

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
STOPS = 200


class BigBatchHub(FakePickHub):
    """One order per tote slot (4), ``STOPS`` stops over distinct bins and products in walk order."""

    def batch(self) -> dict[str, Any]:
        orders = [{"number": f"PB{9000000 + k:07d}", "tote_slot": k, "lines": []} for k in range(1, 5)]
        stops = []
        for i in range(STOPS):
            slot = i % 4 + 1
            sku, code = f"PK-{i:04d}", f"PRD{i:05d}"
            stops.append({"seq": i + 1, "bin": f"A-{i // 40 + 1:02d}-{i % 40 + 1:02d}-1", "zone": "A",
                          "walk_seq": 1000 + i, "sku": sku, "name": f"Product {i}", "barcode": code,
                          "quantity": 1, "order_number": orders[slot - 1]["number"], "tote_slot": slot,
                          "alternates": []})  # fmt: skip
        return {"batch_id": "bench-batch", "lease_id": "bench-lease", "mode": "cluster", "orders": orders,
                "stops": stops}  # fmt: skip


def mode_scan() -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.ui.sounds import SoundBoard

    app = QApplication.instance() or QApplication(sys.argv[:1])
    hub = BigBatchHub([])
    with tempfile.TemporaryDirectory(prefix="packbench-bm-pick-") as tmp:
        engine, window = fake_hub_window(hub, Path(tmp), SoundBoard(enabled=False))
        window.show_screen("pick")
        engine.picking.lease_batch()
        hub.stopped = True  # from here on the bench is on its own: the scans never wait on the hub
        s = engine.picking.session
        codes = [f"TOTE-B{k:03d}" for k in range(1, 5)]
        for k, stop in enumerate(s.stops):
            codes += [stop.bin, stop.barcode, f"TOTE-B{k % 4 + 1:03d}"]
        control: list[float] = []
        real_scan = engine.picking.scan

        def timed_scan(raw: str) -> Any:
            t0 = time.perf_counter()
            try:
                return real_scan(raw)
            finally:
                control.append(time.perf_counter() - t0)

        engine.picking.scan = timed_scan  # type: ignore[method-assign]
        latencies: list[float] = []
        kinds: dict[str, int] = {}
        sent = [0.0]
        screen = window.pick

        def scan_next() -> None:
            k = len(latencies)
            if k == len(codes):
                app.quit()
                return
            QTest.keyClicks(screen, codes[k])
            sent[0] = time.perf_counter()
            QTest.keyClick(screen, Qt.Key.Key_Return)

        def shown(fb: Any) -> None:
            window.repaint()
            latencies.append(time.perf_counter() - sent[0])
            kinds[fb.kind.value] = kinds.get(fb.kind.value, 0) + 1
            QTimer.singleShot(0, scan_next)

        screen.feedback_shown.connect(shown)
        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(app.quit)
        watchdog.start(240_000)
        QTimer.singleShot(0, scan_next)
        app.exec()
        done = s.state.value
        window.shutdown()
        engine.close()
    return {"latencies": latencies, "controller": control, "kinds": kinds, "state": done, "scans": len(codes)}


if __name__ == "__main__":
    emit(mode_scan())
    sys.stdout.flush()
    os._exit(0)
