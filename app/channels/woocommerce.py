"""WooCommerce through the REST API v3 (``/wp-json/wc/v3``): pull orders, push status, tracking
notes and stock, read webhooks.

* ``GET /orders?page=N&per_page=M`` pages; the ``X-WP-TotalPages`` header says how many pages there
  are. ``modified_after`` (ISO 8601) resumes from the last pull.
* Authentication is HTTP Basic with the consumer key and secret (over HTTPS).
* A shipment becomes a customer note (``POST /orders/{id}/notes``) with the tracking number, and
  the order moves to ``completed`` (``PUT /orders/{id}``) once nothing is left to ship (a split
  order's parts are a note each). The notes are read first (``GET /orders/{id}/notes``): a note
  that names the tracking number already means the shipment got there before (a resend after a
  crash), so it is never written twice.
* Webhooks are signed in ``X-WC-Webhook-Signature`` (base64 HMAC-SHA256 of the body with the
  webhook's secret); the topic is in ``X-WC-Webhook-Topic`` (``order.created``, ``order.updated``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from app.channels.base import ChannelError, ChannelOrder, Shipment, to_minor
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.orders import Address, Order, OrderLine

PAID_STATUSES = {"processing", "completed"}
CANCELLED_STATUSES = {"cancelled", "refunded", "failed"}


class WooCommerceClient:
    def __init__(
        self,
        site_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        channel: str = "woocommerce",
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        per_page: int = 100,
        max_attempts: int = 6,
    ) -> None:
        self.channel = channel
        self.base = f"{site_url.rstrip('/')}/wp-json/wc/v3"
        self.http = http or httpx.Client(timeout=30.0)
        self.auth = httpx.BasicAuth(consumer_key, consumer_secret)
        self.sleep = sleep
        self.per_page = per_page
        self.max_attempts = max_attempts

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        for _attempt in range(self.max_attempts):
            try:
                resp = self.http.request(method, self.base + path, auth=self.auth, **kw)
            except httpx.TransportError as exc:
                raise ChannelError(f"WooCommerce unreachable: {exc}") from exc
            if resp.status_code == 429 or resp.status_code == 503:
                self.sleep(_retry_after(resp))
                continue
            if resp.status_code in (401, 403):
                raise ChannelError(f"WooCommerce refused the API keys ({resp.status_code})")
            if resp.status_code >= 400:
                raise ChannelError(f"WooCommerce {method} {path} answered {resp.status_code}: {resp.text[:200]}")
            return resp
        raise ChannelError(f"WooCommerce still rate-limiting after {self.max_attempts} attempts")

    def pull_orders(self, updated_since: datetime | None = None) -> Iterator[ChannelOrder]:
        params: dict[str, Any] = {"per_page": self.per_page, "orderby": "id", "order": "asc"}
        if updated_since is not None:
            params["modified_after"] = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            params["dates_are_gmt"] = "true"
        page = 1
        while True:
            resp = self._call("GET", "/orders", params={**params, "page": page})
            for raw in resp.json():
                yield order_from_rest(raw, self.channel)
            try:
                total_pages = int(resp.headers.get("X-WP-TotalPages", "1"))
            except ValueError as exc:
                raise ChannelError("WooCommerce sent a non-numeric X-WP-TotalPages") from exc
            if page >= total_pages:
                return
            page += 1

    def set_status(self, order_id: str, status: str) -> None:
        self._call("PUT", f"/orders/{order_id}", json={"status": status})

    def add_note(self, order_id: str, note: str, *, customer_note: bool = True) -> int:
        resp = self._call("POST", f"/orders/{order_id}/notes", json={"note": note, "customer_note": customer_note})
        return int(resp.json()["id"])

    def notes(self, order_id: str) -> list[str]:
        return [str(n.get("note") or "") for n in self._call("GET", f"/orders/{order_id}/notes").json()]

    def _add_note_once(self, order_id: str, note: str, tracking_number: str, *, customer_note: bool) -> None:
        """Add ``note`` unless a note holding ``tracking_number`` (and the note's first words) is there."""
        head = note.split(" ", 1)[0]
        if any(tracking_number in n and n.startswith(head) for n in self.notes(order_id)):
            return
        self.add_note(order_id, note, customer_note=customer_note)

    def push_shipment(self, channel_ref: str, shipment: Shipment) -> None:
        """Tell the customer (order note with the tracking; the items when it is one part of several)
        and complete the order when nothing is left to ship. Safe to repeat."""
        note = f"Shipped with {shipment.carrier}"
        if shipment.service:
            note += f" {shipment.service}"
        note += f", tracking number {shipment.tracking_number}"
        if shipment.tracking_url:
            note += f": {shipment.tracking_url}"
        if shipment.lines:
            note += " (" + ", ".join(f"{q} x {sku}" for sku, q in sorted(shipment.lines.items())) + ")"
        self._add_note_once(channel_ref, note, shipment.tracking_number, customer_note=shipment.notify_customer)
        if shipment.complete:
            self.set_status(channel_ref, "completed")

    def push_delivered(self, channel_ref: str, shipment: Shipment) -> None:
        note = f"Delivered ({shipment.carrier} {shipment.tracking_number})"
        self._add_note_once(channel_ref, note, shipment.tracking_number, customer_note=False)

    def push_available(self, available: Mapping[str, int]) -> None:
        """Set ``stock_quantity`` of each product found by SKU, in batches of 100 (``POST /products/batch``)."""
        updates: list[dict[str, Any]] = []
        for sku, qty in sorted(available.items()):
            found = self._call("GET", "/products", params={"sku": sku}).json()
            if not found:
                continue  # not sold on this store
            updates.append({"id": found[0]["id"], "manage_stock": True, "stock_quantity": max(0, qty)})
        for start in range(0, len(updates), 100):
            self._call("POST", "/products/batch", json={"update": updates[start : start + 100]})


def _retry_after(resp: httpx.Response) -> float:
    try:
        return max(0.0, float(resp.headers.get("Retry-After", "5")))
    except ValueError:
        return 5.0


def _gmt(value: Any) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def order_from_rest(raw: dict[str, Any], channel: str = "woocommerce") -> ChannelOrder:
    """A REST v3 order (also the body of an ``order.*`` webhook) as a domain order."""
    try:
        currency = str(raw.get("currency") or "USD")
        ship = raw.get("shipping") or {}
        bill = raw.get("billing") or {}
        if not ship.get("address_1"):
            ship = bill  # stores without a separate shipping form ship to the billing address
        lines = []
        for item in raw["line_items"]:
            if not item.get("sku"):
                raise ChannelError(f"line {item.get('name')!r} has no SKU")
            price = Money(to_minor(item.get("price") or 0, currency), currency)
            lines.append(OrderLine(str(item["sku"]), int(item["quantity"]), price, str(item.get("name") or "")))
        name = " ".join(p for p in (ship.get("first_name"), ship.get("last_name")) if p)
        status = str(raw.get("status") or "")
        order = Order(
            channel=channel,
            channel_order_id=str(raw["id"]),
            number=str(raw.get("number") or raw["id"]),
            lines=lines,
            ship_to=Address(
                name=name or str(ship.get("company") or ""),
                line1=str(ship.get("address_1") or ""),
                line2=str(ship.get("address_2") or ""),
                city=str(ship.get("city") or ""),
                region=str(ship.get("state") or ""),
                postcode=str(ship.get("postcode") or ""),
                country=str(ship.get("country") or ""),
                phone=str(ship.get("phone") or bill.get("phone") or ""),
                email=str(bill.get("email") or ""),
            ),
            created_at=_gmt(raw.get("date_created_gmt")),
            paid=status in PAID_STATUSES or bool(raw.get("date_paid_gmt")),
            total=Money(to_minor(raw.get("total") or "0", currency), currency),
            customer_email=str(bill.get("email") or ""),
            billing_country=str(bill.get("country") or "") or None,
        )
    except (KeyError, TypeError, ValueError, DomainError) as exc:
        raise ChannelError(f"WooCommerce order {raw.get('id')}: {exc}") from exc
    return ChannelOrder(
        order,
        cancelled=status in CANCELLED_STATUSES,
        updated_at=_gmt(raw.get("date_modified_gmt")),
        channel_ref=str(raw["id"]),
    )
