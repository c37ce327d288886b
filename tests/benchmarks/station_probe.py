"""Bench-side measurements, one per process: ``python -m tests.benchmarks.station_probe MODE [DIR]``.

Modes (each prints one line ``RESULT {json}``):

``scan``     scan-to-feedback in the real pack screen: a 500-line order over an embedded hub, every
             item scanned as a keyboard wedge types it, timed from the Enter key to the screen
             repainted with the answer; the engine's own share of each scan is timed too.
``shift``    a headless robot shift (real engine, device simulators, embedded hub): wall time of
             the packing phase per order, and the parts of it that are not software time: the
             robot's ``time.sleep`` and the time inside the scale's ``read`` and the printer's
             ``send`` (waiting for the simulated device to answer, as a real one would).
``prepare``  fill DIR with an enrolled bench whose store caches 10,000 leased orders.
``bare``     the baseline window: QApplication and an empty QMainWindow, shown.
``bench``    the bench window over DIR, shown; then its queue loaded with every cached order.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCAN_LINES = 500
CACHED_ORDERS = 10_000
SHIFT_ORDERS = 40


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def emit(data: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(data), flush=True)


def _hub_with_big_order(folder: Path, lines: int) -> Any:
    """An embedded hub (demo seed, no demo orders) plus ``lines`` products and one order with one of each."""
    from sqlalchemy import select

    from app.demo.embedded_hub import EmbeddedHub
    from app.hub import models as m
    from app.hub.database import make_engine, make_session_factory, unit_of_work
    from app.hub.demo import demo_gtin
    from app.hub.services import catalog, orders

    hub = EmbeddedHub(folder, orders=0).__enter__()
    engine = make_engine(hub.db_url)
    with unit_of_work(make_session_factory(engine)) as s:
        loc_id = s.scalars(select(m.Station.location_id)).first()
        if loc_id is None:  # the station exists once the code is spent; the code names the location
            loc_id = s.scalars(select(m.EnrolmentCode.location_id)).first()
        for i in range(lines):
            p = catalog.create_product(
                s,
                sku=f"BIG-{i:04d}",
                name=f"Big order item {i}",
                weight_g=50,
                length_mm=40,
                width_mm=30,
                height_mm=20,
                barcodes=[demo_gtin(9000 + i)],
            )
            s.add(m.StockLevel(location_id=loc_id, product_id=p.id, on_hand=10, reserved=0))
        s.flush()
        new = orders.NewOrder(
            channel="web",
            channel_order_id="BIG-1",
            lines=[orders.NewOrderLine(f"BIG-{i:04d}", 1, 100) for i in range(lines)],
            ship_to={"name": "Ada", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
            priority=9,
        )
        from app.hub.services import pipeline
        from app.hub.services.dom import OrderRules

        order = orders.get_order(s, pipeline.submit(s, new, OrderRules()).number)
        if order.status != "queued":
            raise RuntimeError(f"the big order is {order.status}: {order.hold_reason or order.routing_reason}")
        number = order.number
    engine.dispose()
    return hub, number


def mode_scan() -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.bench.compose import open_bench
    from app.bench.settings import BenchSettings
    from app.ui.main_window import BenchWindow
    from app.ui.sounds import SoundBoard

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="packbench-bm-scan-") as tmp:
        folder = Path(tmp)
        (folder / "hub").mkdir()
        hub, number = _hub_with_big_order(folder / "hub", SCAN_LINES)
        try:
            engine = open_bench(
                folder / "bench",
                hub_url=hub.url,
                sync_interval_s=5.0,
                labels="local-fallback",
                enrol_code=hub.enrolment_code,
            )
            engine.lease(20)
            window = BenchWindow(
                engine,
                BenchSettings(hub_url=hub.url),
                save_settings=lambda s: None,
                test_scale=lambda s: "",
                test_printer=lambda s: "",
                sounds=SoundBoard(enabled=False),
            )
            window.show()
            window._signed_in(engine.sign_in("PK-1001", "1111"))
            screen = window.pack
            engine_s: list[float] = []
            real_scan = engine.scan

            def timed_scan(raw: str) -> Any:
                t0 = time.perf_counter()
                try:
                    return real_scan(raw)
                finally:
                    engine_s.append(time.perf_counter() - t0)

            engine.scan = timed_scan  # type: ignore[method-assign]
            # Driven from inside one app.exec(): PySide6 6.12's processEvents() drops a reference to None
            # on every call, and a polling loop over 500 scans crashes the interpreter.
            codes = [number]
            for i in range(SCAN_LINES):
                product = engine.product(f"BIG-{i:04d}")
                assert product is not None
                codes.append(product.barcodes[0])
            latencies: list[float] = []
            kinds: dict[str, int] = {}
            sent = [0.0]
            failure: list[str] = []
            odd: list[str] = []

            def scan_next() -> None:
                k = len(latencies)
                if k == len(codes):
                    app.quit()
                    return
                target = window.stack.currentWidget()
                assert target is not None
                QTest.keyClicks(target, codes[k])
                sent[0] = time.perf_counter()
                QTest.keyClick(target, Qt.Key.Key_Return)

            def shown(fb: Any) -> None:
                window.repaint()  # the answer on screen, not just in the widgets
                latencies.append(time.perf_counter() - sent[0])
                kinds[fb.kind.value] = kinds.get(fb.kind.value, 0) + 1
                if fb.kind.value not in ("right", "order_started") and len(odd) < 5:
                    odd.append(f"{codes[len(latencies) - 1]}: {fb.kind.value} {fb.message}")
                if len(latencies) == 1:
                    engine_s.clear()
                    if fb.kind.value != "order_started":
                        failure.append(f"scanning {number}: {fb.kind.value} {fb.message}")
                        app.quit()
                        return
                QTimer.singleShot(0, scan_next)

            screen.feedback_shown.connect(shown)
            watchdog = QTimer()
            watchdog.setSingleShot(True)

            def stuck() -> None:
                failure.append(f"stuck after {len(latencies)} scans")
                app.quit()

            watchdog.timeout.connect(stuck)
            watchdog.start(240_000)
            QTimer.singleShot(0, scan_next)
            app.exec()
            watchdog.stop()
            if failure:
                raise RuntimeError(failure[0])
            latencies = latencies[1:]  # the order scan itself is not an item scan
            kinds.pop("order_started", None)
            window.shutdown()
            engine.close()
        finally:
            hub.__exit__(None, None, None)
    return {"latencies": latencies, "engine": engine_s, "kinds": kinds, "odd": odd, "lines": SCAN_LINES}


def mode_shift() -> dict[str, Any]:
    from app.demo.embedded_hub import EmbeddedHub
    from app.demo.shift import RobotShift, ShiftConfig

    slept = [0.0]
    main = threading.main_thread()
    real_sleep = time.sleep

    def counting_sleep(seconds: float) -> None:
        if threading.current_thread() is main:
            t0 = time.perf_counter()
            real_sleep(seconds)
            slept[0] += time.perf_counter() - t0
        else:
            real_sleep(seconds)

    phase: dict[str, float] = {}
    device = [0.0]

    def timed(fn: Any) -> Any:
        """``fn`` with the time spent in it added to the device clock (on the robot's thread only)."""

        def call(*args: Any, **kw: Any) -> Any:
            if threading.current_thread() is not main:
                return fn(*args, **kw)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                device[0] += time.perf_counter() - t0

        return call

    class TimedShift(RobotShift):
        def __init__(self, cfg: ShiftConfig) -> None:
            super().__init__(cfg)
            # Waiting for the scale to answer and for the printer to confirm is device time, not ours.
            self.devices.scale.read = timed(self.devices.scale.read)  # type: ignore[method-assign]
            self.devices.printer.send = timed(self.devices.printer.send)  # type: ignore[method-assign]

        def _pack_orders(self) -> None:
            slept[0] = 0.0
            device[0] = 0.0
            t0 = time.perf_counter()
            c0 = time.thread_time()
            super()._pack_orders()
            phase["wall"] = time.perf_counter() - t0
            phase["cpu"] = time.thread_time() - c0
            phase["slept"] = slept[0]
            phase["device"] = device[0]

    with tempfile.TemporaryDirectory(prefix="packbench-bm-shift-") as tmp:
        folder = Path(tmp)
        with EmbeddedHub(folder, orders=SHIFT_ORDERS + 10) as hub:
            cfg = ShiftConfig(
                hub_url=hub.url,
                data_dir=folder / "bench",
                orders=SHIFT_ORDERS,
                enrol_code=hub.enrolment_code,
                cancel_share=0.0,
                returns_share=0.0,
                labels="local-fallback",
            )
            time.sleep = counting_sleep  # type: ignore[assignment]
            try:
                report = TimedShift(cfg).run()
            finally:
                time.sleep = real_sleep
    return {**phase, "orders": report.orders_attempted, "packed": report.orders_packed, "balanced": report.balanced}


def mode_prepare(folder: Path) -> dict[str, Any]:
    from app.bench.compose import open_bench
    from app.demo.embedded_hub import EmbeddedHub

    with tempfile.TemporaryDirectory(prefix="packbench-bm-prep-") as tmp, EmbeddedHub(Path(tmp), orders=30) as hub:
        engine = open_bench(folder, hub_url=hub.url, enrol_code=hub.enrolment_code)
        lease = engine.client.lease(20, 1800) if hasattr(engine.client, "lease") else None
        if not isinstance(lease, dict) or not lease.get("orders"):
            raise RuntimeError("could not lease demo orders to copy")
        template = lease["orders"]
        clones = []
        for i in range(CACHED_ORDERS):
            o = dict(template[i % len(template)])
            o["number"] = f"C{i:08d}"
            clones.append(o)
        engine.store.save_lease({**lease, "orders": clones})
        cached = len(engine.orders_to_pack())
        engine.close()
    return {"cached": cached}


def _ready(app: Any, window: Any) -> None:
    window.show()
    app.processEvents()
    window.repaint()
    app.processEvents()


def mode_bare() -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("ready"))
    window.resize(1280, 800)
    _ready(app, window)
    emit({"ready": True})
    return {"rss_ready": rss_mb()}


