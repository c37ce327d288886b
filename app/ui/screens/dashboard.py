"""Supervisor dashboard: the shift at a glance, refreshed live.

Orders or units per hour over the shift as one line per bench or per packer, against the target rate
the supervisor sets; exceptions per hour as stacked bars by kind, a click on a bar lists those
exceptions with their orders (drill-down); waiting orders by age per location. Exports the report as
CSV and the screen as a PDF to print.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QPdfWriter, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.shift_charts import StackedBarsChart, ThroughputChart
from app.ui.widgets.tables import RowsModel, compact, fit_columns
from app.ui.workers import TaskRunner

# What the throughput chart shows: (label, report key).
VIEWS = [
    ("Orders per bench", "by_station"),
    ("Orders per packer", "by_operator"),
    ("Units per bench", "units_by_station"),
    ("Units per packer", "units_by_operator"),
]


def shift_hours(report: dict[str, Any]) -> list[str]:
    """Every hour of the shift in the report's ``HH:00Z`` keys, first to last (empty hours included)."""
    keys: set[str] = set()
    for section in ("by_station", "units_by_station", "exceptions_per_hour"):
        for per_hour in report.get(section, {}).values():
            keys.update(per_hour)
    if not keys:
        return []
    first, last = (datetime.strptime(h, "%Y-%m-%dT%H:00Z") for h in (min(keys), max(keys)))
    hours: list[str] = []
    while first <= last and len(hours) < 48:
        hours.append(first.strftime("%Y-%m-%dT%H:00Z"))
        first += timedelta(hours=1)
    return hours


# OWASP "CSV Injection": no cell may begin with = + - @ tab or carriage return (a spreadsheet would
# run it as a formula); such a cell is prefixed with a single quote so it is read as text. The
# defusedcsv package misses tab and carriage return, hence these few lines.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` as a spreadsheet will show it, never run it. Numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def picking_rows(picking: dict[str, Any]) -> list[list[Any]]:
    """The picking report's rows for the shift CSV (section, key, hour, value)."""
    rows: list[list[Any]] = []
    for p in picking.get("pickers", []):
        who = f"{p.get('name')} ({p.get('badge')})"
        for field in ("lines", "units", "picks_per_hour"):
            rows.append([f"picking_{field}", who, "", p.get(field)])
    shorts = picking.get("short_picks", {})
    for section in ("by_reason", "by_bin"):
        for key, n in shorts.get(section, {}).items():
            rows.append([f"short_picks_{section}", key, "", n])
    for t in picking.get("count_tasks", []):
        rows.append(["count_task", f"{t.get('bin')} {t.get('sku')}", t.get("raised_at"), t.get("reason")])
    for t in picking.get("totes_in_use", []):
        rows.append(["tote_in_use", t.get("tote"), "", t.get("order_number") or "batch"])
    return rows


