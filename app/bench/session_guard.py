"""Role changes and revocations reach the bench as soon as the hub answers again.

While the hub is down an operator may sign in from the bench's cache (``operator_cache``), and the hub
may meanwhile deactivate someone or change a role. When the sync loop reaches the hub again (the bench's
``SyncStatus`` turns online after being offline, or after an offline sign-in), the guard asks the hub for
the standing of every badge the bench keeps and of the operator signed in (one call, on a thread of its
own: never the GUI thread, never under the engine's input lock while it waits on the network). A revoked
or deactivated operator's verifier is deleted; a new role is kept. ``apply`` (the engine) then signs the
operator out or changes their role, and subscribers hear what changed (``subscribe``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.operator_cache import OperatorCache
from app.bench.sync import SyncState, SyncStatus

log = logging.getLogger("packbench.bench.session_guard")


@dataclass(frozen=True)
class Standing:
    """The hub's word on a badge: ``active`` False for a deactivated or unknown operator."""

    badge: str
    active: bool
    role: str
    screens: tuple[str, ...]


class SessionGuard:
    """See the module docstring. ``current()`` is the badge signed in now (or None); ``apply(standing)``
    acts on it and returns what the operator should read when it changed something (else None)."""

    def __init__(
        self,
        client: HubClient,
        cache: OperatorCache,
        status: SyncStatus,
        *,
        current: Callable[[], str | None],
        apply: Callable[[Standing], str | None],
    ) -> None:
        self.client = client
        self.cache = cache
        self.current = current
        self.apply = apply
        self.checks = 0  # how many checks reached the hub
        self._due = False
        self._was_online = status.state.online
        self._running = threading.Lock()
        self._done = threading.Event()
        self._done.set()
        self._subscribers: list[Callable[[str], None]] = []
        self._unsubscribe = status.subscribe(self._on_status)

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """``callback(notice)`` after a check changed the operator signed in (called on the guard's thread);
        returns the function that unsubscribes it."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def due(self) -> None:
        """A check is due the next time the hub answers (an operator signed in offline)."""
        self._due = True

    def close(self) -> None:
        self._unsubscribe()

    def wait(self, timeout_s: float) -> bool:
        """Wait for a check in progress to end (tests and shutdown); True when none is running."""
        return self._done.wait(timeout_s)

    def _on_status(self, state: SyncState) -> None:
        was, self._was_online = self._was_online, state.online
        if state.online and (was is False or self._due):
            self._due = False
            self._done.clear()
            threading.Thread(target=self._check_in_background, name="operator-check", daemon=True).start()

    def _check_in_background(self) -> None:
        try:
            self.check_now()
        finally:
            self._done.set()

    def check_now(self) -> list[Standing]:
        """Ask the hub now and act on the answer; [] when the hub did not answer (a check stays due)."""
        with self._running:
            badges = self.cache.badges()
            signed_in = self.current()
            if signed_in and signed_in not in badges:
                badges.append(signed_in)
            if not badges:
                return []
            try:
                answer = self.client.call("POST", "/operators/standing", json={"badges": badges[:200]})
            except HubOffline:
                self._due = True
                return []
            except HubRefused as exc:
                log.warning("the hub refused the operator check: %s", exc)
                return []
            self.checks += 1
            found = [
                Standing(str(a["badge"]), bool(a["active"]), str(a["role"] or ""), tuple(a["screens"])) for a in answer
            ]
            for st in found:
                if not st.active:
                    self.cache.forget(st.badge)
                else:
                    self.cache.update_role(st.badge, st.role, st.screens)
            for st in found:
                notice = self.apply(st)
                if notice:
                    for cb in list(self._subscribers):
                        cb(notice)
            return found