def mode_bench(folder: Path) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from app.bench.compose import open_bench
    from app.bench.settings import BenchSettings
    from app.ui import theme
    from app.ui.main_window import BenchWindow

    app = QApplication(sys.argv[:1])
    theme.apply(app)
    engine = open_bench(folder)
    if engine.enrolled:
        engine.start()  # as `packbench bench` does; the hub is gone, so the sync thread only retries
    window = BenchWindow(
        engine, BenchSettings(), save_settings=lambda s: None, test_scale=lambda s: "", test_printer=lambda s: ""
    )
    window.resize(1280, 800)
    _ready(app, window)
    emit({"ready": True})
    rss_ready = rss_mb()
    t0 = time.perf_counter()
    window.pack.refresh_queue()  # read on the engine's thread, drawn when it comes
    while window.pack.queue.rowCount() == 0 and time.perf_counter() - t0 < 60:
        app.processEvents()
        time.sleep(0.001)
    queue_s = time.perf_counter() - t0
    out = {"rss_ready": rss_ready, "rss_queue": rss_mb(), "queue_rows": window.pack.queue.rowCount()}
    out["queue_s"] = queue_s
    window.shutdown()
    engine.close()
    return out


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "scan":
        emit(mode_scan())
    elif mode == "shift":
        emit(mode_shift())
    elif mode == "prepare":
        emit(mode_prepare(Path(argv[1])))
    elif mode == "bare":
        emit(mode_bare())
    elif mode == "bench":
        emit(mode_bench(Path(argv[1])))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: it is not part of any figure


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
