"""A fake Shopify Admin GraphQL endpoint answering in the documented shapes.

It recognises our three operations by name (``query Orders``, ``query FulfillmentOrders``,
``mutation FulfillmentCreate``), pages orders by opaque cursors, reports query cost in
``extensions.cost`` and can be told to throttle (GraphQL ``THROTTLED`` or HTTP 429 + Retry-After).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "shpat_test_token"


def shopify_order(n: int, *, sku: str = "SKU-1", quantity: int = 1, cancelled: bool = False) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{1000 + n}",
        "legacyResourceId": str(1000 + n),
        "name": f"#{1000 + n}",
        "createdAt": "2026-11-20T09:00:00Z",
        "updatedAt": f"2026-11-20T10:{n % 60:02d}:00Z",
        "cancelledAt": "2026-11-21T10:00:00Z" if cancelled else None,
        "displayFinancialStatus": "PAID",
        "email": f"c{n}@example.com",
        "risk": {"recommendation": "ACCEPT"},
        "totalPriceSet": {"shopMoney": {"amount": "25.00", "currencyCode": "USD"}},
        "shippingAddress": {
            "name": "Ada Lovelace",
            "address1": "1 Main St",
            "address2": None,
            "city": "Austin",
            "provinceCode": "TX",
            "zip": "78701",
            "countryCodeV2": "US",
            "phone": None,
            "latitude": 30.27,
            "longitude": -97.74,
        },
        "billingAddress": {"countryCodeV2": "US"},
        "lineItems": {
            "edges": [
                {
                    "node": {
                        "sku": sku,
                        "name": "Widget",
                        "quantity": quantity,
                        "originalUnitPriceSet": {"shopMoney": {"amount": "12.50", "currencyCode": "USD"}},
                    }
                }
            ]
        },
    }


@dataclass
class FakeShopify:
    orders: list[dict[str, Any]] = field(default_factory=list)
    throttle_graphql: int = 0  # answer the next N calls with THROTTLED
    throttle_429: int = 0  # answer the next N calls with HTTP 429
    retry_after: str = "2"
    calls: list[dict[str, Any]] = field(default_factory=list)
    fulfillments: list[dict[str, Any]] = field(default_factory=list)
    fulfillment_status: dict[str, str] = field(default_factory=dict)
    remaining: dict[str, dict[str, int]] = field(default_factory=dict)  # fulfilment order → line item → units
    variants: dict[str, str] = field(default_factory=dict)  # sku -> InventoryItem GID
    inventory: dict[tuple[str, str], int] = field(default_factory=dict)  # (item, location) -> available
    down: bool = False  # answer every call 503, as a shop in maintenance does

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/admin/api/{version}/graphql.json", self.graphql, methods=["POST"])])

    def _cost(self, requested: int, available: float) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None if available < requested else requested,
                "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": available, "restoreRate": 50.0},
            }
        }

    async def graphql(self, request: Request) -> JSONResponse:
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return JSONResponse({"errors": "[API] Invalid API key or access token"}, status_code=401)
        body = json.loads(await request.body())
        query: str = body["query"]
        variables: dict[str, Any] = body.get("variables") or {}
        self.calls.append({"query": query, "variables": variables})
        if self.down:
            return JSONResponse({"errors": "Service Unavailable"}, status_code=503)
        if self.throttle_429:
            self.throttle_429 -= 1
            return JSONResponse({"errors": "Exceeded 2 calls per second"}, 429, {"Retry-After": self.retry_after})
        if self.throttle_graphql:
            self.throttle_graphql -= 1
            return JSONResponse(
                {
                    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                    "extensions": self._cost(752, 100.0),
                }
            )
        if "query Orders" in query:
            return JSONResponse({"data": self._orders(variables), "extensions": self._cost(252, 900.0)})
        if "query FulfillmentOrders" in query:
            return JSONResponse({"data": self._fulfillment_orders(variables["id"]), "extensions": self._cost(5, 990.0)})
        if "mutation FulfillmentCreate" in query:
            return JSONResponse({"data": self._fulfil(variables["fulfillment"]), "extensions": self._cost(10, 980.0)})
        if "query VariantBySku" in query:
            sku = variables["query"].removeprefix("sku:")
            item = self.variants.get(sku)
            edges = [] if item is None else [{"node": {"sku": sku, "inventoryItem": {"id": item}}}]
            return JSONResponse({"data": {"productVariants": {"edges": edges}}, "extensions": self._cost(3, 990.0)})
        if "mutation SetInventory" in query:
            data = variables["input"]
            for q in data["quantities"]:
                self.inventory[(q["inventoryItemId"], q["locationId"])] = q["quantity"]
            payload = {"inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/1"}, "userErrors": []}
            return JSONResponse({"data": {"inventorySetQuantities": payload}, "extensions": self._cost(10, 980.0)})
        return JSONResponse({"errors": [{"message": "unknown operation"}]})

    def _orders(self, v: dict[str, Any]) -> dict[str, Any]:
        start = 0
        if v.get("after"):
            start = int(base64.b64decode(v["after"]).decode().split(":")[1]) + 1
        chosen = self.orders
        search = v.get("query") or ""
        if search.startswith("updated_at:>="):
            since = search.removeprefix("updated_at:>=").strip("'")
            chosen = [o for o in self.orders if o["updatedAt"] >= since]
        page = chosen[start : start + int(v["first"])]
        edges = [
            {"cursor": base64.b64encode(f"cursor:{start + i}".encode()).decode(), "node": node}
            for i, node in enumerate(page)
        ]
        more = start + len(page) < len(chosen)
        return {
            "orders": {
                "edges": edges,
                "pageInfo": {"hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None},
            }
        }

    def _remaining(self, fo: str) -> dict[str, int]:
        """Units left to fulfil per fulfilment order line item id (``<fo>/<sku>``)."""
        if fo not in self.remaining:
            order = next(o for o in self.orders if o["id"] == fo.replace("/FulfillmentOrder/", "/Order/"))
            edges = order["lineItems"]["edges"]
            self.remaining[fo] = {f"{fo}/{e['node']['sku']}": int(e["node"]["quantity"]) for e in edges}
        return self.remaining[fo]

    def _fulfillment_orders(self, order_gid: str) -> dict[str, Any]:
        if not any(o["id"] == order_gid for o in self.orders):
            return {"order": None}
        fo = order_gid.replace("/Order/", "/FulfillmentOrder/")
        status = self.fulfillment_status.get(fo, "OPEN")
        items = [
            {"node": {"id": i, "remainingQuantity": q, "lineItem": {"sku": i.rsplit("/", 1)[1]}}}
            for i, q in self._remaining(fo).items()
        ]
        node = {"id": fo, "status": status, "lineItems": {"edges": items}}
        done = [{"trackingInfo": [f["trackingInfo"]]} for f in self.fulfillments if f["orderId"] == order_gid]
        return {"order": {"fulfillments": done, "fulfillmentOrders": {"edges": [{"node": node}]}}}

    def _fulfil(self, fulfillment: dict[str, Any]) -> dict[str, Any]:
        ids = [x["fulfillmentOrderId"] for x in fulfillment["lineItemsByFulfillmentOrder"]]
        if any(self.fulfillment_status.get(i) == "CLOSED" for i in ids):
            return {"fulfillmentCreate": {"fulfillment": None, "userErrors": [{"field": None, "message": "closed"}]}}
        for x in fulfillment["lineItemsByFulfillmentOrder"]:
            fo, left = x["fulfillmentOrderId"], self._remaining(x["fulfillmentOrderId"])
            for item in x.get("fulfillmentOrderLineItems") or [{"id": i, "quantity": q} for i, q in left.items()]:
                left[item["id"]] -= item["quantity"]
            if not any(left.values()):
                self.fulfillment_status[fo] = "CLOSED"
        order_gid = ids[0].replace("/FulfillmentOrder/", "/Order/") if ids else ""
        self.fulfillments.append({**fulfillment, "orderId": order_gid})
        gid = f"gid://shopify/Fulfillment/{len(self.fulfillments)}"
        return {"fulfillmentCreate": {"fulfillment": {"id": gid, "status": "SUCCESS"}, "userErrors": []}}
