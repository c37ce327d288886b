"""Pieces of the pack screen that hold no state: row colours, the button grid, times as the queue shows
them, and our own preview layout of a parcel's label."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QGridLayout, QWidget

from app.printing.layout import LABEL_4X6, Box, Code128, Label, Text


def priority_colour(row: Sequence[Any]) -> str | None:
    """Priority orders stand out in the queue (amber): the row's last value is the priority."""
    return "#ffe0b2" if row[-1] else None


def line_colour(row: Sequence[Any]) -> str | None:
    expected, scanned = row[2], row[3]
    if scanned >= expected:
        return "#c8e6c9"
    return "#fff3c4" if scanned else None


class ButtonRows(QGridLayout):
    """Buttons laid out left to right in rows of ``per_row``."""

    def __init__(self, per_row: int) -> None:
        super().__init__()
        self.per_row = per_row

    def addWidget(self, widget: QWidget, *args: Any, **kw: Any) -> None:  # type: ignore[override]
        n = self.count()
        super().addWidget(widget, n // self.per_row, n % self.per_row)


def short_time(iso: str | None) -> str:
    """``2026-11-23T14:00:00+00:00`` → ``Mon 14:00`` (UTC; orders ship within the week)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%a %H:%M")
    except ValueError:
        return iso


def age(iso: str | None, now: datetime) -> str:
    """How long the order has waited, as ``5h 20m``."""
    if not iso:
        return ""
    try:
        minutes = int((now - datetime.fromisoformat(iso)).total_seconds() // 60)
    except ValueError:
        return ""
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{max(0, minutes)}m"


def preview_label(order_number: str, ship_to: dict[str, Any], parcel_no: int, weight_g: int | None) -> Label:
    """Our own layout of what the parcel's label says, for the screen."""
    lines = [str(ship_to.get(k, "")) for k in ("name", "line1", "city", "postcode", "country") if ship_to.get(k)]
    elements: list[Any] = [Box(3, 3, 95.6, 146.4), Text(6, 8, "SHIP TO", height_mm=3)]
    elements += [Text(6, 14 + 7 * i, line, height_mm=5) for i, line in enumerate(lines)]
    elements += [
        Text(6, 62, f"{order_number}  parcel {parcel_no}  {weight_g or '?'} g", height_mm=4),
        Code128(6, 80, order_number, height_mm=25),
    ]
    return Label(LABEL_4X6, tuple(elements))
