"""The supervisor's CSV export never writes a spreadsheet formula.

OWASP, CSV Injection: "Ensure that no cells begin with any of the following characters: Equals to
(=), Plus (+), Minus (-), At (@), Tab (0x09), Carriage return (0x0D)"; a cell that does is prefixed
with a single quote so that it is read as text.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.ui.screens.dashboard import DashboardScreen
from app.ui.workers import TaskRunner

HOUR = "2026-11-23T09:00Z"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\tTAB", "\rCR"]


def test_cells_that_would_run_as_formulas_are_written_as_text_and_numbers_stay_numbers(
    qtbot: QtBot, tmp_path: Path
) -> None:
    report: dict[str, Any] = {
        "packed_per_hour": {HOUR: 3},
        "by_station": {name: {HOUR: 1} for name in HOSTILE},
        "by_operator": {"Pat (PK-1)": {HOUR: 3}},
        "exceptions_by_kind": {"wrong_item": -1},
        "queue": [],
    }
    screen = DashboardScreen(lambda: report, TaskRunner(synchronous=True))
    qtbot.addWidget(screen)
    screen.show()
    out = screen.export_csv(str(tmp_path / "shift.csv"))
    assert out is not None
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    stations = [r[1] for r in rows if r[0] == "by_station"]
    assert stations == ["'" + name for name in HOSTILE]
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert ["by_operator", "Pat (PK-1)", HOUR, "3"] in rows  # ordinary text is left alone
    assert ["exceptions_by_kind", "wrong_item", "", "-1"] in rows  # a number is a number, not a formula
