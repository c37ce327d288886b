"""Finding text the layout cuts off: each visible label, button, group title, field, table header and
cell compared, through ``QFontMetrics``, with the room the layout gave it.

Used by the 1366x768 layout tests and by ``python -m app.ui.screenshots`` (which refuses to save a
screen with clipped text). A finding names the widget, its text, the width it needs and the width it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QTableView,
    QWidget,
)

# Room that Qt's styles take around a text, in pixels: an item view cell's margins (3 px a side plus
# the focus frame), a header section's padding (our theme: 4 px a side, plus the sort arrow when
# sorting is on), a group box title's indent, a line edit's frame and padding (theme: 4 px plus 2 px border).
CELL_MARGIN_PX = 6
HEADER_PADDING_PX = 12
SORT_ARROW_PX = 14
GROUP_TITLE_PX = 16
LINE_EDIT_PX = 16


@dataclass(frozen=True)
class Clipped:
    widget: str
    text: str
    needs_px: int
    has_px: int

    def __str__(self) -> str:
        return f"{self.widget}: {self.text!r} needs {self.needs_px} px, has {self.has_px} px"


def _name(w: QWidget) -> str:
    parts: list[str] = []
    node: QWidget | None = w
    while node is not None and len(parts) < 3:
        parts.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return "/".join(reversed(parts))


def _text_px(font: QFont, text: str) -> int:
    fm = QFontMetrics(font)
    return max((fm.horizontalAdvance(line) for line in text.splitlines() or [""]), default=0)


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _cut_by_parents(w: QWidget) -> Clipped | None:
    """A widget partly outside its window or parent (the layout ran out of room) is cut off."""
    visible = w.visibleRegion().boundingRect()
    if visible.isEmpty():
        return None  # wholly hidden behind another page or scrolled away: not on screen
    if visible.width() < w.width() - 1:
        text = getattr(w, "text", lambda: "")()
        return Clipped(_name(w), str(text)[:40], w.width(), visible.width())
    return None


def _label(w: QLabel) -> Clipped | None:
    text = w.text()
    if not text or (w.pixmap() is not None and not w.pixmap().isNull()):
        return None
    if w.textFormat() == Qt.TextFormat.RichText or (w.textFormat() == Qt.TextFormat.AutoText and "<" in text):
        return None
    room = w.contentsRect().width() - 2 * w.margin() - max(0, w.indent())
    if w.wordWrap():
        needed_h = w.heightForWidth(w.width())
        if needed_h > w.height() + 1:
            return Clipped(_name(w), text, needed_h, w.height())  # wrapped text taller than its room
        return None
    need = _text_px(w.font(), text)
    return Clipped(_name(w), text, need, room) if need > room else None


def _button(w: QAbstractButton) -> Clipped | None:
    if not w.text():
        return None
    need = w.sizeHint().width()
    return Clipped(_name(w), w.text(), need, w.width()) if need > w.width() else None


def _group(w: QGroupBox) -> Clipped | None:
    need = _text_px(w.font(), w.title()) + GROUP_TITLE_PX
    return Clipped(_name(w), w.title(), need, w.width()) if w.title() and need > w.width() else None


def _line_edit(w: QLineEdit) -> Clipped | None:
    text = w.text() or w.placeholderText()
    if w.echoMode() != QLineEdit.EchoMode.Normal or not text:
        return None
    need = _text_px(w.font(), text) + LINE_EDIT_PX
    return Clipped(_name(w), text, need, w.width()) if need > w.width() else None


def _combo(w: QComboBox) -> Clipped | None:
    need = w.minimumSizeHint().width()
    return Clipped(_name(w), w.currentText(), need, w.width()) if need > w.width() else None


def _header(view: QTableView) -> list[Clipped]:
    header = view.horizontalHeader()
    model = view.model()
    if model is None or not header.isVisible():
        return []
    font = QFont(header.font())
    font.setBold(True)
    extra = HEADER_PADDING_PX + (SORT_ARROW_PX if view.isSortingEnabled() else 0)
    out = []
    for col in range(model.columnCount(QModelIndex())):
        if header.isSectionHidden(col):
            continue
        text = str(model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        need = _text_px(font, text) + extra
        if need > header.sectionSize(col):
            out.append(Clipped(f"{_name(view)} header", text, need, header.sectionSize(col)))
    return out


def _cells(view: QAbstractItemView) -> list[Clipped]:
    model = view.model()
    if model is None:
        return []
    out = []
    if view.horizontalScrollBar().isVisible():  # columns run past the view's right edge
        bar = view.horizontalScrollBar()
        room = view.viewport().width()
        out.append(Clipped(f"{_name(view)} columns", "(scrolls sideways)", room + bar.maximum(), room))
    font = view.font()
    viewport = view.viewport().rect()
    columns = model.columnCount(QModelIndex()) if isinstance(view, QTableView) else 1
    for row in range(model.rowCount(QModelIndex())):
        for col in range(columns):
            index = model.index(row, col, QModelIndex())
            rect = view.visualRect(index)
            if rect.isEmpty() or not viewport.intersects(rect):
                continue  # scrolled out of sight: the view scrolls, it does not cut
            text = str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
            room = min(rect.width(), viewport.right() - rect.left())
            if isinstance(view, QListView) and view.wordWrap():
                continue
            need = _text_px(font, text) + CELL_MARGIN_PX
            if text and need > room:
                out.append(Clipped(f"{_name(view)} cell {row},{col}", text, need, room))
    return out


def clipped_texts(root: QWidget) -> list[Clipped]:
    """Every visible text under ``root`` (``root`` included) that does not fit the room it has."""
    out: list[Clipped] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not _shown(w) or isinstance(w, QHeaderView):
            continue
        w.ensurePolished()
        found: Clipped | None = None
        if isinstance(w, QLabel):
            found = _label(w)
        elif isinstance(w, QAbstractButton):
            found = _button(w)
        elif isinstance(w, QGroupBox):
            found = _group(w)
        elif isinstance(w, QLineEdit):
            found = _line_edit(w)
        elif isinstance(w, QComboBox):
            found = _combo(w)
        if isinstance(w, QTableView):
            out += _header(w)
        if isinstance(w, QAbstractItemView):
            out += _cells(w)
        if isinstance(w, QLabel | QAbstractButton | QGroupBox | QLineEdit | QComboBox) and found is None:
            found = _cut_by_parents(w)
        if found is not None:
            out.append(found)
    return out
