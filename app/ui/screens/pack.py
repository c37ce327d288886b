"""Pack screen: the leased queue, the order in hand, every scan answered at once, weight, carton, label.

Everything goes through the bench engine on one worker thread (inputs stay in order; the GUI thread
never waits on the disk, the hub or a printer). Scans are checked locally by the engine, so a scan
never waits on the network either. What the screen shows comes back from that thread as view models
(``PackView`` after every step, ``QueueView`` when the queue may have changed): the screen never reads
the engine's session or the store itself.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback, FeedbackKind
from app.bench.pack_types import EMPTY_SCALE_G, PackState
from app.bench.sync import SyncState
from app.bench.views import PackView, QueueView
from app.devices.weights import WeightReading
from app.ui.screens.base import ScanScreen
from app.ui.screens.pack_parts import ButtonRows, age, line_colour, preview_label, priority_colour, short_time
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.widgets.label_view import LabelThumb, LabelWindow
from app.ui.widgets.tables import RowsModel, compact, fit_columns, fit_columns_on_load
from app.ui.workers import TaskRunner

STATE_TEXT = {
    PackState.IDLE: "Scan an order, tote or packing slip",
    PackState.SCANNING: "Scan the items",
    PackState.WEIGHING: "Put the parcel on the scale",
    PackState.WEIGHT_MISMATCH: "Weight mismatch: check contents, or a supervisor scans their badge",
    PackState.LABEL: "Printing the label…",
    PackState.SLIP: "Take the packing slip, then scan the next order",
    PackState.DONE: "Done: scan the next order",
    PackState.HELD: "Order put aside: scan the next order",
}


class PackScreen(ScanScreen):
    def __init__(
        self,
        engine: BenchEngine,
        runner: TaskRunner,
        banner: FeedbackBanner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(engine, runner, banner, parent)
        self.last_reading: WeightReading | None = None
        self._forwarded: tuple[Any, ...] | None = None
        self._preview_key: tuple[Any, ...] | None = None
        self._lines_for: str | None = None
        self._stop_shown: str | None = None  # the stop banner last shown (the sync thread found the order lost…)
        self.view = PackView()  # the pack session as last read on the engine's thread
        self._previews: dict[tuple[Any, ...], bytes] = {}  # the label preview, drawn on the worker thread
        self.queue_view_ = QueueView()
        self._queue_asked = False  # a queue read is on its way
        self._queue_again = False  # and another was asked meanwhile
        self._queue_read_at = 0.0  # time.monotonic() of the last queue read asked
        self._sync_key: tuple[Any, ...] | None = None  # the sync state's queue-relevant part, last seen

        self.title = QLabel()
        self.title.setObjectName("title")
        self.state_label = QLabel()
        self.state_label.setObjectName("hint")
        self.state_label.setWordWrap(True)
        self.lines = RowsModel(
            [self.tr("Product"), self.tr("SKU"), self.tr("Qty"), self.tr("Scanned"), self.tr("Picked")],
            colour=line_colour,
        )
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines)
        self.lines_view.verticalHeader().setVisible(False)
        fit_columns_on_load(self.lines_view, stretch=0)  # the SKU is what a packer checks: never cut
        self.lines_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.queue = RowsModel(
            [
                self.tr("Order"),
                self.tr("Ship by"),
                self.tr("Age"),
                self.tr("Units"),
                self.tr("Speed"),
            ],
            colour=priority_colour,
        )
        self.queue_view = QTableView()
        compact(self.queue_view)  # read up close, not from a step away
        self.queue_view.setModel(self.queue)
        self.queue_view.verticalHeader().setVisible(False)
        # The queue is one bench's lease (at most 100 rows): fitting every column to its text is cheap.
        fit_columns(self.queue_view, stretch=None)
        # Fitted columns and a stretched last one may overrun the view by a pixel: no sideways scrolling.
        self.queue_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Shown in the lease's own order (priority, then ship-by); no sort arrows: they cost each header
        # the room of an arrow, and the queue must fit beside the demo panel.

        self.weight = QLabel("—")
        self.weight.setObjectName("weight")
        self.expected = QLabel("")
        self.expected.setWordWrap(True)  # long texts wrap rather than push the queue off the screen
        self.carton = QLabel("")
        self.carton.setWordWrap(True)
        self.preview = LabelThumb()
        self.preview.setMinimumSize(120, 140)
        self.preview.setToolTip(self.tr("Click (or Ctrl+L) to see the label large"))
        self.preview.clicked.connect(self.show_label_large)
        QShortcut(QKeySequence("Ctrl+L"), self, self.show_label_large)
        self.label_window: LabelWindow | None = None

        buttons = ButtonRows(4)  # two rows of four: the bench screen must fit 1366 x 768
        self.buttons: dict[str, QPushButton] = {}
        for word, text, key in [
            ("CLOSE_PARCEL", self.tr("Close parcel"), "F5"),
            ("SHORT_PICK", self.tr("Short pick"), "F6"),
            ("DAMAGED", self.tr("Damaged"), "F7"),
            ("SLIP_DONE", self.tr("Slip done"), "F8"),
            ("CANCEL", self.tr("Put aside"), "F9"),
        ]:
            b = QPushButton(f"{text} ({key})")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, w=word: self.command(w))
            QShortcut(QKeySequence(key), self, lambda w=word: self.command(w))
            buttons.addWidget(b)
            self.buttons[word] = b
        self.reprint_button = QPushButton(self.tr("Reprint (F11)"))
        self.reprint_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reprint_button.clicked.connect(self.reprint)
        QShortcut(QKeySequence("F11"), self, self.reprint)
        buttons.addWidget(self.reprint_button)
        self.void_button = QPushButton(self.tr("Void (Shift+F11)"))
        self.void_button.setToolTip(self.tr("Supervisor: type the reason in the key-in field, then void"))
        self.void_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.void_button.clicked.connect(self.void)
        QShortcut(QKeySequence("Shift+F11"), self, self.void)
        buttons.addWidget(self.void_button)
        self.refresh_button = QPushButton(self.tr("Get orders (F10)"))
        self.refresh_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.refresh_button.clicked.connect(self.get_orders)
        QShortcut(QKeySequence("F10"), self, self.get_orders)
        buttons.addWidget(self.refresh_button)

        weigh_box = QGroupBox(self.tr("Weight"))
        wl = QVBoxLayout(weigh_box)
        wl.addWidget(self.weight)
        wl.addWidget(self.expected)
        wl.addWidget(self.carton)
        label_box = QGroupBox(self.tr("Label"))
        QVBoxLayout(label_box).addWidget(self.preview)
        queue_box = QGroupBox(self.tr("Queue"))
        QVBoxLayout(queue_box).addWidget(self.queue_view)

        grid = QGridLayout(self)
        # Two columns that fit beside the demo panel at 1366 x 768: the order in hand and its weight on
        # the left, the queue and the label on the right.
        grid.addWidget(self.banner, 0, 0, 1, 2)
        grid.addWidget(self.title, 1, 0, 1, 2)
        grid.addWidget(self.state_label, 2, 0)
        grid.addWidget(self.lines_view, 3, 0)
        grid.addWidget(queue_box, 2, 1, 2, 1)
        grid.addWidget(weigh_box, 4, 0)
        grid.addWidget(label_box, 4, 1)
        grid.addLayout(buttons, 5, 0, 1, 2)
        grid.addWidget(self.key_in, 6, 0, 1, 2)
        grid.setColumnStretch(0, 11)
        grid.setColumnStretch(1, 9)
        grid.setRowStretch(3, 3)
        grid.setRowStretch(4, 1)

        self.apply_view(self.view)

    # ---------------------------------------------------------------- input
    def submit_code(self, code: str) -> Feedback:
        return self.engine.scan(code)

    def command(self, word: str, **kw: Any) -> None:
        """A button or F-key. For an exception, text typed in the key-in field goes with it as the detail
        (no dialog: a modal box would stop the scanner)."""
        if word in ("SHORT_PICK", "DAMAGED") and "detail" not in kw:
            kw["detail"] = self.key_in.text().strip()
            self.key_in.clear()
        self.step(lambda: self.engine.pack_command(word, **kw))

    # An order left the hand or came into it: the queue changed. Other answers leave it alone.
    QUEUE_CHANGES = frozenset(
        {
            FeedbackKind.ORDER_STARTED,
            FeedbackKind.DONE,
            FeedbackKind.PACKED,
            FeedbackKind.LABEL_PRINTED,
            FeedbackKind.LABEL_PENDING,
            FeedbackKind.EXCEPTION,
            FeedbackKind.CANCELLED,
            FeedbackKind.ON_HOLD,
            FeedbackKind.LOST,
        }
    )

    def on_feedback(self, fb: Feedback) -> None:
        if fb.kind in self.QUEUE_CHANGES:
            self.refresh_queue()

    def reprint(self) -> None:
        self.step(self.engine.reprint_labels)

    def void(self) -> None:
        reason = self.key_in.text().strip()
        self.key_in.clear()
        self.step(lambda: self.engine.void_labels(reason))

    def on_weight(self, reading: WeightReading) -> None:
        """Every scale reading: always shown; stable ones go to the engine while a parcel is weighed, and
        the first (near) zero one after a parcel was weighed, so the engine knows it came off the scale."""
        self.last_reading = reading
        self.weight.setText(reading.describe())
        view = self.view
        if not view.scale_cleared and reading.grams is not None and reading.grams <= EMPTY_SCALE_G:
            self._forwarded = None
            self.view = replace(view, scale_cleared=True)  # asked once, not for every zero reading
            self.runner.run(lambda: (self.engine.weigh(reading), self.read_view()), self._scale_emptied, self._failed)
            return
        if view.state not in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            self._forwarded = None
            return
        if not reading.is_stable:
            return
        key = (reading.grams, view.state, view.parcel and view.parcel.carton_code, view.scale_cleared)
        if key == self._forwarded:
            return  # the same steady weight again: the answer would be the same
        self._forwarded = key
        self.step(lambda: self.engine.weigh(reading))

    def _scale_emptied(self, result: tuple[Feedback, PackView]) -> None:
        fb, view = result
        self.apply_view(view)
        if fb.kind != FeedbackKind.IGNORED:  # no parcel being weighed: nothing to say in the banner
            self.show_feedback(fb)

    def get_orders(self) -> None:
        """F10: lease more orders now; the banner says how many came (or why none did)."""
        self.banner.show_text(self.tr("Asking the hub for orders…"), "info")
        self.runner.run(lambda: (self.engine.lease(), self.engine.queue_view()), self._got_orders, self._failed)

    def _got_orders(self, result: tuple[int, QueueView]) -> None:
        new, queue = result
        self._draw_queue(queue)
        if new:
            self.banner.show_text(self.tr("%n new order(s) from the hub", "", new), "complete")
        else:
            self.banner.show_text(self.tr("No new orders: the queue at this location is empty"), "info")

    # ---------------------------------------------------------------- output
    def read_view(self) -> PackView:
        view = self.engine.pack_view()
        key = self._label_key(view)
        if key is not None and key not in self._previews:  # drawn here, on the worker, once per parcel
            assert view.order_number is not None and view.parcel is not None
            parcel = view.parcel
            from app.devices.labels.preview import preview_png  # PIL: not on the start path

            label = preview_label(view.order_number, view.ship_to, parcel.parcel_no, parcel.weight_g)
            self._previews = {key: preview_png(label)}
        return view

    @staticmethod
    def _label_key(view: PackView) -> tuple[Any, ...] | None:
        """Which parcel's label the screen shows (None: no label to show in this state)."""
        if view.order_number is None or view.parcel is None or view.state not in (PackState.SLIP, PackState.DONE):
            return None
        return (view.order_number, view.parcel.parcel_no, view.parcel.weight_g)

    def apply_view(self, view: PackView) -> None:
        self.view = view
        state_text = self.tr(STATE_TEXT.get(view.state, ""))
        if view.state == PackState.WEIGHING and not view.scale_cleared:
            state_text = self.tr("Take the last parcel off the scale, then put this one on")
        self.state_label.setText(state_text)
        if view.order_number is None:
            self.title.setText(self.tr("No order in hand"))
            self.lines.set_rows([])
            self._lines_for = None
        elif view.order_number != self._lines_for:
            # A new order in hand: load its lines (and what the pick confirmed, for an order from a picked tote).
            to = view.ship_to.get("name", "")
            self.title.setText(f"{view.order_number} · {to} · {view.service_level}")
            picked = view.picked
            self.lines.set_rows(
                [[ln.name, ln.sku, ln.quantity, ln.scanned, picked.get(ln.sku, "")] for ln in view.lines]
            )
            self.lines_view.setColumnHidden(4, not picked)  # only an order opened from a picked tote has it
            self._lines_for = view.order_number
        else:
            # The same order: only the scanned counts move.
            self.lines.update_column(3, [ln.scanned for ln in view.lines])
        parcel = view.parcel
        if parcel is not None and view.state in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            expected, allowed = parcel.expected_g, parcel.allowed_g
            self.expected.setText(
                self.tr("Expected %1 g (%2 to %3 g)")
                .replace("%1", str(expected))
                .replace("%2", str(expected - allowed))
                .replace("%3", str(expected + allowed))
            )
            self.carton.setText(self.tr("Carton: %1").replace("%1", parcel.carton_code or self.tr("none fits")))
        else:
            self.expected.setText("")
            self.carton.setText("")
        key = self._label_key(view)
        if key is not None and parcel is not None:
            png = self._previews.get(key)
            if key != self._preview_key and png is not None:  # shown once per parcel, not on every refresh
                self._preview_key = key
                pixmap = QPixmap()
                pixmap.loadFromData(png, "PNG")
                self.preview.show_label(pixmap)
            self.preview.setToolTip(f"{parcel.carrier or ''} {parcel.tracking_number or self.tr('label pending')}")
        elif view.state in (PackState.IDLE, PackState.SCANNING):
            self._preview_key = None
            self.preview.clear_label()

    def show_label_large(self) -> LabelWindow | None:
        """The parcel's label at a readable size in its own window (None when there is no label yet)."""
        if self.preview.full.isNull():
            return None
        self.label_window = LabelWindow(self.preview.full, self.tr("Label"), self)
        self.label_window.show()
        return self.label_window

    def refresh_queue(self) -> None:
        """Read the queue (and the stop notice) on the engine's thread; it is drawn when it comes."""
        if self._queue_asked:
            self._queue_again = True  # one read at a time: read once more when this one is in
            return
        self._queue_asked = True
        self._queue_read_at = time.monotonic()
        self.runner.run(self.engine.queue_view, self._show_queue, self._queue_failed)

    def _queue_failed(self, exc: Exception) -> None:
        self._queue_asked = False
        self._failed(exc)

    def _show_queue(self, queue: QueueView) -> None:
        self._queue_asked = False
        self._draw_queue(queue)
        if self._queue_again:
            self._queue_again = False
            self.refresh_queue()

    def _draw_queue(self, queue: QueueView) -> None:
        self.queue_view_ = queue
        notice = queue.stop_notice  # stopped by the hub meanwhile: say so before the next scan
        if notice is not None and notice.message != self._stop_shown:
            self.banner.show_feedback(notice)
            self.refresh()
        self._stop_shown = notice.message if notice is not None else None
        now = datetime.now(UTC)
        rows = []
        for o in queue.orders:
            rows.append(
                [
                    o.number,
                    short_time(o.ship_by),
                    age(o.created_at, now),
                    sum(o.lines.values()),
                    o.service_level,
                    o.priority,  # not shown: tints the row
                ]
            )
        self.queue.set_rows(rows)

    # What in the sync state says the queue may have changed; a round that changed none of it re-reads the
    # queue at most every QUEUE_RECHECK_S (orders the sync loop leased to keep the queue topped up).
    QUEUE_RECHECK_S = 2.0

    def on_sync(self, state: SyncState) -> None:
        """The sync thread reported: read the queue again when it may have changed."""
        key = (state.online, state.stopped_orders, state.outbox_depth, state.refused)
        now = time.monotonic()
        if not self.isVisible() or (key == self._sync_key and now - self._queue_read_at < self.QUEUE_RECHECK_S):
            return
        self._sync_key = key
        self.refresh_queue()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
        self.refresh_queue()  # the queue is loaded when the screen shows, not while it is hidden
