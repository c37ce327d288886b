"""Sync between the bench's store and the hub, on a thread of its own (never the GUI thread).

One cycle: push the outbox in batches (oldest first; the hub applies each event id once, so a
batch repeated after a lost answer is answered ``duplicate`` and nothing doubles), renew the
leases (which pulls cancellations and holds of leased orders, and says which orders a lease has
lost; cycles come at least every third of the lease time), top the queue up, and let the
engine print labels that were left pending. When the hub cannot be reached the loop waits with
exponential backoff and full jitter and tries again; meanwhile the bench packs from its store.

A rejected event is parked as a dead letter (``dead_letters`` counts them) and never holds up the
events behind it. A hub that refuses the bench itself (401/403: token revoked) is shown as
``refused``, not as offline, and is asked again only once a minute.

``SyncStatus`` is the observable part: ``online``, ``outbox_depth``, ``last_error``. Subscribers
are called on the sync thread; a Qt UI re-emits them as a signal.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.outbox import OutboxItem
from app.bench.store import BenchStore


@dataclass(frozen=True)
class SyncState:
    """``online`` is None until the first contact with the hub."""

    online: bool | None = None
    outbox_depth: int = 0
    last_error: str = ""
    last_contact: datetime | None = None
    stopped_orders: tuple[str, ...] = ()
    dead_letters: int = 0  # events the hub rejected, parked for a supervisor (retry or discard)
    refused: str = ""  # the hub refuses this bench itself (token revoked, station removed): re-enrol
    slip_printer: str = ""  # why packing slips wait ("" when none is waiting)
    label_refused: str = ""  # why the last label could not be made for this printer ("" when it could)


class SyncStatus:
    """A tiny observable: ``subscribe(callback)`` gets every new ``SyncState``; returns an unsubscribe function."""

    def __init__(self) -> None:
        self._state = SyncState()
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[SyncState], None]] = []

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def online(self) -> bool:
        return bool(self._state.online)

    def subscribe(self, callback: Callable[[SyncState], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def update(self, **changes: Any) -> None:
        with self._lock:
            new = replace(self._state, **changes)
            if new == self._state:
                return
            self._state = new
            subscribers = list(self._subscribers)
        for cb in subscribers:
            cb(new)


@dataclass
class Backoff:
    """Exponential backoff with full jitter: the n-th wait is uniform in [0, min(cap, base * 2**n)] seconds."""

    base_s: float = 0.5
    cap_s: float = 30.0
    rng: random.Random | None = None
    failures: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * (2**self.failures))
        self.failures += 1
        return (self.rng or random).uniform(0, ceiling)

    def reset(self) -> None:
        self.failures = 0


_FAULTS: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Fault injection for the crash tests: ``PACKBENCH_FAULT=after_push:3`` SIGKILLs this process the
    3rd time it reaches ``after_push`` (the hub has applied the batch, the bench has not yet noted it)."""
    spec = os.environ.get("PACKBENCH_FAULT", "")
    if not spec.startswith(name + ":"):
        return
    _FAULTS[name] = _FAULTS.get(name, 0) + 1
    if _FAULTS[name] >= int(spec.split(":", 1)[1]):
        os.kill(os.getpid(), signal.SIGKILL)


