"""A bar chart painted with QPainter (Qt Charts is not part of PySide6-Essentials)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class BarChart(QWidget):
    """Bars for (label, value) pairs, value printed above each bar."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._data: list[tuple[str, int]] = []
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, data: list[tuple[str, int]]) -> None:
        self._data = list(data)
        self.setAccessibleDescription(", ".join(f"{k}: {v}" for k, v in self._data))
        self.update()

    def data(self) -> list[tuple[str, int]]:
        return list(self._data)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(8, 28, -8, -28)
        p.setPen(QPen(QColor("#111")))
        p.drawText(QRectF(8, 2, self.width() - 16, 24), Qt.AlignmentFlag.AlignLeft, self.title)
        if not self._data:
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("no data yet"))
            p.end()
            return
        top = max(v for _, v in self._data) or 1
        n = len(self._data)
        slot = rect.width() / n
        bar_w = max(4.0, slot * 0.7)
        for i, (label, value) in enumerate(self._data):
            h = rect.height() * value / top
            x = rect.left() + i * slot + (slot - bar_w) / 2
            bar = QRectF(x, rect.bottom() - h, bar_w, h)
            p.fillRect(bar, QColor("#0b5cad"))
            p.drawText(QRectF(x - 10, bar.top() - 20, bar_w + 20, 18), Qt.AlignmentFlag.AlignCenter, str(value))
            p.drawText(QRectF(x - 20, rect.bottom() + 4, bar_w + 40, 20), Qt.AlignmentFlag.AlignCenter, label)
        p.end()
