"""The per-channel split policy (allow, never, after_days:N) and what a supervisor's cancel, hold,
release and re-route and a channel's edit do to an order that ships in parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from app.domain.splits import SplitPolicies
from app.hub import models as m
from app.hub.jobs import tasks
from app.hub.services import orders, pipeline
from app.hub.services.dom import OrderRules
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.hub.conftest import Hub
from tests.hub.test_split_shipments import a_here_b_there, lines_of, ship, stock


def scene(hub: Hub, policy: str) -> ShippingConfig:
    """WH1 has only A, WH2 only B; orders of the ``web`` channel under ``policy``."""
    cfg = ShippingConfig(carriers=[make_courier()], order_rules=OrderRules(splits=SplitPolicies.parse(policy)))
    hub.client.app.state.shipping = cfg  # type: ignore[union-attr]
    a_here_b_there(hub, 5)
    return cfg


def reserved(hub: Hub) -> tuple[int, int]:
    return stock(hub, "WH1", "A")[1], stock(hub, "WH2", "B")[1]


def get(hub: Hub, number: str) -> Any:
    return hub.ok("GET", f"/api/v1/orders/{number}")


def live(order: dict[str, Any]) -> list[tuple[str | None, str, dict[str, int]]]:
    return [(f["location"], f["status"], lines_of(f)) for f in order["fulfilments"] if f["status"] != "cancelled"]


def first_part_shipped(hub: Hub) -> tuple[str, dict[str, str]]:
    """An order split over WH1 and WH2 whose WH1 part has shipped; the WH1 bench's headers."""
    scene(hub, "allow")
    bench = hub.station("BENCH-1", "WH1")
    number: str = hub.order("o1", {"A": 1, "B": 1})["number"]
    hub.lease(bench)
    ship(hub, bench, f"{number}-1")
    return number, bench


def test_never_holds_the_order_as_before_and_it_is_its_own_single_fulfilment(hub: Hub) -> None:
    scene(hub, "web=never,*=allow")
    order = hub.order("o1", {"A": 1, "B": 1})
    assert order["status"] == "on_hold" and "splitting is not allowed" in order["hold_reason"]
    assert [(f["number"], f["location"], f["status"]) for f in order["fulfilments"]] == [
        (order["number"], None, "on_hold")
    ]
    assert reserved(hub) == (0, 0)


def test_allow_splits_at_once_and_an_order_one_location_can_fill_is_not_split(hub: Hub) -> None:
    scene(hub, "web=allow")
    split = hub.order("o1", {"A": 1, "B": 1})
    whole = hub.order("o2", {"A": 2})
    assert split["status"] == "split" and live(split) == [("WH1", "queued", {"A": 1}), ("WH2", "queued", {"B": 1})]
    assert whole["status"] == "queued" and live(whole) == [("WH1", "queued", {"A": 2})]
    listed = hub.ok("GET", "/api/v1/orders")["orders"]
    assert sorted(o["number"] for o in listed) == sorted([split["number"], whole["number"]])  # parts go under it


def test_after_days_waits_for_stock_then_splits_once_the_days_are_up(hub: Hub) -> None:
    cfg = scene(hub, "after_days:2")
    order = hub.order("o1", {"A": 1, "B": 1})
    assert order["status"] == "on_hold" and order["hold_reason"].startswith("waiting for stock: the order may ship")
    assert tasks.route_waiting(hub.factory, cfg) == "0 of 1 orders waiting for stock routed"
    with hub.factory.begin() as s:
        s.execute(update(m.Order).values(created_at=datetime.now(UTC) - timedelta(days=2, minutes=1)))
    assert tasks.route_waiting(hub.factory, cfg) == "1 of 1 orders waiting for stock routed"
    again = get(hub, order["number"])
    assert again["status"] == "split" and [f["location"] for f in again["fulfilments"]] == ["WH1", "WH2"]
    assert reserved(hub) == (1, 1)


def test_after_days_ships_whole_when_the_stock_comes_to_one_location_first(hub: Hub) -> None:
    cfg = scene(hub, "after_days:3")
    order = hub.order("o1", {"A": 1, "B": 1})
    hub.stock("WH1", "B", 1)
    assert tasks.route_waiting(hub.factory, cfg) == "1 of 1 orders waiting for stock routed"
    again = get(hub, order["number"])
    assert (again["status"], again["location"], live(again)) == ("queued", "WH1", [("WH1", "queued", {"A": 1, "B": 1})])


def test_cancelling_a_split_order_cancels_its_parts_and_gives_their_stock_back(hub: Hub) -> None:
    scene(hub, "allow")
    number = hub.order("o1", {"A": 1, "B": 1})["number"]
    cancelled = hub.ok("POST", f"/api/v1/orders/{number}/cancel", json={"reason": "customer asked"})
    assert cancelled["status"] == "cancelled" and [f["status"] for f in cancelled["fulfilments"]] == ["cancelled"] * 2
    assert reserved(hub) == (0, 0)


