"""The bench app driven as a packer, clerk and supervisor would: scanner keys, the simulated scale, the printer."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from PySide6.QtCore import Qt

from app.bench.feedback import FeedbackKind as K
from app.bench.packing import PackState
from app.bench.receiving import ReturnState
from app.devices.weights import WeightReading
from tests.ui.conftest import Bench


def pack_scans(bench: Bench) -> list[str]:
    """The codes a packer scans for the order in hand: each unit's barcode."""
    codes = []
    order = bench.engine.pack.order
    assert order is not None
    for sku, qty in order.lines.items():
        product = bench.engine.store.product(sku)
        assert product is not None
        codes += [product.barcodes[0] if product.barcodes else sku] * qty
    return codes


def start_first_order(bench: Bench) -> str:
    number = bench.engine.orders_to_pack()[0].number
    fb = bench.scan_and_wait(number)
    assert fb.kind == K.ORDER_STARTED, fb.message
    return number


def test_a_packer_signs_in_and_only_packer_screens_open(bench: Bench) -> None:
    assert bench.window.current() == "signin"
    s = bench.window.signin
    s.badge.setText("PK-1001")
    s.pin.setText("0000")
    s.submit()
    bench.qtbot.waitUntil(lambda: s.message.isVisible(), timeout=15000)
    assert "not recognised" in s.message.text()
    assert bench.window.current() == "signin"
    bench.sign_in("PK-1001", "1111")
    assert bench.window.current() == "pack"
    assert "Pat Packer" in bench.window.status.operator.text()
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F3)  # the dashboard is a supervisor's
    assert bench.window.current() == "pack"
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F12)
    assert bench.window.current() == "signin" and bench.window.operator is None


def test_a_complete_pack_prints_one_label_and_reports_the_order_packed(bench: Bench) -> None:
    slips: list[object] = []
    bench.engine.slip_printer = slips.append
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    number = start_first_order(bench)
    assert number in screen.title.text()
    codes = pack_scans(bench)
    for code in codes[:-1]:
        assert bench.scan_and_wait(code).kind == K.RIGHT
    assert screen.banner.colour == "right" and bench.heard[-1] == "right"
    bench.scan_and_wait(codes[-1])
    assert bench.engine.pack.state == PackState.WEIGHING
    assert all(screen.lines.rows[r][2] == screen.lines.rows[r][3] for r in range(screen.lines.rowCount()))
    parcel = bench.engine.pack.current
    assert parcel is not None and parcel.carton_code
    assert parcel.carton_code in screen.carton.text()
    expected = bench.engine.pack.expected_weight_g(parcel)
    bench.scale_sim.set_weight(expected + 3)
    fb = bench.wait_kind(screen, K.LABEL_PRINTED, K.LABEL_PENDING)
    assert fb.kind == K.LABEL_PRINTED, fb.message
    assert len(bench.printer_sim.printed) == 1
    assert screen.preview.pixmap() is not None and not screen.preview.pixmap().isNull()
    # The thumbnail is too small to read at 1366 x 768: a click opens it large, within the screen.
    bench.qtbot.mouseClick(screen.preview, Qt.MouseButton.LeftButton)
    large = screen.label_window
    assert large is not None and large.isVisible()
    shown = large.image.pixmap().height()
    room = large.screen().availableGeometry().height()
    assert shown >= 2.5 * screen.preview.pixmap().height() and shown <= room
    large.close()
    assert len(slips) == 1 and getattr(slips[0], "order_number", None) == number
    n = len(screen.history)
    bench.qtbot.keyClick(screen, Qt.Key.Key_F11)  # reprint: the hub hands back the same label
    bench.qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    assert screen.history[-1].kind == K.LABEL_PRINTED
    bench.qtbot.waitUntil(lambda: len(bench.printer_sim.printed) == 2, timeout=15000)
    assert bench.printer_sim.printed[0] == bench.printer_sim.printed[1]
    n = len(screen.history)
    screen.key_in.setText("customer moved")
    bench.qtbot.keyClick(screen, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)  # a packer may not void
    bench.qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    assert not screen.history[-1].accepted and "supervisor" in screen.history[-1].message
    assert bench.scan_and_wait("CMD:SLIP_DONE").kind == K.DONE
    bench.drain()
    sent = {e["type"] for e in bench.engine.store.outbox_events()}
    assert {"order_packed", "label_printed"} <= sent
    assert bench.engine.store.outbox_counts().get("applied", 0) >= 2


