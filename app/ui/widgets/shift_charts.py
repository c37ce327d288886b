"""Qt Charts for the supervisor's shift view: throughput lines against a target, exceptions per hour as
stacked bars (a click on a bar says which kind and hour), waiting orders by age."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

SMALL = 10  # pt: chart type is read up close


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont()
    font.setPointSize(SMALL + 1)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.legend().setFont(QFont(font.family(), SMALL))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(chart.margins() * 0)
    chart.setBackgroundRoundness(0)
    return chart


def _axes(chart: QChart, categories: Sequence[str], top: float) -> tuple[QBarCategoryAxis, QValueAxis]:
    x = QBarCategoryAxis()
    x.append(list(categories) or [""])
    y = QValueAxis()
    y.setRange(0, max(4.0, top * 1.1))
    y.applyNiceNumbers()  # ticks on round counts, so a label says the value at its line
    y.setLabelFormat("%d")
    for axis in (x, y):
        axis.setLabelsFont(QFont(QFont().family(), SMALL))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    return x, y


class _View(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(200, 150)


class ThroughputChart(_View):
    """One line per bench (or packer) over the shift's hours, and the target as a dashed red line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: dict[str, list[tuple[str, int]]] = {}
        self.target = 0
        self.set_data("", [], {}, 0)

    def set_data(self, title: str, hours: Sequence[str], lines: dict[str, dict[str, int]], target: int) -> None:
        """``lines``: name → {hour → count}; ``hours`` the shift's hours in order (labels ``HH:00``)."""
        chart = _chart(title)
        self.lines = {name: [(h, per.get(h, 0)) for h in hours] for name, per in lines.items()}
        self.target = target
        top = float(max([1, target, *(n for pts in self.lines.values() for _h, n in pts)]))
        x, y = _axes(chart, [h[11:16] for h in hours], top)
        for name, points in self.lines.items():
            series = QLineSeries()
            series.setName(name)
            for i, (_h, n) in enumerate(points):
                series.append(i, n)
            series.setPointsVisible(True)
            chart.addSeries(series)
            series.attachAxis(x)
            series.attachAxis(y)
        if target and hours:
            goal = QLineSeries()
            goal.setName(f"target {target}/h")
            goal.append(0, target)
            goal.append(max(0, len(hours) - 1), target)
            goal.setPen(QPen(QColor("#c62828"), 2, Qt.PenStyle.DashLine))
            chart.addSeries(goal)
            goal.attachAxis(x)
            goal.attachAxis(y)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()


class StackedBarsChart(_View):
    """Stacked bars per category (hour or location); ``bar_clicked(set name, category)`` on a click."""

    bar_clicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.categories: list[str] = []
        self.sets: dict[str, list[int]] = {}
        self.set_data("", [], {})

    def set_data(
        self,
        title: str,
        categories: Sequence[str],
        sets: dict[str, Sequence[int]],
        *,
        labels: Sequence[str] | None = None,
        stacked: bool = True,
    ) -> None:
        chart = _chart(title)
        self.categories = list(categories)
        self.sets = {k: list(v) for k, v in sets.items()}
        series = QStackedBarSeries() if stacked else QBarSeries()
        totals = [sum(v[i] for v in self.sets.values()) for i in range(len(self.categories))]
        top = float(max(totals or [1]) if stacked else max([n for v in self.sets.values() for n in v] or [1]))
        for name, values in self.sets.items():
            bar = QBarSet(name)
            bar.append([float(v) for v in values])
            bar.clicked.connect(lambda index, n=name: self._clicked(n, index))
            series.append(bar)
        chart.addSeries(series)
        x, y = _axes(chart, list(labels) if labels is not None else self.categories, top)
        series.attachAxis(x)
        series.attachAxis(y)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def _clicked(self, name: str, index: int) -> None:
        if 0 <= index < len(self.categories):
            self.bar_clicked.emit(name, self.categories[index])