def test_cancelling_after_one_part_shipped_cancels_the_rest_and_the_order_counts_as_shipped(hub: Hub) -> None:
    number, _bench = first_part_shipped(hub)
    after = hub.ok("POST", f"/api/v1/orders/{number}/cancel", json={"reason": "B no longer wanted"})
    assert after["status"] == "shipped" and [f["status"] for f in after["fulfilments"]] == ["shipped", "cancelled"]
    assert stock(hub, "WH1", "A") == (4, 0) and stock(hub, "WH2", "B") == (5, 0)


def test_hold_and_release_of_a_split_order_act_on_its_parts(hub: Hub) -> None:
    scene(hub, "allow")
    bench = hub.station("BENCH-1", "WH1")
    number = hub.order("o1", {"A": 1, "B": 1})["number"]
    held = hub.ok("POST", f"/api/v1/orders/{number}/hold", json={"reason": "address check"})
    assert held["status"] == "split" and [f["status"] for f in held["fulfilments"]] == ["on_hold", "on_hold"]
    assert hub.lease(bench)["orders"] == [] and reserved(hub) == (1, 1)
    released = hub.ok("POST", f"/api/v1/orders/{number}/release")
    assert [f["status"] for f in released["fulfilments"]] == ["queued", "queued"]
    assert [o["number"] for o in hub.lease(bench)["orders"]] == [f"{number}-1"]


def test_a_reroute_replaces_waiting_parts_and_is_refused_once_a_bench_has_one(hub: Hub) -> None:
    scene(hub, "allow")
    number = hub.order("o1", {"A": 1, "B": 1})["number"]
    hub.stock("WH2", "A", 1)
    moved = hub.ok("POST", f"/api/v1/orders/{number}/reroute", json={"location": "WH2"})
    assert (moved["status"], moved["location"], live(moved)) == ("queued", "WH2", [("WH2", "queued", {"A": 1, "B": 1})])
    assert stock(hub, "WH1", "A") == (5, 0) and stock(hub, "WH2", "A") == (1, 1)
    other = hub.order("o2", {"A": 2, "B": 1})["number"]
    hub.lease(hub.station("BENCH-2", "WH2"))
    r = hub.client.post(f"/api/v1/orders/{other}/reroute", headers=hub.admin, json={})
    assert r.status_code == 409 and f"{other}-2 is leased" in r.json()["error"]


def test_a_channel_edit_of_a_split_order_nobody_took_routes_it_again(hub: Hub) -> None:
    scene(hub, "allow")
    number = hub.order("o1", {"A": 1, "B": 1})["number"]
    with hub.factory.begin() as s:
        row = orders.get_order(s, number)
        new = orders.NewOrder("web", "o1", [orders.NewOrderLine("A", 3, 1000)], dict(row.ship_to))
        outcome = pipeline.change(s, row, new, OrderRules(splits=SplitPolicies.parse("allow")), source="web")
    assert outcome.note == "changed"
    after = get(hub, number)
    assert (after["status"], after["location"], live(after)) == ("queued", "WH1", [("WH1", "queued", {"A": 3})])
    assert reserved(hub) == (3, 0)


def test_a_return_of_a_split_order_belongs_to_the_part_that_shipped_the_units(hub: Hub) -> None:
    number, bench = first_part_shipped(hub)
    both = {"order_number": number, "lines": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}]}
    r = hub.client.post("/api/v1/returns", headers=hub.admin, json=both)
    assert r.status_code == 422 and f"{number}-1: 1 x A" in r.json()["error"]
    rma = hub.ok("POST", "/api/v1/returns", json={"order_number": number, "lines": [{"sku": "A", "quantity": 1}]})
    assert rma["order_number"] == f"{number}-1"
    found = hub.ok("GET", "/api/v1/returns/lookup", headers=bench, params={"code": number})
    assert [f["number"] for f in found] == [rma["number"]]  # the bench at WH1 receives it


def test_a_channel_edit_while_a_bench_has_a_part_holds_every_part_not_packed_for_a_person(hub: Hub) -> None:
    scene(hub, "allow")
    number = hub.order("o1", {"A": 1, "B": 1})["number"]
    hub.lease(hub.station("BENCH-1", "WH1"))
    with hub.factory.begin() as s:
        row = orders.get_order(s, number)
        new = orders.NewOrder("web", "o1", [orders.NewOrderLine("A", 1, 1000)], dict(row.ship_to))
        outcome = pipeline.change(s, row, new, OrderRules(splits=SplitPolicies.parse("allow")), source="web")
    assert outcome.note.startswith("held for a person: quantity of B 1 → 0")
    after = get(hub, number)
    # As with an order that is not split: the bench's renewal then finds its part on hold.
    assert after["status"] == "split" and [f["status"] for f in after["fulfilments"]] == ["on_hold", "on_hold"]
    assert [c["outcome"] for c in after["changes"]] == ["held"]
    released = hub.ok("POST", f"/api/v1/orders/{number}/release")  # nothing packed yet: the change applies
    assert (released["status"], live(released)) == ("queued", [("WH1", "queued", {"A": 1})])
    assert reserved(hub) == (1, 0)
