"""The order desk's hub calls, made as the supervisor (or admin) signed in at this bench.

No Qt here: the screen runs these on a worker thread. Anyone else signed in is refused before the
hub is asked (the hub refuses them anyway: its routes admit supervisors and admins only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.bench.engine import SUPERVISING_ROLES, Operator
from app.bench.hub_client import HubClient


class OrderDesk:
    """``operator`` answers who is signed in now (the engine's ``operator``)."""

    def __init__(self, client: HubClient, operator: Callable[[], Operator | None]) -> None:
        self.client = client
        self._operator = operator

    def _token(self) -> str:
        op = self._operator()
        if op is None or op.role not in SUPERVISING_ROLES or not op.token:
            raise PermissionError("sign in as a supervisor to use the order desk")
        return op.token

    def find(self, q: str) -> list[dict[str, Any]]:
        """Orders matching ``q`` exactly (number, channel id, customer e-mail or name, tracking)."""
        orders: list[dict[str, Any]] = self.client.find_orders(self._token(), q)["orders"]
        return orders

    def timeline(self, number: str) -> dict[str, Any]:
        return self.client.order_timeline(self._token(), number)

    def release(self, number: str) -> dict[str, Any]:
        return self.client.release_order(self._token(), number)

    def cancel(self, number: str, reason: str) -> dict[str, Any]:
        if not reason.strip():
            raise ValueError("say why the order is cancelled")
        return self.client.cancel_order(self._token(), number, reason.strip())

    def reroute(self, number: str, location: str) -> dict[str, Any]:
        return self.client.reroute_order(self._token(), number, location or None)

    def locations(self) -> list[str]:
        """The codes of the locations an order may be sent to (those that ship)."""
        return [loc["code"] for loc in self.client.locations(self._token()) if loc.get("ships", True)]
