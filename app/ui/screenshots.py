"""Screenshots of every screen from the real app, offscreen: ``python -m app.ui.screenshots docs/screenshots``.

The demo bench runs (embedded hub with the demo data, simulated scale and printer, the demo panel
docked) at 1366 x 768; the script scans, weighs and signs in as people would, saves a PNG of the
window at each step, and exits non-zero when any text on a screen is cut off (``layout_check``).
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

from app.ui.layout_check import Clipped, clipped_texts


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


def take_screenshots(out: Path) -> dict[str, list[Clipped]]:
    """Drive the demo bench (demo panel docked, window 1366 x 768) through every screen, save a PNG of
    each step in ``out`` and answer the clipped texts found on each (an empty list when all fit)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.demo.shift import ShiftConfig, run_shift
    from app.ui import theme
    from app.ui.demo import demo_bench
    from app.ui.sounds import SoundBoard

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app)
    found: dict[str, list[Clipped]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="packbench-shots-") as tmp,
        demo_bench(Path(tmp), orders=60, sounds=SoundBoard(enabled=False)) as demo,
    ):
        engine, window, scale_sim, hub = demo.engine, demo.window, demo.scale_sim, demo.hub
        engine.sign_in("SV-1001", "3333")  # the bench learns the supervisor's badge (weight override)
        engine.sign_out()
        window.resize(1366, 768)
        window.show()

        def shot(name: str) -> None:
            demo.panel.refresh()
            for _ in range(5):
                app.processEvents()
                time.sleep(0.02)
            found[name] = clipped_texts(window)
            window.grab().save(str(out / f"{name}.png"))

        _type(app, window.signin.badge, "PK-1001")
        _wait(app, lambda: window.signin.badge.text() == "PK-1001")
        shot("01-sign-in")
        window.signin.pin.setText("1111")
        window.signin.submit()
        _wait(app, lambda: window.current() == "pack")
        pack = window.pack
        order = next(o for o in engine.orders_to_pack() if sum(o.lines.values()) >= 2)

        def scan(screen: Any, code: str) -> None:
            n = len(screen.history)
            _type(app, screen, code)
            _wait(app, lambda: len(screen.history) > n)

        scan(pack, order.number)
        codes = []
        for sku, q in order.lines.items():
            p = engine.product(sku)
            codes += [(p.barcodes[0] if p and p.barcodes else sku)] * q
        scan(pack, codes[0])
        shot("02-pack-right-item")
        wrong = next(s for o in engine.orders_to_pack() for s in o.lines if s not in order.lines)
        wp = engine.product(wrong)
        scan(pack, wp.barcodes[0] if wp and wp.barcodes else wrong)
        shot("03-pack-wrong-item")
        for c in codes[1:]:
            scan(pack, c)
        parcel = pack.view.parcel
        assert parcel is not None
        scale_sim.set_weight(parcel.expected_g + 450)
        _wait(app, lambda: bool(pack.history) and pack.history[-1].kind.value == "weight_mismatch")
        shot("04-pack-weight-mismatch")
        scan(pack, "SV-1001")
        _wait(app, lambda: pack.view.state.value in ("slip", "done"))
        _wait(app, lambda: not pack.preview.pixmap().isNull())
        shot("05-pack-label-printed")
        scan(pack, "CMD:SLIP_DONE")
        nxt = engine.orders_to_pack()[0]
        scan(pack, nxt.number)
        for sku, q in nxt.lines.items():
            p = engine.product(sku)
            for _ in range(q):
                scan(pack, p.barcodes[0] if p and p.barcodes else sku)
        _wait(app, lambda: "Take the last parcel off" in pack.banner.text())
        shot("06-pack-take-the-last-parcel-off")
        scale_sim.set_weight(0)
        window.sign_out()
        token = engine.client.sign_in("AD-1001", "4444")["token"]
        robot_code = engine.client.call(
            "POST", "/admin/enrolment-codes", token=token, json={"station_name": "BENCH-2", "location": "WH-LDS"}
        )["code"]
        run_shift(ShiftConfig(hub_url=hub.url, data_dir=Path(tmp) / "robot", enrol_code=robot_code, orders=12))
        window.signin.badge.setText("SV-1001")
        window.signin.pin.setText("3333")
        window.signin.submit()
        _wait(app, lambda: window.current() == "pack")
        window.show_screen("dashboard")
        _wait(app, lambda: bool(window.dashboard.report))
        shot("07-dashboard")
        window.show_screen("returns")
        shot("08-returns-waiting")
        ret = window.returns
        demo_return = hub.returns[0]
        scan(ret, demo_return.return_tracking_number)
        rp = engine.product(demo_return.sku)
        scan(ret, rp.barcodes[0] if rp and rp.barcodes else demo_return.sku)
        shot("09-returns-grading")
        window.show_screen("orders")
        _type(app, window.desk.search, demo_return.order_number)
        _wait(app, lambda: window.desk.number == demo_return.order_number and window.desk.timeline.count() > 0)
        shot("11-order-desk")
        window.desk.cancel_button.click()
        shot("12-order-desk-confirm-cancel")
        window.desk.close_confirm()
        window.sign_out()
        window.signin.badge.setText("AD-1001")
        window.signin.pin.setText("4444")
        window.signin.submit()
        _wait(app, lambda: window.operator is not None)
        window.show_screen("settings")
        shot("10-settings")
        _pick_shots(app, window, engine, scan, shot)
    return found


def _pick_shots(
    app: Any, window: Any, engine: Any, scan: Callable[[Any, str], None], shot: Callable[[str], None]
) -> None:
    """The pick screen: a cluster batch leased, its totes on the cart, at the first bin; then a wrong bin."""
    from app.ui.demo_pick import demo_tote

    window.show_screen("pick")
    pick = window.pick
    n = len(pick.history)
    pick.get_batch()
    _wait(app, lambda: len(pick.history) > n)
    session = engine.picking.session
    while session.state.value == "totes":
        scan(pick, demo_tote(session.batch_id, session.next_slot()))
    scan(pick, "Z-99-99-9")
    shot("14-pick-wrong-bin")
    scan(pick, session.current.bin)
    shot("13-pick-next-stop")


def main(out: Path) -> int:
    found = take_screenshots(out)
    bad = {name: items for name, items in found.items() if items}
    for name, items in bad.items():
        for item in items:
            print(f"{name}: clipped: {item}", file=sys.stderr)
    print(f"screenshots in {out}" + (f"; clipped text on {len(bad)} screen(s)" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
