"""The order desk (Ctrl+O, supervisors and admins): find any order, read its timeline, release a hold,
cancel it or send it to another location.

Type or scan an order number, channel order id, the customer's name or e-mail, or a tracking number;
one match opens at once. Every hub call runs on a worker thread and comes back by signal; a refusal
(the hub's reason, or the hub not answering) is shown as it is. Every action asks to be confirmed,
and a cancel needs a reason. Customer text (names, reasons, notes) is shown as plain text only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.bench.hub_client import HubOffline, HubRefused
from app.bench.order_desk import OrderDesk
from app.domain import limits
from app.ui.widgets.tables import RowsModel, compact, fit_columns
from app.ui.workers import TaskRunner

RESULT_HEADERS = ["Order", "Status", "At", "Customer"]


def plain_label(text: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    """A label that never reads its text as rich text (customer text may hold ``<`` and ``&``)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def refusal_text(exc: Exception) -> str:
    """What the supervisor reads when a call did not go through."""
    if isinstance(exc, HubRefused):
        return f"The hub refused: {exc}"
    if isinstance(exc, HubOffline):
        return f"The hub did not answer ({exc}). Nothing changed here; try again."
    return f"Not done: {exc}"


def fulfilment_lines(order: dict[str, Any]) -> list[str]:
    """One line per fulfilment (split shipments), when the hub answers them."""
    out = []
    for f in order.get("fulfilments") or []:
        lines = ", ".join(f"{ln.get('sku')} x{ln.get('quantity')}" for ln in f.get("lines") or [])
        tracking = ", ".join(
            str(t.get("tracking_number") or t.get("number") or "") if isinstance(t, dict) else str(t)
            for t in f.get("tracking") or []
        )
        head = f"{f.get('number') or 'shipment'} from {f.get('location') or '?'}: {f.get('status', '')}"
        out.append(head + (f" — {lines}" if lines else "") + (f" — tracking {tracking}" if tracking else ""))
    return out


def timeline_rows(found: dict[str, Any]) -> list[str]:
    """The timeline as the list shows it: ``HH:MM dd Mon  kind: text``."""
    rows = []
    for e in found.get("entries", []):
        at = str(e.get("at", ""))
        rows.append(f"{at[:10]} {at[11:16]}  {e.get('kind', '')}: {e.get('text', '')}")
    return rows


