"""The pack controller: the pack session over the store's unit of work (no network, no printer).

Each input runs one ``PackSession`` step and writes it with ``BenchStore.record`` (the session's new
snapshot, its events and their local effects in one transaction). When a step leaves the order in the
``label`` state the engine has the label worker print it (outside the input lock) and hands the outcome
back through ``settle``. The controller also says what the screen shows (``view``). With a ``pick``
controller, an order opened from a picked tote gets the bench's pack verification (``trust_pick``) in the
same step and its view shows what was picked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind
from app.bench.labelling import LabelOutcome
from app.bench.pack_types import PackState, ParcelInProgress
from app.bench.packing import PackSession
from app.bench.pick_controller import PickController
from app.bench.store import BenchStore
from app.bench.views import LineView, PackView, ParcelView
from app.devices.receipts import PackingSlip, SlipLine
from app.devices.weights import WeightReading

# The order is in the packer's hands: its lease is kept renewed while they work on it.
PACKING = (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH)


class PackController:
    """Drives ``session`` and records each step; ``kick`` asks the sync loop to push new events."""

    def __init__(
        self,
        store: BenchStore,
        session: PackSession,
        kick: Callable[[], None],
        *,
        pick: PickController | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self.kick = kick
        self.pick = pick

    # ------------------------------------------------------------------ crash recovery
    def recover(self) -> None:
        """Resume the session saved in the store; one that crashed while labelling leaves its labels pending."""
        saved = self.store.load_session("pack")
        if saved:
            self.session.restore(saved)
        if self.session.state == PackState.LABEL:
            number = self.session.order_number
            pending = [j.parcel_no for j in self.store.pending_labels(number)]
            fb = self.session.labels_settled({}, pending)
            self.store.record("pack", self.session.snapshot(), fb.events)

    # ------------------------------------------------------------------ steps (under the engine's input lock)
    def scan(self, raw: str) -> Feedback:
        fb = self.session.scan(raw)
        if fb.kind == FeedbackKind.ORDER_STARTED and self.pick is not None:
            fb = self.pick.trust_pick(self.session, fb)  # a picked tote's order: recorded with this step
        return self._step(fb)

    def weigh(self, reading: WeightReading) -> Feedback:
        fb = self.session.weight(reading)
        if fb.kind == FeedbackKind.IGNORED or (fb.kind == FeedbackKind.WAITING and not fb.events):
            return fb  # nothing changed: no write per scale reading
        return self._step(fb)

    def command(self, word: str, **kw: Any) -> Feedback:
        """A button: CLOSE_PARCEL, SHORT_PICK, DAMAGED, SLIP_DONE, CANCEL, OVERRIDE (``badge=``), CARTON (``code=``)."""
        s = self.session
        if word == "OVERRIDE":
            fb = s.override_weight(str(kw["badge"]))
        elif word == "CARTON":
            fb = s.choose_carton(str(kw["code"]))
        elif word == "SHORT_PICK":
            fb = s.short_pick(str(kw.get("detail", "")))
        elif word == "DAMAGED":
            fb = s.damaged(kw.get("sku"), str(kw.get("detail", "")))
        else:
            fb = s.command(word)
        return self._step(fb)

    def settle(self, outcome: LabelOutcome) -> Feedback:
        """The label worker's outcome for the order in the label state."""
        fb = self.session.labels_settled(outcome.printed, outcome.pending, stopped_reason=outcome.stopped_reason)
        return self._step(fb, kick_always=True)

    def void_marked(self, parcel_nos: list[int]) -> None:
        for p in self.session.parcels:
            if p.parcel_no in parcel_nos:
                p.label = "void"
        self.store.record("pack", self.session.snapshot(), ())

    def _step(self, fb: Feedback, *, kick_always: bool = False) -> Feedback:
        self.store.record("pack", self.session.snapshot(), fb.events)
        if fb.events or kick_always:
            self.kick()
        return fb

    # ------------------------------------------------------------------ what the engine asks
    def labelling(self) -> str | None:
        """The order waiting for its labels (state ``label``), else None."""
        return self.session.order_number if self.session.state == PackState.LABEL else None

    def slip_number(self) -> str | None:
        """The order whose packing slip is due (state ``slip``), else None."""
        return self.session.order_number if self.session.state == PackState.SLIP else None

    def lease_in_hand(self) -> str | None:
        """The lease of the order being packed (kept renewed while it is in hand), else None."""
        order = self.session.order
        if self.session.state not in PACKING or order is None or order.stopped or not order.lease_id:
            return None
        return order.lease_id

    def printed_parcels(self) -> list[ParcelInProgress] | None:
        """The parcels of the order just packed whose label printed (None: no order just packed)."""
        if self.session.state not in (PackState.SLIP, PackState.DONE) or self.session.order is None:
            return None
        return [p for p in self.session.parcels if p.label == "printed"]

    def slip(self) -> PackingSlip | None:
        """The packing slip of the order just labelled (None unless its slip is due)."""
        order = self.session.order
        if order is None or self.session.state != PackState.SLIP:
            return None
        to = order.ship_to
        names = {sku: (p.name if (p := self.store.product(sku)) else sku) for sku in order.lines}
        return PackingSlip(
            order_number=order.number,
            ship_to=tuple(str(to[k]) for k in ("name", "line1", "line2", "city", "postcode", "country") if to.get(k)),
            lines=tuple(SlipLine(sku, names[sku], q) for sku, q in order.lines.items()),
        )

    # ------------------------------------------------------------------ the screen
    def view(self) -> PackView:
        s = self.session
        order = s.order
        if order is None:
            return PackView(state=s.state, scale_cleared=s.scale_cleared)
        done = s.scanned()
        lines = []
        for sku, q in order.lines.items():
            product = self.store.product(sku)
            code = product.barcodes[0] if product and product.barcodes else sku
            lines.append(LineView(product.name if product else sku, sku, q, done.get(sku, 0), code))
        parcel = s.current
        parcel_view = None
        if parcel is not None:
            expected = s.expected_weight_g(parcel)
            parcel_view = ParcelView(
                parcel.parcel_no,
                parcel.carton_code,
                parcel.weight_g,
                expected,
                s.tolerance.allowed_g(expected),
                parcel.label,
                parcel.carrier,
                parcel.tracking_number,
            )
        return PackView(
            state=s.state,
            scale_cleared=s.scale_cleared,
            order_number=order.number,
            ship_to=dict(order.ship_to),
            service_level=order.service_level,
            lines=tuple(lines),
            parcel=parcel_view,
            picked=self.pick.picked_for(order.number) if self.pick is not None else {},
        )
