"""The pack workflow as a state machine: scans, weights and commands in; feedback and events out.

No Qt, no database, no network: a ``PackSession`` reads orders, products and cartons through a
``PackCatalog`` and returns a ``Feedback`` for every input. A refused input changes nothing in the
session (it may still record an exception event, so supervisors see wrong scans). The session's
whole state is a plain dict (``snapshot``/``restore``) so the engine can persist it after every
step and a crash resumes exactly where the packer was.

    idle ──order/tote/slip scan──▶ scanning ──last item / CMD:CLOSE_PARCEL──▶ weighing
    weighing ──stable weight within tolerance (or supervisor override)──▶ scanning (next parcel)
                                                                       └─▶ label (all items packed)
    weighing ──stable weight out of tolerance──▶ weight_mismatch (label blocked)

A weight counts only if the scale has gone back to (near) zero since the last weight was accepted:
a parcel left on the scale is never taken as the next parcel's, or the next order's, weight.
    label ──labels printed or left pending──▶ slip ──slip printed──▶ done
    scanning/weighing ──short pick / damaged / cancelled──▶ held
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.model import PackCatalog, PackOrder
from app.bench.pack_types import (
    BUSY,
    EMPTY_SCALE_G,
    IN_HAND,
    PackCommand,
    PackState,
    ParcelInProgress,
    WeightTolerance,
)
from app.bench.pack_weight import WeighingSteps
from app.domain import limits
from app.domain.barcodes import CodeKind, classify, product_code_key
from app.domain.catalog import Carton, PackItem, suggest_carton
from app.domain.errors import InvalidBarcode
from app.domain.events import (
    BenchEvent,
    ExceptionKind,
    LabelPrinted,
    OrderPacked,
    PackExceptionRaised,
    Parcel,
)

K = FeedbackKind


def _now() -> datetime:
    return datetime.now(UTC)


__all__ = ["EMPTY_SCALE_G", "PackCommand", "PackSession", "PackState", "ParcelInProgress", "WeightTolerance"]


class PackSession(WeighingSteps):
    """One packer's pack workflow at one bench. Feed it ``scan``, ``weight`` and the command methods.

    ``is_supervisor(badge)`` tells whether a scanned badge may override a weight mismatch (the
    engine answers from the operators it knows); ``operator_badge`` is put on every event.
    """

    def __init__(
        self,
        catalog: PackCatalog,
        *,
        tolerance: WeightTolerance | None = None,
        operator_badge: str = "",
        is_supervisor: Callable[[str], bool] = lambda _badge: False,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self.catalog = catalog
        self.tolerance = tolerance or WeightTolerance()
        self.operator_badge = operator_badge
        self.is_supervisor = is_supervisor
        self.now = now
        self.state = PackState.IDLE
        self.order_number: str | None = None
        self.parcels: list[ParcelInProgress] = []
        self.last_sku: str | None = None
        self.started_at: datetime | None = None
        self.mismatch_reported = False
        # False from an accepted weight until the scale reads (near) zero: the parcel is still on it.
        self.scale_cleared = True

    # ------------------------------------------------------------------ views
    @property
    def order(self) -> PackOrder | None:
        return self.catalog.order(self.order_number) if self.order_number else None

    @property
    def current(self) -> ParcelInProgress | None:
        return self.parcels[-1] if self.parcels else None

    def scanned(self) -> dict[str, int]:
        """Units scanned so far per SKU, over all parcels."""
        out: dict[str, int] = {}
        for p in self.parcels:
            for sku, q in p.items.items():
                out[sku] = out.get(sku, 0) + q
        return out

    def outstanding(self) -> dict[str, int]:
        """Units still to scan per SKU."""
        order = self.order
        if order is None:
            return {}
        done = self.scanned()
        return {s: q - done.get(s, 0) for s, q in order.lines.items() if q - done.get(s, 0) > 0}

    # ------------------------------------------------------------------ inputs
    def scan(self, raw: str) -> Feedback:
        """A code from the scanner: an order, tote or slip starts an order; items count up; ``CMD:…`` runs a command."""
        try:
            code = classify(raw)
        except InvalidBarcode as exc:
            return self._refuse_code(K.UNKNOWN_CODE, f"Cannot read that code ({exc}). Scan it again or key it in.")
        if code.kind == CodeKind.COMMAND:
            return self.command(code.value)
        if code.kind == CodeKind.ORDER:
            return self._start(self.catalog.order(code.value), code.value)
        if code.kind == CodeKind.TOTE:
            return self._start(self.catalog.order_for_tote(code.value), code.value)
        if code.kind == CodeKind.RMA:
            return refused(K.NOT_ALLOWED, f"{code.value} is a return: receive it on the returns screen.")
        if self.state == PackState.WEIGHT_MISMATCH and self.is_supervisor(code.value):
            return self.override_weight(code.value)
        if self._carton(code.value.upper()) is not None and code.kind == CodeKind.OTHER:
            return self.choose_carton(code.value.upper())
        return self._item(product_code_key(code.value))

    def command(self, name: str) -> Feedback:
        try:
            cmd = PackCommand(name.upper())
        except ValueError:
            return refused(K.UNKNOWN_CODE, f"Unknown command card {name!r}.")
        if cmd == PackCommand.CLOSE_PARCEL:
            return self.close_parcel()
        if cmd == PackCommand.SHORT_PICK:
            return self.short_pick()
        if cmd == PackCommand.DAMAGED:
            return self.damaged()
        if cmd == PackCommand.SLIP_DONE:
            return self.slip_printed()
        return self.stop_cancelled()

    def close_parcel(self) -> Feedback:
        """End the current parcel (multi-parcel orders); it is weighed next."""
        if self.state != PackState.SCANNING:
            return refused(K.NOT_ALLOWED, "There is no open parcel to close.")
        if (blocked := self._stopped()) is not None:
            return blocked
        parcel = self.current
        assert parcel is not None
        if not parcel.items:
            return refused(K.NOT_ALLOWED, "This parcel is empty: scan an item first.")
        return self._close()

    def short_pick(self, detail: str = "") -> Feedback:
        """Not all items are there: record a short pick for every missing unit; the hub holds the order."""
        if self.state not in (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            return refused(K.NOT_ALLOWED, "Short pick applies to an order being packed.")
        missing = self.outstanding()
        if not missing:
            return refused(K.NOT_ALLOWED, "Nothing is missing: every item has been scanned.")
        events = tuple(
            self._exception(ExceptionKind.SHORT_PICK, sku=sku, quantity=q, detail=detail)
            for sku, q in sorted(missing.items())
        )
        return self._hold(events, "Short pick recorded: put the order aside for a supervisor.")

    def damaged(self, sku: str | None = None, detail: str = "") -> Feedback:
        """An item is damaged (the last scanned one unless ``sku`` is given); the hub holds the order."""
        if self.state not in (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            return refused(K.NOT_ALLOWED, "Damaged applies to an order being packed.")
        order = self.order
        assert order is not None
        sku = sku or self.last_sku
        if sku is None or sku not in order.lines:
            return refused(K.NOT_ALLOWED, "Scan the damaged item first, then the DAMAGED card.")
        event = self._exception(ExceptionKind.DAMAGED, sku=sku, quantity=1, detail=detail)
        return self._hold((event,), f"Damaged {sku} recorded: put the order aside for a supervisor.")

    def stop_cancelled(self) -> Feedback:
        """Put aside an order the hub cancelled or held while it was being packed."""
        order = self.order
        if self.state not in BUSY or order is None or not order.stopped:
            return refused(K.NOT_ALLOWED, "Only a cancelled or held order can be put aside this way.")
        if order.status == "lost":  # another bench has it now: nothing to tell the hub about it
            return self._hold((), f"Order {order.number} put aside: it is no longer this bench's, do not ship.")
        event = self._exception(ExceptionKind.CANCELLED_ORDER, detail=f"hub says {order.status}")
        return self._hold((event,), f"Order {order.number} put aside: unpack it, do not ship.")

    def labels_settled(
        self, printed: dict[int, tuple[str, str]], pending: list[int], *, stopped_reason: str | None = None
    ) -> Feedback:
        """The engine's label step finished: ``printed`` maps parcel number to (carrier, tracking number).

        Parcels in ``pending`` wait as "packed, label pending" and print when the hub is back. Events
        for printed labels are returned here so they go to the outbox with the session's new state.
        ``stopped_reason`` says the hub stopped the order (cancelled) before its label: it is put aside.
        """
        if self.state != PackState.LABEL:
            return refused(K.NOT_ALLOWED, "No labels are being printed.")
        if stopped_reason is not None:
            event = self._exception(ExceptionKind.CANCELLED_ORDER, detail=stopped_reason)
            self.state = PackState.HELD
            return Feedback(
                K.CANCELLED,
                f"Order {self.order_number} was stopped by the hub ({stopped_reason}): no label. "
                "Unpack it, do not ship.",
                accepted=False,
                events=(event,),
            )
        events: list[BenchEvent] = []
        for p in self.parcels:
            if p.parcel_no in printed:
                p.carrier, p.tracking_number = printed[p.parcel_no]
                p.label = "printed"
                assert self.order_number is not None
                events.append(
                    LabelPrinted(
                        order_number=self.order_number,
                        parcel_no=p.parcel_no,
                        tracking_number=p.tracking_number,
                        carrier=p.carrier,
                        operator_badge=self.operator_badge,
                    )
                )
            elif p.parcel_no in pending:
                p.label = "pending"
        self.state = PackState.SLIP
        if any(p.label == "pending" for p in self.parcels):
            return Feedback(
                K.LABEL_PENDING, "Packed, label pending: it prints when the hub is back.", events=tuple(events)
            )
        return Feedback(K.LABEL_PRINTED, "Label printed: stick it on and take the packing slip.", events=tuple(events))

    def slip_printed(self) -> Feedback:
        if self.state != PackState.SLIP:
            return refused(K.NOT_ALLOWED, "No packing slip is waiting.")
        self.state = PackState.DONE
        return Feedback(K.DONE, f"Order {self.order_number} done. Scan the next order.")

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """The whole session as plain JSON-able data."""
        return {
            "state": self.state.value,
            "order_number": self.order_number,
            "parcels": [p.to_dict() for p in self.parcels],
            "last_sku": self.last_sku,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "mismatch_reported": self.mismatch_reported,
            "scale_cleared": self.scale_cleared,
            "operator_badge": self.operator_badge,
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.state = PackState(data["state"])
        self.order_number = data.get("order_number")
        self.parcels = [ParcelInProgress(**p) for p in data.get("parcels", [])]
        self.last_sku = data.get("last_sku")
        started = data.get("started_at")
        self.started_at = datetime.fromisoformat(started) if started else None
        self.mismatch_reported = bool(data.get("mismatch_reported"))
        self.scale_cleared = bool(data.get("scale_cleared", True))
        self.operator_badge = data.get("operator_badge") or self.operator_badge

    # ------------------------------------------------------------------ steps
    def _start(self, order: PackOrder | None, code: str) -> Feedback:
        if self.state in IN_HAND and not (self.order is not None and self.order.stopped):
            return refused(K.NOT_ALLOWED, f"Finish order {self.order_number} first (or record an exception).")
        if order is None:
            return refused(K.NOT_FOUND, f"{code} is not in this bench's queue. Check the slip or ask a supervisor.")
        if order.status == "cancelled":
            return refused(K.CANCELLED, f"Order {order.number} was cancelled: do not pack it, put it aside.")
        if order.status == "on_hold":
            return refused(K.ON_HOLD, f"Order {order.number} is on hold: put it aside for a supervisor.")
        if order.status == "lost":
            return refused(
                K.LOST, f"Order {order.number} is no longer this bench's ({order.lost_detail}): put it aside."
            )
        if order.status not in ("leased", "queued"):
            return refused(K.NOT_ALLOWED, f"Order {order.number} is already {order.status}.")
        events: tuple[BenchEvent, ...] = ()
        if self.state in IN_HAND:  # the order in hand was cancelled meanwhile: record it as put aside
            events = (self._exception(ExceptionKind.CANCELLED_ORDER, detail="put aside for the next order"),)
        self.state = PackState.SCANNING
        self.order_number = order.number
        self.parcels = [ParcelInProgress(1, {})]
        self.last_sku = None
        self.started_at = self.now()
        self.mismatch_reported = False
        units = sum(order.lines.values())
        return Feedback(K.ORDER_STARTED, f"Order {order.number}: {units} item(s) to scan.", events=events)

    def _item(self, key: str) -> Feedback:
        if self.state != PackState.SCANNING:
            if self.state == PackState.WEIGHT_MISMATCH:
                return refused(K.NOT_ALLOWED, "Weight mismatch: weigh again, or a supervisor scans their badge.")
            if self.state == PackState.WEIGHING:
                return refused(K.NOT_ALLOWED, "This parcel is closed: weigh it first.")
            return refused(K.NOT_ALLOWED, "Scan an order, tote or packing slip first.")
        if (blocked := self._stopped()) is not None:
            return blocked
        order = self.order
        assert order is not None
        product = self.catalog.product_for_code(key)
        if product is None:
            return self._refuse_code(K.UNKNOWN_CODE, f"{key} is not a product we know. Check the label, try again.")
        if product.sku not in order.lines:
            return refused(
                K.WRONG_ITEM,
                f"Wrong item: {product.name} ({product.sku}) is not on order {order.number}. Take it out.",
                sku=product.sku,
                events=(self._exception(ExceptionKind.WRONG_ITEM, sku=product.sku, quantity=1),),
            )
        left = self.outstanding().get(product.sku, 0)
        if left <= 0:
            return refused(
                K.OVER_SCAN,
                f"Too many: order {order.number} needs only {order.lines[product.sku]} x {product.name}. Take it out.",
                sku=product.sku,
                events=(self._exception(ExceptionKind.OVER_SCAN, sku=product.sku, quantity=1),),
            )
        parcel = self.current
        assert parcel is not None
        parcel.items[product.sku] = parcel.items.get(product.sku, 0) + 1
        self.last_sku = product.sku
        if not self.outstanding():
            closed = self._close()
            return Feedback(K.RIGHT, f"{product.name}: all items scanned. {closed.message}", sku=product.sku)
        have = self.scanned()[product.sku]
        return Feedback(K.RIGHT, f"{product.name}: {have} of {order.lines[product.sku]}.", sku=product.sku)

    def _close(self) -> Feedback:
        parcel = self.current
        assert parcel is not None
        items = []
        for sku, q in parcel.items.items():
            p = self.catalog.product(sku)
            if p is not None:
                items.append(PackItem(p.dimensions, p.weight_g, q))
        carton = suggest_carton(self.catalog.cartons(), items)
        parcel.carton_code = carton.code if carton else None
        self.state = PackState.WEIGHING
        self.mismatch_reported = False
        if carton is None:
            return Feedback(K.PARCEL_CLOSED, "No carton of ours fits: scan the carton you use, then weigh.")
        return Feedback(
            K.PARCEL_CLOSED,
            f"Use carton {carton.code}; put parcel {parcel.parcel_no} on the scale "
            f"(expected {self.expected_weight_g(parcel)} g).",
        )

    def _parcel_weighed(self, message: str, kind: FeedbackKind) -> Feedback:
        self.scale_cleared = False  # this parcel is on the scale: the next weight waits until it is off
        if self.outstanding():
            self.parcels.append(ParcelInProgress(len(self.parcels) + 1, {}))
            self.state = PackState.SCANNING
            return Feedback(kind, f"{message} Scan the items of parcel {len(self.parcels)}.")
        assert self.order_number is not None and self.started_at is not None
        overrides = [p.override_by for p in self.parcels if p.override_by]
        packed = OrderPacked(
            order_number=self.order_number,
            parcels=tuple(
                Parcel(
                    parcel_no=p.parcel_no,
                    carton_code=p.carton_code or "",
                    weight_g=p.weight_g or 0,
                    expected_weight_g=p.expected_weight_g,
                    items=dict(p.items),
                )
                for p in self.parcels
            ),
            weight_override_by=overrides[0] if overrides else None,
            pack_seconds=round((self.now() - self.started_at).total_seconds(), 1),
            operator_badge=self.operator_badge,
        )
        self.state = PackState.LABEL
        return Feedback(K.PACKED, f"{message} Order {self.order_number} packed: printing label…", events=(packed,))

    def _hold(self, events: tuple[BenchEvent, ...], message: str) -> Feedback:
        self.state = PackState.HELD
        return Feedback(K.EXCEPTION, message, events=events)

    def _stopped(self) -> Feedback | None:
        order = self.order
        if order is None or not order.stopped:
            return None
        if order.status == "cancelled":
            return refused(K.CANCELLED, f"Order {order.number} was cancelled: stop, unpack it, scan CMD:CANCEL.")
        if order.status == "lost":
            return refused(
                K.LOST,
                f"Stop: order {order.number} is no longer this bench's ({order.lost_detail}). "
                "Unpack it, put it aside, scan CMD:CANCEL.",
            )
        return refused(K.ON_HOLD, f"Order {order.number} was put on hold: stop, put it aside, scan CMD:CANCEL.")

    def stopped_feedback(self) -> Feedback | None:
        """The stop banner while the order in hand is cancelled, held or lost (None otherwise)."""
        return self._stopped() if self.state in BUSY else None

    def _refuse_code(self, kind: FeedbackKind, message: str) -> Feedback:
        events: tuple[BenchEvent, ...] = ()
        if self.state == PackState.SCANNING and self.order_number:
            events = (self._exception(ExceptionKind.UNKNOWN_CODE, detail=message),)
        return refused(kind, message, events=events)

    def _exception(
        self, kind: ExceptionKind, *, sku: str | None = None, quantity: int = 0, detail: str = ""
    ) -> BenchEvent:
        assert self.order_number is not None
        return PackExceptionRaised(
            order_number=self.order_number,
            kind=kind,
            sku=sku,
            quantity=quantity,
            detail=limits.clip(detail, limits.FREE_TEXT),
            operator_badge=self.operator_badge,
        )

    def _carton(self, code: str | None) -> Carton | None:
        if not code:
            return None
        return next((c for c in self.catalog.cartons() if c.code == code), None)
