"""Shopify through the Admin GraphQL API: pull orders, push fulfilments, read webhooks.

* Orders are pulled with ``orders(first:, after:, query:, sortKey: UPDATED_AT)`` and followed by
  ``pageInfo { hasNextPage endCursor }`` until the last page.
* Rate limits are calculated query costs in a leaky bucket: every answer carries
  ``extensions.cost.throttleStatus`` (``currentlyAvailable``, ``restoreRate`` points/second). A
  throttled call answers ``errors[].extensions.code == "THROTTLED"`` (or HTTP 429 with
  ``Retry-After``); we wait for the bucket to refill enough for the query and ask again.
* A shipment is pushed with ``fulfillmentCreate`` over the order's open fulfilment orders, with
  ``trackingInfo { company number url }``; one part of a split order names its line items and
  quantities (``fulfillmentOrderLineItems``). The order's fulfilments are read first: one with the
  shipment's tracking number already means a resend after a crash, and nothing is written again.
* Webhooks (``orders/create``, ``orders/updated``, ``orders/cancelled``) carry the REST order shape
  and are signed in ``X-Shopify-Hmac-Sha256``: see ``app.channels.webhooks``.
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

API_VERSION = "2025-01"
# Financial states in which the money is ours to ship against.
PAID_STATES = {"PAID", "PARTIALLY_REFUNDED"}
RISKY = {"CANCEL", "INVESTIGATE"}

ORDER_FIELDS = """
  id legacyResourceId name createdAt updatedAt cancelledAt displayFinancialStatus email
  risk { recommendation }
  totalPriceSet { shopMoney { amount currencyCode } }
  shippingAddress { name address1 address2 city provinceCode zip countryCodeV2 phone latitude longitude }
  billingAddress { countryCodeV2 }
  lineItems(first: 100) {
    edges { node { sku name quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  }
"""

ORDERS_QUERY = (
    "query Orders($first: Int!, $after: String, $query: String) {\n"
    "  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {\n"
    "    edges { cursor node {" + ORDER_FIELDS + "} }\n"
    "    pageInfo { hasNextPage endCursor }\n"
    "  }\n"
    "}\n"
)

FULFILLMENT_ORDERS_QUERY = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    fulfillments(first: 50) { trackingInfo { number } }
    fulfillmentOrders(first: 20) {
      edges { node { id status lineItems(first: 100) {
        edges { node { id remainingQuantity lineItem { sku } } }
      } } }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""

OPEN_FULFILLMENT_STATES = {"OPEN", "IN_PROGRESS"}

VARIANT_BY_SKU = """
query VariantBySku($query: String!) {
  productVariants(first: 1, query: $query) { edges { node { sku inventoryItem { id } } } }
}
"""

SET_INVENTORY = """
mutation SetInventory($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message }
  }
}
"""


class ShopifyClient:
    """``shop_url`` is ``https://{shop}.myshopify.com`` (a local fake in tests). ``sleep`` is injectable
    so tests can see the back-off without waiting."""

    def __init__(
        self,
        shop_url: str,
        access_token: str,
        *,
        channel: str = "shopify",
        api_version: str = API_VERSION,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = 50,
        max_attempts: int = 6,
        stock_location_id: str = "",
    ) -> None:
        self.channel = channel
        self.stock_location_id = stock_location_id  # the Shopify Location GID our stock is published as
        self.endpoint = f"{shop_url.rstrip('/')}/admin/api/{api_version}/graphql.json"
        self.http = http or httpx.Client(timeout=30.0)
        self.headers = {"X-Shopify-Access-Token": access_token, "Content-Type": "application/json"}
        self.sleep = sleep
        self.page_size = page_size
        self.max_attempts = max_attempts

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run one query; waits out throttling; returns ``data`` or raises ``ChannelError``."""
        for _attempt in range(self.max_attempts):
            try:
                resp = self.http.post(
                    self.endpoint, json={"query": query, "variables": variables}, headers=self.headers
                )
            except httpx.TransportError as exc:
                raise ChannelError(f"Shopify unreachable: {exc}") from exc
            if resp.status_code == 429:
                self.sleep(_retry_after(resp, default=2.0))
                continue
            if resp.status_code >= 500:
                self.sleep(2.0)
                continue
            if resp.status_code in (401, 403):
                raise ChannelError(f"Shopify refused the access token ({resp.status_code})")
            if resp.status_code != 200:
                raise ChannelError(f"Shopify answered {resp.status_code}: {resp.text[:200]}")
            body = resp.json()
            cost = (body.get("extensions") or {}).get("cost") or {}
            errors = body.get("errors") or []
            if any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
                self.sleep(_refill_seconds(cost))
                continue
            if errors:
                raise ChannelError("Shopify GraphQL error: " + "; ".join(str(e.get("message")) for e in errors))
            # Pace ourselves: if the bucket cannot pay for another query like this one, wait first.
            wait = _refill_seconds(cost)
            if wait > 0:
                self.sleep(wait)
            data: dict[str, Any] = body.get("data") or {}
            return data
        raise ChannelError(f"Shopify still throttling after {self.max_attempts} attempts")

    def pull_orders(self, updated_since: datetime | None = None) -> Iterator[ChannelOrder]:
        """Every order updated since ``updated_since`` (all when None), page by page."""
        search = None
        if updated_since is not None:
            search = f"updated_at:>='{updated_since.astimezone(UTC).isoformat().replace('+00:00', 'Z')}'"
        after: str | None = None
        while True:
            data = self.graphql(ORDERS_QUERY, {"first": self.page_size, "after": after, "query": search})
            conn = data.get("orders") or {}
            for edge in conn.get("edges") or []:
                yield order_from_graphql(edge["node"], self.channel)
            page = conn.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return
            after = page.get("endCursor")
            if not after:
                raise ChannelError("Shopify said there is a next page but gave no cursor")

    def push_shipment(self, channel_ref: str, shipment: Shipment) -> str:
        """Fulfil the open fulfilment orders of ``channel_ref`` (an Order GID) with tracking; returns the
        fulfilment's GID."""
        data = self.graphql(FULFILLMENT_ORDERS_QUERY, {"id": channel_ref})
        order = data.get("order")
        if not order:
            raise ChannelError(f"Shopify has no order {channel_ref}")
        done = {t.get("number") for f in order.get("fulfillments") or [] for t in f.get("trackingInfo") or []}
        if set(shipment.tracking_number.split(", ")) & done:
            return ""  # this shipment reached Shopify before (a resend after a crash)
        open_nodes = [
            e["node"] for e in order["fulfillmentOrders"]["edges"] if e["node"]["status"] in OPEN_FULFILLMENT_STATES
        ]
        if not open_nodes:
            raise ChannelError(f"Shopify order {channel_ref} has nothing left to fulfil")
        items: list[dict[str, Any]] = [{"fulfillmentOrderId": n["id"]} for n in open_nodes]
        if shipment.lines:
            items = _line_items(open_nodes, shipment.lines)
            if not items:
                raise ChannelError(f"Shopify order {channel_ref} has nothing left to fulfil of {dict(shipment.lines)}")
        tracking: dict[str, str] = {"number": shipment.tracking_number, "company": shipment.carrier}
        if shipment.tracking_url:
            tracking["url"] = shipment.tracking_url
        variables = {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": items,
                "trackingInfo": tracking,
                "notifyCustomer": shipment.notify_customer,
            }
        }
        result = self.graphql(FULFILLMENT_CREATE, variables)["fulfillmentCreate"]
        if result.get("userErrors"):
            raise ChannelError(
                "Shopify refused the fulfilment: " + "; ".join(e["message"] for e in result["userErrors"])
            )
        return str(result["fulfillment"]["id"])

    def push_delivered(self, channel_ref: str, shipment: Shipment) -> None:
        # Shopify learns deliveries from the carrier's tracking itself; nothing to send.
        return None

    def push_available(self, available: Mapping[str, int]) -> None:
        """Set the ``available`` quantity of each SKU's inventory item at ``stock_location_id``
        (``inventorySetQuantities``, absolute values: we are the source of truth)."""
        if not self.stock_location_id:
            raise ChannelError("no Shopify location configured for stock")
        quantities = []
        for sku, qty in sorted(available.items()):
            edges = self.graphql(VARIANT_BY_SKU, {"query": f"sku:{sku}"})["productVariants"]["edges"]
            if not edges:
                continue  # not sold on this store
            item = edges[0]["node"]["inventoryItem"]["id"]
            quantities.append({"inventoryItemId": item, "locationId": self.stock_location_id, "quantity": max(0, qty)})
        for start in range(0, len(quantities), 250):
            payload = {
                "name": "available",
                "reason": "correction",
                "ignoreCompareQuantity": True,
                "quantities": quantities[start : start + 250],
            }
            result = self.graphql(SET_INVENTORY, {"input": payload})["inventorySetQuantities"]
            if result.get("userErrors"):
                raise ChannelError(
                    "Shopify refused the stock: " + "; ".join(e["message"] for e in result["userErrors"])
                )


