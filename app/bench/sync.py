"""Sync between the bench's store and the hub, on a thread of its own (never the GUI thread).

One cycle: push the outbox in batches (oldest first; the hub applies each event id once, so a
batch repeated after a lost answer is answered ``duplicate`` and nothing doubles), renew the
leases (which pulls cancellations and holds of leased orders), top the queue up, and let the
engine print labels that were left pending. When the hub cannot be reached the loop waits with
exponential backoff and full jitter and tries again; meanwhile the bench packs from its store.

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
from typing import Any

from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.store import BenchStore


@dataclass(frozen=True)
class SyncState:
    """``online`` is None until the first contact with the hub."""

    online: bool | None = None
    outbox_depth: int = 0
    last_error: str = ""
    last_contact: datetime | None = None
    stopped_orders: tuple[str, ...] = ()


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
        self.renewed_at: dict[str, float] = {}  # lease id → time.monotonic() of its last renewal
        self.push_lock = threading.Lock()  # one push at a time, whichever thread asks
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._contacted = False  # this round reached the hub (see run_cycle)
        self.status.update(outbox_depth=store.outbox_depth())

    # ------------------------------------------------------------------ single steps (any thread)
    def push(self) -> PushResult:
        """Push the whole outbox in batches. Raises HubOffline when the hub cannot be reached."""
        total = PushResult()
        with self.push_lock:
            while True:
                batch = self.store.outbox_batch(self.batch_size)
                if not batch:
                    break
                try:
                    results = self.client.post_events([item.wire for item in batch])
                except HubRefused as exc:  # the whole batch refused (token revoked…): keep it, say why
                    self._offline(f"hub refused the events: {exc}")
                    raise HubOffline(str(exc)) from exc
                except HubOffline as exc:
                    self._offline(str(exc))
                    raise
                fault_point("after_push")
                self.store.mark_pushed(results)
                counts = {s: sum(1 for r in results if r["status"] == s) for s in ("applied", "duplicate", "rejected")}
                total = PushResult(
                    total.applied + counts["applied"],
                    total.duplicate + counts["duplicate"],
                    total.rejected + counts["rejected"],
                )
                self._online()
        return total

    def renew(self, lease_ids: list[str] | None = None) -> list[str]:
        """Renew leases (all active ones by default); returns order numbers the hub has stopped since last time."""
        stopped: list[str] = []
        for lease_id in lease_ids if lease_ids is not None else self.store.active_leases():
            try:
                answer = self.client.renew(lease_id, self.lease_seconds)
            except HubOffline as exc:
                self._offline(str(exc))
                raise
            except HubRefused:  # released or lost: nothing more to learn from it
                self.store.end_lease(lease_id)
                continue
            stopped += self.store.apply_renewal(answer)
            self.renewed_at[lease_id] = time.monotonic()
            if self.store.lease_is_finished(lease_id):
                self.store.end_lease(lease_id)
            self._online()
        if stopped:
            self.status.update(stopped_orders=tuple(stopped))
        return stopped

    def lease(self, batch_size: int | None = None) -> int:
        """Lease a batch from the location's queue; returns how many orders are new here."""
        try:
            answer = self.client.lease(batch_size or self.lease_batch, self.lease_seconds)
        except HubOffline as exc:
            self._offline(str(exc))
            raise
        self._online()
        if not answer.get("orders"):
            return 0
        return len(self.store.save_lease(answer))

    def run_cycle(self) -> None:
        """One round: push, renew, top up the queue, then the ``after_cycle`` hook (pending labels).

        A round with nothing to push or renew still asks the hub who this station is, so a freshly
        enrolled bench with an empty queue shows the hub online (and a revoked token shows) at once."""
        self._contacted = False
        self.push()
        self.renew()
        if self.keep_queued and len(self.store.orders_to_pack()) < self.keep_queued:
            self.lease()
        if self.after_cycle is not None:
            self.after_cycle()
        if not self._contacted:
            self._heartbeat()
        self.status.update(outbox_depth=self.store.outbox_depth())

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
            except HubOffline:
                # Offline: wait out the backoff whatever is kicked meanwhile (only stop cuts it short).
                self._stop.wait(self.backoff.next_delay())
                continue
            except Exception as exc:  # never let the sync thread die; the status shows what happened
                self.status.update(last_error=f"sync failed: {exc.__class__.__name__}: {exc}")
                self._stop.wait(self.backoff.next_delay())
                continue
            self.backoff.reset()
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def _online(self) -> None:
        self._contacted = True
        self.status.update(
            online=True,
            last_error="",
            last_contact=datetime.now(UTC),
            outbox_depth=self.store.outbox_depth(),
        )

    def _offline(self, why: str) -> None:
        self.status.update(online=False, last_error=why, outbox_depth=self.store.outbox_depth())
