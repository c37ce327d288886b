from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.channels.base import ChannelError, Shipment
from app.channels.shopify import ShopifyClient, order_from_webhook
from app.channels.webhooks import verify_shopify_webhook
from tests.channels.signing import SHOPIFY_VECTORS, openssl_signature
from tests.fakes.server import serve
from tests.fakes.shopify import TOKEN, FakeShopify, shopify_order


@pytest.fixture
def fake() -> FakeShopify:
    return FakeShopify(orders=[shopify_order(n) for n in range(7)])


@pytest.fixture
def shop_url(fake: FakeShopify) -> Iterator[str]:
    with serve(fake.app()) as url:
        yield url


def client(url: str, sleeps: list[float], **kw: object) -> ShopifyClient:
    return ShopifyClient(url, TOKEN, sleep=sleeps.append, page_size=3, **kw)  # type: ignore[arg-type]


def test_pull_follows_cursors_through_every_page_over_a_real_socket(fake: FakeShopify, shop_url: str) -> None:
    orders = list(client(shop_url, []).pull_orders())
    assert [o.order.channel_order_id for o in orders] == [str(1000 + n) for n in range(7)]
    assert len(fake.calls) == 3  # pages of 3, 3, 1
    assert fake.calls[1]["variables"]["after"] is not None
    first = orders[0]
    assert first.order.total.amount_minor == 2500 and first.order.lines[0].unit_price.amount_minor == 1250
    assert first.order.ship_to.country == "US" and first.order.ship_to.region == "TX"
    assert first.channel_ref == "gid://shopify/Order/1000"


def test_throttled_query_waits_for_the_bucket_to_refill_then_succeeds(fake: FakeShopify, shop_url: str) -> None:
    fake.throttle_graphql = 1
    sleeps: list[float] = []
    orders = list(client(shop_url, sleeps).pull_orders())
    assert len(orders) == 7
    # 752 points requested, 100 available, 50 restored per second: wait 13.04 s.
    assert sleeps == [pytest.approx(13.04)]


def test_http_429_is_retried_after_the_retry_after_seconds(fake: FakeShopify, shop_url: str) -> None:
    fake.throttle_429 = 2
    sleeps: list[float] = []
    assert len(list(client(shop_url, sleeps).pull_orders())) == 7
    assert sleeps == [2.0, 2.0]


def test_endless_throttling_gives_up_with_a_clear_error(fake: FakeShopify, shop_url: str) -> None:
    fake.throttle_429 = 99
    with pytest.raises(ChannelError, match="still throttling"):
        list(client(shop_url, [], max_attempts=3).pull_orders())


def test_wrong_token_is_reported_as_refused(shop_url: str) -> None:
    with pytest.raises(ChannelError, match="refused the access token"):
        list(ShopifyClient(shop_url, "wrong", sleep=lambda s: None).pull_orders())


