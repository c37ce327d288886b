"""The label-printing worker: it owns a parcel label's request, print, confirm and retry.

The engine hands it an order just packed (``label_order``, on the engine's input thread but never under
the lock that guards input); the sync loop hands it what was left pending (``retry_pending``, after each
round). An order is labelled by one of them at a time (``claim``), so a label is never printed twice; the
printer itself is driven through a ``PrintSpool``: a job that reached the printer without being confirmed
is held (counted as printed, never sent again), one that did not reach it stays pending for the next try.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.hub_client import HubOffline
from app.bench.label_jobs import LabelJob
from app.bench.labels import HubLabels, LabelRefused, LabelSource, LabelUnavailable
from app.bench.model import PackOrder
from app.bench.store import BenchStore
from app.bench.sync import Syncer, SyncStatus
from app.devices.printers.base import LabelPrinter
from app.devices.printers.spool import JobState, PrintSpool
from app.domain.events import LabelPrinted


@dataclass(frozen=True)
class LabelOutcome:
    """What labelling an order came to: ``printed`` maps parcel number to (carrier, tracking number)."""

    printed: dict[int, tuple[str, str]] = field(default_factory=dict)
    pending: list[int] = field(default_factory=list)
    stopped_reason: str | None = None


def parcel_wire(p: Any) -> dict[str, Any]:
    """A parcel in progress as the label request carries it."""
    return {"parcel_no": p.parcel_no, "carton_code": p.carton_code, "weight_g": p.weight_g, "items": p.items}


class LabelWorker:
    """Labels for one bench's printer. ``in_hand(number)`` tells whether the engine is labelling that order
    itself right now (the retry leaves it alone); ``operator_badge()`` goes on the events the retry writes."""

    def __init__(
        self,
        store: BenchStore,
        syncer: Syncer,
        labels: LabelSource,
        printer: LabelPrinter | None,
        status: SyncStatus,
        *,
        label_recheck_s: float = 0.0,
        in_hand: Callable[[str], bool] = lambda _number: False,
        operator_badge: Callable[[], str] = lambda: "",
    ) -> None:
        self.store = store
        self.syncer = syncer
        self.labels = labels
        self.printer = printer
        self.spool = PrintSpool(printer) if printer is not None else None
        self.status = status
        # Before a label prints, the order's lease is renewed (pulling a cancellation) unless it was
        # renewed less than this many seconds ago.
        self.label_recheck_s = label_recheck_s
        self.in_hand = in_hand
        self.operator_badge = operator_badge
        self.printed = 0
        self._claimed: set[str] = set()
        self._claims = threading.Condition()

    # ------------------------------------------------------------------ one order at a time
    @contextmanager
    def claim(self, number: str) -> Iterator[None]:
        """Hold order ``number`` for labelling (waits while the retry is printing it)."""
        with self._claims:
            self._claims.wait_for(lambda: number not in self._claimed)
            self._claimed.add(number)
        try:
            yield
        finally:
            self._release(number)

    def _try_claim(self, number: str) -> bool:
        with self._claims:
            if number in self._claimed:
                return False
            self._claimed.add(number)
            return True

    def _release(self, number: str) -> None:
        with self._claims:
            self._claimed.discard(number)
            self._claims.notify_all()

    # ------------------------------------------------------------------ the order just packed
    def label_order(self, number: str) -> LabelOutcome:
        """Print what the hub gives now for order ``number`` (call it inside ``claim``); the rest waits."""
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
            return LabelOutcome(pending=[j.parcel_no for j in jobs])
        stop = self.stopped_reason(number)
        if stop is not None:
            for j in jobs:
                self.store.void_label(j.order_number, j.parcel_no)
            return LabelOutcome(stopped_reason=stop)
        printed: dict[int, tuple[str, str]] = {}
        pending: list[int] = []
        for job in jobs:
            got = self._print(job)
            if got is None:
                pending.append(job.parcel_no)
            else:
                printed[job.parcel_no] = got
        return LabelOutcome(printed, pending)

    def stopped_reason(self, number: str) -> str | None:
        order = self.store.order(number)
        if order is not None and order.status == "cancelled":
            return "order cancelled"
        status, reason = self.store.event_outcome("order_packed", number)
        if status == "rejected":
            return reason or "the hub refused it"
        return None

    # ------------------------------------------------------------------ left pending
    def retry_pending(self) -> int:
        """Print labels left pending (runs after each sync round). Returns how many printed."""
        done = 0
        for job in self.store.pending_labels():
            if self.in_hand(job.order_number) or not self._try_claim(job.order_number):
                continue  # the engine is labelling it now
            try:
                if self.store.label_status(job.order_number, job.parcel_no) != "pending":
                    continue
                if self.stopped_reason(job.order_number) is not None:
                    self.store.void_label(job.order_number, job.parcel_no)
                    continue
                if not self.store.event_acknowledged("order_packed", job.order_number):
                    continue
                got = self._print(job)
                if got is None:
                    break  # hub or printer not ready: try again next round
                event = LabelPrinted(
                    order_number=job.order_number,
                    parcel_no=job.parcel_no,
                    carrier=got[0],
                    tracking_number=got[1],
                    operator_badge=self.operator_badge(),
                )
                self.store.record(None, None, [event])
                done += 1
            finally:
                self._release(job.order_number)
        if done:
            self.syncer.kick()
        return done

    # ------------------------------------------------------------------ again
    def reprint(self, order: PackOrder, parcels: Sequence[Any]) -> Feedback:
        """Print the labels of ``parcels`` again (the hub hands back the same label, no new charge)."""
        if self.spool is None:
            return refused(FeedbackKind.NOT_ALLOWED, "Reprint failed: no label printer is set up.")
        done = 0
        for p in parcels:
            try:
                label = self.labels.request(order, parcel_wire(p))
            except (LabelUnavailable, LabelRefused) as exc:
                return refused(FeedbackKind.NOT_ALLOWED, f"Reprint failed: {exc}")
            job = self.spool.submit(label.zpl)  # a new job: it is meant to print again
            self.spool.forget(job)
            if job.state is JobState.PENDING:
                return refused(FeedbackKind.NOT_ALLOWED, f"Reprint failed: {job.error}")
            done += 1
        return Feedback(FeedbackKind.LABEL_PRINTED, f"Reprinted {done} label(s) for {order.number}.")

    # ------------------------------------------------------------------ one label
    def _print(self, job: LabelJob) -> tuple[str, str] | None:
        """Get and print one label; (carrier, tracking) when it printed, None when it must wait."""
        order = self.store.order(job.order_number)
        if order is None or self.spool is None:
            return None
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
        printed = self.spool.submit(label.zpl, job_id=f"{job.order_number}/{job.parcel_no}/{label.tracking_number}")
        self.spool.forget(printed)  # the store keeps the outcome from here on
        if printed.state is JobState.PENDING:  # nothing reached the printer: try again later
            self.status.update(last_error=printed.error)
            return None
        if printed.state is JobState.HELD:  # it is in the printer: never send it twice
            self.status.update(last_error=printed.error)
        self.printed += 1
        return label.carrier, label.tracking_number
