"""The pick controller: leases a pick batch, feeds the picker's input to a ``PickSession``, writes each step.

Built by the composition root with the parts handed in (never builds them): the bench ``store`` (the batch
is cached there as the session's snapshot, so picking goes on offline and after a restart; each step's
events go to its outbox in the step's own transaction, applied once at the hub by event id), the hub
``client``, ``kick`` (wake the sync loop after a step wrote events) and the bench's ``verification``
setting (what the packer still scans of a picked tote). Network calls (lease, renew, tote claim) are made
before the input lock is taken; only the in-memory step and its one local write happen under it.

At the pack bench the controller opens totes: ``open_tote`` claims the tote at the hub (the order is
leased to this bench and cached like a queue lease) or, offline, opens it from the tote this bench picked
itself (kept in the store). A batch-mode tote starts sorting (``sort_scan``: told which order a unit is for).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.packing import PackSession
from app.bench.picking import PickSession, PickState
from app.bench.sorting import SortSession
from app.bench.store import BenchStore
from app.bench.views import PickView, StopPlace
from app.domain.barcodes import COMMAND_RE, ORDER_RE, TOTE_RE
from app.domain.pick_events import ShortReason

K = FeedbackKind
TOTE_META = "pick_tote:"  # store meta key prefix: tote code -> the order(s) this bench picked into it
VERIFICATION = ("every_unit", "one_of_each")


class PickController:
    """See the module docstring. ``badge()`` names the operator signed in (put on every event)."""

    def __init__(
        self,
        store: BenchStore,
        client: HubClient,
        kick: Callable[[], None],
        *,
        badge: Callable[[], str] = lambda: "",
        lease_seconds: int = 1800,
        verification: str = "every_unit",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.client = client
        self.kick = kick
        self.badge = badge
        self.lease_seconds = lease_seconds
        self.verification = verification if verification in VERIFICATION else "every_unit"
        self.clock = clock
        self.session = PickSession()
        self.sorting = SortSession()
        self._lock = threading.Lock()  # one input at a time; held only around the step and its local write
        self._renewed_at = clock()
        self._places: tuple[tuple[str, int], tuple[StopPlace, ...]] = (("", 0), ())  # per batch, for the view
        self._picked: dict[str, dict[str, int]] = {}  # order -> units the pick confirmed (totes opened here)
        saved, batch = store.load_session("pick"), store.load_session("pick_batch")
        if saved and batch:
            self.session.restore(saved, batch)
        sort = store.load_session("sort")
        if sort:
            self.sorting.restore(sort)

    # ------------------------------------------------------------------ picking
    def lease_batch(self, mode: str = "cluster", max_orders: int = 4, totes: int = 4) -> Feedback:
        """Lease a pick batch from the hub (network first, no lock), then start it."""
        if self.session.state not in (PickState.IDLE, PickState.DONE):
            return refused(K.NOT_ALLOWED, "Finish the batch in hand first.")
        body = {"mode": mode, "max_orders": max_orders, "totes": totes, "lease_seconds": self.lease_seconds}
        try:
            batch = self.client.call("POST", "/picks/batches", json=body)
        except HubOffline:
            return refused(K.NOT_FOUND, "The hub is offline: a new batch can be leased when it is back.")
        except HubRefused as exc:
            return refused(K.NOT_ALLOWED, f"The hub refused a batch: {exc}")
        with self._lock:
            self.session.operator_badge = self.badge()
            fb = self.session.begin(batch)
            if fb.accepted:
                self._renewed_at = self.clock()
                self._record(fb)
            return fb

    def scan(self, raw: str) -> Feedback:
        return self._step(lambda: self.session.scan(raw))

    def command(self, word: str) -> Feedback:
        return self._step(lambda: self.session.command(word))

    def short(self, reason: ShortReason | str) -> Feedback:
        return self._step(lambda: self.session.short(ShortReason(reason)))

    def skip(self) -> Feedback:
        return self._step(self.session.skip)

    def confirm_tote(self) -> Feedback:
        return self._step(self.session.confirm_tote)

    def key_quantity(self, n: int) -> Feedback:
        return self._step(lambda: self.session.key_quantity(n))

    def _step(self, fn: Callable[[], Feedback]) -> Feedback:
        with self._lock:
            self.session.operator_badge = self.badge()
            fb = fn()
            if fb.accepted or fb.events:
                self._record(fb)
            return fb

    def _record(self, fb: Feedback) -> None:
        if fb.kind == K.BATCH_STARTED:  # the batch as leased, once; each step then writes only its progress
            self.store.record("pick_batch", self.session.batch_snapshot(), ())
        self.store.record("pick", self.session.snapshot(), fb.events)
        if fb.kind == K.BATCH_DONE:
            self._keep_totes()
        if fb.events:
            self.kick()

    def _keep_totes(self) -> None:
        """Remember tote -> order(s) of the finished batch (held orders' totes are set aside, never packed)."""
        s = self.session
        picked: dict[str, dict[str, int]] = {}
        for stop in s.stops:
            key = stop.order_number or ""
            picked.setdefault(key, {})
            picked[key][stop.sku] = picked[key].get(stop.sku, 0) + stop.picked
        for tote, numbers in s.tote_orders().items():
            numbers = [n for n in numbers if n not in s.held]
            if not numbers:
                continue
            orders = []
            for o in s.orders:
                if o["number"] in numbers:
                    got = picked.get(o["number"], {}) if s.mode != "batch" else {}
                    orders.append({**o, "picked": [{"sku": k, "quantity": q} for k, q in got.items() if q]})
            cache = {"tote": tote, "mode": s.mode, "lease_id": s.lease_id, "orders": orders}
            self.store.set_meta(TOTE_META + tote, json.dumps(cache))

    def renew_if_due(self) -> None:
        """Keep the batch's lease while it is picked (sync thread; a third of the lease time at the latest)."""
        s = self.session
        if s.state in (PickState.IDLE, PickState.DONE) or not s.lease_id:
            return
        if self.clock() - self._renewed_at < self.lease_seconds / 3:
            return
        try:
            self.client.renew(s.lease_id, self.lease_seconds)
        except (HubOffline, HubRefused):
            return
        self._renewed_at = self.clock()

    def view(self) -> PickView:
        """What the pick screen shows (copies: the GUI thread never reads the session)."""
        with self._lock:
            s = self.session
            stop, nxt = s.current, s.after
            held = set(s.held)
            ready = [t for t, numbers in s.tote_orders().items() if not held & set(numbers)]
            return PickView(
                state=s.state,
                mode=s.mode,
                batch_id=s.batch_id,
                orders=len(s.orders),
                places=self._stop_places(),
                done=len(s.stops) - len(s.route),
                next_slot=s.next_slot(),
                current=copy.deepcopy(stop),
                after=copy.deepcopy(nxt),
                current_tote=s.tote_for(stop) if stop is not None else "",
                totes=dict(s.totes),
                ready_totes=tuple(ready),
            )

    def _stop_places(self) -> tuple[StopPlace, ...]:
        """The batch's stops as places, built once per batch (and again when a short pick adds a stop)."""
        s = self.session
        key = (s.batch_id, len(s.stops))
        if self._places[0] != key:
            self._places = (key, tuple(StopPlace(x.bin, x.sku, x.barcode) for x in s.stops))
        return self._places[1]

    # ------------------------------------------------------------------ totes at the pack bench
    @staticmethod
    def tote_code(raw: str) -> str | None:
        code = raw.strip().upper()
        return code if TOTE_RE.match(code) else None

    def pack_bench_scan(self, raw: str, *, busy: bool) -> Feedback | None:
        """A scan on the pack screen that is the controller's: a tote to open, or a unit to sort.
        None: the pack session handles it (``busy``: an order is in the packer's hands)."""
        if busy:
            return None
        tote = self.tote_code(raw)
        if tote is not None:
            return self.open_tote(tote)
        code = raw.strip().upper()
        if self.sorting.active and not ORDER_RE.match(code) and not COMMAND_RE.match(code):
            return self.sort_scan(raw)
        return None

    def trust_pick(self, pack: PackSession, fb: Feedback) -> Feedback:
        """An order opened from a tote: with ``one_of_each`` the pick is trusted and the packer scans one
        unit of each line (the others count as packed); ``every_unit`` re-scans every unit."""
        order = pack.order
        parcel = pack.current
        picked = self.picked_for(order.number) if order is not None else {}
        if order is None or parcel is None or not picked:
            return fb
        units = sum(picked.values())
        if self.verification != "one_of_each":
            return replace(fb, message=f"{fb.message} {units} unit(s) picked into the tote: scan every unit.")
        for sku, q in order.lines.items():
            if q > 1 and picked.get(sku, 0) >= q:
                parcel.items[sku] = q - 1
        return replace(fb, message=f"{fb.message} Picked: scan one of each of its {len(order.lines)} line(s).")

    def open_tote(self, tote: str) -> Feedback | None:
        """Claim ``tote`` (network, no lock) and cache its order(s) as leased here.

        None: the tote's order is ready in the store (the pack session opens it as a tote scan).
        A feedback: sorting started (a batch-mode tote), or why the tote cannot be opened."""
        try:
            answer: dict[str, Any] = self.client.call("POST", f"/totes/{tote}/claim")
        except HubOffline:
            cached = self.store.get_meta(TOTE_META + tote)
            if not cached and self.store.order_for_tote(tote) is not None:
                return None  # a tote this bench's own queue lease already knows
            if not cached:
                return refused(K.NOT_FOUND, f"The hub is offline and {tote} was not picked at this bench.")
            answer = json.loads(cached)
            answer["products"] = self._products_known_only_by_the_pick(answer)
        except HubRefused as exc:
            if exc.status == 404 and self.store.order_for_tote(tote) is not None:
                return None
            return refused(K.NOT_FOUND if exc.status == 404 else K.NOT_ALLOWED, f"{tote}: {exc}")
        lease = _as_lease(answer, self.store.get_meta("location") or "")
        self.store.save_lease(lease)
        numbers = [str(o["number"]) for o in lease["orders"]]
        if answer.get("mode") != "batch":
            for n in numbers:
                self.store.assign_tote(tote, n)
            self._picked = {str(o["number"]): _picked(o) for o in lease["orders"]}
            return None
        with self._lock:
            fb = self.sorting.begin(tote, lease["orders"])
            self.store.record("sort", self.sorting.snapshot(), fb.events)
            return fb

    def picked_for(self, order_number: str) -> dict[str, int]:
        """Units per SKU the pick confirmed for an order opened from a tote (empty when none)."""
        return dict(self._picked.get(order_number, {}))

    def _products_known_only_by_the_pick(self, cache: dict[str, Any]) -> list[dict[str, Any]]:
        """Offline, products this bench has never had from a lease are packed from what the pick knew."""
        out: dict[str, dict[str, Any]] = {}
        for o in cache["orders"]:
            for ln in o.get("lines") or ():
                sku = str(ln["sku"])
                if self.store.product(sku) is None and sku not in out:
                    codes = [ln["barcode"]] if ln.get("barcode") else []
                    out[sku] = {"sku": sku, "name": ln.get("name") or sku, "weight_g": 0, "barcodes": codes}
                    out[sku].update(length_mm=1, width_mm=1, height_mm=1)
        return list(out.values())

    def sort_scan(self, raw: str) -> Feedback:
        with self._lock:
            fb = self.sorting.scan(raw, self.store.product_for_code)
            if fb.accepted:
                self.store.record("sort", self.sorting.snapshot() if self.sorting.active else None, fb.events)
            return fb


def _picked(order: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in order.get("picked") or ():
        out[str(p["sku"])] = out.get(str(p["sku"]), 0) + int(p["quantity"])
    return out


def _as_lease(answer: dict[str, Any], location: str) -> dict[str, Any]:
    """A claim answer (or this bench's own tote cache) in the shape ``BenchStore.save_lease`` takes."""
    if "orders" in answer:
        orders = [dict(o) for o in answer["orders"]]
    else:  # the original contract shape: one order's keys at the top level
        orders = [{k: v for k, v in answer.items() if k not in ("tote", "mode", "lease_id", "expires_at")}]
    for o in orders:
        o.setdefault("status", "leased")
    expires = answer.get("expires_at") or (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    return {
        "lease_id": str(answer.get("lease_id") or f"tote-{answer.get('tote', '')}"),
        "location": str(answer.get("location") or location),
        "expires_at": expires,
        "orders": orders,
        "products": answer.get("products") or [],
        "cartons": answer.get("cartons") or [],
    }
