"""A channel edits an order after we stored it (Shopify ``orders/updated``, WooCommerce
``order.updated``): applied and routed again while nobody works on it, held for a person with the
difference once a bench has it, recorded when it is too late. Never dropped silently."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.domain.events import LabelPrinted
from app.hub import sync_models as sm
from tests.channels.signing import openssl_signature
from tests.channels.test_hub_webhooks import SECRETS, setup, shopify
from tests.channels.test_shopify import WEBHOOK
from tests.fakes.woocommerce import woo_order
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post

BERLIN = dict(WEBHOOK["shipping_address"], latitude=52.5, longitude=13.4)  # next to WH1
MUNICH = dict(WEBHOOK["shipping_address"], city="München", zip="80331", latitude=48.1, longitude=11.6)  # WH2


def order_of(hub: Hub, number: str) -> Any:
    return hub.ok("GET", f"/api/v1/orders/{number}")


def reserved(hub: Hub) -> dict[str, int]:
    return {r["location"]: r["reserved"] for r in hub.ok("GET", "/api/v1/stock", params={"sku": "SKU-1"})}


def edited(quantity: int, address: dict[str, Any], updated_at: str = "2026-11-20T13:00:00-05:00") -> dict[str, Any]:
    line = dict(WEBHOOK["line_items"][0], quantity=quantity)
    return dict(WEBHOOK, shipping_address=address, line_items=[line], updated_at=updated_at)


def test_shopify_edit_of_a_queued_order_is_applied_rerouted_and_rereserved(hub: Hub) -> None:
    setup(hub)
    number = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    assert order_of(hub, number)["location"] == "WH1"
    assert reserved(hub) == {"WH1": 2, "WH2": 0}
    r = shopify(hub, edited(3, MUNICH), topic="orders/updated", delivery="d-2")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["status"], body["note"]) == (False, "queued", "changed")
    assert {"quantity of SKU-1", "city", "postcode", "latitude", "longitude"} <= set(body["changes"])
    stored = order_of(hub, number)
    assert [(ln["sku"], ln["quantity"]) for ln in stored["lines"]] == [("SKU-1", 3)]
    assert stored["ship_to"]["city"] == "München"
    assert stored["location"] == "WH2" and "closest location" in stored["routing_reason"]
    assert reserved(hub) == {"WH1": 0, "WH2": 3}
    assert stored["changes"][0]["outcome"] == "applied"


def test_shopify_edit_of_a_leased_order_holds_it_with_the_difference_and_release_applies_it(hub: Hub) -> None:
    setup(hub)
    station = hub.station(location="WH1")
    number = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    assert [o["number"] for o in hub.lease(station)["orders"]] == [number]
    r = shopify(hub, edited(3, dict(BERLIN, city="Potsdam")), topic="orders/updated", delivery="d-2").json()
    assert r["status"] == "on_hold" and r["note"].startswith("held for a person")
    held = order_of(hub, number)
    assert "quantity of SKU-1 2 → 3" in held["hold_reason"] and "city Berlin → Potsdam" in held["hold_reason"]
    # What the bench is packing is unchanged until a person decides.
    assert [ln["quantity"] for ln in held["lines"]] == [2] and held["ship_to"]["city"] == "Berlin"
    assert held["changes"][0]["outcome"] == "held"
    assert reserved(hub) == {"WH1": 2, "WH2": 0}
    released = hub.ok("POST", f"/api/v1/orders/{number}/release")
    assert released["status"] == "queued" and [ln["quantity"] for ln in released["lines"]] == [3]
    assert released["ship_to"]["city"] == "Potsdam"
    assert reserved(hub) == {"WH1": 3, "WH2": 0}
    assert order_of(hub, number)["changes"][0]["outcome"] == "applied"


def packed_at_wh1(hub: Hub) -> tuple[str, dict[str, str]]:
    """The Berlin order leased and packed at WH1: (its number, the station's headers)."""
    setup(hub)
    hub.carton("BOX-M")
    station = hub.station(location="WH1")
    number: str = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    hub.lease(station)
    assert post(hub, station, [packed_event(number)])[0]["status"] == "applied"
    return number, station


def test_edit_of_a_packed_order_is_held_and_release_keeps_what_was_packed(hub: Hub) -> None:
    number, _station = packed_at_wh1(hub)
    r = shopify(hub, edited(1, BERLIN), topic="orders/updated", delivery="d-2").json()
    assert r["status"] == "on_hold" and "quantity of SKU-1 2 → 1" in order_of(hub, number)["hold_reason"]
    released = hub.ok("POST", f"/api/v1/orders/{number}/release")
    assert released["status"] == "packed" and [ln["quantity"] for ln in released["lines"]] == [2]
    assert order_of(hub, number)["changes"][0]["outcome"] == "dismissed"


def test_edit_of_a_shipped_order_is_recorded_and_answered_not_applied(hub: Hub) -> None:
    number, station = packed_at_wh1(hub)
    label = LabelPrinted(order_number=number, parcel_no=1, tracking_number="TR1", carrier="table")
    assert post(hub, station, [label.to_wire()])[0]["status"] == "applied"
    r = shopify(hub, edited(5, BERLIN), topic="orders/updated", delivery="d-2").json()
    assert r["status"] == "shipped" and r["note"] == "not applied (shipped): quantity of SKU-1 2 → 5"
    stored = hub.ok("GET", f"/api/v1/orders/{number}")
    assert stored["changes"][0]["outcome"] == "recorded"
    assert "change from shopify not applied" in stored["history"][-1]["note"]


def test_an_older_edit_arriving_after_a_newer_one_is_not_applied(hub: Hub) -> None:
    setup(hub)
    number = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    shopify(hub, edited(3, BERLIN, "2026-11-20T14:00:00-05:00"), topic="orders/updated", delivery="d-2")
    late = shopify(hub, edited(4, BERLIN, "2026-11-20T13:00:00-05:00"), topic="orders/updated", delivery="d-3")
    assert late.json()["note"].startswith("older than the version stored")
    assert [ln["quantity"] for ln in order_of(hub, number)["lines"]] == [3]
    assert reserved(hub) == {"WH1": 3, "WH2": 0}


def test_edit_naming_an_unknown_sku_is_refused_and_changes_nothing(hub: Hub) -> None:
    setup(hub)
    number = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    bad = dict(WEBHOOK, line_items=[dict(WEBHOOK["line_items"][0], sku="NOPE")])
    r = shopify(hub, bad, topic="orders/updated", delivery="d-2")
    assert r.status_code == 422 and "unknown SKU: NOPE" in r.json()["error"]
    assert [ln["sku"] for ln in order_of(hub, number)["lines"]] == ["SKU-1"]
    assert reserved(hub) == {"WH1": 2, "WH2": 0}
    with hub.factory() as s:
        assert s.scalars(select(sm.OrderChange)).all() == []


def test_payment_captured_later_releases_an_order_held_as_unpaid(hub: Hub) -> None:
    setup(hub)
    number = shopify(hub, dict(WEBHOOK, financial_status="pending", shipping_address=BERLIN)).json()["order"]
    assert order_of(hub, number)["status"] == "on_hold"
    r = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN), topic="orders/paid", delivery="d-2").json()
    assert r["status"] == "queued" and r["changes"] == ["paid"]
    assert reserved(hub) == {"WH1": 2, "WH2": 0}


