"""One order pipeline: the same order through every way in ends in the same status, location and
reservation — the API, both webhooks, a pull, the CSV import (set-wise and order by order), a
hold released, a supervisor's re-route and a channel edit.

The scenes are chosen where the old second routing path (rank then distance, presence-only
address checks) answered differently from the domain rules: a full location by daily capacity and
a malformed postcode; and an order that ships in parts (one unit at each of two locations, splits
allowed), which every way in must split into the same two fulfilments."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from app.channels.base import ChannelOrder
from app.channels.csv_import import parse_orders
from app.channels.shopify import ShopifyClient
from app.domain.splits import SplitPolicies
from app.hub.database import unit_of_work
from app.hub.services import bulk_import, pipeline
from app.hub.services.channel_sync import pull_orders
from app.hub.services.dom import OrderRules
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.channels.test_hub_webhooks import SECRETS, shopify, woo
from tests.fakes.server import serve
from tests.fakes.shopify import TOKEN, FakeShopify, shopify_order
from tests.fakes.woocommerce import woo_order
from tests.hub.conftest import Hub

GOOD = "78701"
BAD = "7870"  # not a US ZIP: the domain's address check holds it


SPLIT = "split"  # the split scene (its orders have a good postcode)


def scene(hub: Hub, postcode: str) -> None:
    """WH1 is preferred (rank 1) but takes one order a day and already has it; WH2 is next. The
    split scene: one unit of SKU-1 at each, splits allowed."""
    if postcode == SPLIT:
        rules = OrderRules(splits=SplitPolicies.parse("allow"))
        hub.client.app.state.shipping = ShippingConfig(  # type: ignore[union-attr]
            carriers=[make_courier()], webhook_secrets=SECRETS, order_rules=rules
        )
        hub.location("WH1", rank=1)
        hub.location("WH2", rank=2)
        hub.product("SKU-1")
        hub.stock("WH1", "SKU-1", 1)
        hub.stock("WH2", "SKU-1", 1)
        return
    hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()], webhook_secrets=SECRETS)  # type: ignore[union-attr]
    hub.location("WH1", daily_capacity=1, rank=1)
    hub.location("WH2", rank=2)
    hub.product("SKU-1")
    hub.stock("WH1", "SKU-1", 10)
    hub.stock("WH2", "SKU-1", 10)
    first = hub.order("earlier", {"SKU-1": 1}, ship_to=address(GOOD))
    assert first["location"] == "WH1"


def rules(hub: Hub) -> OrderRules:
    cfg: ShippingConfig = hub.client.app.state.shipping  # type: ignore[union-attr]
    return cfg.order_rules


def address(postcode: str, city: str = "Austin") -> dict[str, Any]:
    postcode = GOOD if postcode == SPLIT else postcode
    return {
        "name": "Ada Lovelace",
        "line1": "1 Main St",
        "city": city,
        "region": "TX",
        "postcode": postcode,
        "country": "US",
    }


def via_api(hub: Hub, postcode: str) -> str:
    number: str = hub.order("X1", {"SKU-1": 2}, ship_to=address(postcode), customer_email="ada@example.com")["number"]
    return number


def shopify_payload(postcode: str, quantity: int = 2, city: str = "Austin") -> dict[str, Any]:
    postcode = GOOD if postcode == SPLIT else postcode
    return {
        "id": 5001,
        "name": "#5001",
        "email": "ada@example.com",
        "created_at": "2026-11-20T12:00:00Z",
        "updated_at": "2026-11-20T12:00:00Z" if quantity == 2 and city == "Austin" else "2026-11-20T11:00:00Z",
        "financial_status": "paid",
        "currency": "USD",
        "total_price": "25.00",
        "shipping_address": {
            "name": "Ada Lovelace",
            "address1": "1 Main St",
            "city": city,
            "province_code": "TX",
            "zip": postcode,
            "country_code": "US",
        },
        "billing_address": {"country_code": "US"},
        "line_items": [{"sku": "SKU-1", "name": "Widget", "quantity": quantity, "price": "12.50"}],
    }


def via_shopify_webhook(hub: Hub, postcode: str) -> str:
    r = shopify(hub, shopify_payload(postcode))
    assert r.status_code == 200, r.text
    number: str = r.json()["order"]
    return number


def via_channel_edit(hub: Hub, postcode: str) -> str:
    number = shopify(hub, shopify_payload(GOOD, quantity=1, city="Round Rock")).json()["order"]
    edit = dict(shopify_payload(postcode), updated_at="2026-11-20T13:00:00Z")
    assert shopify(hub, edit, topic="orders/updated", delivery="d-2").json()["note"] == "changed"
    return str(number)


def via_woo_webhook(hub: Hub, postcode: str) -> str:
    payload = woo_order(1)
    payload["billing"] = dict(payload["billing"], country="US")
    payload["shipping"] = dict(payload["shipping"], address_1="1 Main St", city="Austin", state="TX")
    payload["shipping"] |= {"postcode": address(postcode)["postcode"], "country": "US", "last_name": "Lovelace"}
    r = woo(hub, payload)
    assert r.status_code == 200, r.text
    return str(r.json()["order"])


def via_shopify_pull(hub: Hub, postcode: str) -> str:
    node = shopify_order(1, quantity=2)
    node["shippingAddress"] = dict(node["shippingAddress"], zip=address(postcode)["postcode"])
    node["shippingAddress"] |= {"latitude": None, "longitude": None}
    with serve(FakeShopify(orders=[node]).app()) as url:
        counts = pull_orders(hub.factory, ShopifyClient(url, TOKEN, sleep=lambda s: None), rules(hub))
    assert counts["created"] == 1
    return str(hub.ok("GET", "/api/v1/orders", params={"channel": "shopify"})["orders"][0]["number"])


CSV = "order_id,sku,quantity,ship_name,ship_line1,ship_city,ship_region,ship_postcode,ship_country\n"


def _csv_order(postcode: str) -> Any:
    result = parse_orders(CSV + f"C1,SKU-1,2,Ada Lovelace,1 Main St,Austin,TX,{address(postcode)['postcode']},US\n")
    assert not result.errors
    return result.orders[0]


def via_csv_batch(hub: Hub, postcode: str) -> str:
    with unit_of_work(hub.factory) as s:
        bulk_import.import_batch(s, [_csv_order(postcode)], rules(hub))
    return str(hub.ok("GET", "/api/v1/orders", params={"channel": "csv"})["orders"][0]["number"])


def via_csv_one_by_one(hub: Hub, postcode: str) -> str:
    with unit_of_work(hub.factory) as s:
        number = pipeline.ingest(s, ChannelOrder(_csv_order(postcode)), rules(hub)).number
    return number


def via_hold_release(hub: Hub, postcode: str) -> str:
    number = via_api(hub, postcode)
    hub.ok("POST", f"/api/v1/orders/{number}/hold", json={"reason": "customer called"})
    hub.ok("POST", f"/api/v1/orders/{number}/release")
    return number


def via_reroute(hub: Hub, postcode: str) -> str:
    number = via_api(hub, postcode)
    for body in ({"location": "WH2"}, {}):
        r = hub.client.post(f"/api/v1/orders/{number}/reroute", headers=hub.admin, json=body)
        assert r.status_code in (200, 409), r.text
    return number


ENTRY_POINTS: dict[str, Callable[[Hub, str], str]] = {
    "api": via_api,
    "shopify webhook": via_shopify_webhook,
    "woocommerce webhook": via_woo_webhook,
    "shopify pull": via_shopify_pull,
    "csv batch": via_csv_batch,
    "csv order by order": via_csv_one_by_one,
    "hold released": via_hold_release,
    "supervisor re-route": via_reroute,
    "channel edit": via_channel_edit,
}

EXPECTED = {
    GOOD: ("queued", "WH2", {"WH1": 1, "WH2": 2}),
    BAD: ("on_hold", None, {"WH1": 1, "WH2": 0}),
    SPLIT: ("split", None, {"WH1": 1, "WH2": 1}),
}
PARTS = {
    GOOD: [("WH2", "queued", 2)],
    BAD: [(None, "on_hold", 2)],
    SPLIT: [("WH1", "queued", 1), ("WH2", "queued", 1)],
}


@pytest.mark.parametrize(
    "postcode", [GOOD, BAD, SPLIT], ids=["capacity-full-first-choice", "malformed-postcode", "split-shipment"]
)
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_the_same_order_ends_the_same_whichever_way_it_came_in(hub: Hub, entry: str, postcode: str) -> None:
    scene(hub, postcode)
    number = ENTRY_POINTS[entry](hub, postcode)
    stored = hub.ok("GET", f"/api/v1/orders/{number}")
    reserved = {r["location"]: r["reserved"] for r in hub.ok("GET", "/api/v1/stock", params={"sku": "SKU-1"})}
    assert (stored["status"], stored["location"], reserved) == EXPECTED[postcode], json.dumps(stored, indent=1)
    assert [(ln["sku"], ln["quantity"]) for ln in stored["lines"]] == [("SKU-1", 2)]
    parts = [(f["location"], f["status"], f["lines"][0]["quantity"]) for f in stored["fulfilments"]]
    assert [p for p in parts if p[1] != "cancelled"] == PARTS[postcode]
    if postcode == GOOD:
        assert "WH1 daily capacity of 1 orders reached" in stored["routing_reason"]
    elif postcode == SPLIT:
        assert "ships in parts" in stored["routing_reason"]
    else:
        assert "postcode '7870' is not a valid US one" in stored["hold_reason"]
