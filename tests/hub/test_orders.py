from __future__ import annotations

from sqlalchemy import func, select

from app.hub import models as m
from tests.hub.conftest import Hub


def count(hub: Hub, model: type[m.Base]) -> int:
    with hub.factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def available(hub: Hub, sku: str, location: str = "WH1") -> int:
    rows = hub.ok("GET", "/api/v1/stock", params={"sku": sku, "location": location})
    return int(rows[0]["available"])


def test_new_order_is_validated_routed_reserved_and_queued(hub: Hub) -> None:
    hub.scene(orders=0)
    order = hub.order("1001", {"A": 2, "B": 1})
    assert order["status"] == "queued"
    assert order["location"] == "WH1"
    assert order["number"].startswith("PB")
    assert "WH1" in order["routing_reason"]
    assert available(hub, "A") == 48
    full = hub.ok("GET", f"/api/v1/orders/{order['number']}")
    assert [h["status"] for h in full["history"]] == ["received", "validated", "routed", "queued"]


def test_the_same_channel_order_twice_is_stored_once(hub: Hub) -> None:
    hub.scene(orders=0)
    body = {
        "channel": "shopify",
        "channel_order_id": "X1",
        "lines": [{"sku": "A", "quantity": 1}],
        "ship_to": {"name": "A", "line1": "1 St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
    }
    first = hub.client.post("/api/v1/orders", headers=hub.admin, json=body)
    again = hub.client.post("/api/v1/orders", headers=hub.admin, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert count(hub, m.Order) == 1
    assert available(hub, "A") == 49


def test_unknown_sku_is_refused_with_its_name_and_nothing_is_stored(hub: Hub) -> None:
    hub.scene(orders=0)
    r = hub.client.post(
        "/api/v1/orders",
        headers=hub.admin,
        json={
            "channel": "web",
            "channel_order_id": "bad",
            "lines": [{"sku": "A", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
            "ship_to": {"name": "A", "line1": "1 St", "city": "Leeds", "postcode": "LS1", "country": "GB"},
        },
    )
    assert r.status_code == 422
    assert "NOPE" in r.json()["error"]
    assert count(hub, m.Order) == 0
    assert available(hub, "A") == 50


def test_negative_quantity_is_refused_and_nothing_is_stored(hub: Hub) -> None:
    hub.scene(orders=0)
    r = hub.client.post(
        "/api/v1/orders",
        headers=hub.admin,
        json={
            "channel": "web",
            "channel_order_id": "neg",
            "lines": [{"sku": "A", "quantity": -3}],
            "ship_to": {"name": "A", "line1": "1 St", "city": "Leeds", "postcode": "LS1", "country": "GB"},
        },
    )
    assert r.status_code == 422
    assert "quantity" in r.json()["error"]
    assert count(hub, m.Order) == 0


def test_negative_stock_adjustment_below_reserved_is_refused(hub: Hub) -> None:
    hub.scene(orders=0)
    hub.order("1", {"A": 40})
    r = hub.client.post(
        "/api/v1/stock/adjustments",
        headers=hub.admin,
        json={"location": "WH1", "sku": "A", "delta": -20, "reason": "damaged"},
    )
    assert r.status_code == 409
    assert "reserved" in r.json()["error"]
    assert available(hub, "A") == 10


def test_malformed_json_gets_a_clear_4xx_and_stores_nothing(hub: Hub) -> None:
    hub.scene(orders=0)
    r = hub.client.post(
        "/api/v1/orders", headers={**hub.admin, "content-type": "application/json"}, content=b'{"channel": "web", '
    )
    assert r.status_code == 422
    assert "JSON" in r.json()["error"]
    assert count(hub, m.Order) == 0


def test_oversized_payload_is_refused_with_413(hub: Hub) -> None:
    hub.scene(orders=0)
    big = b'{"channel": "' + b"x" * 2_000_000 + b'"}'
    r = hub.client.post("/api/v1/orders", headers={**hub.admin, "content-type": "application/json"}, content=big)
    assert r.status_code == 413
    assert "over" in r.json()["error"]
    assert count(hub, m.Order) == 0


def test_order_without_stock_anywhere_goes_on_hold_with_the_reason(hub: Hub) -> None:
    hub.scene(orders=0, units=1)
    order = hub.order("big", {"A": 5})
    assert order["status"] == "on_hold"
    assert "stock" in order["hold_reason"]
    assert available(hub, "A") == 1


def test_unpaid_order_is_held_and_released_once_the_admin_says_so(hub: Hub) -> None:
    hub.scene(orders=0)
    order = hub.order("unpaid", {"A": 1}, paid=False)
    assert order["status"] == "on_hold" and "payment" in order["hold_reason"]
    released = hub.ok("POST", f"/api/v1/orders/{order['number']}/release")
    # The hold is lifted; the order is validated again and is still unpaid, so it stays held.
    assert released["status"] == "on_hold"


def test_cancel_releases_the_reserved_stock(hub: Hub) -> None:
    hub.scene(orders=0)
    order = hub.order("c1", {"A": 3})
    assert available(hub, "A") == 47
    cancelled = hub.ok("POST", f"/api/v1/orders/{order['number']}/cancel", json={"reason": "customer asked"})
    assert cancelled["status"] == "cancelled"
    assert available(hub, "A") == 50
    again = hub.client.post(f"/api/v1/orders/{order['number']}/cancel", headers=hub.admin, json={"reason": "x"})
    assert again.status_code == 422


def test_orders_list_filters_by_status_and_search(hub: Hub) -> None:
    hub.scene(orders=3)
    hub.order("held", {"A": 1}, paid=False)
    listed = hub.ok("GET", "/api/v1/orders", params={"status": "on_hold"})
    assert listed["total"] == 1 and listed["orders"][0]["channel_order_id"] == "held"
    found = hub.ok("GET", "/api/v1/orders", params={"q": "o1"})
    assert [o["channel_order_id"] for o in found["orders"]] == ["o1"]


def test_hold_of_a_queued_order_and_release_puts_it_back_in_the_queue(hub: Hub) -> None:
    hub.scene(orders=1)
    number = hub.ok("GET", "/api/v1/orders")["orders"][0]["number"]
    held = hub.ok("POST", f"/api/v1/orders/{number}/hold", json={"reason": "address check"})
    assert held["status"] == "on_hold"
    back = hub.ok("POST", f"/api/v1/orders/{number}/release")
    assert back["status"] == "queued"
