"""The supervisor's list of events the hub rejected (dead letters): the reason, and retry or discard each.

All store access runs on the ``TaskRunner`` (never on the GUI thread); ``changed`` is emitted after a
retry or a discard so the window can kick the sync loop.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.bench.outbox import DeadLetter
from app.ui.workers import TaskRunner


class DeadLetterDialog(QDialog):
    """``load`` lists the dead letters; ``retry(event_id)`` / ``discard(event_id)`` act on one."""

    changed = Signal()
    COLUMNS = ("Event", "Order / RMA", "Why the hub refused it", "Written", "Tries")

    def __init__(
        self,
        load: Callable[[], list[DeadLetter]],
        retry: Callable[[str], bool],
        discard: Callable[[str], bool],
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Rejected events"))
        self.resize(1000, 420)
        self._load, self._retry, self._discard, self.runner = load, retry, discard, runner
        self.letters: list[DeadLetter] = []
        self.info = QLabel(self.tr("Loading…"))
        self.info.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.retry_button = QPushButton(self.tr("Retry (send again)"))
        self.discard_button = QPushButton(self.tr("Discard"))
        close = QPushButton(self.tr("Close"))
        self.retry_button.clicked.connect(lambda: self._act(self._retry))
        self.discard_button.clicked.connect(lambda: self._act(self._discard))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.retry_button, self.discard_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()
        self.reload()

    def reload(self) -> None:
        self.runner.run(self._load, self._show, self._failed)

    def selected(self) -> DeadLetter | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.letters[rows.pop()] if len(rows) == 1 else None

    def _show(self, letters: list[DeadLetter]) -> None:
        self.letters = letters
        self.table.setRowCount(len(letters))
        for row, d in enumerate(letters):
            cells = (d.type, d.subject, d.reason, d.created_at.strftime("%Y-%m-%d %H:%M"), str(d.attempts))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, d.event_id)
                self.table.setItem(row, col, item)
        self.info.setText(
            self.tr("No rejected events.")
            if not letters
            else self.tr(
                "%n event(s) the hub refused. Retry one once its cause is fixed, or discard it.", "", len(letters)
            )
        )
        self._selection_changed()

    def _failed(self, exc: Exception) -> None:
        self.info.setText(self.tr("Could not read the rejected events: %1").replace("%1", str(exc)))

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.retry_button.setEnabled(chosen)
        self.discard_button.setEnabled(chosen)

    def _act(self, action: Callable[[str], bool]) -> None:
        letter = self.selected()
        if letter is None:
            return
        self.retry_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.runner.run(lambda: action(letter.event_id), self._acted, self._failed)

    def _acted(self, _moved: object) -> None:
        self.changed.emit()
        self.reload()
