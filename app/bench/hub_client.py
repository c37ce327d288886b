"""The bench's one HTTP client to the hub (httpx, one long-lived connection pool).

Errors are translated here: ``HubOffline`` when the hub cannot be reached or fails (retry later),
``HubRefused`` when it answered no (4xx) with its reason (retrying the same request will not help).
"""

from __future__ import annotations

from typing import Any

import httpx


class HubOffline(Exception):
    """The hub did not answer (network down, hub stopped, 5xx). Work goes on offline."""


class HubRefused(Exception):
    """The hub answered with a refusal; ``status`` is the HTTP status, ``str()`` the hub's reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HubClient:
    """Calls the hub's ``/api/v1``. ``token`` is the station token (or an operator's for supervisor calls)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._http.close()

    def has_label_service(self) -> bool:
        """True when the hub offers the carrier label path (its API description lists a ``/label`` route)."""
        try:
            r = self._http.get("/openapi.json")
            paths = r.json().get("paths", {}) if r.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            return False
        return any(str(p).endswith("/label") for p in paths)

    def _call(self, method: str, path: str, *, token: str | None = None, **kw: Any) -> Any:
        headers = {}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            r = self._http.request(method, f"/api/v1{path}", headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise HubOffline(f"hub unreachable: {exc.__class__.__name__}: {exc}") from exc
        if r.status_code >= 500:
            raise HubOffline(f"hub error {r.status_code}")
        if r.status_code >= 400:
            try:
                reason = str(r.json().get("error") or r.text)
            except ValueError:
                reason = r.text
            raise HubRefused(r.status_code, reason)
        return r.json() if r.content else None

    def call(self, method: str, path: str, *, token: str | None = None, **kw: Any) -> Any:
        """Any ``/api/v1`` call (admin tools and scripts): errors as HubOffline / HubRefused."""
        return self._call(method, path, token=token, **kw)

    # ------------------------------------------------------------------ station and people
    def enrol(self, code: str) -> dict[str, Any]:
        """Spend a one-time enrolment code; the answer holds ``station_name``, ``location`` and ``token``."""
        out: dict[str, Any] = self._call("POST", "/enrol", json={"code": code})
        return out

    def sign_in(self, badge: str, pin: str) -> dict[str, Any]:
        """An operator signs in at this station; the answer holds ``token``, ``name``, ``role``, ``screens``."""
        out: dict[str, Any] = self._call("POST", "/sessions", json={"badge": badge, "pin": pin})
        return out

    # ------------------------------------------------------------------ queue and events
    def lease(self, batch_size: int, lease_seconds: int) -> dict[str, Any]:
        out: dict[str, Any] = self._call(
            "POST", "/queue/leases", json={"batch_size": batch_size, "lease_seconds": lease_seconds}
        )
        return out

    def renew(self, lease_id: str, lease_seconds: int) -> dict[str, Any]:
        out: dict[str, Any] = self._call(
            "POST", f"/queue/leases/{lease_id}/renew", json={"lease_seconds": lease_seconds}
        )
        return out

    def release(self, lease_id: str, order_numbers: list[str] | None = None) -> int:
        out = self._call("POST", f"/queue/leases/{lease_id}/release", json={"order_numbers": order_numbers})
        return int(out["released"])

    def post_events(self, wires: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send events; the answer says per event ``applied``, ``duplicate`` or ``rejected`` (with a reason)."""
        out = self._call("POST", "/events", json={"events": wires})
        results: list[dict[str, Any]] = out["results"]
        return results

    # ------------------------------------------------------------------ returns, labels, reports
    def lookup_returns(self, code: str) -> list[dict[str, Any]]:
        try:
            out: list[dict[str, Any]] = self._call("GET", "/returns/lookup", params={"code": code})
        except HubRefused as exc:
            if exc.status == 404:
                return []
            raise
        return out

    def request_label(self, order_number: str, parcel: dict[str, Any]) -> dict[str, Any]:
        """Ask the hub's carrier path for a parcel's label: ``carrier``, ``tracking_number``, ``zpl``."""
        out: dict[str, Any] = self._call(
            "POST", f"/orders/{order_number}/parcels/{parcel['parcel_no']}/label", json=parcel
        )
        return out

    def create_rma(
        self, token: str, order_number: str, lines: dict[str, int], return_tracking_number: str | None = None
    ) -> dict[str, Any]:
        """Authorise a return (a supervisor's call at the hub; the headless shift plays that part)."""
        body = {
            "order_number": order_number,
            "lines": [{"sku": k, "quantity": q} for k, q in lines.items()],
            "return_tracking_number": return_tracking_number,
        }
        out: dict[str, Any] = self._call("POST", "/returns", token=token, json=body)
        return out

    def cancel_order(self, token: str, order_number: str, reason: str) -> dict[str, Any]:
        out: dict[str, Any] = self._call("POST", f"/orders/{order_number}/cancel", token=token, json={"reason": reason})
        return out

    def void_label(self, order_number: str, parcel_no: int, reason: str, token: str) -> dict[str, Any]:
        """Void a parcel's label at the carrier (a supervisor's token)."""
        out: dict[str, Any] = self._call(
            "POST", f"/orders/{order_number}/parcels/{parcel_no}/void", token=token, json={"reason": reason}
        )
        return out

    def shift_report(self, token: str, since: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = self._call(
            "GET", "/reports/shift", token=token, params={"since": since} if since else None
        )
        return out

    def health(self) -> bool:
        try:
            r = self._http.get("/health")
        except httpx.HTTPError:
            return False
        return r.status_code == 200