def two_products(bench: Bench) -> list[str]:
    """Two SKUs the bench has a barcode for (from the orders it holds)."""
    skus = sorted({s for o in bench.engine.orders_to_pack() for s in o.lines})
    found = [s for s in skus if (p := bench.engine.store.product(s)) is not None and p.barcodes]
    assert len(found) >= 2, found
    return found[:2]


def test_a_wrong_item_scan_turns_red_sounds_wrong_and_changes_nothing(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    start_first_order(bench)
    order = bench.engine.pack.order
    assert order is not None
    other = next(
        p
        for p in (bench.engine.store.product(s) for o in bench.engine.orders_to_pack() for s in o.lines)
        if p is not None and p.sku not in order.lines
    )
    before = bench.engine.pack.snapshot()
    fb = bench.scan_and_wait(other.barcodes[0])
    assert fb.kind == K.WRONG_ITEM and not fb.accepted
    assert screen.banner.colour == "wrong" and bench.heard[-1] == "wrong"
    assert bench.engine.pack.snapshot()["parcels"] == before["parcels"]
    assert [r[3] for r in screen.lines.rows] == [0] * screen.lines.rowCount()
    unknown = bench.scan_and_wait("9999999999994")
    assert unknown.kind == K.UNKNOWN_CODE and screen.banner.colour == "unknown" and bench.heard[-1] == "unknown"


def test_one_unit_too_many_of_a_line_is_an_over_scan_with_its_own_colour_and_sound(bench: Bench) -> None:
    first, second = two_products(bench)
    number = bench.submit_order({first: 2, second: 1})  # the order still waits for `second` after the over-scan
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    assert bench.scan_and_wait(number).kind == K.ORDER_STARTED
    product = bench.engine.store.product(first)
    assert product is not None
    assert [bench.scan_and_wait(product.barcodes[0]).kind for _ in range(2)] == [K.RIGHT, K.RIGHT]
    before = bench.engine.pack.snapshot()
    over = bench.scan_and_wait(product.barcodes[0])
    assert over.kind == K.OVER_SCAN and not over.accepted
    assert screen.banner.colour == "over_scan" and bench.heard[-1] == "over_scan"
    assert bench.engine.pack.snapshot()["parcels"] == before["parcels"]  # nothing counted twice
    assert bench.engine.pack.outstanding() == {second: 1}
    assert bench.engine.pack.state == PackState.SCANNING


def test_a_weight_mismatch_blocks_the_label_until_a_supervisor_scans_their_badge(bench: Bench) -> None:
    bench.engine.sign_in("SV-1001", "3333")  # the supervisor has signed in at this bench before
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    start_first_order(bench)
    for code in pack_scans(bench):
        bench.scan_and_wait(code)
    parcel = bench.engine.pack.current
    assert parcel is not None
    bench.scale_sim.set_weight(bench.engine.pack.expected_weight_g(parcel) + 400)
    fb = bench.wait_kind(screen, K.WEIGHT_MISMATCH)
    assert "heavier" in fb.message and screen.banner.colour == "wrong"
    assert "Expected" in screen.expected.text()
    # The scale keeps reporting the same weight: three more readings of it reach the screen, and none of
    # them prints a label or records a second exception.
    heavy = bench.engine.pack.expected_weight_g(parcel) + 400
    answers = len(screen.history)
    later: list[WeightReading] = []
    assert bench.window.scale is not None
    bench.window.scale.reading.connect(later.append)
    bench.qtbot.waitUntil(lambda: len(later) >= 3, timeout=15000)
    bench.window.scale.reading.disconnect(later.append)
    assert [(r.grams, r.is_stable) for r in later[:3]] == [(heavy, True)] * 3
    assert str(heavy) in screen.weight.text().replace(",", "")
    # (the pack screen forwards the first of them again, the state having changed: the same answer again)
    assert {f.kind for f in screen.history[answers:]} <= {K.WEIGHT_MISMATCH}
    assert bench.printer_sim.printed == []
    assert bench.engine.pack.state == PackState.WEIGHT_MISMATCH
    mismatches = [e for e in bench.engine.store.outbox_events() if e["payload"].get("kind") == "weight_mismatch"]
    assert len(mismatches) == 1
    fb = bench.scan_and_wait("SV-1001")
    bench.wait_kind(screen, K.LABEL_PRINTED, K.LABEL_PENDING)
    assert len(bench.printer_sim.printed) == 1


def test_a_supervisor_voids_a_printed_label_with_a_reason(bench: Bench) -> None:
    bench.sign_in("SV-1001", "3333")
    screen = bench.window.pack
    start_first_order(bench)
    for code in pack_scans(bench):
        bench.scan_and_wait(code)
    parcel = bench.engine.pack.current
    assert parcel is not None
    bench.scale_sim.set_weight(bench.engine.pack.expected_weight_g(parcel))
    bench.wait_kind(screen, K.LABEL_PRINTED)
    n = len(screen.history)
    bench.qtbot.keyClick(screen, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)  # no reason given
    bench.qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    assert not screen.history[-1].accepted and "why" in screen.history[-1].message
    screen.key_in.setText("box crushed, relabel")
    n = len(screen.history)
    bench.qtbot.keyClick(screen, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    bench.qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    fb = screen.history[-1]
    assert fb.kind == K.EXCEPTION and "box crushed" in fb.message, fb.message
    assert bench.engine.pack.parcels[0].label == "void"


def test_a_return_is_received_graded_and_restocked(bench: Bench) -> None:
    # Ship one order through the app, then customer service opens an RMA for one unit of it.
    bench.sign_in("PK-1001", "1111")
    number = start_first_order(bench)
    codes = pack_scans(bench)
    for code in codes:
        bench.scan_and_wait(code)
    parcel = bench.engine.pack.current
    assert parcel is not None
    bench.scale_sim.set_weight(bench.engine.pack.expected_weight_g(parcel))
    bench.wait_kind(bench.window.pack, K.LABEL_PRINTED)
    bench.drain()
    admin = bench.engine.client.sign_in("AD-1001", "4444")["token"]
    headers = {"Authorization": f"Bearer {admin}"}
    order = httpx.get(f"{bench.hub.url}/api/v1/orders/{number}", headers=headers).json()
    sku = order["lines"][0]["sku"]
    rma = httpx.post(
        f"{bench.hub.url}/api/v1/returns",
        headers=headers,
        json={"order_number": number, "lines": [{"sku": sku, "quantity": 1, "reason": "changed mind"}]},
    ).json()

    def on_hand() -> int:
        rows = httpx.get(f"{bench.hub.url}/api/v1/stock", headers=headers, params={"sku": sku, "location": "WH-LDS"})
        return int(rows.json()[0]["on_hand"])

    before = on_hand()
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F12)
    bench.sign_in("RC-1001", "2222")
    assert bench.window.current() == "returns"
    screen = bench.window.returns
    assert bench.scan_and_wait(rma["number"]).kind == K.RETURN_STARTED
    assert screen.lines.rowCount() == 1
    product = bench.engine.store.product(sku)
    assert product is not None
    bench.scan_and_wait(product.barcodes[0] if product.barcodes else sku)
    assert bench.engine.returns.state == ReturnState.GRADING
    bench.qtbot.keyClick(screen, Qt.Key.Key_F5)  # new / unopened
    bench.wait_kind(screen, K.GRADED)
    bench.qtbot.keyClick(screen, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # restock
    bench.wait_kind(screen, K.DISPOSED)
    bench.qtbot.keyClick(screen, Qt.Key.Key_F9)
    fb = bench.wait_kind(screen, K.RECEIVED)
    assert "1 back to stock" in screen.summary.text() and fb.accepted
    bench.drain()
    assert on_hand() == before + 1


def test_the_dashboard_shows_what_a_headless_shift_packed(bench: Bench, tmp_path: object) -> None:
    from pathlib import Path

    from app.demo.shift import ShiftConfig, run_shift

    code = httpx.post(
        f"{bench.hub.url}/api/v1/admin/enrolment-codes",
        headers={"Authorization": f"Bearer {bench.engine.client.sign_in('AD-1001', '4444')['token']}"},
        json={"station_name": "ROBOT-1", "location": "WH-LDS"},
    ).json()["code"]
    report = run_shift(
        ShiftConfig(hub_url=bench.hub.url, data_dir=Path(str(tmp_path)) / "robot", enrol_code=code, orders=6)
    )
    assert report.orders_packed > 0
    bench.sign_in("SV-1001", "3333")
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F3)
    assert bench.window.current() == "dashboard"
    dash = bench.window.dashboard
    bench.qtbot.waitUntil(lambda: bool(dash.report), timeout=15000)
    assert dash.report["orders_packed"] >= report.orders_packed
    assert "ROBOT-1" in dash.throughput.lines  # a line for the robot's bench
    drawn = sum(n for _h, n in dash.throughput.lines["ROBOT-1"])
    assert drawn == sum(dash.report["by_station"]["ROBOT-1"].values()) >= report.orders_packed
    assert f"Packed: {dash.report['orders_packed']}" in dash.summary.text()


def test_scans_are_answered_while_a_scale_read_hangs_and_with_the_hub_down_the_label_waits_and_sign_out_works(
    bench: Bench,
) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    number = bench.engine.orders_to_pack()[0].number
    # Every scale read and every answer shown, in the order they happened: a GUI thread that waited for a
    # read would only ever show an answer between two reads, never while one is in flight.
    log: list[str] = []
    threads: set[int] = set()
    monitor = bench.window.scale
    assert monitor is not None
    real_read = monitor._read

    def logged_read() -> WeightReading:
        threads.add(threading.get_ident())
        log.append("read")
        try:
            return real_read()
        finally:
            log.append("read done")

    monitor._read = logged_read  # type: ignore[method-assign]
    screen.feedback_shown.connect(lambda fb: log.append(f"shown {fb.kind}"))
    bench.hub.__exit__(None, None, None)  # the hub goes away (its leased orders stay on the bench)
    bench.scale_sim.silence(True)  # and the scale stops answering: each read waits for its timeout
    bench.qtbot.waitUntil(lambda: "OFFLINE" in bench.window.status.hub.text(), timeout=20000)
    bench.qtbot.waitUntil(lambda: "disconnected" in bench.window.status.scale.text(), timeout=20000)
    bench.qtbot.waitUntil(lambda: log[-1] == "read", timeout=20000)  # a read is waiting for the silent scale
    assert bench.scan_and_wait(number).kind == K.ORDER_STARTED
    for code in pack_scans(bench):
        assert bench.scan_and_wait(code).accepted
    assert bench.engine.pack.state == PackState.WEIGHING
    in_flight = [
        i for i, e in enumerate(log) if e.startswith("shown") and log[:i].count("read") > log[:i].count("read done")
    ]
    assert in_flight, log  # answers reached the screen while a read was still waiting for the scale
    assert threading.main_thread().ident not in threads  # the scale is never read on the GUI thread
    # The scale answers again; with the hub down the label step leaves the label pending and says so.
    bench.scale_sim.silence(False)
    parcel = bench.engine.pack.current
    assert parcel is not None
    bench.scale_sim.set_weight(bench.engine.pack.expected_weight_g(parcel))
    fb = bench.wait_kind(screen, K.LABEL_PENDING, K.LABEL_PRINTED, timeout=30000)
    assert fb.kind == K.LABEL_PENDING and bench.printer_sim.printed == []
    assert [j.order_number for j in bench.engine.store.pending_labels(number)] == [number]
    waiting = [e["type"] for e in bench.engine.store.outbox_events() if e["outbox_status"] == "pending"]
    assert "order_packed" in waiting and bench.engine.store.outbox_depth() == len(waiting)
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F12)
    assert bench.window.current() == "signin" and bench.window.operator is None
    assert bench.engine.pack.order_number == number  # the pack in hand is kept for the next sign-in


