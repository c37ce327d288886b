"""The supervisor's view of rejected events (dead letters) and the status bar's count, under pytest-qt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bench.store import BenchStore
from app.domain.events import ExceptionKind, PackExceptionRaised
from app.ui.widgets.dead_letters import DeadLetterDialog
from app.ui.widgets.statusbar import BenchStatusBar
from app.ui.workers import TaskRunner
from tests.ui.conftest import Bench


def rejected_store(tmp_path: Path) -> tuple[BenchStore, list[PackExceptionRaised]]:
    store = BenchStore(tmp_path / "bench.sqlite")
    events = [
        PackExceptionRaised(order_number="PB0000001", kind=ExceptionKind.WRONG_ITEM),
        PackExceptionRaised(order_number="PB0000002", kind=ExceptionKind.OVER_SCAN),
    ]
    store.record(None, None, events)
    sent = store.outbox_batch()
    store.mark_pushed(
        [
            {"event_id": events[0].event_id, "status": "rejected", "reason": "payload.sku is 65 characters long"},
            {"event_id": events[1].event_id, "status": "rejected", "reason": "order PB0000002 was cancelled"},
        ],
        sent,
    )
    return store, events


def test_a_supervisor_sees_each_rejected_event_with_its_reason_and_retries_or_discards_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store, events = rejected_store(tmp_path)
    runner = TaskRunner(synchronous=True)
    dialog = DeadLetterDialog(store.dead_letters, store.retry_dead_letter, store.discard_dead_letter, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 1).text() == "PB0000001"
    assert dialog.table.item(0, 2).text() == "payload.sku is 65 characters long"
    assert dialog.table.item(1, 2).text() == "order PB0000002 was cancelled"
    assert not dialog.retry_button.isEnabled() and not dialog.discard_button.isEnabled()  # nothing chosen yet

    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=2000):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert [i.event_id for i in store.outbox_batch()] == [events[0].event_id]  # pending again: sent next push
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "PB0000002"

    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=2000):
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    assert store.outbox_counts() == {"pending": 1, "discarded": 1}
    assert dialog.table.rowCount() == 0 and dialog.info.text() == "No rejected events."
    store.close()


def test_the_status_bar_counts_rejected_events_and_says_when_the_hub_refuses_the_bench(qtbot: QtBot) -> None:
    bar = BenchStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_sync(True, 0)
    assert not bar.dead_letters.isVisible()
    bar.set_sync(True, 4, dead_letters=2)
    assert bar.dead_letters.isVisible() and bar.dead_letters.text() == "Rejected: 2 event(s)"
    assert bar.hub.text() == "Hub: online"
    bar.set_sync(False, 4, dead_letters=2, refused="hub refused this bench (HTTP 401: unknown token): re-enrol it")
    assert bar.hub.text() == "Hub refused this bench: re-enrol" and "HTTP 401" in bar.hub.toolTip()
    bar.set_sync(False, 4)
    assert bar.hub.text() == "Hub: OFFLINE" and bar.hub.toolTip() == ""


def test_a_rejected_event_shows_in_the_bench_window_and_only_a_supervisor_opens_the_list(bench: Bench) -> None:
    number = bench.engine.orders_to_pack()[0].number
    poison = PackExceptionRaised(order_number=number, kind=ExceptionKind.WRONG_ITEM, sku="A", quantity=2**40)
    bench.engine.store.record(None, None, [poison])
    bench.engine.syncer.kick()
    button = bench.window.status.dead_letters
    bench.qtbot.waitUntil(button.isVisible, timeout=15000)
    assert button.text() == "Rejected: 1 event(s)"

    bench.sign_in("PK-1001", "1111")
    assert bench.window.open_dead_letters() is None  # a packer sees the count, not the list

    bench.sign_in("SV-1001", "3333")
    bench.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = bench.window.dead_letter_dialog
    assert dialog is not None
    bench.qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert "payload.quantity" in dialog.table.item(0, 2).text()
    dialog.table.selectRow(0)
    bench.qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    bench.qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=5000)
    bench.qtbot.waitUntil(lambda: not button.isVisible(), timeout=15000)
    assert bench.engine.store.outbox_counts().get("discarded") == 1
    dialog.close()
