"""The bench engine: one object that wires store, sync, workflows, labels and printers together.

The UI (or the headless robot) constructs one ``BenchEngine`` per data folder and forwards input:

    engine = BenchEngine(data_dir, hub_url="http://hub:8765", printer=printer, labels=None)
    engine.enrol("ABCD-1234")                 # once per bench; the token is kept in the data folder
    engine.sign_in("PK-1001", "1111")         # operator; their badge goes on every event
    engine.start()                            # sync thread: outbox push, lease renewals, pending labels
    engine.status.subscribe(callback)         # SyncState(online, outbox_depth, last_error, …)
    fb = engine.scan("PB0000123")             # Feedback(kind, message, accepted, sku, events)
    fb = engine.weigh(reading)                # a WeightReading from the scale
    fb = engine.pack_command("SHORT_PICK")    # buttons = the same words as the command cards
    engine.pack.state / engine.pack.outstanding()   # what to show

Calls that may touch the network or a printer (``scan``/``weigh`` when they finish an order,
``return_lookup``, ``enrol``, ``sign_in``) block for up to the HTTP timeout: call them off the GUI
thread. Every method is safe to call from any one thread while the sync thread runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.labels import HubLabels, LabelRefused, LabelSource, LabelUnavailable
from app.bench.model import PackOrder, RmaInfo
from app.bench.packing import PackSession, PackState, WeightTolerance
from app.bench.pick_controller import PickController
from app.bench.receiving import ReturnSession, ReturnState
from app.bench.slips import SlipQueue
from app.bench.store import BenchStore, LabelJob
from app.bench.sync import Backoff, Syncer, SyncStatus
from app.devices.errors import DeviceError, PrintUnconfirmed
from app.devices.printers.base import LabelPrinter
from app.devices.receipts import PackingSlip, SlipLine
from app.devices.weights import WeightReading
from app.domain.events import BenchEvent, LabelPrinted
from app.domain.returns import Condition, Disposition

SUPERVISING_ROLES = ("supervisor", "admin")
PACKING = (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH)  # the order is in the packer's hands


@dataclass(frozen=True)
class Operator:
    name: str
    badge: str
    role: str
    screens: tuple[str, ...]
    token: str = ""  # the operator's hub session (kept in memory only)


class NotEnrolled(Exception):
    """This bench has no station token yet: enrol it with a one-time code from the hub admin."""


class BenchEngine:
    """See the module docstring. ``labels=None`` means labels come from the hub (``HubLabels``)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        hub_url: str | None = None,
        client: HubClient | None = None,
        labels: LabelSource | None = None,
        printer: LabelPrinter | None = None,
        tolerance: WeightTolerance | None = None,
        lease_batch: int = 20,
        lease_seconds: int = 1800,
        keep_queued: int = 0,
        sync_interval_s: float = 2.0,
        backoff: Backoff | None = None,
        restock_bin: str = "RETURNS",
        label_recheck_s: float = 0.0,
        slip_printer: Callable[[PackingSlip], None] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.store = BenchStore(self.data_dir / "bench.sqlite")
        url = hub_url or self.store.get_meta("hub_url")
        if client is None:
            if not url:
                raise ValueError("the first start needs the hub's address (hub_url)")
            client = HubClient(url)
        if hub_url:
            self.store.set_meta("hub_url", hub_url)
        self.client = client
        self.client.token = self.store.get_meta("station_token")
        self.labels: LabelSource = labels or HubLabels(client)
        self.printer = printer
        self.status = SyncStatus()
        self.slips = SlipQueue(slip_printer, self.status)  # a slip waits here until the printer confirms it
        self.syncer = Syncer(
            self.store,
            client,
            self.status,
            lease_batch=lease_batch,
            lease_seconds=lease_seconds,
            keep_queued=keep_queued,
            interval_s=sync_interval_s,
            backoff=backoff,
            after_cycle=self._after_sync,
        )
        self.operator: Operator | None = None
        self._lock = threading.RLock()  # one input at a time
        self._label_lock = threading.Lock()  # one label job at a time (engine thread or sync thread)
        self.pack = PackSession(
            self.store,
            tolerance=tolerance,
            is_supervisor=self._is_supervisor,
        )
        self.returns = ReturnSession(self.location or "", restock_bin=restock_bin)
        self.picking = PickController(
            self.store, client, self.syncer.kick, badge=self._badge, lease_seconds=lease_seconds
        )
        self.pack_verification = "every_unit"  # or "one_of_each": trust a tote's pick (bench setting)
        saved = self.store.load_session("pack")
        if saved:
            self.pack.restore(saved)
        if self.pack.state == PackState.LABEL:  # crashed while labelling: the labels wait and retry
            fb = self.pack.labels_settled({}, [j.parcel_no for j in self.store.pending_labels(self.pack.order_number)])
            self.store.record("pack", self.pack.snapshot(), fb.events)
        saved = self.store.load_session("returns")
        if saved:
            self.returns.restore(saved)
        self.labels_printed = 0
        # Before a label prints, the order's lease is renewed (pulling a cancellation) unless it was
        # renewed less than this many seconds ago.
        self.label_recheck_s = label_recheck_s

    # ------------------------------------------------------------------ station
    @property
    def slip_printer(self) -> Callable[[PackingSlip], None] | None:
        """The receipt printer call (None: no slip printer); slips wait in ``self.slips`` until it confirms."""
        return self.slips.printer

    @slip_printer.setter
    def slip_printer(self, printer: Callable[[PackingSlip], None] | None) -> None:
        self.slips.printer = printer

    @property
    def enrolled(self) -> bool:
        return self.client.token is not None

    @property
    def station_name(self) -> str | None:
        return self.store.get_meta("station_name")

    @property
    def location(self) -> str | None:
        return self.store.get_meta("location")

    def enrol(self, code: str) -> str:
        """Spend the one-time code; keeps the station token in the data folder. Returns the station name."""
        answer = self.client.enrol(code)
        self.store.set_meta("station_token", answer["token"])
        self.store.set_meta("station_name", answer["station_name"])
        self.store.set_meta("location", answer["location"])
        self.client.token = answer["token"]
        self.returns.location_code = answer["location"]
        return str(answer["station_name"])

    def sign_in(self, badge: str, pin: str) -> Operator:
        """Sign an operator in at the hub; their badge goes on the events from now on."""
        self._require_enrolled()
        answer = self.client.sign_in(badge, pin)
        op = Operator(answer["name"], answer["badge"], answer["role"], tuple(answer["screens"]), answer["token"])
        self.store.set_meta(f"operator_role:{op.badge.upper()}", op.role)
        if op.role in SUPERVISING_ROLES and self.operator is not None:
            return op  # a supervisor signing in to vouch (override) does not replace the packer
        with self._lock:
            self.operator = op
            self.pack.operator_badge = op.badge
            self.returns.operator_badge = op.badge
        return op

    def sign_out(self) -> None:
        with self._lock:
            self.operator = None
            self.pack.operator_badge = ""
            self.returns.operator_badge = ""

    def _badge(self) -> str:
        return self.operator.badge if self.operator else ""

    def _after_sync(self) -> None:
        self.retry_pending_labels()
        self.picking.renew_if_due()

    def _is_supervisor(self, badge: str) -> bool:
        return self.store.get_meta(f"operator_role:{badge.upper()}") in SUPERVISING_ROLES

    def _require_enrolled(self) -> None:
        if not self.enrolled:
            raise NotEnrolled("this bench is not enrolled: enter the enrolment code from the hub admin")

    # ------------------------------------------------------------------ sync
    def start(self) -> None:
        self._require_enrolled()
        self.syncer.start()

    def stop(self) -> None:
        self.syncer.stop()

    def close(self) -> None:
        self.stop()
        self.client.close()
        self.store.close()

    def sync_now(self) -> None:
        """One sync round on the calling thread. Raises HubOffline when the hub cannot be reached."""
        self._require_enrolled()
        self.syncer.run_cycle()

    def lease(self, batch_size: int | None = None) -> int:
        """Lease a batch of orders now; returns how many are new here. Raises HubOffline when offline."""
        self._require_enrolled()
        return self.syncer.lease(batch_size)

    def orders_to_pack(self) -> list[PackOrder]:
        return self.store.orders_to_pack()

    # ------------------------------------------------------------------ packing
    def scan(self, raw: str) -> Feedback:
        """A scan on the pack screen (a tote is claimed at the hub first, outside the input lock)."""
        if (picked := self.picking.pack_bench_scan(raw, busy=self.pack.state in PACKING)) is not None:
            return picked
        with self._lock:
            if (gate := self._slip_gate(raw.strip().upper().removeprefix("CMD:"))) is not None:
                return gate
            self._keep_lease()
            first = self.pack.scan(raw)
            if first.kind == FeedbackKind.ORDER_STARTED:
                first = self.picking.trust_pick(self.pack, first, self.pack_verification)
            fb = self._pack_step(first)
            if fb.kind == FeedbackKind.ORDER_STARTED:
                self._keep_lease()
            return fb

    def weigh(self, reading: WeightReading) -> Feedback:
        """A scale reading on the pack screen (stream them all; only a stable one while weighing counts)."""
        with self._lock:
            fb = self.pack.weight(reading)
            if fb.kind == FeedbackKind.IGNORED or (fb.kind == FeedbackKind.WAITING and not fb.events):
                return fb  # nothing changed: no write per scale reading
            if self._keep_lease():  # the order was lost meanwhile: this reading counts for nothing
                fb = self.pack.weight(reading)
            return self._pack_step(fb)

    def pack_command(self, name: str, **kw: Any) -> Feedback:
        """A button: CLOSE_PARCEL, SHORT_PICK, DAMAGED, SLIP_DONE, CANCEL, OVERRIDE (``badge=``), CARTON (``code=``)."""
        with self._lock:
            self._keep_lease()
            word = name.upper()
            if word == "OVERRIDE":
                fb = self.pack.override_weight(str(kw["badge"]))
            elif word == "CARTON":
                fb = self.pack.choose_carton(str(kw["code"]))
            elif word == "SHORT_PICK":
                fb = self.pack.short_pick(str(kw.get("detail", "")))
            elif word == "DAMAGED":
                fb = self.pack.damaged(kw.get("sku"), str(kw.get("detail", "")))
            elif (gate := self._slip_gate(word)) is not None:
                return gate
            else:
                fb = self.pack.command(word)
            return self._pack_step(fb)

    def _keep_lease(self) -> bool:
        """While an order is in hand, renew its lease when a third of the lease time has gone by since
        the last renewal (the sync thread normally does it first). Returns True when that renewal
        stopped the order in hand (lost, cancelled, held): the step about to run is then refused.
        Offline (as the sync thread last saw it) the bench packs on and the sync loop renews when back."""
        order = self.pack.order
        if self.pack.state not in PACKING or order is None or order.stopped or not order.lease_id:
            return False
        if self.status.state.online is False or not self.syncer.lease_is_stale(order.lease_id):
            return False
        try:
            stopped = self.syncer.renew([order.lease_id])
        except HubOffline:
            return False
        return order.number in stopped

    def stop_notice(self) -> Feedback | None:
        """The banner to show now when the order in hand was stopped by the hub (lost, cancelled, held).
        Reads the local store only (safe on the GUI thread, takes no lock)."""
        return self.pack.stopped_feedback()

    def _pack_step(self, fb: Feedback) -> Feedback:
        self.store.record("pack", self.pack.snapshot(), fb.events)
        if fb.events:
            self.syncer.kick()
        if self.pack.state != PackState.LABEL:
            return fb
        label_fb = self._label_step()
        self.store.record("pack", self.pack.snapshot(), label_fb.events)
        self.syncer.kick()
        self._print_slip()
        return Feedback(
            label_fb.kind,
            f"{fb.message} {label_fb.message}",
            accepted=label_fb.accepted,
            events=fb.events + label_fb.events,
        )

    def _label_step(self) -> Feedback:
        """Labels for the order just packed: print what the hub gives now, leave the rest pending."""
        number = self.pack.order_number
        assert number is not None
        jobs = self.store.pending_labels(number)
        try:
            if isinstance(self.labels, HubLabels):
                self.syncer.push()  # the hub must know the order is packed before it labels it
            order = self.store.order(number)
            if order is not None and order.lease_id:
                last = self.syncer.renewed_at.get(order.lease_id, 0.0)
                if time.monotonic() - last >= self.label_recheck_s:
                    self.syncer.renew([order.lease_id])  # pull a cancellation that came in meanwhile
        except HubOffline:
            return self.pack.labels_settled({}, [j.parcel_no for j in jobs])
        stop = self._stopped_reason(number)
        if stop is not None:
            for j in jobs:
                self.store.void_label(j.order_number, j.parcel_no)
            return self.pack.labels_settled({}, [], stopped_reason=stop)
        printed: dict[int, tuple[str, str]] = {}
        pending: list[int] = []
        for job in jobs:
            got = self._print(job)
            if got is None:
                pending.append(job.parcel_no)
            else:
                printed[job.parcel_no] = got
        return self.pack.labels_settled(printed, pending)

    def _print_slip(self) -> None:
        """The packing slip on the receipt printer, when the bench has one (a failure is shown, not fatal)."""
        order = self.pack.order
        if self.slip_printer is None or order is None or self.pack.state != PackState.SLIP:
            return
        to = order.ship_to
        names = {sku: (p.name if (p := self.store.product(sku)) else sku) for sku in order.lines}
        slip = PackingSlip(
            order_number=order.number,
            ship_to=tuple(str(to[k]) for k in ("name", "line1", "line2", "city", "postcode", "country") if to.get(k)),
            lines=tuple(SlipLine(sku, names[sku], q) for sku, q in order.lines.items()),
        )
        self.slips.add(slip)

    def _slip_gate(self, word: str) -> Feedback | None:
        """SLIP_DONE while this order's slip has not printed: try it again; refuse while it still will not."""
        number = self.pack.order_number
        if word != "SLIP_DONE" or self.pack.state != PackState.SLIP or not self.slips.still_waiting(number or ""):
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
            if self.pack.state not in (PackState.SLIP, PackState.DONE) or self.pack.order is None:
                return refused(FeedbackKind.NOT_ALLOWED, "Reprint works for the order just packed.")
            order = self.pack.order
            parcels = [p for p in self.pack.parcels if p.label == "printed"]
            if not parcels:
                return refused(FeedbackKind.NOT_ALLOWED, "No label was printed for this order yet.")
            done = 0
            for p in parcels:
                job = LabelJob(order.number, p.parcel_no, self._parcel_wire(p))
                with self._label_lock:
                    try:
                        label = self.labels.request(order, job.parcel)
                        assert self.printer is not None
                        self.printer.send(label.zpl)
                    except PrintUnconfirmed:
                        pass  # it is in the printer
                    except (LabelUnavailable, LabelRefused, DeviceError) as exc:
                        return refused(FeedbackKind.NOT_ALLOWED, f"Reprint failed: {exc}")
                done += 1
            return Feedback(FeedbackKind.LABEL_PRINTED, f"Reprinted {done} label(s) for {order.number}.")

    def void_labels(self, reason: str) -> Feedback:
        """Void the labels of the order just packed at the carrier. Only a supervisor signed in here may."""
        with self._lock:
            op = self.operator
            if op is None or op.role not in SUPERVISING_ROLES or not op.token:
                return refused(FeedbackKind.NOT_ALLOWED, "Voiding a label needs a supervisor signed in at this bench.")
            if not reason.strip():
                return refused(FeedbackKind.NOT_ALLOWED, "Say why the label is voided (type it, then void).")
            order = self.pack.order
            if self.pack.state not in (PackState.SLIP, PackState.DONE) or order is None:
                return refused(FeedbackKind.NOT_ALLOWED, "Void works for the order just packed.")
            voided = []
            for p in self.pack.parcels:
                if p.label != "printed":
                    continue
                try:
                    self.client.void_label(order.number, p.parcel_no, reason.strip(), op.token)
                except (HubOffline, HubRefused) as exc:
                    return refused(FeedbackKind.NOT_ALLOWED, f"Void failed: {exc}")
                p.label = "void"
                voided.append(p.parcel_no)
            self.store.record("pack", self.pack.snapshot(), ())
            if not voided:
                return refused(FeedbackKind.NOT_ALLOWED, "No printed label to void.")
            return Feedback(FeedbackKind.EXCEPTION, f"Voided label(s) {voided} of {order.number}: {reason.strip()}.")

    @staticmethod
    def _parcel_wire(p: Any) -> dict[str, Any]:
        return {"parcel_no": p.parcel_no, "carton_code": p.carton_code, "weight_g": p.weight_g, "items": p.items}

    def shift_report(self) -> dict[str, Any]:
        """The hub's shift report, as the signed-in supervisor (raises PermissionError for anyone else)."""
        op = self.operator
        if op is None or op.role not in SUPERVISING_ROLES or not op.token:
            raise PermissionError("sign in as a supervisor to see the shift report")
        return self.client.shift_report(op.token)

    def _stopped_reason(self, number: str) -> str | None:
        order = self.store.order(number)
        if order is not None and order.status == "cancelled":
            return "order cancelled"
        status, reason = self.store.event_outcome("order_packed", number)
        if status == "rejected":
            return reason or "the hub refused it"
        return None

    def _print(self, job: LabelJob) -> tuple[str, str] | None:
        """Get and print one label; (carrier, tracking) when it printed, None when it must wait."""
        order = self.store.order(job.order_number)
        if order is None or self.printer is None:
            return None
        with self._label_lock:
            try:
                label = self.labels.request(order, job.parcel)
            except LabelRefused as exc:  # e.g. the media cannot hold it, or the printer lacks a Unicode font
                message = f"label for {job.order_number}/{job.parcel_no}: {exc}"
                self.status.update(last_error=message, label_refused=message)
                return None
            except LabelUnavailable as exc:
                self.status.update(last_error=f"label for {job.order_number}/{job.parcel_no}: {exc}")
                return None
            self.status.update(label_refused="")
            try:
                self.printer.send(label.zpl)
            except PrintUnconfirmed as exc:  # it is in the printer: never send it twice
                self.status.update(last_error=str(exc))
            except DeviceError as exc:
                self.status.update(last_error=str(exc))
                return None
            self.labels_printed += 1
            return label.carrier, label.tracking_number

    def retry_pending_labels(self) -> int:
        """Print labels left pending (runs after each sync round). Returns how many printed."""
        done = 0
        for job in self.store.pending_labels():
            with self._lock:  # waits for a step in progress; the engine thread labels the order it just packed
                if self.store.label_status(job.order_number, job.parcel_no) != "pending":
                    continue
            if not self.store.event_acknowledged("order_packed", job.order_number):
                if self._stopped_reason(job.order_number) is not None:
                    self.store.void_label(job.order_number, job.parcel_no)
                continue
            if self._stopped_reason(job.order_number) is not None:
                self.store.void_label(job.order_number, job.parcel_no)
                continue
            got = self._print(job)
            if got is None:
                break  # hub or printer not ready: try again next round
            event = LabelPrinted(
                order_number=job.order_number,
                parcel_no=job.parcel_no,
                carrier=got[0],
                tracking_number=got[1],
                operator_badge=self.operator.badge if self.operator else "",
            )
            self.store.record(None, None, [event])
            done += 1
        if done:
            self.syncer.kick()
        return done

    # ------------------------------------------------------------------ returns
    def return_lookup(self, code: str) -> Feedback:
        """Look a return up at the hub by RMA number, return tracking number or order number."""
        self._require_enrolled()
        try:
            found = [RmaInfo.from_wire(r) for r in self.client.lookup_returns(code.strip())]
        except HubOffline:
            return refused(FeedbackKind.NOT_FOUND, "The hub is offline: returns can be looked up when it is back.")
        except HubRefused as exc:
            return refused(FeedbackKind.NOT_FOUND, str(exc))
        with self._lock:
            return self._return_step(self.returns.begin(found))

    def return_scan(self, raw: str) -> Feedback:
        with self._lock:
            if self.returns.state in (ReturnState.IDLE, ReturnState.DONE):
                return self.return_lookup(raw)
            return self._return_step(self.returns.scan(raw))

    def return_grade(self, condition: Condition) -> Feedback:
        with self._lock:
            return self._return_step(self.returns.grade(condition))

    def return_dispose(self, disposition: Disposition, bin_code: str | None = None) -> Feedback:
        with self._lock:
            return self._return_step(self.returns.dispose(disposition, bin_code))

    def return_finish(self) -> Feedback:
        with self._lock:
            fb, _event = self.returns.finish()
            return self._return_step(fb)

    def _return_step(self, fb: Feedback) -> Feedback:
        events: tuple[BenchEvent, ...] = fb.events
        self.store.record("returns", self.returns.snapshot(), events)
        if events:
            self.syncer.kick()
        return fb
