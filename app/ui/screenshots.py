"""Screenshots of every screen from the real app, offscreen: ``python -m app.ui.screenshots docs/screenshots``.

The app runs over an embedded hub with the demo data, the simulated scale and printer; the script
scans, weighs and signs in as people would, and saves a PNG of the window at each step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget


def _wait(app: Any, cond: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def _type(app: Any, widget: QWidget, text: str) -> None:
    """Send ``text`` + Enter as fast key presses (what a wedge scanner does)."""
    for ch in [*text, "\r"]:
        key = Qt.Key.Key_Return if ch == "\r" else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
    app.processEvents()


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.bench.embedded_hub import EmbeddedHub
    from app.bench.engine import BenchEngine
    from app.bench.labels import LocalFallbackLabels
    from app.bench.settings import BenchSettings
    from app.bench.shift import ShiftConfig, run_shift
    from app.devices.printers.tcp import TcpLabelPrinter
    from app.devices.scales.base import open_scale
    from app.devices.sim.scale_sim import ScaleSimulator
    from app.devices.sim.zebra_sim import ZebraSimulator
    from app.ui import theme
    from app.ui.main import hub_has_labels
    from app.ui.main_window import BenchWindow
    from app.ui.sounds import SoundBoard

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app)
    with tempfile.TemporaryDirectory() as tmp, ScaleSimulator("sics") as scale_sim, ZebraSimulator() as zebra:
        folder = Path(tmp)
        (folder / "hub").mkdir()
        with EmbeddedHub(folder / "hub", orders=60) as hub:
            engine = BenchEngine(
                folder / "bench", hub_url=hub.url, printer=TcpLabelPrinter(zebra.host, zebra.port), sync_interval_s=0.5
            )
            engine.enrol(hub.enrolment_code)
            if not hub_has_labels(engine):
                engine.labels = LocalFallbackLabels(engine.station_name or "BENCH")
            engine.start()
            engine.lease(8)
            engine.sign_in("SV-1001", "3333")
            engine.sign_out()
            scale = open_scale(scale_sim.port, "sics")
            window = BenchWindow(
                engine,
                BenchSettings(hub_url=hub.url, scale_port=scale_sim.port, label_printer=zebra.uri),
                save_settings=lambda s: None,
                test_scale=lambda s: "",
                test_printer=lambda s: "",
                scale_read=scale.read,
                printer_probe=lambda: ("ready", True),
                sounds=SoundBoard(enabled=False),
            )
            window.show()

            def shot(name: str) -> None:
                window.grab().save(str(out / f"{name}.png"))

            window.signin.badge.setText("PK-1001")
            shot("01-sign-in")
            window.signin.pin.setText("1111")
            window.signin.submit()
            _wait(app, lambda: window.current() == "pack")
            pack = window.pack
            order = next(o for o in engine.orders_to_pack() if sum(o.lines.values()) >= 2)

            def scan(code: str) -> None:
                n = len(pack.history)
                _type(app, pack, code)
                _wait(app, lambda: len(pack.history) > n)

            scan(order.number)
            codes = []
            for sku, q in order.lines.items():
                p = engine.store.product(sku)
                codes += [(p.barcodes[0] if p and p.barcodes else sku)] * q
            scan(codes[0])
            shot("02-pack-right-item")
            wrong = next(s for o in engine.orders_to_pack() for s in o.lines if s not in order.lines)
            wp = engine.store.product(wrong)
            scan(wp.barcodes[0] if wp and wp.barcodes else wrong)
            shot("03-pack-wrong-item")
            for c in codes[1:]:
                scan(c)
            parcel = engine.pack.current
            assert parcel is not None
            scale_sim.set_weight(engine.pack.expected_weight_g(parcel) + 450)
            _wait(app, lambda: bool(pack.history) and pack.history[-1].kind.value == "weight_mismatch")
            shot("04-pack-weight-mismatch")
            scan("SV-1001")
            _wait(app, lambda: engine.pack.state.value in ("slip", "done"))
            _wait(app, lambda: not pack.preview.pixmap().isNull())
            shot("05-pack-label-printed")
            window.sign_out()
            code = engine.client.sign_in("AD-1001", "4444")["token"]
            admin = engine.client  # the bench's hub client, with the admin's token per call
            robot_code = admin.call(
                "POST",
                "/admin/enrolment-codes",
                token=code,
                json={"station_name": "BENCH-2", "location": "WH-LDS"},
            )["code"]
            run_shift(ShiftConfig(hub_url=hub.url, data_dir=folder / "robot", enrol_code=robot_code, orders=12))
            window.signin.badge.setText("SV-1001")
            window.signin.pin.setText("3333")
            window.signin.submit()
            _wait(app, lambda: window.current() == "pack")
            window.show_screen("dashboard")
            _wait(app, lambda: bool(window.dashboard.report))
            shot("06-dashboard")
            window.show_screen("returns")
            shipped = admin.call("GET", "/orders", token=code, params={"status": "shipped"})["orders"][0]
            rma = admin.call(
                "POST",
                "/returns",
                token=code,
                json={"order_number": shipped["number"], "lines": [{"sku": shipped["lines"][0]["sku"], "quantity": 1}]},
            )
            ret = window.returns
            n = len(ret.history)
            _type(app, ret, rma["number"])
            _wait(app, lambda: len(ret.history) > n)
            rp = engine.store.product(shipped["lines"][0]["sku"])
            n = len(ret.history)
            _type(app, ret, rp.barcodes[0] if rp and rp.barcodes else shipped["lines"][0]["sku"])
            _wait(app, lambda: len(ret.history) > n)
            shot("07-returns-grading")
            window.show_screen("settings")
            shot("08-settings")
            window.shutdown()
            engine.close()
            close = getattr(scale, "close", None)
            if close:
                close()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
