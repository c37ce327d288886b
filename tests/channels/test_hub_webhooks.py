"""Channel webhooks at the hub: verified before anything is stored, applied once, routed with a reason."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from app.hub import models as m
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.channels.signing import SHOPIFY_VECTORS, openssl_signature
from tests.channels.test_shopify import WEBHOOK
from tests.fakes.woocommerce import woo_order
from tests.hub.conftest import Hub

SECRETS = {"shopify": "shp-secret", "woocommerce": "woo-secret"}


def setup(hub: Hub) -> None:
    hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()], webhook_secrets=SECRETS)  # type: ignore[union-attr]
    hub.location("WH1", latitude=52.52, longitude=13.40)
    hub.location("WH2", latitude=48.14, longitude=11.58, rank=1)
    hub.product("SKU-1")
    hub.stock("WH1", "SKU-1", 5)
    hub.stock("WH2", "SKU-1", 5)


def order_count(hub: Hub) -> int:
    with hub.factory() as s:
        return int(s.scalar(select(func.count(m.Order.id))) or 0)


def shopify(
    hub: Hub, payload: dict[str, Any], *, topic: str = "orders/create", delivery: str = "d-1", sig: str = ""
) -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sig or openssl_signature(SECRETS["shopify"], body),
        "X-Shopify-Webhook-Id": delivery,
        "Content-Type": "application/json",
    }
    return hub.client.post("/api/v1/channels/shopify/webhooks", content=body, headers=headers)


def test_signed_shopify_order_is_stored_validated_and_routed_with_the_reason(hub: Hub) -> None:
    setup(hub)
    payload = dict(WEBHOOK, shipping_address=dict(WEBHOOK["shipping_address"], latitude=52.5, longitude=13.4))
    r = shopify(hub, payload)
    assert r.status_code == 200, r.text
    assert r.json()["created"] and r.json()["status"] == "queued"
    stored = hub.ok("GET", f"/api/v1/orders/{r.json()['order']}")
    assert stored["location"] == "WH1"
    assert "closest location" in stored["routing_reason"]


def test_forged_webhook_is_rejected_and_stores_nothing(hub: Hub) -> None:
    setup(hub)
    r = shopify(hub, WEBHOOK, sig=openssl_signature("not-the-secret", json.dumps(WEBHOOK).encode()))
    assert r.status_code == 401
    assert order_count(hub) == 0


def test_replayed_webhook_creates_no_duplicate(hub: Hub) -> None:
    setup(hub)
    assert shopify(hub, WEBHOOK).json()["created"]
    replay = shopify(hub, WEBHOOK)
    assert replay.status_code == 200 and replay.json() == {"duplicate": True}
    # The same order again under a new delivery id (orders/updated) is still one order.
    assert not shopify(hub, WEBHOOK, topic="orders/updated", delivery="d-2").json()["created"]
    assert order_count(hub) == 1


def test_cancelled_webhook_cancels_the_order_and_releases_its_stock(hub: Hub) -> None:
    setup(hub)
    number = shopify(hub, WEBHOOK).json()["order"]
    r = shopify(hub, dict(WEBHOOK, cancelled_at="2026-11-21T10:00:00Z"), topic="orders/cancelled", delivery="d-9")
    assert r.json()["status"] == "cancelled"
    assert hub.ok("GET", f"/api/v1/orders/{number}")["status"] == "cancelled"
    assert all(row["reserved"] == 0 for row in hub.ok("GET", "/api/v1/stock", params={"sku": "SKU-1"}))


def test_unpaid_or_risky_order_goes_on_hold_with_the_reason(hub: Hub) -> None:
    setup(hub)
    r = shopify(hub, dict(WEBHOOK, financial_status="pending", billing_address={"country_code": "FR"}))
    stored = hub.ok("GET", f"/api/v1/orders/{r.json()['order']}")
    assert stored["status"] == "on_hold"
    assert stored["hold_reason"] == "payment not captured; billing country FR differs from shipping country DE"


def woo(hub: Hub, payload: dict[str, Any], *, secret: str = SECRETS["woocommerce"], delivery: str = "w-1") -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Signature": openssl_signature(secret, body),
        "X-WC-Webhook-Delivery-ID": delivery,
    }
    return hub.client.post("/api/v1/channels/woocommerce/webhooks", content=body, headers=headers)


def test_woocommerce_webhook_is_verified_stored_once_and_a_ping_stores_nothing(hub: Hub) -> None:
    setup(hub)
    ping = hub.client.post("/api/v1/channels/woocommerce/webhooks", content=b"webhook_id=12")
    assert ping.status_code == 200 and ping.json() == {"ignored": "ping"}
    assert woo(hub, woo_order(1), secret="forged").status_code == 401
    assert order_count(hub) == 0
    assert woo(hub, woo_order(1)).json()["created"]
    assert woo(hub, woo_order(1)).json() == {"duplicate": True}
    assert order_count(hub) == 1


def test_daily_capacity_reached_sends_the_next_order_to_the_next_location_and_says_so(hub: Hub) -> None:
    hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()], webhook_secrets=SECRETS)  # type: ignore[union-attr]
    hub.location("NEAR", latitude=52.52, longitude=13.40, daily_capacity=1)
    hub.location("FAR", latitude=48.14, longitude=11.58)
    hub.product("SKU-1")
    hub.stock("NEAR", "SKU-1", 5)
    hub.stock("FAR", "SKU-1", 5)
    near = dict(WEBHOOK["shipping_address"], latitude=52.5, longitude=13.4)
    first = shopify(hub, dict(WEBHOOK, shipping_address=near)).json()["order"]
    second = shopify(hub, dict(WEBHOOK, id=2, shipping_address=near), delivery="d-2").json()["order"]
    assert hub.ok("GET", f"/api/v1/orders/{first}")["location"] == "NEAR"
    again = hub.ok("GET", f"/api/v1/orders/{second}")
    assert again["location"] == "FAR"
    assert "NEAR daily capacity of 1 orders reached" in again["routing_reason"]


def test_the_hub_accepts_the_signature_of_a_published_shopify_example_and_refuses_it_for_another_secret(
    hub: Hub,
) -> None:
    """SQLPage's published Shopify example (tests/channels/signing.py): the body is not a whole order, so a
    verified delivery is refused for its content (4xx with ``error``), a forged one for its signature (401)."""
    secret, body, header = SHOPIFY_VECTORS[1]
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "v-1", "Content-Type": "application/json"}
    for key, expected in ((secret, "content"), ("shp-secret", "signature")):
        hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()], webhook_secrets={"shopify": key})  # type: ignore[union-attr]
        r = hub.client.post(
            "/api/v1/channels/shopify/webhooks", content=body, headers={**headers, "X-Shopify-Hmac-Sha256": header}
        )
        if expected == "signature":
            assert r.status_code == 401, r.text
        else:
            assert 400 <= r.status_code < 500 and r.status_code != 401, r.text
            assert r.json()["error"]
    assert order_count(hub) == 0
