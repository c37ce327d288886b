"""The bench engine: the one door the UI (or the headless robot) forwards input through.

It is built, with everything it uses, by the composition root (``app.bench.compose.build_bench``) and
only coordinates: the pack, returns and pick controllers (steps over the store's unit of work), the
label worker (request, print, confirm, retry), the station (enrolment, sign-in) and the sync loop.

    bench = build_bench(settings, data_dir)        # store, hub client, labels, printers, scale, engine
    engine = bench.engine
    engine.enrol("ABCD-1234")                 # once per bench; the token is kept in the data folder
    engine.sign_in("PK-1001", "1111")         # operator; their badge goes on every event
    engine.start()                            # sync thread: outbox push, lease renewals, pending labels
    fb = engine.scan("PB0000123")             # Feedback(kind, message, accepted, sku, events)
    view = engine.pack_view()                 # what the pack screen shows (a frozen PackView)

Locks: one input lock guards the sessions; it is held only for a pure step and the store write that
records it. Network look-ups (lease renewal, returns look-up, voids) and the label and slip printers
run outside it, so ``sign_out`` (which takes no lock at all) never waits for a print. Calls that may
touch the network or a printer block their caller: call them off the GUI thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.labelling import LabelWorker
from app.bench.labels import LabelSource
from app.bench.model import PackOrder, RmaInfo
from app.bench.operator_cache import OperatorCache
from app.bench.outbox import DeadLetter
from app.bench.pack_controller import PACKING, PackController
from app.bench.pack_types import EMPTY_SCALE_G
from app.bench.packing import PackSession
from app.bench.pick_controller import PickController
from app.bench.receiving import ReturnSession
from app.bench.returns_controller import ReturnsController
from app.bench.session_guard import SessionGuard, Standing
from app.bench.slips import SlipQueue
from app.bench.station import SUPERVISING_ROLES, NotEnrolled, Operator, Station
from app.bench.store import BenchStore
from app.bench.sync import Syncer, SyncStatus
from app.bench.views import PackView, PickView, QueueView, ReturnView
from app.devices.printers.base import LabelPrinter
from app.devices.receipts import PackingSlip
from app.devices.weights import WeightReading
from app.domain.catalog import Carton, Product
from app.domain.returns import Condition, Disposition

__all__ = ["PACKING", "SUPERVISING_ROLES", "BenchEngine", "NotEnrolled", "Operator"]


QUEUE_ROWS = 200  # orders the pack screen's queue shows


class BenchEngine:
    """See the module docstring. Build it with ``app.bench.compose.build_bench``."""

    def __init__(
        self,
        *,
        store: BenchStore,
        client: HubClient,
        station: Station,
        syncer: Syncer,
        pack: PackController,
        returns: ReturnsController,
        pick: PickController,
        labeller: LabelWorker,
        slips: SlipQueue,
        guard: SessionGuard,
    ) -> None:
        self.store = store  # the engine's own; the UI reads through the engine's views
        self.client = client
        self.station = station
        self.syncer = syncer
        self.status: SyncStatus = syncer.status
        self.packing = pack
        self.receiving = returns
        self.picking = pick  # picking (network outside the input lock) and the totes opened at the pack bench
        self.labeller = labeller
        self.slips = slips  # a slip waits here until the printer confirms it
        self.guard = guard  # re-checks the operators at the hub when it answers again (see apply_standing)
        self.operator: Operator | None = None
        self._lock = threading.RLock()  # one input at a time; never held around network or printer I/O

    def recover(self) -> None:
        """Resume the sessions a crash (or a close) left in the store (the composition root calls it once)."""
        with self._lock:
            self.packing.recover()
            self.receiving.recover()

    # ------------------------------------------------------------------ parts (read-only)
    @property
    def pack(self) -> PackSession:
        """The pack session (for the robot and tests; a screen reads ``pack_view`` instead)."""
        return self.packing.session

    @property
    def returns(self) -> ReturnSession:
        return self.receiving.session

    @property
    def pack_verification(self) -> str:
        """What the packer still scans of a picked tote: ``every_unit`` or ``one_of_each`` (bench setting)."""
        return self.picking.verification

    @pack_verification.setter
    def pack_verification(self, value: str) -> None:
        self.picking.verification = value

    @property
    def labels(self) -> LabelSource:
        return self.labeller.labels

    @property
    def printer(self) -> LabelPrinter | None:
        return self.labeller.printer

    @property
    def labels_printed(self) -> int:
        return self.labeller.printed

    @property
    def offline(self) -> OperatorCache:
        """The operators who may sign in here while the hub is down (``operator_cache``)."""
        return self.station.cache

    @property
    def slip_printer(self) -> Callable[[PackingSlip], None] | None:
        """The receipt printer call (None: no slip printer); slips wait in ``self.slips`` until it confirms."""
        return self.slips.printer

    @slip_printer.setter
    def slip_printer(self, printer: Callable[[PackingSlip], None] | None) -> None:
        self.slips.printer = printer

    # ------------------------------------------------------------------ station
    @property
    def enrolled(self) -> bool:
        return self.station.enrolled

    @property
    def station_name(self) -> str | None:
        return self.station.name

    @property
    def location(self) -> str | None:
        return self.station.location

    def enrol(self, code: str) -> str:
        """Spend the one-time code; keeps the station token in the data folder. Returns the station name."""
        name, location = self.station.enrol(code)
        self.returns.location_code = location
        return name

    def sign_in(self, badge: str, pin: str) -> Operator:
        """Sign an operator in at the hub (or, with the hub down, from this bench's cache: see
        ``Station.sign_in``); their badge goes on the events from now on."""
        op = self.station.sign_in(badge, pin)
        if op.role in SUPERVISING_ROLES and self.operator is not None:
            return op  # a supervisor signing in to vouch (override) does not replace the packer
        self._set_operator(op)
        return op

    def sign_out(self) -> None:
        """Takes no lock and does no I/O: safe on the GUI thread while a label prints."""
        self._set_operator(None)

    def _set_operator(self, op: Operator | None) -> None:
        self.operator = op
        badge = op.badge if op else ""
        self.pack.operator_badge = badge
        self.returns.operator_badge = badge

    def apply_standing(self, st: Standing) -> str | None:
        """The hub's word on an operator once it is back (the guard's thread): revoked → signed out, new
        role → kept. Returns what the operator should read when it changed who is signed in."""
        with self._lock:
            change = self.station.standing(st, self.operator)
            if change is None:
                return None
            self._set_operator(change[0])
            return change[1]

    def _operator_badge(self) -> str:
        op = self.operator
        return op.badge if op else ""

    # ------------------------------------------------------------------ sync
    def start(self) -> None:
        self.station.require_enrolled()
        self.syncer.start()

    def stop(self) -> None:
        self.syncer.stop()

    def close(self) -> None:
        self.guard.close()
        self.stop()
        self.client.close()
        self.store.close()

    def sync_now(self) -> None:
        """One sync round on the calling thread. Raises HubOffline when the hub cannot be reached."""
        self.station.require_enrolled()
        self.syncer.run_cycle()

    def lease(self, batch_size: int | None = None) -> int:
        """Lease a batch of orders now; returns how many are new here. Raises HubOffline when offline."""
        self.station.require_enrolled()
        return self.syncer.lease(batch_size)

    def retry_pending_labels(self) -> int:
        """Print labels left pending (the sync loop runs it after each round). Returns how many printed."""
        return self.labeller.retry_pending()

    # ------------------------------------------------------------------ reads (any thread but the GUI's)
    def orders_to_pack(self, limit: int | None = None) -> list[PackOrder]:
        return self.store.orders_to_pack(limit)

    def product(self, sku: str) -> Product | None:
        return self.store.product(sku)

    def cartons(self) -> list[Carton]:
        return self.store.cartons()

    def pack_view(self) -> PackView:
        with self._lock:
            return self.packing.view()

    def queue_view(self, limit: int = QUEUE_ROWS) -> QueueView:
        """The next orders to pack (not every order cached here: a bench may hold 10,000) and the stop notice."""
        return QueueView(tuple(self.store.orders_to_pack(limit)), self.stop_notice())

    def pick_view(self) -> PickView:
        return self.picking.view()

    def return_view(self) -> ReturnView:
        with self._lock:
            return self.receiving.view()

    def stop_notice(self) -> Feedback | None:
        """The banner to show now when the order in hand was stopped by the hub (lost, cancelled, held)."""
        return self.pack.stopped_feedback()

    def dead_letters(self) -> list[DeadLetter]:
        return self.store.dead_letters()

    def retry_dead_letter(self, event_id: str) -> bool:
        done = self.store.retry_dead_letter(event_id)
        self.syncer.kick()
        return done

    def discard_dead_letter(self, event_id: str) -> bool:
        done = self.store.discard_dead_letter(event_id)
        self.syncer.kick()
        return done

    # ------------------------------------------------------------------ packing
    def scan(self, raw: str) -> Feedback:
        """A scan on the pack screen (a picked tote is claimed at the hub first, outside the input lock)."""
        if (tote := self.picking.pack_bench_scan(raw, busy=self.pack.state in PACKING)) is not None:
            return tote
        if (gate := self._slip_gate(raw.strip().upper().removeprefix("CMD:"))) is not None:
            return gate
        self._keep_lease()
        return self._pack_input(lambda: self.packing.scan(raw))

    def weigh(self, reading: WeightReading) -> Feedback:
        """A scale reading on the pack screen (stream them all; only a stable one while weighing counts)."""
        if reading.is_stable and (reading.grams or 0) > EMPTY_SCALE_G:
            self._keep_lease()  # the order may have been lost meanwhile: the step then refuses the weight
        return self._pack_input(lambda: self.packing.weigh(reading))

    def pack_command(self, name: str, **kw: Any) -> Feedback:
        """A button: CLOSE_PARCEL, SHORT_PICK, DAMAGED, SLIP_DONE, CANCEL, OVERRIDE (``badge=``), CARTON (``code=``)."""
        word = name.upper()
        if (gate := self._slip_gate(word)) is not None:
            return gate
        self._keep_lease()
        return self._pack_input(lambda: self.packing.command(word, **kw))

    def _pack_input(self, step: Callable[[], Feedback]) -> Feedback:
        with self._lock:
            fb = step()
            number = self.packing.labelling()
        if fb.kind == FeedbackKind.ORDER_STARTED:
            self._keep_lease()
        if number is None:
            return fb
        with self.labeller.claim(number):  # request and print outside the input lock
            outcome = self.labeller.label_order(number)
            with self._lock:
                label_fb = self.packing.settle(outcome)
                slip = self.packing.slip()
        if slip is not None and self.slips.printer is not None:
            self.slips.add(slip)
        return Feedback(
            label_fb.kind,
            f"{fb.message} {label_fb.message}",
            accepted=label_fb.accepted,
            events=fb.events + label_fb.events,
        )

    def _keep_lease(self) -> None:
        """While an order is in hand, renew its lease when a third of the lease time has gone by since the
        last renewal (the sync thread normally does it first); a renewal that stops the order makes the next
        step refuse. Offline (as the sync thread last saw it) the bench packs on and the sync loop renews."""
        lease_id = self.packing.lease_in_hand()
        if lease_id is None or self.status.state.online is False or not self.syncer.lease_is_stale(lease_id):
            return
        with contextlib.suppress(HubOffline):
            self.syncer.renew([lease_id])

    def _slip_gate(self, word: str) -> Feedback | None:
        """SLIP_DONE while this order's slip has not printed: try it again; refuse while it still will not."""
        number = self.packing.slip_number()
        if word != "SLIP_DONE" or number is None or not self.slips.still_waiting(number):
            return None
        return refused(
            FeedbackKind.NOT_ALLOWED,
            f"The packing slip has not printed ({self.status.state.slip_printer}). Fix the printer and "
            "scan Slip done again, or scan the next order (the slip prints when the printer is back).",
        )

    # ------------------------------------------------------------------ after the label
    def reprint_labels(self) -> Feedback:
        """Print the labels of the order just packed again (the hub hands back the same label, no new charge)."""
        with self._lock:
            parcels = self.packing.printed_parcels()
            order = self.pack.order
        if parcels is None or order is None:
            return refused(FeedbackKind.NOT_ALLOWED, "Reprint works for the order just packed.")
        if not parcels:
            return refused(FeedbackKind.NOT_ALLOWED, "No label was printed for this order yet.")
        return self.labeller.reprint(order, parcels)

    def void_labels(self, reason: str) -> Feedback:
        """Void the labels of the order just packed at the carrier. Only a supervisor signed in here may."""
        op = self.operator
        if op is None or not op.supervises:
            return refused(FeedbackKind.NOT_ALLOWED, "Voiding a label needs a supervisor signed in at this bench.")
        if not reason.strip():
            return refused(FeedbackKind.NOT_ALLOWED, "Say why the label is voided (type it, then void).")
        with self._lock:
            parcels = self.packing.printed_parcels()
            order = self.pack.order
        if parcels is None or order is None:
            return refused(FeedbackKind.NOT_ALLOWED, "Void works for the order just packed.")
        voided: list[int] = []
        failed: Feedback | None = None
        for p in parcels:
            try:
                self.client.void_label(order.number, p.parcel_no, reason.strip(), op.token)
            except (HubOffline, HubRefused) as exc:
                failed = refused(FeedbackKind.NOT_ALLOWED, f"Void failed: {exc}")
                break
            voided.append(p.parcel_no)
        with self._lock:
            self.packing.void_marked(voided)
        if failed is not None:
            return failed
        if not voided:
            return refused(FeedbackKind.NOT_ALLOWED, "No printed label to void.")
        return Feedback(FeedbackKind.EXCEPTION, f"Voided label(s) {voided} of {order.number}: {reason.strip()}.")

    def shift_report(self) -> dict[str, Any]:
        """The hub's shift report, as the signed-in supervisor (raises PermissionError for anyone else)."""
        op = self.operator
        if op is None or not op.supervises:
            raise PermissionError("sign in as a supervisor to see the shift report")
        return self.client.shift_report(op.token)

    # ------------------------------------------------------------------ returns
    def return_lookup(self, code: str) -> Feedback:
        """Look a return up at the hub by RMA number, return tracking number or order number."""
        self.station.require_enrolled()
        try:
            found = [RmaInfo.from_wire(r) for r in self.client.lookup_returns(code.strip())]
        except HubOffline:
            return refused(FeedbackKind.NOT_FOUND, "The hub is offline: returns can be looked up when it is back.")
        except HubRefused as exc:
            return refused(FeedbackKind.NOT_FOUND, str(exc))
        with self._lock:
            return self.receiving.begin(found)

    def return_scan(self, raw: str) -> Feedback:
        with self._lock:
            if not self.receiving.idle:
                return self.receiving.scan(raw)
        return self.return_lookup(raw)  # the look-up asks the hub: not under the input lock

    def return_grade(self, condition: Condition) -> Feedback:
        with self._lock:
            return self.receiving.grade(condition)

    def return_dispose(self, disposition: Disposition, bin_code: str | None = None) -> Feedback:
        with self._lock:
            return self.receiving.dispose(disposition, bin_code)

    def return_finish(self) -> Feedback:
        with self._lock:
            return self.receiving.finish()
