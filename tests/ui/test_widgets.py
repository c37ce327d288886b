from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.bench.feedback import Feedback, FeedbackKind
from app.devices.weights import ScaleState, WeightReading
from app.ui.platform_check import advice, check_or_explain, missing_xcb_packages, wants_xcb
from app.ui.screens.dashboard import DashboardScreen
from app.ui.screens.signin import SignInScreen
from app.ui.sounds import SoundBoard
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.widgets.statusbar import BenchStatusBar
from app.ui.workers import ScaleMonitor, TaskRunner

REPORT: dict[str, Any] = {
    "orders_packed": 7,
    "packed_per_hour": {"2026-11-23T09:00Z": 3, "2026-11-23T10:00Z": 4},
    "by_station": {"BENCH-1": {"2026-11-23T09:00Z": 3}, "BENCH-2": {"2026-11-23T10:00Z": 4}},
    "by_operator": {"Pat (PK-1)": {"2026-11-23T09:00Z": 3, "2026-11-23T10:00Z": 4}},
    "exceptions_by_kind": {"weight_mismatch": 2, "wrong_item": 5},
    "returns_by_condition": {"new": 1},
    "returns_by_disposition": {"restock": 1},
    "units_restocked": 1,
    "queue": [{"location": "WH1", "depth": 12, "oldest_age_seconds": 5400}],
    "units_by_station": {"BENCH-1": {"2026-11-23T09:00Z": 5}, "BENCH-2": {"2026-11-23T10:00Z": 9}},
    "units_by_operator": {"Pat (PK-1)": {"2026-11-23T09:00Z": 5, "2026-11-23T10:00Z": 9}},
    "exceptions_per_hour": {
        "weight_mismatch": {"2026-11-23T09:00Z": 2},
        "wrong_item": {"2026-11-23T09:00Z": 1, "2026-11-23T10:00Z": 4},
    },
    "exception_list": [
        {
            "at": "2026-11-23T10:20:00+00:00",
            "hour": "2026-11-23T10:00Z",
            "kind": "wrong_item",
            "order_number": "PB0000009",
            "sku": "MUG-1",
            "quantity": 1,
            "station": "BENCH-2",
        },
        {
            "at": "2026-11-23T09:40:00+00:00",
            "hour": "2026-11-23T09:00Z",
            "kind": "weight_mismatch",
            "order_number": "PB0000004",
            "sku": None,
            "quantity": 0,
            "station": "BENCH-1",
        },
        {
            "at": "2026-11-23T09:10:00+00:00",
            "hour": "2026-11-23T09:00Z",
            "kind": "wrong_item",
            "order_number": "PB0000002",
            "sku": "SOCK-1",
            "quantity": 1,
            "station": "BENCH-1",
        },
    ],
    "queue_age_profile": {"WH1": {"0-1 h": 10, "1-2 h": 2}},
}


