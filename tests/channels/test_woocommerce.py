from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app.channels.base import ChannelError, Shipment
from app.channels.webhooks import verify_woocommerce_webhook
from app.channels.woocommerce import WooCommerceClient, order_from_rest
from tests.channels.signing import SHOPIFY_VECTORS, openssl_signature
from tests.fakes.server import serve
from tests.fakes.woocommerce import KEY, SECRET, FakeWoo, woo_order


@pytest.fixture
def fake() -> FakeWoo:
    return FakeWoo(orders=[woo_order(n) for n in range(5)], products={"SKU-1": 31, "SKU-2": 32})


@pytest.fixture
def site(fake: FakeWoo) -> Iterator[str]:
    with serve(fake.app()) as url:
        yield url


def woo(url: str, sleeps: list[float] | None = None, **kw: object) -> WooCommerceClient:
    record = sleeps.append if sleeps is not None else (lambda s: None)
    return WooCommerceClient(url, KEY, SECRET, sleep=record, per_page=2, **kw)  # type: ignore[arg-type]


def test_pull_reads_every_page_that_x_wp_totalpages_announces(fake: FakeWoo, site: str) -> None:
    orders = list(woo(site).pull_orders())
    assert [o.order.channel_order_id for o in orders] == ["700", "701", "702", "703", "704"]
    assert [r.split("?")[0] for r in fake.requests] == ["GET /wp-json/wc/v3/orders"] * 3
    assert "page=3" in fake.requests[-1]
    first = orders[0].order
    assert first.total.amount_minor == 2100 and first.lines[0].unit_price.amount_minor == 1050
    assert first.ship_to.name == "Ada Lovelace" and first.paid


def test_rate_limited_call_is_retried_after_retry_after(fake: FakeWoo, site: str) -> None:
    fake.rate_limit_next = 1
    sleeps: list[float] = []
    assert len(list(woo(site, sleeps).pull_orders())) == 5
    assert sleeps == [3.0]


def test_wrong_keys_are_refused_clearly(site: str) -> None:
    with pytest.raises(ChannelError, match="refused the API keys"):
        list(WooCommerceClient(site, "ck_bad", "cs_bad").pull_orders())


def test_shipment_adds_a_customer_note_with_tracking_and_completes_the_order(fake: FakeWoo, site: str) -> None:
    woo(site).push_shipment("702", Shipment("LC000000015GB", "localcourier", tracking_url="https://t.example/x"))
    assert fake.notes[702] == [
        {
            "id": 9000,
            "note": "Shipped with localcourier, tracking number LC000000015GB: https://t.example/x",
            "customer_note": True,
        }
    ]
    assert fake.orders[2]["status"] == "completed"


def test_available_stock_is_pushed_for_known_skus_only(fake: FakeWoo, site: str) -> None:
    woo(site).push_available({"SKU-1": 4, "SKU-2": -1, "NOT-SOLD-HERE": 9})
    assert fake.stock == {31: 4, 32: 0}


def test_pending_and_cancelled_orders_normalise_with_their_state() -> None:
    pending = order_from_rest(woo_order(1, status="pending"))
    assert not pending.order.paid and not pending.cancelled
    assert order_from_rest(woo_order(2, status="cancelled")).cancelled


def test_line_without_sku_is_refused() -> None:
    with pytest.raises(ChannelError, match="no SKU"):
        order_from_rest(woo_order(1, sku=""))


def test_a_woocommerce_signature_made_by_openssl_verifies_and_a_changed_body_or_secret_does_not() -> None:
    """WooCommerce publishes the scheme (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks:
    X-WC-Webhook-Signature, base64 HMAC-SHA256 of the payload with the webhook secret) but no example
    vector: the expected header is OpenSSL's, an implementation independent of ours."""
    body = json.dumps(woo_order(1)).encode()
    header = openssl_signature("woo-secret", body)
    assert verify_woocommerce_webhook(body, header, "woo-secret")
    assert not verify_woocommerce_webhook(body.replace(b"Leeds", b"Paris"), header, "woo-secret")
    assert not verify_woocommerce_webhook(body, header, "woo-secret2")
    assert not verify_woocommerce_webhook(body, header.lower(), "woo-secret")  # base64 is case-sensitive


@pytest.mark.parametrize(("secret", "body", "header"), SHOPIFY_VECTORS)
def test_the_published_hmac_sha256_base64_examples_verify_as_woocommerce_signatures(
    secret: str, body: bytes, header: str
) -> None:
    """The same scheme as Shopify's, so Shopify's published examples (tests/channels/signing.py) hold here."""
    assert verify_woocommerce_webhook(body, header, secret)
    assert not verify_woocommerce_webhook(body, header, secret.upper())
