"""This bench as the hub knows it: its enrolment (station token, name, location) and its operators.

The station token and names live in the store's meta table; an operator's hub session is kept in
memory only. Signing in asks the hub (never under the engine's input lock); with the hub down, an
operator who signed in online here recently is checked against this bench's cache (``operator_cache``)
and the session guard re-checks them when the hub answers again (``standing`` says what changed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.bench.hub_client import HubClient, HubOffline
from app.bench.operator_cache import OperatorCache
from app.bench.session_guard import SessionGuard, Standing
from app.bench.store import BenchStore

SUPERVISING_ROLES = ("supervisor", "admin")


@dataclass(frozen=True)
class Operator:
    name: str
    badge: str
    role: str
    screens: tuple[str, ...]
    token: str = ""  # the operator's hub session (kept in memory only)

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISING_ROLES and bool(self.token)


class NotEnrolled(Exception):
    """This bench has no station token yet: enrol it with a one-time code from the hub admin."""


class Station:
    """Enrolment and sign-in for one bench over its ``store`` and hub ``client``; offline sign-in from
    ``cache``, with ``guard`` told to re-check at the hub once it answers again."""

    def __init__(self, store: BenchStore, client: HubClient, cache: OperatorCache, guard: SessionGuard) -> None:
        self.store = store
        self.client = client
        self.cache = cache
        self.guard = guard
        self.client.token = store.get_meta("station_token")

    @property
    def enrolled(self) -> bool:
        return self.client.token is not None

    @property
    def name(self) -> str | None:
        return self.store.get_meta("station_name")

    @property
    def location(self) -> str | None:
        return self.store.get_meta("location")

    def require_enrolled(self) -> None:
        if not self.enrolled:
            raise NotEnrolled("this bench is not enrolled: enter the enrolment code from the hub admin")

    def enrol(self, code: str) -> tuple[str, str]:
        """Spend the one-time code; keeps the station token in the data folder. Returns (name, location)."""
        answer = self.client.enrol(code)
        self.store.set_meta("station_token", answer["token"])
        self.store.set_meta("station_name", answer["station_name"])
        self.store.set_meta("location", answer["location"])
        self.client.token = answer["token"]
        return str(answer["station_name"]), str(answer["location"])

    def sign_in(self, badge: str, pin: str) -> Operator:
        """Ask the hub; the operator's role is remembered here (a supervisor's badge may override a weight).
        With the hub down, an operator who signed in online here recently is checked against the cache
        (no hub session then; ``OfflineRefused`` with the reason otherwise)."""
        self.require_enrolled()
        try:
            answer = self.client.sign_in(badge, pin)
        except HubOffline:
            cached = self.cache.check(badge, pin)
            op = Operator(cached.name, cached.badge, cached.role, cached.screens)
            self.guard.due()
        else:
            op = Operator(answer["name"], answer["badge"], answer["role"], tuple(answer["screens"]), answer["token"])
            self.cache.remember(op.badge, pin, name=op.name, role=op.role, screens=op.screens)
        self.store.set_meta(f"operator_role:{op.badge.upper()}", op.role)
        return op

    def standing(self, st: Standing, op: Operator | None) -> tuple[Operator | None, str] | None:
        """The hub's word on an operator once it is back: the role is remembered (none when revoked); for
        ``op``, the operator signed in, (who is signed in now, what they should read) when it changed:
        revoked → nobody, new role → the same operator with it. None when nothing changes for them."""
        self.store.set_meta(f"operator_role:{st.badge.upper()}", st.role if st.active else "")
        if op is None or op.badge != st.badge or (st.active and st.role == op.role):
            return None
        if not st.active:
            return None, f"{op.name} was signed out: the hub no longer lists {op.badge} as an active operator."
        return replace(op, role=st.role, screens=st.screens), f"{op.name} is now {st.role} (changed at the hub)."

    def is_supervisor(self, badge: str) -> bool:
        return self.store.get_meta(f"operator_role:{badge.upper()}") in SUPERVISING_ROLES
