"""The shift CSV export carries the picking report, and a bin code or picker name typed as a formula is
written as text."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.ui.screens.dashboard import DashboardScreen
from app.ui.workers import TaskRunner


def test_the_shift_export_lists_pickers_short_picks_count_tasks_and_totes_as_text(qtbot: QtBot, tmp_path: Path) -> None:
    report: dict[str, Any] = {
        "queue": [],
        "picking": {
            "pickers": [{"badge": "PK-1", "name": "=cmd()", "lines": 12, "units": 20, "picks_per_hour": 96.0}],
            "short_picks": {"by_reason": {"bin_empty": 2}, "by_bin": {"@A-01-01-1": 2}},
            "count_tasks": [{"bin": "A-01-01-1", "sku": "MUG", "reason": "short pick: bin_empty", "raised_at": "t"}],
            "totes_in_use": [{"tote": "TOTE-7", "order_number": "PB0000012"}, {"tote": "CART-1", "order_number": None}],
        },
    }
    screen = DashboardScreen(lambda: report, TaskRunner(synchronous=True))
    qtbot.addWidget(screen)
    screen.show()
    out = screen.export_csv(str(tmp_path / "shift.csv"))
    assert out is not None
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert ["picking_lines", "'=cmd() (PK-1)", "", "12"] in rows
    assert ["picking_picks_per_hour", "'=cmd() (PK-1)", "", "96.0"] in rows
    assert ["short_picks_by_reason", "bin_empty", "", "2"] in rows
    assert ["short_picks_by_bin", "'@A-01-01-1", "", "2"] in rows
    assert ["count_task", "A-01-01-1 MUG", "t", "short pick: bin_empty"] in rows
    assert ["tote_in_use", "TOTE-7", "", "PB0000012"] in rows and ["tote_in_use", "CART-1", "", "batch"] in rows