class DashboardScreen(QWidget):
    """Shows the hub's shift report; ``fetch`` runs off the GUI thread and returns the report dict."""

    def __init__(
        self,
        fetch: Callable[[], dict[str, Any]],
        runner: TaskRunner,
        *,
        refresh_ms: int = 30000,
        target_per_hour: int = 12,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._runner = runner
        self.report: dict[str, Any] = {}
        self.drill_filter: tuple[str, str] | None = None
        title = QLabel(self.tr("Shift dashboard"))
        title.setObjectName("title")
        self.view = QComboBox()
        self.view.addItems([self.tr(label) for label, _key in VIEWS])
        self.view.currentIndexChanged.connect(lambda _i: self._draw())
        self.target = QSpinBox()
        self.target.setRange(0, 999)
        self.target.setValue(target_per_hour)
        self.target.setSuffix(self.tr(" /h"))
        self.target.setToolTip(self.tr("Target rate per bench or packer per hour"))
        self.target.valueChanged.connect(lambda _v: self._draw())
        refresh = QPushButton(self.tr("Refresh (F5)"))
        refresh.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        export = QPushButton(self.tr("CSV"))
        export.setToolTip(self.tr("Export the shift report as CSV"))
        export.clicked.connect(lambda: self.export_csv())
        pdf = QPushButton(self.tr("PDF"))
        pdf.setToolTip(self.tr("Save this screen as a PDF to print"))
        pdf.clicked.connect(lambda: self.export_pdf())
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.view)
        head.addWidget(QLabel(self.tr("Target")))
        head.addWidget(self.target)
        for b in (refresh, export, pdf):
            head.addWidget(b)
        self.summary = QLabel(self.tr("Loading…"))
        self.summary.setWordWrap(True)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828; font-weight: 700;")
        self.error.setWordWrap(True)
        self.throughput = ThroughputChart()
        self.exceptions_chart = StackedBarsChart()
        self.exceptions_chart.bar_clicked.connect(self.drill_down)
        self.queue_chart = StackedBarsChart()
        self.drill = RowsModel([self.tr("Time"), self.tr("Kind"), self.tr("Order"), self.tr("SKU")])
        self.drill_view = QTableView()
        compact(self.drill_view)
        self.drill_view.setModel(self.drill)
        self.drill_view.verticalHeader().setVisible(False)
        fit_columns(self.drill_view, stretch=None)
        self.drill_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.drill_title = QLabel(self.tr("Exceptions: click a bar to see its orders"))
        self.drill_title.setWordWrap(True)
        show_all = QPushButton(self.tr("All"))
        show_all.clicked.connect(lambda: self.drill_down("", ""))
        drill_head = QHBoxLayout()
        drill_head.addWidget(self.drill_title, 1)
        drill_head.addWidget(show_all)
        drill_box = QVBoxLayout()
        drill_box.addLayout(drill_head)
        drill_box.addWidget(self.drill_view, 1)
        grid = QGridLayout()
        grid.addWidget(self.throughput, 0, 0)
        grid.addWidget(self.queue_chart, 0, 1)
        grid.addWidget(self.exceptions_chart, 1, 0)
        grid.addLayout(drill_box, 1, 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addLayout(grid, 1)
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
        self._draw()

    # ---------------------------------------------------------------- drawing
    def _draw(self) -> None:
        report = self.report
        hours = shift_hours(report)
        label, key = VIEWS[self.view.currentIndex()]
        self.throughput.set_data(self.tr(label) + self.tr(" per hour"), hours, report.get(key, {}), self.target.value())
        per_kind: dict[str, dict[str, int]] = report.get("exceptions_per_hour", {})
        self.exceptions_chart.set_data(
            self.tr("Exceptions per hour (click a bar)"),
            hours,
            {k.replace("_", " "): [per.get(h, 0) for h in hours] for k, per in per_kind.items()},
            labels=[h[11:16] for h in hours],
        )
        profile: dict[str, dict[str, int]] = report.get("queue_age_profile", {})
        buckets = list(next(iter(profile.values()), {}).keys())
        self.queue_chart.set_data(
            self.tr("Waiting orders by age"),
            buckets,
            {loc: [per.get(b, 0) for b in buckets] for loc, per in profile.items()},
            stacked=False,
        )
        exc: dict[str, int] = report.get("exceptions_by_kind", {})
        waiting = sum(int(q.get("depth", 0)) for q in report.get("queue", []))
        oldest = max([int(q.get("oldest_age_seconds", 0)) for q in report.get("queue", [])] or [0]) // 60
        self.summary.setText(
            (
                self.tr("Packed: %1   Exceptions: %2   Weight mismatches: %3   Units restocked: %4   ")
                + self.tr("Waiting: %5 (oldest %6 min)")
            )
            .replace("%1", str(report.get("orders_packed", 0)))
            .replace("%2", str(sum(exc.values())))
            .replace("%3", str(exc.get("weight_mismatch", 0)))
            .replace("%4", str(report.get("units_restocked", 0)))
            .replace("%5", str(waiting))
            .replace("%6", str(oldest))
        )
        self._fill_drill()

    def drill_down(self, kind: str, hour: str) -> None:
        """List the exceptions of ``kind`` (as shown, spaces for underscores) in ``hour``; empty: all of them."""
        self.drill_filter = (kind, hour) if kind or hour else None
        self._fill_drill()

    def _fill_drill(self) -> None:
        rows = []
        for e in self.report.get("exception_list", []):
            kind = str(e.get("kind", "")).replace("_", " ")
            if self.drill_filter and (kind, e.get("hour")) != self.drill_filter:
                continue
            rows.append(
                [
                    str(e.get("at", ""))[11:16],
                    kind,
                    e.get("order_number") or "",
                    e.get("sku") or "",
                ]
            )
        self.drill.set_rows(rows)
        if self.drill_filter:
            kind, hour = self.drill_filter
            self.drill_title.setText(
                self.tr("%1 at %2: %3 order(s)")
                .replace("%1", kind)
                .replace("%2", hour[11:16])
                .replace("%3", str(len(rows)))
            )
        else:
            self.drill_title.setText(self.tr("Exceptions: click a bar to see its orders"))

    # ---------------------------------------------------------------- export
    def rows_for_export(self) -> list[list[Any]]:
        rows: list[list[Any]] = [["section", "key", "hour", "value"]]
        for hour, n in self.report.get("packed_per_hour", {}).items():
            rows.append(["packed_per_hour", "", hour, n])
        for section in ("by_station", "by_operator", "units_by_station", "units_by_operator", "exceptions_per_hour"):
            for key, hours in self.report.get(section, {}).items():
                for hour, n in hours.items():
                    rows.append([section, key, hour, n])
        for section in ("exceptions_by_kind", "returns_by_condition", "returns_by_disposition"):
            for key, n in self.report.get(section, {}).items():
                rows.append([section, key, "", n])
        for q in self.report.get("queue", []):
            rows.append(["queue_depth", q["location"], "", q["depth"]])
            rows.append(["queue_oldest_age_seconds", q["location"], "", q["oldest_age_seconds"]])
        for loc, buckets in self.report.get("queue_age_profile", {}).items():
            for bucket, n in buckets.items():
                rows.append(["queue_age_profile", loc, bucket, n])
        for e in self.report.get("exception_list", []):
            rows.append(
                ["exception", f"{e.get('kind')} {e.get('order_number') or ''}".strip(), e.get("at"), e.get("quantity")]
            )
        rows.extend(picking_rows(self.report.get("picking", {})))
        rows.append(["target_per_hour", "", "", self.target.value()])
        return rows

    def _ask(self, title: str, name: str, pattern: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, name, pattern)
        return path

    def export_csv(self, path: str | None = None) -> Path | None:
        """Write the report as CSV; every text cell goes through ``spreadsheet_safe`` (station and
        operator names are typed by people: none may become a spreadsheet formula)."""
        path = path or self._ask(self.tr("Export shift report"), "shift.csv", "CSV (*.csv)")
        if not path:
            return None
        target = Path(path)
        with target.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([spreadsheet_safe(c) for c in row] for row in self.rows_for_export())
        return target

    def export_pdf(self, path: str | None = None) -> Path | None:
        """This screen on one landscape A4 page, to print."""
        path = path or self._ask(self.tr("Save the dashboard as PDF"), "shift.pdf", "PDF (*.pdf)")
        if not path:
            return None
        writer = QPdfWriter(path)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
        writer.setResolution(150)
        painter = QPainter(writer)
        try:
            page = writer.width(), writer.height()
            scale = min(page[0] / max(1, self.width()), page[1] / max(1, self.height()))
            painter.scale(scale, scale)
            self.render(painter, QPoint(0, 0))
        finally:
            painter.end()
        return Path(path)
