"""Pulling orders from a channel into the hub, and pushing sellable stock back, over real sockets."""

from __future__ import annotations

from app.channels.shopify import ShopifyClient
from app.channels.woocommerce import WooCommerceClient
from app.hub.services.channel_sync import available_by_sku, pull_orders, push_stock
from app.hub.services.dom import OrderRules
from tests.fakes.server import serve
from tests.fakes.shopify import TOKEN, FakeShopify, shopify_order
from tests.fakes.woocommerce import KEY, SECRET, FakeWoo, woo_order
from tests.hub.conftest import Hub


def scene(hub: Hub) -> None:
    hub.location("WH1")
    hub.location("SHOP", ships=False)
    hub.product("SKU-1")
    hub.stock("WH1", "SKU-1", 10)
    hub.stock("SHOP", "SKU-1", 7)


def test_woocommerce_pull_stores_each_order_once_and_a_second_pull_changes_nothing(hub: Hub) -> None:
    scene(hub)
    fake = FakeWoo(orders=[woo_order(n) for n in range(3)] + [woo_order(9, status="cancelled")])
    with serve(fake.app()) as url:
        client = WooCommerceClient(url, KEY, SECRET, per_page=2)
        first = pull_orders(hub.factory, client, OrderRules())
        second = pull_orders(hub.factory, client, OrderRules())
    assert first == {
        "created": 3,
        "changed": 0,
        "held": 0,
        "unchanged": 1,
        "cancelled": 0,
        "failed": 0,
    }  # a cancel never stored is left alone
    assert second == {"created": 0, "changed": 0, "held": 0, "unchanged": 4, "cancelled": 0, "failed": 0}
    assert hub.ok("GET", "/api/v1/orders", params={"channel": "woocommerce"})["total"] == 3


def test_shopify_pull_with_an_unknown_sku_fails_that_order_only(hub: Hub) -> None:
    scene(hub)
    fake = FakeShopify(orders=[shopify_order(1), shopify_order(2, sku="NOPE"), shopify_order(3)])
    with serve(fake.app()) as url:
        counts = pull_orders(hub.factory, ShopifyClient(url, TOKEN, sleep=lambda s: None), OrderRules())
    assert counts == {"created": 2, "changed": 0, "held": 0, "unchanged": 0, "cancelled": 0, "failed": 1}


def test_stock_push_sends_available_units_of_shipping_locations_only(hub: Hub) -> None:
    scene(hub)
    hub.order("o1", {"SKU-1": 3})  # reserves 3 at WH1
    with hub.factory() as s:
        assert available_by_sku(s) == {"SKU-1": 7}
    fake = FakeWoo(products={"SKU-1": 55})
    with serve(fake.app()) as url:
        outcome = push_stock(hub.factory, {"woocommerce": WooCommerceClient(url, KEY, SECRET)})
    assert outcome == {"woocommerce": "1 SKUs sent"}
    assert fake.stock == {55: 7}