def test_fulfilment_is_pushed_with_tracking_a_resend_writes_nothing_and_another_is_refused(
    fake: FakeShopify, shop_url: str
) -> None:
    shop = client(shop_url, [])
    gid = shop.push_shipment(
        "gid://shopify/Order/1003", Shipment("1Z999", "UPS", tracking_url="https://t.example/1Z999")
    )
    assert gid.startswith("gid://shopify/Fulfillment/")
    sent = fake.fulfillments[0]
    assert sent["trackingInfo"] == {"number": "1Z999", "company": "UPS", "url": "https://t.example/1Z999"}
    assert sent["lineItemsByFulfillmentOrder"] == [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1003"}]
    assert shop.push_shipment("gid://shopify/Order/1003", Shipment("1Z999", "UPS")) == ""  # found, not written
    assert len(fake.fulfillments) == 1
    with pytest.raises(ChannelError, match="nothing left to fulfil"):
        shop.push_shipment("gid://shopify/Order/1003", Shipment("1Z000", "UPS"))


def test_available_stock_is_set_per_inventory_item_at_our_location(fake: FakeShopify, shop_url: str) -> None:
    fake.variants = {"SKU-1": "gid://shopify/InventoryItem/1"}
    loc = "gid://shopify/Location/7"
    ShopifyClient(shop_url, TOKEN, sleep=lambda s: None, stock_location_id=loc).push_available({"SKU-1": 5, "X": 2})
    assert fake.inventory == {("gid://shopify/InventoryItem/1", loc): 5}


def test_cancelled_order_is_marked_cancelled() -> None:
    fake = FakeShopify(orders=[shopify_order(1, cancelled=True)])
    shop = ShopifyClient("http://shop.test", TOKEN, http=httpx.Client(transport=_asgi(fake)), sleep=lambda s: None)
    (only,) = list(shop.pull_orders())
    assert only.cancelled


def _asgi(fake: FakeShopify) -> httpx.BaseTransport:
    # httpx's ASGITransport is async-only; a MockTransport calling the app through Starlette's
    # TestClient gives the sync client the same answers without a socket.
    from starlette.testclient import TestClient

    tc = TestClient(fake.app())

    def handle(request: httpx.Request) -> httpx.Response:
        r = tc.request(request.method, request.url.path, content=request.content, headers=dict(request.headers))
        return httpx.Response(r.status_code, headers=r.headers, content=r.content)

    return httpx.MockTransport(handle)


WEBHOOK: dict[str, Any] = {
    "id": 820982911946154508,
    "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
    "name": "#9999",
    "email": "jon@example.com",
    "created_at": "2026-11-20T12:00:00-05:00",
    "updated_at": "2026-11-20T12:00:00-05:00",
    "cancelled_at": None,
    "financial_status": "paid",
    "currency": "EUR",
    "total_price": "59.90",
    "shipping_address": {
        "name": "Jon Doe",
        "address1": "Hauptstr. 1",
        "city": "Berlin",
        "zip": "10115",
        "country_code": "DE",
        "province_code": None,
    },
    "billing_address": {"country_code": "DE"},
    "line_items": [{"sku": "SKU-1", "name": "Widget", "quantity": 2, "price": "29.95"}],
}


@pytest.mark.parametrize(("secret", "body", "header"), SHOPIFY_VECTORS)
def test_a_published_shopify_signature_verifies_and_a_changed_body_or_secret_does_not(
    secret: str, body: bytes, header: str
) -> None:
    """The published examples in tests/channels/signing.py (the gist of make_hmac.py and SQLPage's Shopify
    HMAC test), each re-checked with openssl: the exact header Shopify would send for that raw body."""
    assert verify_shopify_webhook(body, header, secret)
    assert verify_shopify_webhook(body, f" {header}\n", secret)  # header whitespace is not part of it
    assert not verify_shopify_webhook(body + b" ", header, secret)  # the raw body, byte for byte
    assert not verify_shopify_webhook(body, header, secret + "x")
    assert not verify_shopify_webhook(body, None, secret)
    assert not verify_shopify_webhook(body, header, "")  # an unconfigured secret accepts nothing
    assert openssl_signature(secret, body) == header  # the oracle the hub tests sign with agrees


def test_a_shopify_order_signed_by_openssl_verifies_on_its_raw_bytes() -> None:
    body = json.dumps(WEBHOOK, indent=1).encode()  # not the bytes a re-serialisation would give
    header = openssl_signature("whsec", body)
    assert verify_shopify_webhook(body, header, "whsec")
    assert not verify_shopify_webhook(json.dumps(WEBHOOK).encode(), header, "whsec")


def test_webhook_order_normalises_into_the_domain_order() -> None:
    incoming = order_from_webhook(WEBHOOK)
    order = incoming.order
    assert (order.channel_order_id, order.number, order.paid) == ("820982911946154508", "#9999", True)
    assert order.total.amount_minor == 5990 and order.total.currency == "EUR"
    assert order.units() == {"SKU-1": 2}
    assert incoming.updated_at is not None and incoming.updated_at.hour == 17  # stored in UTC


def test_webhook_line_without_sku_is_refused() -> None:
    bad = dict(WEBHOOK, line_items=[{"sku": "", "name": "Gift card", "quantity": 1, "price": "10.00"}])
    with pytest.raises(ChannelError, match="no SKU"):
        order_from_webhook(bad)


def test_one_part_of_a_split_order_fulfils_only_its_line_items(fake: FakeShopify, shop_url: str) -> None:
    two_skus = shopify_order(9, sku="A", quantity=2)
    two_skus["lineItems"]["edges"].append({"node": {"sku": "B", "name": "Gadget", "quantity": 1}})
    fake.orders.append(two_skus)
    shop, gid = client(shop_url, []), "gid://shopify/Order/1009"
    shop.push_shipment(gid, Shipment("LC1", "localcourier", lines={"A": 2}, complete=False))
    fo = "gid://shopify/FulfillmentOrder/1009"
    assert fake.fulfillments[0]["lineItemsByFulfillmentOrder"] == [
        {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": [{"id": f"{fo}/A", "quantity": 2}]}
    ]
    assert fake.fulfillment_status.get(fo, "OPEN") == "OPEN"  # B is still to ship
    shop.push_shipment(gid, Shipment("LC2", "localcourier", lines={"B": 1}))
    assert shop.push_shipment(gid, Shipment("LC1", "localcourier", lines={"A": 2})) == ""  # a resend: nothing
    assert [f["trackingInfo"]["number"] for f in fake.fulfillments] == ["LC1", "LC2"]
    assert fake.fulfillment_status[fo] == "CLOSED"
