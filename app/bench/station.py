"""This bench as the hub knows it: its enrolment (station token, name, location) and its operators.

The station token and names live in the store's meta table; an operator's hub session is kept in
memory only. Signing in asks the hub (never under the engine's input lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.bench.hub_client import HubClient
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
    """Enrolment and sign-in for one bench over its ``store`` and hub ``client``."""

    def __init__(self, store: BenchStore, client: HubClient) -> None:
        self.store = store
        self.client = client
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
        """Ask the hub; the operator's role is remembered here (a supervisor's badge may override a weight)."""
        self.require_enrolled()
        answer = self.client.sign_in(badge, pin)
        op = Operator(answer["name"], answer["badge"], answer["role"], tuple(answer["screens"]), answer["token"])
        self.store.set_meta(f"operator_role:{op.badge.upper()}", op.role)
        return op

    def is_supervisor(self, badge: str) -> bool:
        return self.store.get_meta(f"operator_role:{badge.upper()}") in SUPERVISING_ROLES