def _line_items(nodes: list[dict[str, Any]], lines: Mapping[str, int]) -> list[dict[str, Any]]:
    """The fulfilment order line items (and quantities) that ship ``lines`` (SKU → units)."""
    left = dict(lines)
    out: list[dict[str, Any]] = []
    for node in nodes:
        chosen = []
        for edge in (node.get("lineItems") or {}).get("edges") or []:
            item = edge["node"]
            sku = (item.get("lineItem") or {}).get("sku") or ""
            take = min(left.get(sku, 0), int(item.get("remainingQuantity") or 0))
            if take > 0:
                chosen.append({"id": item["id"], "quantity": take})
                left[sku] -= take
        if chosen:
            out.append({"fulfillmentOrderId": node["id"], "fulfillmentOrderLineItems": chosen})
    return out


def _retry_after(resp: httpx.Response, default: float) -> float:
    try:
        return max(0.0, float(resp.headers.get("Retry-After", default)))
    except ValueError:
        return default


def _refill_seconds(cost: dict[str, Any]) -> float:
    """Seconds until the bucket holds the query's requested cost again (0 when it already does)."""
    status = cost.get("throttleStatus") or {}
    try:
        need = float(cost.get("requestedQueryCost") or 0)
        have = float(status.get("currentlyAvailable", need))
        rate = float(status.get("restoreRate") or 50.0)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (need - have) / rate) if rate > 0 else 1.0


