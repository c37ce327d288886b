"""Table models that sort and filter in Python and reset, fast at 100k rows (no proxy model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """Rows of plain values; ``colour(row)`` may tint a row (e.g. a finished line green)."""

    def __init__(
        self,
        headers: Sequence[str],
        *,
        colour: Callable[[Sequence[Any]], str | None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[list[Any]] = []
        self._all: list[list[Any]] = []
        self._colour = colour
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self._all = [list(r) for r in rows]
        self._apply()

    def update_column(self, column: int, values: Sequence[Any]) -> None:
        """Change one column of every row in place (same rows, same order): no reset; only the rows whose
        value changed are repainted (their whole row: a row's tint may follow the value)."""
        if len(values) != len(self._all):
            raise ValueError("update_column needs one value per row")
        changed = set()
        for row, value in zip(self._all, values, strict=True):
            if row[column] != value:
                row[column] = value  # the shown rows are these same lists
                changed.add(id(row))
        # Only the cells that changed are repainted (a scan changes one line of a 500-line order).
        for r, row in enumerate(self.rows):
            if id(row) in changed:
                self.dataChanged.emit(self.index(r, 0), self.index(r, len(self.headers) - 1))

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._apply()

    def _apply(self) -> None:
        rows = self._all
        if self._filter:
            rows = [r for r in rows if any(self._filter in str(v).lower() for v in r)]
        if self._sort is not None:
            col, order = self._sort
            rows = sorted(
                rows,
                key=lambda r: (r[col] is None, r[col]),
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._apply()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[index.column()]
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole and self._colour is not None:
            colour = self._colour(row)
            return QBrush(QColor(colour)) if colour else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def compact(view: QTableView) -> None:
    """Smaller type for the cells of a table read up close (the theme styles ``compact`` views; the
    headers keep the bench's type: Qt's style sheets do not resize header sections by a nested rule)."""
    view.setObjectName("compact")


def fit_columns(view: QTableView, *, stretch: int | None) -> None:
    """Every column as wide as its text (header and cells), column ``stretch`` taking the rest (None: the
    last). For the bench's small tables (a lease, an order's lines): sizing to contents is cheap there."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def fit_columns_on_load(view: QTableView, *, stretch: int) -> None:
    """Like ``fit_columns``, but the columns are fitted to their text when the rows are set (a model reset),
    not again on every changed cell: a header that sizes to contents reads every row of the table on each
    ``dataChanged``, which on a 500-line order costs more than the scan it shows."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    model = view.model()

    def fit() -> None:
        for column in range(model.columnCount()):
            if column != stretch:
                view.resizeColumnToContents(column)

    model.modelReset.connect(fit)
    fit()
