"""Who is calling, and a short-lived in-process cache of it per token.

The cache spares each call the token lookup (issue 16). Revocation stays immediate in the process
that revokes (re-enrolment, ``revoke station``, sign-out empty the cache when their transaction
commits); another hub process sharing the database keeps a revoked principal for at most ``ttl``
seconds. A read that started before an emptying is never stored (generation check), so a
principal read just before a revocation cannot slip back in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.domain.operators import Role
from app.hub.services.clock import now
from app.hub.services.errors import Forbidden

DEFAULT_TTL_SECONDS = 15.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling: a station (and maybe an operator signed in at it), or an operator at the hub."""

    role: Role
    station_id: int | None = None
    station_name: str | None = None
    location_id: int | None = None
    location_code: str | None = None
    operator_id: int | None = None
    operator_badge: str | None = None

    def require_station(self) -> int:
        if self.station_id is None:
            raise Forbidden("this call is made from an enrolled bench station")
        return self.station_id


class PrincipalCache:
    """Principals by token digest, each for ``ttl`` seconds (never past its session's expiry)."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, datetime | None, Principal]] = {}
        self._generation = 0

    def generation(self) -> int:
        """Take this before reading the store; hand it to ``put``."""
        with self._lock:
            return self._generation

    def get(self, token_digest: str) -> Principal | None:
        with self._lock:
            entry = self._entries.get(token_digest)
            if entry is None:
                return None
            until, expires_at, principal = entry
            if until <= self._clock() or (expires_at is not None and expires_at < now()):
                del self._entries[token_digest]
                return None
            return principal

    def put(self, token_digest: str, principal: Principal, generation: int, expires_at: datetime | None) -> None:
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[token_digest] = (self._clock() + self.ttl, expires_at, principal)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