def test_dashboard_draws_lines_per_bench_and_packer_against_the_target_and_exports(
    qtbot: QtBot, tmp_path: Path
) -> None:
    screen = DashboardScreen(lambda: REPORT, TaskRunner(synchronous=True), target_per_hour=5)
    qtbot.addWidget(screen)
    screen.show()
    assert "Packed: 7" in screen.summary.text() and "Weight mismatches: 2" in screen.summary.text()
    assert "Waiting: 12 (oldest 90 min)" in screen.summary.text()
    chart = screen.throughput
    assert chart.lines == {
        "BENCH-1": [("2026-11-23T09:00Z", 3), ("2026-11-23T10:00Z", 0)],
        "BENCH-2": [("2026-11-23T09:00Z", 0), ("2026-11-23T10:00Z", 4)],
    }
    names = [s.name() for s in chart.chart().series()]
    assert names == ["BENCH-1", "BENCH-2", "target 5/h"]
    screen.view.setCurrentIndex(1)  # per packer
    assert chart.lines == {"Pat (PK-1)": [("2026-11-23T09:00Z", 3), ("2026-11-23T10:00Z", 4)]}
    screen.view.setCurrentIndex(2)  # units per bench
    assert chart.lines["BENCH-2"] == [("2026-11-23T09:00Z", 0), ("2026-11-23T10:00Z", 9)]
    screen.target.setValue(8)
    assert chart.target == 8 and "target 8/h" in [s.name() for s in chart.chart().series()]
    assert screen.queue_chart.sets == {"WH1": [10, 2]} and screen.queue_chart.categories == ["0-1 h", "1-2 h"]
    out = screen.export_csv(str(tmp_path / "shift.csv"))
    assert out is not None
    rows = list(csv.reader(out.open()))
    assert ["by_station", "BENCH-2", "2026-11-23T10:00Z", "4"] in rows
    assert ["units_by_station", "BENCH-2", "2026-11-23T10:00Z", "9"] in rows
    assert ["exceptions_by_kind", "wrong_item", "", "5"] in rows
    assert ["target_per_hour", "", "", "8"] in rows
    pdf = screen.export_pdf(str(tmp_path / "shift.pdf"))
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_a_click_on_an_exception_bar_lists_the_orders_of_that_kind_and_hour(qtbot: QtBot) -> None:
    screen = DashboardScreen(lambda: REPORT, TaskRunner(synchronous=True))
    qtbot.addWidget(screen)
    screen.show()
    assert screen.exceptions_chart.sets == {"weight mismatch": [2, 0], "wrong item": [1, 4]}
    assert screen.drill.rowCount() == 3  # every listed exception until a bar is clicked
    with qtbot.waitSignal(screen.exceptions_chart.bar_clicked):
        screen.exceptions_chart._clicked("wrong item", 1)  # what a click on the 10:00 "wrong item" bar sends
    assert [r[2] for r in screen.drill.rows] == ["PB0000009"]
    assert "wrong item at 10:00: 1 order(s)" in screen.drill_title.text()
    screen.drill_down("", "")
    assert screen.drill.rowCount() == 3


def test_dashboard_says_when_the_report_cannot_be_loaded(qtbot: QtBot) -> None:
    def fail() -> dict[str, Any]:
        raise ConnectionError("hub unreachable")

    screen = DashboardScreen(fail, TaskRunner(synchronous=True))
    qtbot.addWidget(screen)
    screen.show()
    assert "hub unreachable" in screen.error.text()


def test_sign_in_refusal_is_shown_and_the_pin_is_cleared(qtbot: QtBot) -> None:
    def sign_in(badge: str, pin: str) -> Any:
        raise PermissionError("badge or PIN not recognised")

    screen = SignInScreen(sign_in, TaskRunner(synchronous=True))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.keyClicks(screen.badge, "PK-1001")
    qtbot.keyClicks(screen.pin, "9999")
    with qtbot.assertNotEmitted(screen.signed_in):
        screen.submit()
    assert screen.message.isVisible() and "not recognised" in screen.message.text()
    assert screen.pin.text() == "" and screen.badge.text() == "PK-1001"


def test_sign_in_runs_off_the_gui_thread_and_emits_the_operator(qtbot: QtBot) -> None:
    threads: list[str] = []

    def sign_in(badge: str, pin: str) -> dict[str, str]:
        threads.append(threading.current_thread().name)
        return {"badge": badge, "role": "packer"}

    runner = TaskRunner()
    screen = SignInScreen(sign_in, runner)
    qtbot.addWidget(screen)
    screen.show()
    screen.accept_badge_scan("PK-1001")
    qtbot.keyClicks(screen.pin, "1111")
    with qtbot.waitSignal(screen.signed_in, timeout=5000) as blocker:
        qtbot.keyClick(screen.pin, "\r")
    assert blocker.args == [{"badge": "PK-1001", "role": "packer"}]
    assert threads and threads[0] != threading.main_thread().name


def test_status_bar_shows_offline_outbox_and_scale_states(qtbot: QtBot) -> None:
    bar = BenchStatusBar()
    qtbot.addWidget(bar)
    bar.set_sync(False, 12)
    assert bar.hub.text() == "Hub: OFFLINE" and "12" in bar.outbox.text()
    bar.set_weight(WeightReading(ScaleState.STABLE, 1234))
    assert "1234 g stable" in bar.scale.text()
    bar.set_weight(WeightReading(ScaleState.MOTION, 1200))
    assert "in motion" in bar.scale.text()
    bar.set_weight(WeightReading(ScaleState.DISCONNECTED, None, "Scale not answering on /dev/ttyUSB0"))
    assert "not answering" in bar.scale.text()


