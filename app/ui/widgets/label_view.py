"""The parcel's label on the pack screen: a small preview that opens large enough to read.

The pack screen has room for a thumbnail only at 1366 x 768; a click on it (or Ctrl+L, which a
scanner never types) opens the same image at a readable size in its own window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

THUMB_HEIGHT = 170  # px on the pack screen
LARGE_HEIGHT = 680  # px in the window: a 4x6 label's address reads at arm's length


class LabelThumb(QLabel):
    """A label preview that says when it is clicked."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def show_label(self, pixmap: QPixmap) -> None:
        self.full = pixmap
        self.setPixmap(pixmap.scaledToHeight(THUMB_HEIGHT, Qt.TransformationMode.SmoothTransformation))

    def clear_label(self) -> None:
        self.full = QPixmap()
        self.clear()

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if not self.full.isNull():
            self.clicked.emit()
        super().mousePressEvent(ev)


class LabelWindow(QDialog):
    """The label at a readable size (never taller than the screen leaves room for)."""

    def __init__(self, pixmap: QPixmap, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() - 80 if screen is not None else LARGE_HEIGHT
        height = max(THUMB_HEIGHT, min(LARGE_HEIGHT, room, pixmap.height()))
        self.image = QLabel()
        self.image.setPixmap(pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
        layout = QVBoxLayout(self)
        layout.addWidget(self.image)
        hint = QLabel(self.tr("Esc closes this window"))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)

    def done(self, result: int) -> None:
        """Esc or close: the bench window takes the keys again (its F-keys are shortcuts of that window)."""
        super().done(result)
        parent = self.parentWidget()
        if parent is not None:
            parent.window().activateWindow()
