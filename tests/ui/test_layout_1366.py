"""Every screen at 1366 x 768 with the demo panel docked: no text cut off (each label's, button's, field's,
group title's, header's and cell's text width, by QFontMetrics, against the room the layout gave it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.ui.layout_check import clipped_texts
from app.ui.screenshots import take_screenshots

SCREENS = {
    "01-sign-in",
    "02-pack-right-item",
    "03-pack-wrong-item",
    "04-pack-weight-mismatch",
    "05-pack-label-printed",
    "06-pack-take-the-last-parcel-off",
    "07-dashboard",
    "08-returns-waiting",
    "09-returns-grading",
    "10-settings",
    "11-order-desk",
    "12-order-desk-confirm-cancel",
    "13-pick-next-stop",
    "14-pick-wrong-bin",
}


def test_every_screen_with_the_demo_panel_fits_1366_by_768_with_no_clipped_text(qtbot: QtBot, tmp_path: Path) -> None:
    found = take_screenshots(tmp_path)
    assert set(found) >= SCREENS
    assert {name: [str(c) for c in items] for name, items in found.items() if items} == {}
    for name in SCREENS:
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_the_checker_finds_a_label_too_narrow_for_its_text(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    label = QLabel("Steel water bottle, black", root)
    label.setGeometry(0, 0, 60, 30)
    root.resize(500, 40)
    root.show()
    found = clipped_texts(root)
    assert [c.text for c in found] == ["Steel water bottle, black"] and found[0].has_px < found[0].needs_px
    label.setGeometry(0, 0, 490, 30)
    assert clipped_texts(root) == []
