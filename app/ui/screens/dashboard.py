"""Supervisor dashboard: shift throughput, per bench and per packer, exceptions, returns, queue."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.chart import BarChart
from app.ui.workers import TaskRunner


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setStretchLastSection(True)
    # A handful of rows (benches, packers, kinds): fitting the first column to its text is cheap here.
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    return t


def _fill(table: QTableWidget, rows: list[list[Any]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(str(value)))


# OWASP "CSV Injection": no cell may begin with = + - @ tab or carriage return (a spreadsheet would
# run it as a formula); such a cell is prefixed with a single quote so it is read as text. The
# defusedcsv package misses tab and carriage return, hence these few lines.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` as a spreadsheet will show it, never run it. Numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class DashboardScreen(QWidget):
    """Shows the hub's shift report; ``fetch`` runs off the GUI thread and returns the report dict."""

    def __init__(
        self,
        fetch: Callable[[], dict[str, Any]],
        runner: TaskRunner,
        *,
        refresh_ms: int = 30000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._runner = runner
        self.report: dict[str, Any] = {}
        title = QLabel(self.tr("Shift dashboard"))
        title.setObjectName("title")
        self.summary = QLabel(self.tr("Loading…"))
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828; font-weight: 700;")
        self.chart = BarChart(self.tr("Orders packed per hour"))
        self.stations = _table([self.tr("Bench"), self.tr("Orders packed")])
        self.packers = _table([self.tr("Packer"), self.tr("Orders packed")])
        self.exceptions = _table([self.tr("Exception"), self.tr("Count")])
        self.returns = _table([self.tr("Returned as"), self.tr("Units")])
        self.queue = _table([self.tr("Location"), self.tr("Waiting"), self.tr("Oldest (min)")])
        refresh = QPushButton(self.tr("&Refresh (F5)"))
        refresh.clicked.connect(self.refresh)
        export = QPushButton(self.tr("&Export CSV"))
        export.clicked.connect(lambda: self.export_csv())
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(refresh)
        head.addWidget(export)
        grid = QGridLayout()
        for i, (label, widget) in enumerate(
            [
                (self.tr("Per bench"), self.stations),
                (self.tr("Per packer"), self.packers),
                (self.tr("Exceptions"), self.exceptions),
                (self.tr("Returns"), self.returns),
                (self.tr("Queue"), self.queue),
            ]
        ):
            box = QVBoxLayout()
            box.addWidget(QLabel(label))
            box.addWidget(widget)
            grid.addLayout(box, i // 3, i % 3)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.chart, 2)
        layout.addLayout(grid, 3)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self) -> None:
        self._runner.run(self._fetch, self.show_report, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.error.setText(self.tr("Could not load the report: %1").replace("%1", str(exc)))

    def show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self.error.setText("")
        per_hour: dict[str, int] = report.get("packed_per_hour", {})
        self.chart.set_data([(h[11:16], n) for h, n in per_hour.items()])
        exc: dict[str, int] = report.get("exceptions_by_kind", {})
        self.summary.setText(
            self.tr("Packed: %1   Exceptions: %2   Weight mismatches: %3   Units restocked: %4")
            .replace("%1", str(report.get("orders_packed", 0)))
            .replace("%2", str(sum(exc.values())))
            .replace("%3", str(exc.get("weight_mismatch", 0)))
            .replace("%4", str(report.get("units_restocked", 0)))
        )
        _fill(self.stations, [[k, sum(v.values())] for k, v in report.get("by_station", {}).items()])
        _fill(self.packers, [[k, sum(v.values())] for k, v in report.get("by_operator", {}).items()])
        _fill(self.exceptions, [[k.replace("_", " "), v] for k, v in exc.items()])
        returns = [[f"condition: {k}", v] for k, v in report.get("returns_by_condition", {}).items()]
        returns += [[f"disposition: {k}", v] for k, v in report.get("returns_by_disposition", {}).items()]
        _fill(self.returns, returns)
        _fill(
            self.queue,
            [[q["location"], q["depth"], q["oldest_age_seconds"] // 60] for q in report.get("queue", [])],
        )

    def rows_for_export(self) -> list[list[Any]]:
        rows: list[list[Any]] = [["section", "key", "hour", "value"]]
        for hour, n in self.report.get("packed_per_hour", {}).items():
            rows.append(["packed_per_hour", "", hour, n])
        for section in ("by_station", "by_operator"):
            for key, hours in self.report.get(section, {}).items():
                for hour, n in hours.items():
                    rows.append([section, key, hour, n])
        for section in ("exceptions_by_kind", "returns_by_condition", "returns_by_disposition"):
            for key, n in self.report.get(section, {}).items():
                rows.append([section, key, "", n])
        for q in self.report.get("queue", []):
            rows.append(["queue_depth", q["location"], "", q["depth"]])
            rows.append(["queue_oldest_age_seconds", q["location"], "", q["oldest_age_seconds"]])
        return rows

    def export_csv(self, path: str | None = None) -> Path | None:
        """Write the report as CSV; every text cell goes through ``spreadsheet_safe`` (station and
        operator names are typed by people: none may become a spreadsheet formula)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export shift report"), "shift.csv", "CSV (*.csv)")
            if not path:
                return None
        target = Path(path)
        with target.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([spreadsheet_safe(c) for c in row] for row in self.rows_for_export())
        return target
