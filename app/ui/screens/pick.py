"""Pick screen: the next stop huge (bin, product, quantity, tote), the one after it small, every scan answered.

The picker scans the bin, then each unit (or keys a quantity, then scans one unit), then the tote (or
presses Confirm tote). Short pick has a button per reason; Skip sends the stop to the end of the walk.
Every input runs on the engine's worker thread through the pick controller (the batch is cached in the
bench store: picking goes on offline), and the screen's view (a ``PickView``) is read there too; the GUI
thread only draws the view it is handed (``apply_view``), never the session.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback
from app.bench.picking import PickState, PickStop
from app.bench.views import PickView
from app.domain.pick_events import ShortReason
from app.ui.screens.base import ScanScreen
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.workers import TaskRunner

STATE_TEXT = {
    PickState.IDLE: "Press Get batch (F5) to lease a pick batch",
    PickState.TOTES: "Scan an empty tote for slot %1",
    PickState.AT_BIN: "Go to the bin and scan its label",
    PickState.PICKING: "Scan each unit (or key the quantity, then scan one)",
    PickState.TO_TOTE: "Scan the tote (or Confirm tote, F6)",
    PickState.DONE: "Batch done: take the totes to packing, then Get batch (F5)",
}
MODES = ("cluster", "single", "batch")


def _big(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


class PickScreen(ScanScreen):
    def __init__(
        self, engine: BenchEngine, runner: TaskRunner, banner: FeedbackBanner, parent: QWidget | None = None
    ) -> None:
        super().__init__(engine, runner, banner, parent)
        self.view = PickView()  # the pick session as last read on the engine's thread
        banner.show_text(self.tr("Press Get batch (F5) to start picking"), "info")
        self.title = QLabel()
        self.title.setObjectName("title")
        self.state_label = QLabel()
        self.state_label.setObjectName("hint")
        self.state_label.setWordWrap(True)
        self.bin = _big("stopbin")
        self.product = _big("title")  # names run long: big, not huge, on one line
        self.quantity = _big("stopbig")
        self.tote = _big("stopbig")
        self.after = QLabel()
        self.after.setObjectName("hint")
        self.after.setWordWrap(True)
        self.totes = QLabel()
        self.totes.setWordWrap(True)

        stop_box = QGroupBox(self.tr("Next stop"))
        sl = QGridLayout(stop_box)
        sl.addWidget(self.bin, 0, 0)
        sl.addWidget(self.quantity, 0, 1)
        sl.addWidget(self.product, 1, 0, 1, 2)
        sl.addWidget(self.tote, 2, 0, 1, 2)
        sl.setColumnStretch(0, 3)
        sl.setColumnStretch(1, 1)
        after_box = QGroupBox(self.tr("After that"))
        al = QVBoxLayout(after_box)
        al.addWidget(self.after)
        al.addWidget(self.totes)

        self.mode = QComboBox()
        self.mode.addItems(list(MODES))
        self.mode.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # scanner keys never land in it
        self.buttons: dict[str, QPushButton] = {}
        buttons = QGridLayout()
        actions: list[tuple[str, str, str, Any]] = [
            ("get", self.tr("Get batch"), "F5", self.get_batch),
            ("tote", self.tr("Confirm tote"), "F6", lambda: self.step(self.engine.picking.confirm_tote)),
            ("skip", self.tr("Skip"), "F7", lambda: self.step(self.engine.picking.skip)),
            ("bin_empty", self.tr("Short: bin empty"), "F8", lambda: self.short(ShortReason.BIN_EMPTY)),
            ("damaged", self.tr("Short: damaged"), "F9", lambda: self.short(ShortReason.DAMAGED)),
            ("not_found", self.tr("Short: not found"), "F10", lambda: self.short(ShortReason.NOT_FOUND)),
        ]
        for i, (word, text, key, fn) in enumerate(actions):
            b = QPushButton(f"{text} ({key})")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, f=fn: f())
            QShortcut(QKeySequence(key), self, fn)
            buttons.addWidget(b, i // 3, 1 + i % 3)
            self.buttons[word] = b
        buttons.addWidget(self.mode, 0, 0)

        grid = QGridLayout(self)
        grid.addWidget(self.banner, 0, 0)
        grid.addWidget(self.title, 1, 0)
        grid.addWidget(self.state_label, 2, 0)
        grid.addWidget(stop_box, 3, 0)
        grid.addWidget(after_box, 4, 0)
        grid.addLayout(buttons, 5, 0)
        grid.addWidget(self.key_in, 6, 0)
        grid.setRowStretch(3, 3)
        grid.setRowStretch(4, 1)
        self.apply_view(self.view)

    # ---------------------------------------------------------------- input
    def submit_code(self, code: str) -> Feedback:
        return self.engine.picking.scan(code)

    def get_batch(self) -> None:
        mode = self.mode.currentText()
        self.banner.show_text(self.tr("Asking the hub for a %1 batch…").replace("%1", mode), "info")
        orders = 1 if mode == "single" else 4
        self.step(lambda: self.engine.picking.lease_batch(mode, max_orders=orders, totes=orders))

    def short(self, reason: ShortReason) -> None:
        self.step(lambda: self.engine.picking.short(reason))

    # ---------------------------------------------------------------- output
    def read_view(self) -> PickView:
        return self.engine.pick_view()

    def apply_view(self, view: PickView) -> None:
        self.view = s = view
        text = self.tr(STATE_TEXT[s.state]).replace("%1", str(s.next_slot or ""))
        self.state_label.setText(text)
        if s.state == PickState.IDLE:
            self.title.setText(self.tr("No pick batch in hand"))
        else:
            done = s.done
            self.title.setText(
                self.tr("%1 batch · %2 order(s) · stop %3 of %4")
                .replace("%1", s.mode.capitalize())
                .replace("%2", str(s.orders))
                .replace("%3", str(min(done + 1, len(s.places))))
                .replace("%4", str(len(s.places)))
            )
        stop = s.current
        self._show_stop(stop)
        nxt = s.after
        then = self.tr("This is the last stop.") if stop is not None else ""
        if nxt is not None:
            then = self.tr("Then: bin %1 · %2 x %3").replace("%1", nxt.bin).replace("%2", nxt.name)
            then = then.replace("%3", str(nxt.quantity))
        self.after.setText(then)
        self.totes.setText(
            "  ".join(f"{slot}: {tote}" for slot, tote in sorted(s.totes.items()))
            if s.totes
            else self.tr("No totes on the cart yet")
        )
        self.buttons["get"].setEnabled(s.state in (PickState.IDLE, PickState.DONE))
        self.mode.setEnabled(s.state in (PickState.IDLE, PickState.DONE))

    def _show_stop(self, stop: PickStop | None) -> None:
        if stop is None:
            for label in (self.bin, self.product, self.quantity, self.tote):
                label.setText("")
            return
        s = self.view
        self.bin.setText(stop.bin)
        self.product.setText(f"{stop.name} ({stop.sku})")
        self.quantity.setText(f"x {stop.quantity}" if not stop.picked else f"{stop.picked} / {stop.quantity}")
        slot = 1 if s.mode == "batch" else stop.tote_slot or 1
        self.tote.setText(self.tr("→ tote %1  %2").replace("%1", str(slot)).replace("%2", s.current_tote))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