def test_scale_monitor_keeps_reading_after_a_failure(qtbot: QtBot) -> None:
    calls = iter([WeightReading(ScaleState.STABLE, 500), OSError("unplugged"), WeightReading(ScaleState.STABLE, 510)])

    def read() -> WeightReading:
        item = next(calls, WeightReading(ScaleState.STABLE, 510))
        if isinstance(item, Exception):
            raise item
        return item

    monitor = ScaleMonitor(read, interval_s=0.01)
    seen: list[WeightReading] = []
    monitor.reading.connect(seen.append)
    monitor.start()
    try:
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=5000)
    finally:
        monitor.stop()
    assert seen[0].grams == 500
    assert seen[1].state is ScaleState.DISCONNECTED and "unplugged" in seen[1].message
    assert seen[2].grams == 510


# What the packer hears for each answer, written out here (not read from the banner's own table): wrong item,
# over-scan and unknown code each sound different; refusals buzz, exceptions alert, waiting is silent.
HEARD: dict[FeedbackKind, str | None] = {
    FeedbackKind.ORDER_STARTED: "right",
    FeedbackKind.RIGHT: "right",
    FeedbackKind.PARCEL_CLOSED: "right",
    FeedbackKind.CARTON_CHOSEN: "right",
    FeedbackKind.WEIGHT_OK: "right",
    FeedbackKind.OVERRIDDEN: "right",
    FeedbackKind.PACKED: "complete",
    FeedbackKind.LABEL_PRINTED: "complete",
    FeedbackKind.LABEL_PENDING: "attention",
    FeedbackKind.DONE: "complete",
    FeedbackKind.RETURN_STARTED: "right",
    FeedbackKind.GRADED: "right",
    FeedbackKind.DISPOSED: "right",
    FeedbackKind.RECEIVED: "complete",
    FeedbackKind.BATCH_STARTED: "right",
    FeedbackKind.TOTE_ASSIGNED: "right",
    FeedbackKind.BIN_CONFIRMED: "right",
    FeedbackKind.UNIT_PICKED: "right",
    FeedbackKind.SORTED: "right",
    FeedbackKind.STOP_DONE: "complete",
    FeedbackKind.BATCH_DONE: "complete",
    FeedbackKind.SKIPPED: None,
    FeedbackKind.WRONG_BIN: "wrong_bin",  # picking refusals: each its own cue, none the packing "wrong"
    FeedbackKind.WRONG_TOTE: "wrong_tote",
    FeedbackKind.OVER_PICK: "over_pick",
    FeedbackKind.PICK_SHORT: "short",
    FeedbackKind.WRONG_ITEM: "wrong",
    FeedbackKind.OVER_SCAN: "over_scan",
    FeedbackKind.UNKNOWN_CODE: "unknown",
    FeedbackKind.CANCELLED: "wrong",
    FeedbackKind.ON_HOLD: "wrong",
    FeedbackKind.LOST: "wrong",
    FeedbackKind.NOT_FOUND: "wrong",
    FeedbackKind.WEIGHT_MISMATCH: "wrong",
    FeedbackKind.NOT_ALLOWED: "wrong",
    FeedbackKind.EXCEPTION: "attention",
    FeedbackKind.WAITING: None,
    FeedbackKind.IGNORED: None,
}


def test_every_feedback_kind_has_a_sound_written_down_here() -> None:
    assert set(HEARD) == set(FeedbackKind)


@pytest.mark.parametrize("kind", list(FeedbackKind), ids=str)
def test_the_banner_plays_the_sound_of_each_feedback_kind(qtbot: QtBot, kind: FeedbackKind) -> None:
    board = SoundBoard(enabled=False)
    heard: list[str] = []
    board.played.connect(heard.append)
    banner = FeedbackBanner(board)
    qtbot.addWidget(banner)
    banner.show_feedback(Feedback(kind, "answer"))
    expected = HEARD[kind]
    assert heard == ([] if expected is None else [expected])


def test_an_unknown_sound_name_plays_the_attention_sound_and_each_sound_is_its_own_file() -> None:
    board = SoundBoard(enabled=False)
    heard: list[str] = []
    board.played.connect(heard.append)
    board.play("no-such-sound")
    board.play("over_scan")
    assert heard == ["attention", "over_scan"]
    files = {name: board.path(name).read_bytes() for name in set(HEARD.values()) if name}
    assert len(set(files.values())) == len(files)  # no two kinds of answer share a sound file


