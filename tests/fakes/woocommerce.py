"""A fake WooCommerce REST v3 API: paged orders with X-WP-Total(Pages), notes, status, products."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KEY, SECRET = "ck_test", "cs_test"


def woo_order(n: int, *, status: str = "processing", sku: str = "SKU-1") -> dict[str, Any]:
    return {
        "id": 700 + n,
        "number": str(700 + n),
        "status": status,
        "currency": "GBP",
        "total": "21.00",
        "date_created_gmt": "2026-11-20T09:00:00",
        "date_modified_gmt": "2026-11-20T09:30:00",
        "date_paid_gmt": "2026-11-20T09:01:00" if status in {"processing", "completed"} else None,
        "billing": {"first_name": "Ada", "last_name": "L", "country": "GB", "email": f"w{n}@example.com"},
        "shipping": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "",
            "address_1": "1 Park Row",
            "address_2": "",
            "city": "Leeds",
            "state": "",
            "postcode": "LS1 5AB",
            "country": "GB",
        },
        "line_items": [{"id": 1, "name": "Widget", "sku": sku, "quantity": 2, "price": 10.5}],
    }


@dataclass
class FakeWoo:
    orders: list[dict[str, Any]] = field(default_factory=list)
    products: dict[str, int] = field(default_factory=dict)  # sku -> product id
    rate_limit_next: int = 0
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    stock: dict[int, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lose_next_answer: int = 0  # store the next N notes but answer 502, as a proxy timing out does

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/wp-json/wc/v3/orders", self.list_orders, methods=["GET"]),
                Route("/wp-json/wc/v3/orders/{id:int}", self.update_order, methods=["PUT"]),
                Route("/wp-json/wc/v3/orders/{id:int}/notes", self.add_note, methods=["POST"]),
                Route("/wp-json/wc/v3/orders/{id:int}/notes", self.list_notes, methods=["GET"]),
                Route("/wp-json/wc/v3/products", self.find_products, methods=["GET"]),
                Route("/wp-json/wc/v3/products/batch", self.batch_products, methods=["POST"]),
            ]
        )

    def _guard(self, request: Request) -> Response | None:
        self.requests.append(f"{request.method} {request.url.path}?{request.url.query}")
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"code": "woocommerce_rest_cannot_view", "message": "Sorry"}, 401)
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            return JSONResponse({"code": "rate_limited"}, 429, {"Retry-After": "3"})
        return None

    async def list_orders(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", "10"))
        rows = self.orders[(page - 1) * per_page : page * per_page]
        pages = max(1, math.ceil(len(self.orders) / per_page))
        return JSONResponse(rows, headers={"X-WP-Total": str(len(self.orders)), "X-WP-TotalPages": str(pages)})

    async def update_order(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        order = next(o for o in self.orders if o["id"] == request.path_params["id"])
        order.update(json.loads(await request.body()))
        return JSONResponse(order)

    async def add_note(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = json.loads(await request.body())
        notes = self.notes.setdefault(request.path_params["id"], [])
        note = {"id": 9000 + len(notes), "note": body["note"], "customer_note": body.get("customer_note", False)}
        notes.append(note)
        if self.lose_next_answer:
            self.lose_next_answer -= 1
            return JSONResponse({"code": "bad_gateway"}, 502)
        return JSONResponse(note, 201)

    async def list_notes(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        return JSONResponse(list(reversed(self.notes.get(request.path_params["id"], []))))  # newest first

    async def find_products(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        sku = request.query_params.get("sku", "")
        pid = self.products.get(sku)
        return JSONResponse([] if pid is None else [{"id": pid, "sku": sku}])

    async def batch_products(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = json.loads(await request.body())
        for u in body.get("update", []):
            self.stock[u["id"]] = u["stock_quantity"]
        return JSONResponse({"update": body.get("update", [])})
