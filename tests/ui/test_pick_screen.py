"""The pick screen under offscreen Qt against a fake of the picking contract: what the picker sees (the next
stop huge, the one after small, a colour and a sound per refusal) and what the bench stores (outbox events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback
from app.bench.feedback import FeedbackKind as K
from app.ui.layout_check import clipped_texts
from app.ui.main_window import BenchWindow
from app.ui.screens.pick import PickScreen
from app.ui.sounds import SoundBoard
from tests.fakes.pick_hub import PRODUCTS, FakePickHub, fake_hub_window

MUG, SOCK = PRODUCTS["MUG-01"]["barcode"], PRODUCTS["SOCK-01"]["barcode"]


@dataclass
class PickBench:
    qtbot: QtBot
    window: BenchWindow
    engine: BenchEngine
    hub: FakePickHub
    heard: list[str]

    @property
    def screen(self) -> PickScreen:
        return self.window.pick

    def scan(self, code: str) -> Feedback:
        """``code`` + Enter at scanner speed into whatever has focus; waits for the screen's answer."""
        before = len(self.screen.history)
        target = self.window.focusWidget() or self.screen
        self.qtbot.keyClicks(target, code)
        self.qtbot.keyClick(target, "\r")
        self.qtbot.waitUntil(lambda: len(self.screen.history) > before, timeout=10000)
        return self.screen.history[-1]

    def press(self, button: str) -> Feedback:
        before = len(self.screen.history)
        self.qtbot.mouseClick(self.screen.buttons[button], Qt.MouseButton.LeftButton)
        self.qtbot.waitUntil(lambda: len(self.screen.history) > before, timeout=10000)
        return self.screen.history[-1]

    def batch_on_the_cart(self) -> None:
        """The pick screen, a batch leased, both totes on the cart."""
        self.window.show_screen("pick")
        self.press("get")
        self.scan("TOTE-0001")
        self.scan("TOTE-0002")

    def outbox_types(self) -> list[str]:
        return [ev["type"] for ev in self.engine.store.outbox_events()]


@pytest.fixture
def pick(qtbot: QtBot, tmp_path: Path) -> Iterator[PickBench]:
    hub = FakePickHub([("PB0000001", {"MUG-01": 3}), ("PB0000002", {"SOCK-01": 1})])
    sounds = SoundBoard(enabled=False)
    heard: list[str] = []
    sounds.played.connect(heard.append)
    engine, window = fake_hub_window(hub, tmp_path / "bench", sounds)
    qtbot.addWidget(window)
    try:
        yield PickBench(qtbot, window, engine, hub, heard)
    finally:
        window.shutdown()
        engine.close()


def test_a_packer_opens_the_pick_screen_and_gets_a_batch_that_asks_for_empty_totes(pick: PickBench) -> None:
    pick.qtbot.keyClick(pick.window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert pick.window.current() == "pick"
    fb = pick.press("get")
    assert fb.kind == K.BATCH_STARTED and "slot 1" in pick.screen.banner.text()
    assert pick.screen.state_label.text() == "Scan an empty tote for slot 1"
    assert not pick.screen.buttons["get"].isEnabled()
    assert pick.scan("TOTE-0001").kind == K.TOTE_ASSIGNED
    assert pick.scan("TOTE-0002").kind == K.TOTE_ASSIGNED
    s = pick.screen
    assert (s.bin.text(), s.quantity.text(), s.product.text()) == ("A-01-01-1", "x 3", "Mug (MUG-01)")
    assert "TOTE-0001" in s.tote.text() and "B-02-01-1" in s.after.text()
    assert pick.outbox_types() == ["tote_assigned", "tote_assigned"]


def test_wrong_bin_wrong_item_wrong_tote_and_over_pick_each_look_and_sound_different_and_store_nothing(
    pick: PickBench,
) -> None:
    pick.batch_on_the_cart()
    stored = len(pick.outbox_types())
    colours, sounds = [], []
    for code in ("B-02-01-1", "A-01-01-1", SOCK, "9", MUG, "2", MUG, "TOTE-0002"):
        pick.scan(code)
        colours.append(pick.screen.banner.colour)
        sounds.append(pick.heard[-1] if pick.heard else "")
    assert colours == ["wrong_bin", "right", "wrong", "over_pick", "right", "info", "right", "wrong_tote"]
    assert [sounds[i] for i in (0, 2, 3, 7)] == ["wrong_bin", "wrong", "over_pick", "wrong_tote"]
    assert len(pick.outbox_types()) == stored  # refusals and scans inside a stop write no event
    assert pick.screen.quantity.text() == "3 / 3" and "tote" in pick.screen.state_label.text()


def test_confirm_tote_then_a_short_pick_with_a_reason_button_stores_the_events_and_sends_the_picker_on(
    pick: PickBench,
) -> None:
    pick.window.show_screen("pick")
    pick.press("get")
    for code in ("TOTE-0001", "TOTE-0002", "A-01-01-1", "3", MUG):
        pick.scan(code)
    assert pick.press("tote").kind == K.STOP_DONE
    assert pick.screen.bin.text() == "B-02-01-1" and pick.screen.after.text() == "This is the last stop."
    fb = pick.press("not_found")
    assert fb.kind == K.PICK_SHORT and pick.screen.banner.colour == "short" and pick.heard[-1] == "short"
    assert "PB0000002 is held" in pick.screen.banner.text()
    assert pick.outbox_types()[-2:] == ["pick_confirmed", "pick_short"]
    short = pick.engine.store.outbox_events()[-1]["payload"]
    assert (short["bin"], short["quantity"], short["reason"]) == ("B-02-01-1", 1, "not_found")
    assert pick.screen.state_label.text().startswith("Batch done") and pick.screen.buttons["get"].isEnabled()


def test_a_scan_with_the_key_in_field_focused_is_still_a_scan_and_a_quantity_keyed_by_hand_counts(
    pick: PickBench,
) -> None:
    pick.batch_on_the_cart()
    pick.screen.key_in.setFocus()
    assert pick.scan("A-01-01-1").kind == K.BIN_CONFIRMED
    assert pick.screen.key_in.text() == ""
    pick.screen.handle_typed("2\r")  # typed slowly by a person: the key-in field submits it
    pick.qtbot.waitUntil(lambda: pick.screen.history[-1].kind == K.WAITING, timeout=10000)
    assert pick.scan(MUG).kind == K.UNIT_PICKED and pick.screen.quantity.text() == "2 / 3"


def test_the_pick_screen_with_a_stop_in_hand_fits_1366_by_768(pick: PickBench) -> None:
    pick.window.resize(1366, 768)
    pick.batch_on_the_cart()
    pick.qtbot.wait(50)
    assert [str(c) for c in clipped_texts(pick.window)] == []


def test_the_pick_screen_draws_the_view_it_is_handed_and_never_reads_the_session_on_the_gui_thread(
    pick: PickBench, monkeypatch: pytest.MonkeyPatch
) -> None:
    pick.batch_on_the_cart()
    view = pick.screen.view
    assert view.current is not None and view.current.bin == "A-01-01-1"

    class Untouchable:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the GUI thread read the pick session ({name})")

    monkeypatch.setattr(pick.engine.picking, "session", Untouchable())
    pick.screen.bin.setText("")
    pick.screen.apply_view(view)
    assert pick.screen.bin.text() == "A-01-01-1" and "TOTE-0001" in pick.screen.tote.text()
