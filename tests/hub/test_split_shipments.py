"""Split shipments end to end: an order whose lines are stocked only at two locations becomes two
fulfilments, leased and packed at a bench at each location through the real API, labelled by the
table-rate carrier, and the WooCommerce fake is told twice, once per shipment with its tracking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.channels.woocommerce import WooCommerceClient
from app.domain.events import LabelPrinted
from app.domain.splits import SplitPolicies
from app.hub.jobs import outbox, tasks
from app.hub.services.dom import OrderRules
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.fakes.server import serve
from tests.fakes.woocommerce import KEY, SECRET, FakeWoo, woo_order
from tests.hub.conftest import Hub
from tests.hub.test_cli import packbench
from tests.hub.test_queue_and_events import packed_event, post


@pytest.fixture
def shop() -> Iterator[tuple[FakeWoo, str]]:
    fake = FakeWoo(orders=[woo_order(1)])  # WooCommerce order 701
    with serve(fake.app()) as url:
        yield fake, url


def two_locations(hub: Hub, url: str, policy: str = "woocommerce=allow") -> ShippingConfig:
    """WH1 has only A, WH2 only B; a bench at each; the WooCommerce channel under ``policy``."""
    client = WooCommerceClient(url, KEY, SECRET, sleep=lambda s: None)
    cfg = ShippingConfig(
        carriers=[make_courier()],
        channels={"woocommerce": client},
        order_rules=OrderRules(splits=SplitPolicies.parse(policy)),
    )
    hub.client.app.state.shipping = cfg  # type: ignore[union-attr]
    a_here_b_there(hub, 5)
    return cfg


def a_here_b_there(hub: Hub, units: int) -> None:
    """WH1 (preferred) has ``units`` of A only, WH2 as many of B only; a carton to pack them in."""
    hub.location("WH1", rank=1)
    hub.location("WH2", rank=2)
    hub.product("A")
    hub.product("B")
    hub.carton("BOX-M")
    hub.stock("WH1", "A", units)
    hub.stock("WH2", "B", units)


def stock(hub: Hub, location: str, sku: str) -> tuple[int, int]:
    row = hub.ok("GET", "/api/v1/stock", params={"sku": sku, "location": location})[0]
    return row["on_hand"], row["reserved"]


def ship(hub: Hub, station: dict[str, str], number: str) -> str:
    """Pack the fulfilment (one parcel), buy its label at the hub, print it: its tracking number."""
    assert post(hub, station, [packed_event(number)])[0]["status"] == "applied"
    body = {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
    r = hub.client.post(f"/api/v1/orders/{number}/parcels/1/label", headers=station, json=body)
    assert r.status_code == 200, r.text
    tracking: str = r.json()["tracking_number"]
    printed = LabelPrinted(order_number=number, parcel_no=1, tracking_number=tracking, carrier="localcourier")
    assert post(hub, station, [printed.to_wire()])[0]["status"] == "applied"
    return tracking


def lines_of(fulfilment: dict[str, Any]) -> dict[str, int]:
    return {ln["sku"]: ln["quantity"] for ln in fulfilment["lines"]}


def test_an_order_stocked_at_two_locations_ships_as_two_fulfilments_and_the_channel_hears_of_each(
    hub: Hub, shop: tuple[FakeWoo, str]
) -> None:
    fake, url = shop
    two_locations(hub, url)
    bench_1, bench_2 = hub.station("BENCH-1", "WH1"), hub.station("BENCH-2", "WH2")
    number = hub.order("701", {"A": 2, "B": 1}, channel="woocommerce")["number"]

    order = hub.ok("GET", f"/api/v1/orders/{number}")
    assert (order["status"], order["location"]) == ("split", None)
    parts = order["fulfilments"]
    assert [(f["number"], f["location"], f["status"], lines_of(f)) for f in parts] == [
        (f"{number}-1", "WH1", "queued", {"A": 2}),
        (f"{number}-2", "WH2", "queued", {"B": 1}),
    ]
    assert (stock(hub, "WH1", "A"), stock(hub, "WH2", "B")) == ((5, 2), (5, 1))

    # Each bench leases its own location's part, and only that.
    first = hub.lease(bench_1)["orders"]
    second = hub.lease(bench_2)["orders"]
    assert [o["number"] for o in first] == [f"{number}-1"] and [o["number"] for o in second] == [f"{number}-2"]

    one = ship(hub, bench_1, f"{number}-1")
    order = hub.ok("GET", f"/api/v1/orders/{number}")
    assert order["status"] == "partially_shipped"
    assert [t["tracking_number"] for t in order["fulfilments"][0]["tracking"]] == [one]
    assert [n["note"] for n in fake.notes[701]] == [f"Shipped with localcourier economy, tracking number {one} (2 x A)"]
    assert fake.orders[0]["status"] == "processing"  # something is still to ship

    two = ship(hub, bench_2, f"{number}-2")
    order = hub.ok("GET", f"/api/v1/orders/{number}")
    assert order["status"] == "shipped" and one != two
    assert [(f["status"], [t["tracking_number"] for t in f["tracking"]]) for f in order["fulfilments"]] == [
        ("shipped", [one]),
        ("shipped", [two]),
    ]
    notes = [n["note"] for n in fake.notes[701]]
    assert len(notes) == 2 and one in notes[0] and two in notes[1] and "1 x B" in notes[1]
    assert fake.orders[0]["status"] == "completed"
    assert (stock(hub, "WH1", "A"), stock(hub, "WH2", "B")) == ((3, 0), (4, 0))
    part = hub.ok("GET", f"/api/v1/orders/{number}-2")
    assert part["part_of"] == number and [f["number"] for f in part["fulfilments"]] == [f"{number}-2"]


def test_a_fulfilment_the_channel_took_before_a_crash_is_not_noted_twice(hub: Hub, shop: tuple[FakeWoo, str]) -> None:
    fake, url = shop
    cfg = two_locations(hub, url)
    bench_1 = hub.station("BENCH-1", "WH1")
    number = hub.order("701", {"A": 1, "B": 1}, channel="woocommerce")["number"]
    hub.lease(bench_1)
    fake.lose_next_answer = 1  # WooCommerce stores the note, the answer never arrives
    one = ship(hub, bench_1, f"{number}-1")
    assert len(fake.notes[701]) == 1
    with hub.factory.begin() as s:
        assert outbox.pending(s) == 1  # not known to be sent: it is sent again
        outbox.reset_claims(s)
    assert outbox.deliver(hub.factory, cfg.channels) == {"sent": 1, "failed": 0}
    assert [n["note"] for n in fake.notes[701]] == [f"Shipped with localcourier economy, tracking number {one} (1 x A)"]


def test_the_end_of_day_manifest_is_one_per_location_and_carrier(hub: Hub, shop: tuple[FakeWoo, str]) -> None:
    _fake, url = shop
    cfg = two_locations(hub, url)
    bench_1, bench_2 = hub.station("BENCH-1", "WH1"), hub.station("BENCH-2", "WH2")
    number = hub.order("701", {"A": 1, "B": 1}, channel="woocommerce")["number"]
    hub.lease(bench_1)
    hub.lease(bench_2)
    one, two = ship(hub, bench_1, f"{number}-1"), ship(hub, bench_2, f"{number}-2")
    r = hub.client.post("/api/v1/shipping/manifests", headers=hub.admin, json={"carrier": "localcourier"})
    assert r.status_code == 422 and "WH1, WH2: name the location" in r.json()["error"]
    at_2 = hub.ok("POST", "/api/v1/shipping/manifests", json={"carrier": "localcourier", "location": "WH2"})
    assert (at_2["location"], at_2["tracking_numbers"]) == ("WH2", [two])
    closed = tasks.close_days(hub.factory, cfg)
    assert closed.startswith("localcourier at WH1: manifest ") and closed.endswith("(1 parcels)") and one
    assert tasks.close_days(hub.factory, cfg) == "localcourier: no localcourier labels waiting for a manifest"


def test_close_day_on_the_command_line_makes_one_manifest_per_location(hub: Hub, shop: tuple[FakeWoo, str]) -> None:
    if hub.engine.dialect.name != "sqlite":
        pytest.skip("one database is enough for the command line; the manifests are shared code")
    _fake, url = shop
    two_locations(hub, url)
    bench_1, bench_2 = hub.station("BENCH-1", "WH1"), hub.station("BENCH-2", "WH2")
    number = hub.order("701", {"A": 1, "B": 1}, channel="woocommerce")["number"]
    hub.lease(bench_1)
    hub.lease(bench_2)
    ship(hub, bench_1, f"{number}-1")
    ship(hub, bench_2, f"{number}-2")
    db = hub.engine.url.render_as_string(hide_password=False)
    unknown = packbench("hub", "close-day", "--location", "NOWHERE", "--db", db)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "error: unknown location 'NOWHERE'"
    done = packbench("hub", "close-day", "--carrier", "localcourier", "--db", db)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["localcourier at WH1", "localcourier at WH2"]
    again = packbench("hub", "close-day", "--db", db)
    assert again.stdout.strip() == "localcourier: no localcourier labels waiting for a manifest"