class GatedPrinter:
    """The bench's printer, held at ``send`` until the test opens the gate (a printer slow to confirm)."""

    def __init__(self, send: Callable[[bytes], None], log: list[str], hold_s: float = 20.0) -> None:
        self._send = send
        self.log = log
        self.hold_s = hold_s
        self.gate = threading.Event()

    def send(self, data: bytes) -> None:
        self.log.append("print started")
        self.log.append("print released" if self.gate.wait(self.hold_s) else "print gave up waiting")
        self._send(data)


def test_the_idle_timer_signs_out_while_a_label_prints_without_waiting_for_the_printer(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    number = start_first_order(bench)
    for code in pack_scans(bench):
        bench.scan_and_wait(code)
    log: list[str] = []
    printer = bench.engine.printer
    assert printer is not None
    gated = GatedPrinter(printer.send, log)
    printer.send = gated.send  # type: ignore[method-assign]
    parcel = bench.engine.pack.current
    assert parcel is not None
    bench.scale_sim.set_weight(bench.engine.pack.expected_weight_g(parcel))
    bench.qtbot.waitUntil(lambda: "print started" in log, timeout=30000)  # the label step is at the printer
    bench.window.last_input -= bench.window.settings.idle_sign_out_minutes * 60 + 1
    bench.window._check_idle()  # the idle timer fires on the GUI thread
    if bench.window.current() == "signin":
        log.append("signed out")
    gated.gate.set()
    bench.qtbot.waitUntil(lambda: len(bench.printer_sim.printed) == 1, timeout=30000)
    assert log == ["print started", "signed out", "print released"]
    bench.qtbot.waitUntil(lambda: bench.engine.pack.state == PackState.SLIP, timeout=15000)
    bench.qtbot.waitUntil(  # the label worker records the print after the screen has moved on
        lambda: any(e["type"] == "label_printed" for e in bench.engine.store.outbox_events()), timeout=15000
    )
    bench.sign_in("PK-1001", "1111")
    assert bench.engine.pack.order_number == number and number in screen.title.text()


def test_self_test_command_passes_offscreen_with_the_simulators() -> None:
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "app", "self-test"], capture_output=True, text=True, timeout=180, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr.strip() == ""  # no Qt plugin chatter for the person checking an install
    report = json.loads(out.stdout)
    assert report["ok"] and {c["check"] for c in report["checks"]} >= {"resources", "live weight on screen"}