def woo_update(hub: Hub, payload: dict[str, Any], delivery: str) -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Signature": openssl_signature(SECRETS["woocommerce"], body),
        "X-WC-Webhook-Delivery-ID": delivery,
    }
    return hub.client.post("/api/v1/channels/woocommerce/webhooks", content=body, headers=headers)


def test_woocommerce_update_changing_quantity_and_city_is_applied(hub: Hub) -> None:
    setup(hub)
    first = woo_update(hub, woo_order(1), "w-1").json()
    assert first["created"] and first["status"] == "queued"
    changed = woo_order(1)
    changed["line_items"] = [dict(changed["line_items"][0], quantity=4)]
    changed["shipping"] = dict(changed["shipping"], city="York", postcode="YO1 7HH")
    changed["date_modified_gmt"] = "2026-11-20T10:00:00"
    r = woo_update(hub, changed, "w-2").json()
    assert r["note"] == "changed" and r["status"] == "queued"
    stored = order_of(hub, first["order"])
    assert [ln["quantity"] for ln in stored["lines"]] == [4] and stored["ship_to"]["city"] == "York"
    assert sum(reserved(hub).values()) == 4


def test_an_edit_reverted_while_held_is_not_applied_on_release(hub: Hub) -> None:
    setup(hub)
    station = hub.station(location="WH1")
    number = shopify(hub, dict(WEBHOOK, shipping_address=BERLIN)).json()["order"]
    hub.lease(station)
    shopify(hub, edited(3, BERLIN, "2026-11-20T13:00:00-05:00"), topic="orders/updated", delivery="d-2")
    back = shopify(hub, edited(2, BERLIN, "2026-11-20T14:00:00-05:00"), topic="orders/updated", delivery="d-3")
    assert back.json()["note"] == "unchanged; the held change is void"
    released = hub.ok("POST", f"/api/v1/orders/{number}/release")
    assert released["status"] == "queued" and [ln["quantity"] for ln in released["lines"]] == [2]
    assert reserved(hub) == {"WH1": 2, "WH2": 0}
    assert [c["outcome"] for c in order_of(hub, number)["changes"]] == ["superseded"]
