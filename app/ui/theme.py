"""Large type, high contrast: a packer reads the screen from a step away."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

# Feedback colours: background, text. Chosen for contrast (WCAG AA or better on their text).
FEEDBACK = {
    "right": ("#1b7f3b", "#ffffff"),
    "complete": ("#0b5cad", "#ffffff"),
    "wrong": ("#c62828", "#ffffff"),
    "over_scan": ("#e65100", "#ffffff"),
    "unknown": ("#6a1b9a", "#ffffff"),
    "blocked": ("#c62828", "#ffffff"),
    "info": ("#263238", "#ffffff"),
    "waiting": ("#f9a825", "#000000"),
    # picking
    "wrong_bin": ("#880e4f", "#ffffff"),
    "wrong_tote": ("#00695c", "#ffffff"),
    "over_pick": ("#bf360c", "#ffffff"),
    "short": ("#ff8f00", "#000000"),
}


def stylesheet(scale: float = 1.0) -> str:
    base = round(15 * scale)
    big = round(22 * scale)
    huge = round(34 * scale)
    small = round(11 * scale)  # tables read up close (the queue, graded returns), not from a step away
    return f"""
    QWidget {{ font-size: {base}pt; color: #111; background: #f4f6f8; }}
    QLabel#title {{ font-size: {big}pt; font-weight: 700; }}
    QLabel#feedback {{ font-size: {huge}pt; font-weight: 800; padding: 12px; border-radius: 8px; }}
    QLabel#hint {{ color: #37474f; }}
    QLabel#stopbin {{ font-size: {round(54 * scale)}pt; font-weight: 800; font-family: monospace; }}
    QLabel#stopbig {{ font-size: {huge}pt; font-weight: 700; }}
    QLabel#weight {{ font-size: {big}pt; font-weight: 700; font-family: monospace; }}
    QFrame#statusbar {{ background: #263238; }}
    QFrame#statusbar QLabel {{ color: #fff; background: #263238; font-size: {max(10, base - 3)}pt; padding: 2px 8px; }}
    QPushButton {{ padding: 6px 14px; border: 2px solid #37474f; border-radius: 6px; background: #fff; }}
    QPushButton:focus {{ border-color: #0b5cad; }}
    QLineEdit {{ padding: 4px; border: 2px solid #90a4ae; border-radius: 4px; background: #fff; }}
    QLineEdit:focus {{ border-color: #0b5cad; }}
    QTableView {{ background: #fff; gridline-color: #cfd8dc; selection-background-color: #0b5cad; }}
    QHeaderView::section {{ background: #37474f; color: #fff; padding: 4px; font-weight: 700; }}
    QTableView#compact, QTableView#compact::item {{ font-size: {small}pt; }}
    """


def apply(app: QApplication, scale: float = 1.0) -> None:
    font = QFont(app.font())
    font.setPointSizeF(15 * scale)
    app.setFont(font)
    app.setStyleSheet(stylesheet(scale))