def test_the_status_bar_shows_a_printer_fault_and_its_recovery(bench: Bench) -> None:
    bench.window.printer.interval_s = 0.2  # type: ignore[union-attr]
    bench.qtbot.waitUntil(lambda: "ready" in bench.window.status.printer.text(), timeout=15000)
    bench.printer_sim.set_head_open(True)
    bench.qtbot.waitUntil(lambda: "head open" in bench.window.status.printer.text(), timeout=15000)
    bench.printer_sim.set_head_open(False)
    bench.qtbot.waitUntil(lambda: "ready" in bench.window.status.printer.text(), timeout=15000)


def test_an_idle_operator_is_signed_out_and_the_pack_in_hand_is_kept(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    number = start_first_order(bench)
    bench.window.last_input -= bench.window.settings.idle_sign_out_minutes * 60 + 1
    bench.window._check_idle()
    assert bench.window.current() == "signin" and bench.window.operator is None
    bench.sign_in("PK-1001", "1111")
    assert bench.engine.pack.order_number == number and number in bench.window.pack.title.text()


def test_a_new_bench_opens_its_settings_and_enrols_there(qtbot: object, tmp_path: object) -> None:
    from pathlib import Path

    from app.bench.compose import open_bench
    from app.bench.settings import BenchSettings
    from app.demo.embedded_hub import EmbeddedHub
    from app.ui.main_window import BenchWindow
    from app.ui.sounds import SoundBoard

    folder = Path(str(tmp_path))
    (folder / "hub").mkdir()
    with EmbeddedHub(folder / "hub", orders=5) as hub:
        engine = open_bench(folder / "bench", hub_url=hub.url)
        saved: list[BenchSettings] = []
        window = BenchWindow(
            engine,
            BenchSettings(hub_url=hub.url),
            save_settings=saved.append,
            test_scale=lambda s: "",
            test_printer=lambda s: "",
            sounds=SoundBoard(enabled=False),
        )
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        try:
            assert window.current() == "settings"
            screen = window.settings_screen
            screen.enrol_code.setText(hub.enrolment_code)
            screen.enrol()
            qtbot.waitUntil(lambda: "Enrolled" in screen.message.text(), timeout=15000)  # type: ignore[attr-defined]
            assert engine.enrolled and engine.station_name == "BENCH-1"
            # The queue is empty and nothing waits to be pushed: the bench still reaches the hub at once.
            qtbot.waitUntil(lambda: window.status.hub.text() == "Hub: online", timeout=15000)  # type: ignore[attr-defined]
            assert window.show_screen("signin")
        finally:
            window.shutdown()
            engine.close()


def test_every_screen_fits_a_1366_by_768_bench_display(bench: Bench) -> None:
    hint = bench.window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