class BenchRefused(HubOffline):
    """The hub refuses this bench's token (401/403): nothing it sends will be taken until it is enrolled again.

    A kind of HubOffline for callers (the bench packs on from its store), but the status says ``refused``
    and the loop does not retry it with the offline backoff."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


REFUSED_STATUSES = (401, 403)
_T = TypeVar("_T")


@dataclass(frozen=True)
class PushResult:
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0


class Syncer:
    """Moves data between ``store`` and the hub through ``client``. ``run_cycle`` does one round;
    ``start`` runs rounds on a daemon thread every ``interval_s`` seconds, or sooner after ``kick``."""

    def __init__(
        self,
        store: BenchStore,
        client: HubClient,
        status: SyncStatus | None = None,
        *,
        batch_size: int = 100,
        lease_batch: int = 20,
        lease_seconds: int = 1800,
        keep_queued: int = 0,
        interval_s: float = 2.0,
        backoff: Backoff | None = None,
        after_cycle: Callable[[], object] | None = None,
        refused_retry_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.client = client
        self.status = status or SyncStatus()
        self.batch_size = batch_size
        self.lease_batch = lease_batch
        self.lease_seconds = lease_seconds
        self.keep_queued = keep_queued
        self.interval_s = interval_s
        self.backoff = backoff or Backoff()
        self.after_cycle = after_cycle
        self.refused_retry_s = refused_retry_s
        self.clock = clock
        self.renewed_at: dict[str, float] = {}  # lease id → clock() of its last renewal (or of the lease)
        self.push_lock = threading.Lock()  # one push at a time, whichever thread asks
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._contacted = False  # this round reached the hub (see run_cycle)
        self.status.update(outbox_depth=store.outbox_depth(), dead_letters=store.dead_letter_count())

    # ------------------------------------------------------------------ single steps (any thread)
    def push(self) -> PushResult:
        """Push the whole outbox in batches. Raises HubOffline when the hub cannot be reached and
        BenchRefused when it refuses this bench; a rejected event is parked as a dead letter and the
        events behind it go on."""
        total = PushResult()
        with self.push_lock:
            while True:
                batch = self.store.outbox_batch(self.batch_size)
                if not batch:
                    break
                results = self._post(batch)
                fault_point("after_push")
                settled = self.store.mark_pushed(results, batch)
                counts = {s: sum(1 for r in results if r["status"] == s) for s in ("applied", "duplicate", "rejected")}
                total = PushResult(
                    total.applied + counts["applied"],
                    total.duplicate + counts["duplicate"],
                    total.rejected + counts["rejected"],
                )
                self._online()
                if not settled:  # an answer that settles nothing must not make this loop spin
                    break
        return total

    @property
    def renew_every_s(self) -> float:
        """A lease is renewed when a third of its time has gone by, well before it runs out."""
        return self.lease_seconds / 3

    def lease_is_stale(self, lease_id: str) -> bool:
        """True when ``lease_id`` was last renewed (or leased) a third of the lease time ago or more."""
        last = self.renewed_at.get(lease_id)
        return last is None or self.clock() - last >= self.renew_every_s

    def _post(self, batch: list[OutboxItem]) -> list[dict[str, Any]]:
        """The hub's answers for ``batch``. A batch the hub refuses as a whole (a 4xx other than 401/403)
        is sent again one event at a time, so only the event it cannot take is answered ``rejected``."""
        try:
            return self._ask(lambda: self.client.post_events([item.wire for item in batch]))
        except BenchRefused:
            raise
        except HubRefused as exc:
            if len(batch) == 1:
                return [{"event_id": batch[0].event_id, "status": "rejected", "reason": f"hub refused it: {exc}"}]
            return [r for item in batch for r in self._post([item])]

    def _ask(self, call: Callable[[], _T]) -> _T:
        """``call()`` with the hub's failures noted in the status: offline (HubOffline, retried with backoff)
        or this bench refused (BenchRefused); any other refusal is raised as it is."""
        try:
            return call()
        except HubOffline as exc:
            self._offline(str(exc))
            raise
        except HubRefused as exc:
            if exc.status in REFUSED_STATUSES:
                raise self._refused(exc) from exc
            raise

    def renew(self, lease_ids: list[str] | None = None) -> list[str]:
        """Renew leases (all active ones by default); returns order numbers the hub has stopped since last time.

        The hub answers per order ``held`` or ``lost`` (taken by another bench, cancelled, on hold,
        packed, released): a lost order still open here is stopped at once (its scans are refused).
        A lease the hub no longer knows as ours (403, 404, released) loses all its open orders.
        """
        stopped: list[str] = []
        for lease_id in lease_ids if lease_ids is not None else self.store.active_leases():
            try:
                answer = self.client.renew(lease_id, self.lease_seconds)
            except HubOffline as exc:
                self._offline(str(exc))
                raise
            except HubRefused as exc:
                if exc.status == 401:  # our token is refused: the lease is not lost, say why and go on
                    why = f"hub refused the lease renewal (HTTP 401: {exc}): re-enrol this bench"
                    self.status.update(refused=why, last_error=why)
                    continue
                # 403/404/422: the hub no longer knows this lease as ours, so its open orders are lost
                stopped += self.store.lose_lease(lease_id, f"the hub refused the lease: {exc}")
                self.store.end_lease(lease_id)
                continue
            stopped += self.store.apply_renewal(answer)
            self.renewed_at[lease_id] = self.clock()
            if self.store.lease_is_finished(lease_id):
                self.store.end_lease(lease_id)
            self._online()
        if stopped:
            self.status.update(stopped_orders=tuple(stopped))
        return stopped

    def lease(self, batch_size: int | None = None) -> int:
        """Lease a batch from the location's queue; returns how many orders are new here."""
        answer = self._ask(lambda: self.client.lease(batch_size or self.lease_batch, self.lease_seconds))
        self._online()
        if not answer.get("orders"):
            return 0
        self.renewed_at[str(answer["lease_id"])] = self.clock()
        return len(self.store.save_lease(answer))

    def run_cycle(self) -> None:
        """One round: push, renew, top up the queue, then the ``after_cycle`` hook (pending labels).

        A round with nothing to push or renew still asks the hub who this station is, so a freshly
        enrolled bench with an empty queue shows the hub online (and a revoked token shows) at once."""
        self._contacted = False
        self.push()
        self.renew()
        if self.keep_queued and len(self.store.orders_to_pack(self.keep_queued)) < self.keep_queued:
            self.lease()
        if self.after_cycle is not None:
            self.after_cycle()
        if not self._contacted:
            self._heartbeat()
        self.status.update(outbox_depth=self.store.outbox_depth(), dead_letters=self.store.dead_letter_count())

    def _heartbeat(self) -> None:
        try:
            self.client.call("GET", "/whoami")
        except HubRefused as exc:
            self._offline(f"hub refused this bench: {exc}")
            raise HubOffline(str(exc)) from exc
        except HubOffline as exc:
            self._offline(str(exc))
            raise
        self._online()

    # ------------------------------------------------------------------ the thread
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="bench-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def kick(self) -> None:
        """Run a cycle now (after a step wrote events) instead of at the next interval."""
        self.status.update(outbox_depth=self.store.outbox_depth())
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_cycle()
            except BenchRefused:
                # Retrying will not help until someone enrols the bench again; look once in a while.
                self._stop.wait(self.refused_retry_s)
                continue
            except HubOffline:
                # Offline: wait out the backoff whatever is kicked meanwhile (only stop cuts it short).
                self._stop.wait(self.backoff.next_delay())
                continue
            except Exception as exc:  # never let the sync thread die; the status shows what happened
                self.status.update(last_error=f"sync failed: {exc.__class__.__name__}: {exc}")
                self._stop.wait(self.backoff.next_delay())
                continue
            self.backoff.reset()
            self._wake.wait(min(self.interval_s, self.renew_every_s))  # leases renewed at 1/3 at the latest
            self._wake.clear()

    def _online(self) -> None:
        self._contacted = True
        self.status.update(
            online=True,
            last_error="",
            refused="",
            last_contact=datetime.now(UTC),
            outbox_depth=self.store.outbox_depth(),
            dead_letters=self.store.dead_letter_count(),
        )

    def _offline(self, why: str) -> None:
        self.status.update(online=False, last_error=why, outbox_depth=self.store.outbox_depth())

    def _refused(self, exc: HubRefused) -> BenchRefused:
        why = f"hub refused this bench (HTTP {exc.status}: {exc}): re-enrol it"
        self.status.update(online=False, refused=why, last_error=why, outbox_depth=self.store.outbox_depth())
        return BenchRefused(exc.status, str(exc))
