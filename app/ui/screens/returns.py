"""Returns screen: look a return up, scan the items, grade each, decide where it goes, see stock go back.

Keys: F5-F8 grade (new, opened, damaged, defective); Ctrl+R restock, Ctrl+Q quarantine, Ctrl+F
refurbish, Ctrl+S scrap, Ctrl+V return to vendor; F9 finish. Letters and digits alone are never
shortcuts: a scanner types them. The same words work as command cards (``CMD:NEW``,
``CMD:RESTOCK``, ``CMD:DONE`` …), so a clerk never needs the mouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback, FeedbackKind
from app.bench.receiving import ReturnState
from app.bench.views import ReturnView
from app.domain import limits
from app.domain.returns import ALLOWED_DISPOSITIONS, Condition, Disposition
from app.ui.screens.base import ScanScreen
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.widgets.tables import RowsModel, compact, fit_columns
from app.ui.workers import TaskRunner

CONDITION_KEYS = {Condition.NEW: "F5", Condition.OPENED: "F6", Condition.DAMAGED: "F7", Condition.DEFECTIVE: "F8"}
DISPOSITION_KEYS = {
    Disposition.RESTOCK: "Ctrl+R",
    Disposition.QUARANTINE: "Ctrl+Q",
    Disposition.REFURBISH: "Ctrl+F",
    Disposition.SCRAP: "Ctrl+S",
    Disposition.RETURN_TO_VENDOR: "Ctrl+V",
}


def _colour(row: Sequence[Any]) -> str | None:
    return "#c8e6c9" if row[3] >= row[2] else None


class ReturnsScreen(ScanScreen):
    def __init__(self, engine: BenchEngine, runner: TaskRunner, banner: FeedbackBanner, parent: QWidget | None = None):
        super().__init__(engine, runner, banner, parent)
        self.banner.show_text(self.tr("Scan the return label, RMA number or order number"), "info")
        self.title = QLabel(self.tr("No return in hand"))
        self.title.setObjectName("title")
        self.step_hint = QLabel("")
        self.step_hint.setObjectName("hint")
        self.step_hint.setWordWrap(True)
        self.lines = RowsModel(
            [self.tr("Product"), self.tr("SKU"), self.tr("Qty"), self.tr("Received")], colour=_colour
        )
        view = QTableView()
        view.setModel(self.lines)
        view.verticalHeader().setVisible(False)
        fit_columns(view, stretch=0)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.graded = RowsModel([self.tr("SKU"), self.tr("Condition"), self.tr("Goes to"), self.tr("Bin")])
        graded_view = QTableView()
        compact(graded_view)
        graded_view.setModel(self.graded)
        graded_view.verticalHeader().setVisible(False)
        fit_columns(graded_view, stretch=None)
        graded_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("title")
        self.bin = QLineEdit()
        self.bin.setMaxLength(limits.BIN)
        self.bin.setPlaceholderText(self.tr("restock bin (default: RETURNS)"))
        # Fields take focus only when clicked: scanner keys must not land in them by default.
        self.bin.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self.condition_buttons: dict[Condition, QPushButton] = {}
        self.disposition_buttons: dict[Disposition, QPushButton] = {}
        grades = QHBoxLayout()
        for cond, key in CONDITION_KEYS.items():
            b = QPushButton(f"{cond.value} ({key})")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, c=cond: self.grade(c))
            QShortcut(QKeySequence(key), self, lambda c=cond: self.grade(c))
            grades.addWidget(b)
            self.condition_buttons[cond] = b
        places = QGridLayout()  # three a row: five dispositions in one row do not fit beside the demo panel
        for i, (disp, key) in enumerate(DISPOSITION_KEYS.items()):
            b = QPushButton(f"{disp.value.replace('_', ' ')} ({key})")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, d=disp: self.dispose(d))
            QShortcut(QKeySequence(key), self, lambda d=disp: self.dispose(d))
            places.addWidget(b, i // 3, i % 3)
            self.disposition_buttons[disp] = b
        self.finish_button = QPushButton(self.tr("Finish return (F9)"))
        self.finish_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.finish_button.clicked.connect(self.finish)
        QShortcut(QKeySequence("F9"), self, self.finish)

        grid = QGridLayout(self)
        grid.addWidget(self.banner, 0, 0, 1, 2)
        grid.addWidget(self.title, 1, 0, 1, 2)
        grid.addWidget(self.step_hint, 2, 0, 1, 2)
        grid.addWidget(view, 3, 0)
        grid.addWidget(graded_view, 3, 1)
        grid.addLayout(grades, 4, 0, 1, 2)
        grid.addLayout(places, 5, 0, 1, 2)
        grid.addWidget(self.bin, 6, 0)
        grid.addWidget(self.finish_button, 6, 1)
        grid.addWidget(self.summary, 7, 0, 1, 2)
        grid.addWidget(self.key_in, 8, 0, 1, 2)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.apply_view(ReturnView())

    # ---------------------------------------------------------------- input
    def submit_code(self, code: str) -> Feedback:
        return self.engine.return_scan(code)

    def grade(self, condition: Condition) -> None:
        self.step(lambda: self.engine.return_grade(condition))

    def dispose(self, disposition: Disposition) -> None:
        bin_code = self.bin.text().strip() or None
        self.step(lambda: self.engine.return_dispose(disposition, bin_code))

    def finish(self) -> None:
        self.step(self.engine.return_finish)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()  # a return resumed after a restart shows where it was

    # ---------------------------------------------------------------- output
    def on_feedback(self, fb: Feedback) -> None:
        if fb.kind == FeedbackKind.RECEIVED:
            self.summary.setText(fb.message)
        elif fb.kind == FeedbackKind.RETURN_STARTED:
            self.summary.setText("")

    def read_view(self) -> ReturnView:
        return self.engine.return_view()

    def apply_view(self, view: ReturnView) -> None:
        self.view = view
        rma = view.rma
        state = ReturnState(view.state)
        steps = {
            ReturnState.IDLE: self.tr("Scan the return label, RMA number or order number."),
            ReturnState.CHOOSING: self.tr("Several returns are open: scan the RMA number."),
            ReturnState.SCANNING: self.tr("Scan a returned item, or finish (F9)."),
            ReturnState.GRADING: self.tr("Grade the item: F5 new, F6 opened, F7 damaged, F8 defective."),
            ReturnState.DISPOSING: self.tr(
                "Where does it go? Ctrl+R restock, Ctrl+Q quarantine, Ctrl+F refurbish, Ctrl+S scrap, Ctrl+V vendor."
            ),
            ReturnState.DONE: self.tr("Return received. Scan the next return."),
        }
        self.step_hint.setText(steps.get(state, ""))
        if rma is None:
            self.title.setText(self.tr("No return in hand"))
            self.lines.set_rows([])
        else:
            self.title.setText(f"{rma.number} · {self.tr('order')} {rma.order_number}")
            got = view.received
            self.lines.set_rows(
                [[ln.name, ln.sku, ln.outstanding, got.get(ln.sku, 0)] for ln in rma.lines if ln.outstanding]
            )
        self.graded.set_rows(
            [[u.sku, u.condition.value, u.disposition.value.replace("_", " "), u.bin] for u in view.units]
        )
        grading = state == ReturnState.GRADING
        pending = view.pending_condition
        allowed = ALLOWED_DISPOSITIONS.get(pending, frozenset()) if pending else ()
        for b in self.condition_buttons.values():
            b.setEnabled(grading)
        for d, b in self.disposition_buttons.items():
            b.setEnabled(state == ReturnState.DISPOSING and d in allowed)
        for d, b in self.disposition_buttons.items():
            b.setDefault(d == view.suggested)