def _money(node: dict[str, Any] | None) -> Money:
    shop = (node or {}).get("shopMoney") or {"amount": "0", "currencyCode": "USD"}
    currency = str(shop["currencyCode"])
    return Money(to_minor(shop["amount"], currency), currency)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def order_from_graphql(node: dict[str, Any], channel: str = "shopify") -> ChannelOrder:
    """A GraphQL ``Order`` node as a domain order. Raises ``ChannelError`` when it cannot be one."""
    try:
        ship = node.get("shippingAddress") or {}
        lines = []
        for edge in node["lineItems"]["edges"]:
            item = edge["node"]
            if not item.get("sku"):
                raise ChannelError(f"line {item.get('name')!r} has no SKU")
            lines.append(
                OrderLine(
                    item["sku"], int(item["quantity"]), _money(item.get("originalUnitPriceSet")), item.get("name") or ""
                )
            )
        order = Order(
            channel=channel,
            channel_order_id=str(node["legacyResourceId"]),
            number=str(node.get("name") or ""),
            lines=lines,
            ship_to=Address(
                name=ship.get("name") or "",
                line1=ship.get("address1") or "",
                line2=ship.get("address2") or "",
                city=ship.get("city") or "",
                region=ship.get("provinceCode") or "",
                postcode=ship.get("zip") or "",
                country=ship.get("countryCodeV2") or "",
                phone=ship.get("phone") or "",
                email=node.get("email") or "",
                latitude=ship.get("latitude"),
                longitude=ship.get("longitude"),
            ),
            created_at=_time(node.get("createdAt")),
            paid=str(node.get("displayFinancialStatus") or "") in PAID_STATES,
            total=_money(node.get("totalPriceSet")),
            customer_email=node.get("email") or "",
            risk_flag=((node.get("risk") or {}).get("recommendation") in RISKY),
            billing_country=(node.get("billingAddress") or {}).get("countryCodeV2"),
        )
    except (KeyError, TypeError, ValueError, DomainError) as exc:
        raise ChannelError(f"Shopify order {node.get('name') or node.get('id')}: {exc}") from exc
    return ChannelOrder(
        order,
        cancelled=bool(node.get("cancelledAt")),
        updated_at=_time(node.get("updatedAt")),
        channel_ref=str(node["id"]),
    )


def order_from_webhook(payload: dict[str, Any], channel: str = "shopify") -> ChannelOrder:
    """An ``orders/*`` webhook body (the REST order resource) as a domain order."""
    try:
        currency = str(payload.get("currency") or "USD")
        ship = payload.get("shipping_address") or {}
        lines = []
        for item in payload["line_items"]:
            if not item.get("sku"):
                raise ChannelError(f"line {item.get('name')!r} has no SKU")
            price = Money(to_minor(item.get("price") or "0", currency), currency)
            lines.append(OrderLine(item["sku"], int(item["quantity"]), price, item.get("name") or ""))
        order = Order(
            channel=channel,
            channel_order_id=str(payload["id"]),
            number=str(payload.get("name") or ""),
            lines=lines,
            ship_to=Address(
                name=ship.get("name") or "",
                line1=ship.get("address1") or "",
                line2=ship.get("address2") or "",
                city=ship.get("city") or "",
                region=ship.get("province_code") or "",
                postcode=ship.get("zip") or "",
                country=ship.get("country_code") or "",
                phone=ship.get("phone") or "",
                email=payload.get("email") or "",
                latitude=ship.get("latitude"),
                longitude=ship.get("longitude"),
            ),
            created_at=_time(payload.get("created_at")),
            paid=str(payload.get("financial_status") or "").upper() in PAID_STATES,
            total=Money(to_minor(payload.get("total_price") or "0", currency), currency),
            customer_email=payload.get("email") or "",
            billing_country=(payload.get("billing_address") or {}).get("country_code"),
        )
    except (KeyError, TypeError, ValueError, DomainError) as exc:
        raise ChannelError(f"Shopify webhook order {payload.get('name') or payload.get('id')}: {exc}") from exc
    gid = payload.get("admin_graphql_api_id") or f"gid://shopify/Order/{payload['id']}"
    return ChannelOrder(
        order,
        cancelled=bool(payload.get("cancelled_at")),
        updated_at=_time(payload.get("updated_at")),
        channel_ref=str(gid),
    )
