"""The pick workflow as a state machine: a leased pick batch in, scans and buttons in, feedback and events out.

No Qt, no database, no network (like ``PackSession``): a ``PickSession`` holds one batch as the hub
leased it (``POST /api/v1/picks/batches``) and answers every input with a ``Feedback``. A refused input
changes nothing. The whole state is a plain dict (``snapshot``/``restore``) the controller stores after
every step, so the batch is cached at the bench and a picker goes on offline or after a crash.

    idle ──batch──▶ totes (one empty tote scanned per slot) ──▶ at_bin ──right bin──▶ picking
    picking ──units scanned (or a quantity keyed, then the item)──▶ to_tote ──right tote / confirm──▶ at_bin …
    at_bin/picking ──short (bin empty, damaged, not found)──▶ at_bin (the next bin with stock) or the order held
    at_bin/picking ──skip──▶ at_bin (this stop moves to the end of the walk)
    last stop done ──▶ done (take the totes to packing)

Wrong bin, wrong item, wrong tote and over-pick each have their own feedback kind; none changes anything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, read_code, refused
from app.domain.barcodes import CodeKind, product_code_key
from app.domain.events import BenchEvent
from app.domain.pick_events import PickConfirmed, PickShort, ShortReason, ToteAssigned

K = FeedbackKind
MAX_KEYED_QUANTITY = 9999


class PickState(enum.StrEnum):
    IDLE = "idle"
    TOTES = "totes"
    AT_BIN = "at_bin"
    PICKING = "picking"
    TO_TOTE = "to_tote"
    DONE = "done"


# Command cards (``CMD:SKIP`` …) a picker can scan instead of pressing the button.
SHORT_COMMANDS = {f"SHORT_{r.value.upper()}": r for r in ShortReason}
COMMANDS = ("SKIP", "TOTE_OK", *SHORT_COMMANDS)


@dataclass
class PickStop:
    seq: int
    bin: str
    walk_seq: int
    sku: str
    name: str
    barcode: str
    quantity: int
    order_number: str | None
    tote_slot: int | None
    alternates: list[dict[str, Any]] = field(default_factory=list)
    picked: int = 0
    tried: list[str] = field(default_factory=list)  # bins already found short for these units

    @classmethod
    def from_wire(cls, s: dict[str, Any]) -> PickStop:
        return cls(
            seq=int(s["seq"]),
            bin=str(s["bin"]).upper(),
            walk_seq=int(s["walk_seq"]),
            sku=str(s["sku"]),
            name=str(s.get("name") or s["sku"]),
            barcode=str(s.get("barcode") or ""),
            quantity=int(s["quantity"]),
            order_number=s.get("order_number"),
            tote_slot=s.get("tote_slot"),
            alternates=[dict(a) for a in s.get("alternates") or ()],
        )

    @property
    def left(self) -> int:
        return self.quantity - self.picked


class PickSession:
    """One picker's pick batch at one bench. ``operator_badge`` goes on every event."""

    def __init__(self, operator_badge: str = "") -> None:
        self.operator_badge = operator_badge
        self._clear()

    def _clear(self) -> None:
        self.state = PickState.IDLE
        self.batch_id = ""
        self.lease_id = ""
        self.mode = ""
        self.orders: list[dict[str, Any]] = []
        self.stops: list[PickStop] = []
        self._leased_stops: list[dict[str, Any]] = []  # the stops as leased (``batch_snapshot``)
        self.route: list[int] = []  # indexes into ``stops`` still to walk, next first
        self.totes: dict[int, str] = {}  # slot -> tote code
        self.held: list[str] = []  # orders short with no other bin: the hub holds them
        self.visited: list[int] = []  # walk_seq of each bin confirmed, in the order walked
        self.pending_qty: int | None = None
        self._codes: dict[str, str] = {}

    # ------------------------------------------------------------------ views
    @property
    def current(self) -> PickStop | None:
        return self.stops[self.route[0]] if self.state != PickState.TOTES and self.route else None

    @property
    def after(self) -> PickStop | None:
        """The stop after the current one (shown small on the screen)."""
        return self.stops[self.route[1]] if self.current is not None and len(self.route) > 1 else None

    def slots(self) -> list[int]:
        """The tote slots this batch needs: one per order (single, cluster), one for a batch-mode cart."""
        if self.mode == "batch":
            return [1]
        return sorted({int(o["tote_slot"]) for o in self.orders if o.get("tote_slot") is not None} or {1})

    def next_slot(self) -> int | None:
        return next((s for s in self.slots() if s not in self.totes), None)

    def order_for_slot(self, slot: int) -> str | None:
        if self.mode == "batch":
            return None
        return next((str(o["number"]) for o in self.orders if o.get("tote_slot") == slot), None)

    def tote_for(self, stop: PickStop) -> str:
        return self.totes.get(1 if self.mode == "batch" else stop.tote_slot or 1, "")

    def tote_orders(self) -> dict[str, list[str]]:
        """Tote code -> the orders whose units it holds (every order of the batch for a batch-mode tote)."""
        out: dict[str, list[str]] = {}
        for slot, tote in self.totes.items():
            number = self.order_for_slot(slot)
            out[tote] = [number] if number else [str(o["number"]) for o in self.orders]
        return out

    def units_picked(self) -> int:
        return sum(s.picked for s in self.stops)

    # ------------------------------------------------------------------ starting
    def begin(self, batch: dict[str, Any]) -> Feedback:
        """Take a leased batch (the hub's answer). Refused while another batch is in hand."""
        if self.state not in (PickState.IDLE, PickState.DONE):
            return refused(K.NOT_ALLOWED, "Finish the batch in hand first.")
        if not batch.get("stops"):
            return refused(K.NOT_FOUND, "Nothing to pick: the queue is empty.")
        self._clear()
        self.batch_id = str(batch["batch_id"])
        self.lease_id = str(batch.get("lease_id") or "")
        self.mode = str(batch.get("mode") or "cluster")
        self.orders = [dict(o) for o in batch.get("orders") or ()]
        self.stops = [PickStop.from_wire(s) for s in batch["stops"]]
        self._leased_stops = [dict(vars(x)) for x in self.stops]
        self.route = list(range(len(self.stops)))
        self._index_codes()
        self.state = PickState.TOTES
        slots = self.slots()
        return Feedback(
            K.BATCH_STARTED,
            f"{len(self.orders)} order(s), {len(self.stops)} stop(s). Scan an empty tote for slot {slots[0]}.",
        )

    def _index_codes(self) -> None:
        self._codes = {}
        for s in self.stops:
            self._codes[product_code_key(s.sku)] = s.sku
            if s.barcode:
                self._codes[product_code_key(s.barcode)] = s.sku
        for o in self.orders:
            for ln in o.get("lines") or ():
                if ln.get("barcode"):
                    self._codes.setdefault(product_code_key(str(ln["barcode"])), str(ln["sku"]))

    def _bins(self) -> set[str]:
        return {s.bin for s in self.stops} | {str(a["bin"]).upper() for s in self.stops for a in s.alternates}

    # ------------------------------------------------------------------ inputs
    def scan(self, raw: str) -> Feedback:
        code = read_code(raw, self.command)
        if isinstance(code, Feedback):
            return code
        if self.state in (PickState.IDLE, PickState.DONE):
            return refused(K.NOT_ALLOWED, "No batch in hand: press Get batch.")
        if code.kind == CodeKind.TOTE:
            return self._tote(code.value)
        if self.state == PickState.TOTES:
            return refused(K.NOT_ALLOWED, f"Scan an empty tote for slot {self.next_slot()} first.")
        stop = self.current
        assert stop is not None
        if self.state == PickState.AT_BIN:
            return self._bin(stop, code.value.upper())
        if self.state == PickState.PICKING and code.value.isdigit() and len(code.value) <= 4:
            return self.key_quantity(int(code.value))
        if self.state == PickState.TO_TOTE:
            return refused(K.NOT_ALLOWED, f"All {stop.quantity} picked: put them in tote {self._tote_name(stop)}.")
        return self._item(stop, product_code_key(code.value))

    def command(self, name: str) -> Feedback:
        word = name.upper()
        if word == "SKIP":
            return self.skip()
        if word == "TOTE_OK":
            return self.confirm_tote()
        if word in SHORT_COMMANDS:
            return self.short(SHORT_COMMANDS[word])
        return refused(K.UNKNOWN_CODE, f"Unknown command card {name!r}.")

    def key_quantity(self, n: int) -> Feedback:
        """A quantity keyed for many units: the next item scan counts ``n`` units."""
        stop = self.current
        if self.state != PickState.PICKING or stop is None:
            return refused(K.NOT_ALLOWED, "Key a quantity after scanning the bin.")
        if not 1 <= n <= MAX_KEYED_QUANTITY:
            return refused(K.NOT_ALLOWED, f"Quantity {n} is not a quantity.")
        if n > stop.left:
            return refused(K.OVER_PICK, f"Too many: only {stop.left} more {stop.name} wanted here.", sku=stop.sku)
        self.pending_qty = n
        return Feedback(K.WAITING, f"{n} x: now scan one {stop.name}.", sku=stop.sku)

    def confirm_tote(self) -> Feedback:
        """The picker presses Confirm tote instead of scanning it (the expected tote)."""
        stop = self.current
        if self.state != PickState.TO_TOTE or stop is None:
            return refused(K.NOT_ALLOWED, "Nothing to put in a tote yet.")
        return self._into_tote(stop)

    def short(self, reason: ShortReason) -> Feedback:
        """The bin cannot give what the stop asks: record the missing units; go to the next bin or hold the order."""
        stop = self.current
        if self.state not in (PickState.AT_BIN, PickState.PICKING) or stop is None:
            return refused(K.NOT_ALLOWED, "Short pick applies to the stop you are at, before its tote.")
        missing = stop.left
        events: list[BenchEvent] = []
        if stop.picked:
            events.append(self._confirmed(stop, stop.picked))
        events.append(PickShort(**self._line(stop, missing), reason=reason))
        tried = [*stop.tried, stop.bin]
        alt = next((a for a in stop.alternates if int(a.get("available", 0)) > 0 and a["bin"] not in tried), None)
        stop.quantity = stop.picked  # what this bin gave
        self.route.pop(0)
        self.pending_qty = None
        said = f"Short {missing} x {stop.name} at {stop.bin} ({reason.value.replace('_', ' ')}) recorded."
        if alt is not None:
            extra = PickStop(
                seq=max(s.seq for s in self.stops) + 1,
                bin=str(alt["bin"]).upper(),
                walk_seq=int(alt.get("walk_seq", stop.walk_seq)),
                sku=stop.sku,
                name=stop.name,
                barcode=stop.barcode,
                quantity=missing,
                order_number=stop.order_number,
                tote_slot=stop.tote_slot,
                alternates=[a for a in stop.alternates if a is not alt],
                tried=tried,
            )
            self.stops.append(extra)
            self.route.insert(0, len(self.stops) - 1)
            self.state = PickState.AT_BIN
            return Feedback(K.PICK_SHORT, f"{said} Go to bin {extra.bin} for them.", events=tuple(events))
        tail = "The hub holds the orders short of it."
        if stop.order_number:
            self.held.append(stop.order_number)
            self.route = [i for i in self.route if self.stops[i].order_number != stop.order_number]
            tail = f"No other bin has it: order {stop.order_number} is held, put tote {self._tote_name(stop)} aside."
        self._next()
        return Feedback(K.PICK_SHORT, f"{said} {tail}", events=tuple(events))

    def skip(self) -> Feedback:
        """Move the stop to the end of the walk (nothing picked from it yet)."""
        stop = self.current
        if self.state not in (PickState.AT_BIN, PickState.PICKING) or stop is None:
            return refused(K.NOT_ALLOWED, "Skip applies to the stop you are at.")
        if stop.picked:
            return refused(K.NOT_ALLOWED, f"{stop.picked} already picked here: finish this stop or short it.")
        if len(self.route) < 2:
            return refused(K.NOT_ALLOWED, "This is the last stop: pick it or short it.")
        self.route.append(self.route.pop(0))
        self.state = PickState.AT_BIN
        self.pending_qty = None
        nxt = self.current
        assert nxt is not None
        return Feedback(K.SKIPPED, f"Skipped {stop.bin}: it comes again at the end. Next: bin {nxt.bin}.")

    # ------------------------------------------------------------------ steps
    def _tote(self, tote: str) -> Feedback:
        if self.state == PickState.TOTES:
            slot = self.next_slot()
            assert slot is not None
            if tote in self.totes.values():
                return refused(K.WRONG_TOTE, f"{tote} is already on the cart: scan another empty tote.")
            self.totes[slot] = tote
            event = ToteAssigned(
                batch_id=self.batch_id,
                order_number=self.order_for_slot(slot),
                tote=tote,
                slot=slot,
                operator_badge=self.operator_badge,
            )
            nxt = self.next_slot()
            if nxt is not None:
                return Feedback(K.TOTE_ASSIGNED, f"{tote} is slot {slot}. Scan a tote for slot {nxt}.", events=(event,))
            self.state = PickState.AT_BIN
            stop = self.current
            assert stop is not None
            return Feedback(K.TOTE_ASSIGNED, f"{tote} is slot {slot}. Go to bin {stop.bin}.", events=(event,))
        stop = self.current
        assert stop is not None
        if self.state != PickState.TO_TOTE:
            return refused(K.NOT_ALLOWED, f"Pick the units first: {stop.left} x {stop.name} at {stop.bin}.")
        if tote != self.tote_for(stop):
            return refused(K.WRONG_TOTE, f"Wrong tote: {tote}. These go in tote {self._tote_name(stop)}.", sku=stop.sku)
        return self._into_tote(stop)

    def _bin(self, stop: PickStop, code: str) -> Feedback:
        if code == stop.bin:
            self.state = PickState.PICKING
            self.visited.append(stop.walk_seq)
            return Feedback(K.BIN_CONFIRMED, f"Bin {stop.bin}: take {stop.quantity} x {stop.name}.", sku=stop.sku)
        if product_code_key(code) in self._codes:
            return refused(K.NOT_ALLOWED, f"Scan bin {stop.bin} first, then the item.")
        return refused(K.WRONG_BIN, f"Wrong bin: {code}. Go to bin {stop.bin}.")

    def _item(self, stop: PickStop, key: str) -> Feedback:
        sku = self._codes.get(key)
        if sku is None and key != stop.bin and key in self._bins():
            return refused(K.WRONG_BIN, f"That is bin {key}: you are at bin {stop.bin}. Scan its item.")
        if sku is None:
            return refused(K.UNKNOWN_CODE, f"{key} is not a product of this batch. Check the label.")
        if sku != stop.sku:
            return refused(K.WRONG_ITEM, f"Wrong item: {sku}. This bin's item is {stop.name} ({stop.sku}).", sku=sku)
        n = self.pending_qty or 1
        if n > stop.left:
            self.pending_qty = None
            return refused(K.OVER_PICK, f"Too many: {stop.quantity} x {stop.name} wanted, all picked.", sku=sku)
        stop.picked += n
        self.pending_qty = None
        if stop.left:
            return Feedback(K.UNIT_PICKED, f"{stop.name}: {stop.picked} of {stop.quantity}.", sku=sku)
        self.state = PickState.TO_TOTE
        return Feedback(K.UNIT_PICKED, f"{stop.picked} x {stop.name}: into tote {self._tote_name(stop)}.", sku=sku)

    def _into_tote(self, stop: PickStop) -> Feedback:
        event = self._confirmed(stop, stop.picked)
        self.route.pop(0)
        self._next()
        if self.state == PickState.DONE:
            return Feedback(K.BATCH_DONE, f"Batch done: take {self._tote_list()} to packing.", events=(event,))
        nxt = self.current
        assert nxt is not None
        return Feedback(K.STOP_DONE, f"{stop.picked} x {stop.name} in tote. Next: bin {nxt.bin}.", events=(event,))

    def _next(self) -> None:
        self.state = PickState.AT_BIN if self.route else PickState.DONE

    def _confirmed(self, stop: PickStop, quantity: int) -> PickConfirmed:
        return PickConfirmed(**self._line(stop, quantity), tote=self.tote_for(stop))

    def _line(self, stop: PickStop, quantity: int) -> dict[str, Any]:
        """The fields every pick event of a stop shares."""
        return {
            "batch_id": self.batch_id,
            "order_number": stop.order_number,
            "bin": stop.bin,
            "sku": stop.sku,
            "quantity": quantity,
            "operator_badge": self.operator_badge,
        }

    def _tote_name(self, stop: PickStop) -> str:
        return f"{stop.tote_slot or 1} ({self.tote_for(stop)})"

    def _tote_list(self) -> str:
        return ", ".join(self.totes[s] for s in sorted(self.totes)) or "the cart"

    # ------------------------------------------------------------------ persistence
    def batch_snapshot(self) -> dict[str, Any]:
        """The batch as leased (written once, when it starts); ``snapshot`` is what changes with each step."""
        return {
            "batch_id": self.batch_id,
            "lease_id": self.lease_id,
            "mode": self.mode,
            "orders": self.orders,
            "stops": self._leased_stops,
        }

    def snapshot(self) -> dict[str, Any]:
        """The picker's progress through the batch: small, so writing it after every scan stays cheap."""
        n = len(self._leased_stops)
        return {
            "state": self.state.value,
            "batch_id": self.batch_id,
            "progress": [[x.picked, x.quantity, x.tried] for x in self.stops],
            "extra": [dict(vars(x)) for x in self.stops[n:]],  # stops a short pick sent the picker to
            "route": self.route,
            "totes": {str(k): v for k, v in self.totes.items()},
            "held": self.held,
            "visited": self.visited,
            "pending_qty": self.pending_qty,
        }

    def restore(self, snap: dict[str, Any], batch: dict[str, Any]) -> None:
        """Resume from ``batch_snapshot()`` and the last ``snapshot()`` (a progress of another batch is ignored)."""
        self._clear()
        if snap.get("batch_id") != batch.get("batch_id"):
            return
        self.state = PickState(snap["state"])
        self.batch_id = batch["batch_id"]
        self.lease_id = batch.get("lease_id", "")
        self.mode = batch["mode"]
        self.orders = list(batch["orders"])
        self._leased_stops = list(batch["stops"])
        self.stops = [PickStop(**x) for x in [*self._leased_stops, *snap.get("extra", [])]]
        for stop, (picked, quantity, tried) in zip(self.stops, snap["progress"], strict=True):
            stop.picked, stop.quantity, stop.tried = int(picked), int(quantity), list(tried)
        self.route = [int(i) for i in snap["route"]]
        self.totes = {int(k): str(v) for k, v in snap["totes"].items()}
        self.held = list(snap.get("held", []))
        self.visited = [int(v) for v in snap.get("visited", [])]
        self.pending_qty = snap.get("pending_qty")
        self._index_codes()