def test_missing_xcb_libraries_are_named_with_their_packages() -> None:
    missing = missing_xcb_packages(lambda lib: None if lib == "xcb-cursor" else f"lib{lib}.so")
    assert missing == ["libxcb-cursor0"]
    assert "apt-get install libxcb-cursor0" in advice(missing)


@pytest.mark.parametrize(
    ("env", "xcb"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, False),
    ],
)
def test_xcb_is_expected_only_on_an_x11_session(env: dict[str, str], xcb: bool) -> None:
    assert wants_xcb(env) is xcb


def test_a_stale_display_is_named_instead_of_qts_xcb_abort(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import platform_check

    monkeypatch.setattr(platform_check, "missing_xcb_packages", lambda: [])
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    env = {"DISPLAY": ":87"}
    text = check_or_explain(env, display_answers=lambda d: False)
    assert text is not None and "no X server answers on DISPLAY=:87" in text and "--headless" in text
    assert check_or_explain(env, display_answers=lambda d: True) is None


def test_libxcb_is_asked_for_a_display_no_server_runs_on() -> None:
    import ctypes.util

    from app.ui.platform_check import x_display_answers

    if ctypes.util.find_library("xcb") is None:
        pytest.skip("libxcb is not installed here")

    assert x_display_answers(":87") is False  # nothing listens on display 87 here: the real libxcb says so


def test_no_display_at_all_is_explained() -> None:
    message = check_or_explain({})
    assert message is not None and "no display" in message
    assert check_or_explain({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_settings_screen_saves_what_the_admin_typed_and_refuses_bad_values(qtbot: QtBot) -> None:
    from app.bench.settings import BenchSettings
    from app.ui.screens.settings import SettingsScreen

    stored: list[BenchSettings] = []

    def test_scale(s: BenchSettings) -> str:
        raise TimeoutError(f"Scale not answering on {s.scale_port}")

    screen = SettingsScreen(
        BenchSettings(),
        TaskRunner(synchronous=True),
        save=stored.append,
        enrol=lambda url, code: f"BENCH-9 at WH1 via {url}",
        test_scale=test_scale,
        test_printer=lambda s: "test label printed",
    )
    qtbot.addWidget(screen)
    screen.hub_url.clear()
    qtbot.keyClicks(screen.hub_url, "hub:8765")
    screen.save()
    assert stored == [] and "http://" in screen.message.text()
    screen.hub_url.setText("http://hub:8765")
    screen.printer_dpi.setCurrentText("300")
    screen.scale_port.setText("/dev/ttyUSB0")
    screen.save()
    assert stored[-1].hub_url == "http://hub:8765" and stored[-1].printer_dpi == 300
    screen.test_scale_button.click()
    assert "not answering on /dev/ttyUSB0" in screen.message.text()
    screen.test_printer_button.click()
    assert screen.message.text() == "test label printed"
    qtbot.keyClicks(screen.enrol_code, "ABCD-EFGH")
    screen.enrol_button.click()
    assert "BENCH-9" in screen.message.text() and screen.enrol_code.text() == ""


def test_rows_model_sorts_and_filters_in_python() -> None:
    from PySide6.QtCore import Qt

    from app.ui.widgets.tables import RowsModel

    model = RowsModel(["order", "priority"], colour=lambda r: "#c8e6c9" if r[1] > 1 else None)
    model.set_rows([["PB1", 0], ["PB2", 5], ["PB3", 1]])
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["PB2", "PB3", "PB1"]
    model.set_filter("pb3")
    assert model.rowCount() == 1 and model.data(model.index(0, 0)) == "PB3"
    model.set_filter("")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None


def test_rows_model_updates_one_column_in_place_without_a_reset(qtbot: QtBot) -> None:
    from app.ui.widgets.tables import RowsModel

    model = RowsModel(["sku", "scanned"])
    model.set_rows([["A", 0], ["B", 0]])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged):
        model.update_column(1, [2, 1])
    assert [model.data(model.index(r, 1)) for r in range(2)] == ["2", "1"] and resets == []
    with pytest.raises(ValueError):
        model.update_column(1, [1])