class OrderDeskScreen(QWidget):
    searched = Signal(list)  # the orders found (dicts)
    opened = Signal(dict)  # the timeline shown (order, entries, parcels, returns)
    acted = Signal(str, dict)  # (what was done, the order as the hub answered)
    refused = Signal(str)  # the refusal shown

    def __init__(self, desk: OrderDesk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.results: list[dict[str, Any]] = []
        self.shown: dict[str, Any] | None = None
        self._asked = 0  # the newest request: an older answer arriving late is dropped
        self._pending: Callable[[], None] | None = None

        title = QLabel(self.tr("Order desk"))
        title.setObjectName("title")
        self.search = QLineEdit()
        self.search.setMaxLength(limits.FREE_TEXT)
        self.search.setPlaceholderText(self.tr("order, channel id, customer, e-mail or tracking"))
        self.search.returnPressed.connect(self.look_up)
        find = QPushButton(self.tr("Find"))
        find.clicked.connect(self.look_up)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addWidget(self.search, 1)
        head.addWidget(find)
        self.message = plain_label(name="hint")

        self.model = RowsModel(RESULT_HEADERS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        compact(self.table)
        fit_columns(self.table, stretch=3)
        self.table.clicked.connect(lambda index: self.open_row(index.row()))

        self.header = plain_label(name="title")
        self.customer = plain_label()
        self.hold = plain_label()
        self.routing = plain_label()
        self.shipments = plain_label()
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)
        self.timeline.setStyleSheet("font-size: 11pt;")  # read up close, like the compact tables

        self.release_button = QPushButton(self.tr("Release hold"))
        self.release_button.clicked.connect(self.ask_release)
        self.cancel_button = QPushButton(self.tr("Cancel order…"))
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.reroute_button = QPushButton(self.tr("Re-route…"))
        self.reroute_button.clicked.connect(self.ask_reroute)
        actions = QHBoxLayout()
        for b in (self.release_button, self.cancel_button, self.reroute_button):
            actions.addWidget(b)
        actions.addStretch(1)

        self.confirm_box = QFrame()
        self.question = plain_label()
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)  # the hub's reason rule
        self.reason.setPlaceholderText(self.tr("reason (required)"))
        self.location = QComboBox()
        self.confirm_button = QPushButton(self.tr("Confirm"))
        self.confirm_button.clicked.connect(self.confirm)
        back = QPushButton(self.tr("Back"))
        back.clicked.connect(self.close_confirm)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.location, 1)
        row.addWidget(self.confirm_button)
        row.addWidget(back)
        box = QVBoxLayout(self.confirm_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.question)
        box.addLayout(row)
        self.confirm_box.hide()

        detail = QVBoxLayout()
        for w in (self.header, self.customer, self.hold, self.routing, self.shipments):
            detail.addWidget(w)
        detail.addWidget(self.timeline, 1)
        detail.addLayout(actions)
        detail.addWidget(self.confirm_box)
        body = QHBoxLayout()
        body.addWidget(self.table, 2)
        body.addLayout(detail, 3)
        # An action that does not apply (release of an order not held) must look it.
        self.setStyleSheet("QPushButton:disabled { color: #78909c; border-color: #cfd8dc; }")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)
        self._show_order(None)

    # ------------------------------------------------------------------ finding
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.search.setFocus()  # typing lands in the search box; a scan lands there wherever focus is

    def handle_scan(self, code: str) -> None:
        """A scanned barcode: into the reason field when someone is typing a reason, else a search."""
        if self.reason.hasFocus():
            self.reason.insert(code)
            return
        self.search.setText(code)
        self.look_up()

    def handle_typed(self, text: str) -> None:
        """Slow keys while no field had focus: into the search box; Enter searches."""
        for char in text:
            if char == "\r":
                self.look_up()
            else:
                self.search.insert(char)
        self.search.setFocus()

    def look_up(self) -> None:
        q = " ".join(self.search.text().split())
        if not q:
            self.say(self.tr("Type or scan an order number, channel id, customer or tracking number."))
            return
        self.say(self.tr("Looking for %1…").replace("%1", q))
        ticket = self._ticket()
        self.runner.run(lambda: self.desk.find(q), lambda r: self._found(ticket, q, r), self._failed)

    def _ticket(self) -> int:
        self._asked += 1
        return self._asked

    def _found(self, ticket: int, q: str, orders: list[dict[str, Any]]) -> None:
        if ticket != self._asked:
            return
        self.results = orders
        self.model.set_rows(
            [
                [o["number"], o["status"], o.get("location") or "—", (o.get("ship_to") or {}).get("name", "")]
                for o in orders
            ]
        )
        if not orders:
            self.say(self.tr("No order has %1 as its number, channel id, customer or tracking.").replace("%1", q))
            self._show_order(None)
        else:
            self.say(self.tr("%1 order(s) found.").replace("%1", str(len(orders))))
        self.searched.emit(orders)
        if len(orders) == 1:
            self.open_row(0)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.results):
            self.table.selectRow(row)
            self.open(self.results[row]["number"])

    def open(self, number: str) -> None:
        ticket = self._ticket()
        self.runner.run(lambda: self.desk.timeline(number), lambda r: self._opened(ticket, r), self._failed)

    def _opened(self, ticket: int, found: dict[str, Any]) -> None:
        if ticket != self._asked:
            return
        self._show_order(found)
        self.opened.emit(found)

    # ------------------------------------------------------------------ the order shown
    def _show_order(self, found: dict[str, Any] | None) -> None:
        self.shown = found
        self.close_confirm()
        order = (found or {}).get("order") or {}
        for b in (self.release_button, self.cancel_button, self.reroute_button):
            b.setEnabled(bool(order))
        if not order:
            for label in (self.header, self.customer, self.hold, self.routing, self.shipments):
                label.clear()
            self.timeline.clear()
            return
        self.header.setText(f"{order['number']} · {order['status']} · {order.get('location') or 'not routed'}")
        ship_to = order.get("ship_to") or {}
        who = " · ".join(x for x in (ship_to.get("name"), ship_to.get("email"), ship_to.get("city")) if x)
        self.customer.setText(f"{who} · {order['channel']} {order['channel_order_id']}")
        held = self.tr("Held: %1").replace("%1", order["hold_reason"]) if order.get("hold_reason") else ""
        if order.get("cancel_reason"):
            held = self.tr("Cancelled: %1").replace("%1", order["cancel_reason"])
        self.hold.setText(held)
        self.hold.setVisible(bool(held))  # no empty line when there is nothing to say
        self.routing.setText(self.tr("Routing: %1").replace("%1", order.get("routing_reason") or "—"))
        ships = fulfilment_lines(order)
        parcels = [
            f"parcel {p['parcel_no']}: {p.get('carrier') or ''} {p.get('tracking_number') or 'no label yet'}"
            + (f" ({p['tracking_status']})" if p.get("tracking_status") else "")
            for p in (found or {}).get("parcels", [])
        ]
        self.shipments.setText("\n".join(ships + parcels))
        self.shipments.setVisible(bool(ships or parcels))
        self.release_button.setEnabled(order["status"] == "on_hold")
        self.timeline.clear()
        self.timeline.addItems(timeline_rows(found or {}))
        self.timeline.scrollToBottom()

    @property
    def number(self) -> str:
        return str(((self.shown or {}).get("order") or {}).get("number", ""))

    # ------------------------------------------------------------------ actions, each confirmed
    def _ask(self, question: str, run: Callable[[], None], *, reason: bool = False, location: bool = False) -> None:
        self.question.setText(question)
        self.reason.clear()
        self.reason.setVisible(reason)
        self.location.setVisible(location)
        self._pending = run
        self.confirm_box.show()
        (self.reason if reason else self.confirm_button).setFocus()

    def close_confirm(self) -> None:
        self._pending = None
        self.confirm_box.hide()

    def confirm(self) -> None:
        if self._pending is not None:
            self._pending()

    def ask_release(self) -> None:
        number = self.number
        self._ask(
            self.tr("Release the hold on %1? It goes back to its queue.").replace("%1", number),
            lambda: self._act("released", lambda: self.desk.release(number)),
        )

    def ask_cancel(self) -> None:
        number = self.number

        def run() -> None:
            why = self.reason.text().strip()
            if not why:
                self.say(self.tr("Say why the order is cancelled first."))
                self.reason.setFocus()
                return
            self._act("cancelled", lambda: self.desk.cancel(number, why))

        self._ask(self.tr("Cancel %1? Its stock is released.").replace("%1", number), run, reason=True)

    def ask_reroute(self) -> None:
        number = self.number
        here = ((self.shown or {}).get("order") or {}).get("location")

        def run() -> None:
            to = self.location.currentText()
            self._act(f"re-routed to {to}", lambda: self.desk.reroute(number, to))

        def fill(codes: list[str]) -> None:
            self.location.clear()
            self.location.addItems([c for c in codes if c != here])

        self.runner.run(self.desk.locations, fill, self._failed)
        self._ask(self.tr("Send %1 to another location?").replace("%1", number), run, location=True)

    def _act(self, what: str, call: Callable[[], dict[str, Any]]) -> None:
        self.close_confirm()
        self.say(self.tr("Working…"))
        self.runner.run(call, lambda order: self._acted(what, order), self._failed)

    def _acted(self, what: str, order: dict[str, Any]) -> None:
        self.say(
            self.tr("%1 %2: now %3.").replace("%1", order["number"]).replace("%2", what).replace("%3", order["status"])
        )
        self.acted.emit(what, order)
        self.open(order["number"])  # the timeline again, with what was just done

    # ------------------------------------------------------------------ messages
    def say(self, text: str) -> None:
        self.message.setText(text)

    def _failed(self, exc: Exception) -> None:
        text = refusal_text(exc)
        self.say(text)
        self.refused.emit(text)
