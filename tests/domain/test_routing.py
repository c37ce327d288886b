from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.domain.catalog import Location, LocationKind, StockLevel
from app.domain.errors import InsufficientStock
from app.domain.orders import Address, Order, OrderLine, OrderStatus, OrderType
from app.domain.routing import (
    AcceptsOrderType,
    ClosestLocation,
    DailyCapacity,
    FewestSplits,
    LocationRanking,
    RoutingContext,
    RoutingPolicy,
    StockAvailable,
    reserve_decision,
    route,
)

# Leeds customer; Leeds warehouse is ~0 km, Manchester ~60 km, London ~270 km away.
LEEDS = (53.7997, -1.5492)
WH_LEEDS = Location("LDS", "Leeds DC", latitude=53.80, longitude=-1.55, rank=50)
WH_MAN = Location("MAN", "Manchester DC", latitude=53.48, longitude=-2.24, rank=10)
WH_LON = Location("LON", "London DC", latitude=51.51, longitude=-0.13, rank=20, daily_capacity=100)
STORE_YORK = Location(
    "YRK",
    "York store",
    kind=LocationKind.STORE,
    latitude=53.96,
    longitude=-1.08,
    ships=True,
    accepts_pickup=True,
)
STORE_HULL = Location(
    "HUL",
    "Hull store",
    kind=LocationKind.STORE,
    latitude=53.74,
    longitude=-0.33,
    ships=False,
    accepts_pickup=True,
)
ALL = (WH_LEEDS, WH_MAN, WH_LON, STORE_YORK, STORE_HULL)


def order(
    lines: dict[str, int],
    order_type: OrderType = OrderType.SHIP,
    pickup_at: str | None = None,
    coords: bool = True,
) -> Order:
    lat, lon = LEEDS if coords else (None, None)
    return Order(
        channel="web",
        channel_order_id="1",
        number="W-1",
        lines=[OrderLine(sku, q) for sku, q in lines.items()],
        ship_to=Address("Ada", "1 Park Row", "Leeds", "LS1 5AB", "GB", latitude=lat, longitude=lon),
        order_type=order_type,
        location_code=pickup_at,
    )


@dataclass
class Scenario:
    name: str
    lines: dict[str, int]
    stock: dict[tuple[str, str], int]
    expected: dict[str, dict[str, int]]
    reason_has: tuple[str, ...]
    order_type: OrderType = OrderType.SHIP
    pickup_at: str | None = None
    orders_today: dict[str, int] = field(default_factory=dict)
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)


SCENARIOS = [
    Scenario(
        "closest location with full stock wins",
        {"A": 1},
        {("LDS", "A"): 5, ("MAN", "A"): 5, ("LON", "A"): 5},
        {"LDS": {"A": 1}},
        ("routed to LDS", "closest location", "km"),
    ),
    Scenario(
        "closest location out of stock falls to the next closest",
        {"A": 2},
        {("LDS", "A"): 1, ("MAN", "A"): 5, ("LON", "A"): 5},
        {"MAN": {"A": 2}},
        ("routed to MAN", "LDS short of A (1 of 2)"),
    ),
    Scenario(
        "stock split across locations ships in parts from the fewest locations",
        {"A": 1, "B": 1},
        {("LDS", "A"): 1, ("MAN", "B"): 1, ("LON", "B"): 3},
        {"LDS": {"A": 1}, "MAN": {"B": 1}},
        ("ships in parts", "LDS ships 1 x A", "MAN ships 1 x B", "closest location"),
    ),
    Scenario(
        "capacity reached sends the order elsewhere and says so",
        {"A": 1},
        {("LON", "A"): 5, ("MAN", "A"): 5},
        {"MAN": {"A": 1}},
        ("routed to MAN", "LON daily capacity of 100 orders reached"),
        orders_today={"LON": 100},
    ),
    Scenario(
        "one shipment beats a closer split",
        {"A": 1, "B": 1},
        {("LDS", "A"): 1, ("YRK", "B"): 1, ("LON", "A"): 1, ("LON", "B"): 1},
        {"LON": {"A": 1, "B": 1}},
        ("routed to LON", "the only eligible location with every unit in stock"),
    ),
    Scenario(
        "pickup goes to the store the customer chose",
        {"A": 1},
        {("YRK", "A"): 1, ("HUL", "A"): 1, ("LDS", "A"): 9},
        {"HUL": {"A": 1}},
        ("routed to HUL", "the only eligible location"),
        order_type=OrderType.PICKUP,
        pickup_at="HUL",
    ),
    Scenario(
        "pickup without a chosen store goes to the closest store offering pickup",
        {"A": 1},
        {("YRK", "A"): 1, ("HUL", "A"): 1, ("LDS", "A"): 9},
        {"YRK": {"A": 1}},
        ("routed to YRK", "LDS does not offer in-store pickup"),
        order_type=OrderType.PICKUP,
    ),
    Scenario(
        "ship-from-store order only goes to stores that ship",
        {"A": 1},
        {("YRK", "A"): 1, ("HUL", "A"): 1, ("LDS", "A"): 9},
        {"YRK": {"A": 1}},
        ("routed to YRK", "HUL does not ship orders", "LDS is not a store"),
        order_type=OrderType.SHIP_FROM_STORE,
    ),
    Scenario(
        "ranking decides when distance is not in the chain",
        {"A": 1},
        {("LDS", "A"): 1, ("MAN", "A"): 1},
        {"MAN": {"A": 1}},
        ("routed to MAN", "location ranking", "rank 10 against 50"),
        policy=RoutingPolicy(rules=(AcceptsOrderType(), StockAvailable(), FewestSplits(), LocationRanking())),
    ),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_routing_scenarios_choose_the_expected_location_and_explain_why(s: Scenario) -> None:
    ctx = RoutingContext(ALL, s.stock, s.orders_today)
    decision = route(order(s.lines, s.order_type, s.pickup_at), ctx, s.policy)
    assert {a.location_code: dict(a.units) for a in decision.allocations} == s.expected
    for fragment in s.reason_has:
        assert fragment in decision.reason


def test_without_fewest_splits_in_the_chain_a_closer_split_beats_one_far_shipment() -> None:
    stock = {("LDS", "A"): 1, ("YRK", "B"): 1, ("LON", "A"): 1, ("LON", "B"): 1}
    policy = RoutingPolicy(rules=(AcceptsOrderType(), StockAvailable(), ClosestLocation()))
    decision = route(order({"A": 1, "B": 1}), RoutingContext(ALL, stock), policy)
    assert decision.split and set(decision.location_codes) == {"LDS", "YRK"}
    assert "closest location" in decision.reason


def test_split_is_refused_when_the_policy_forbids_it() -> None:
    ctx = RoutingContext(ALL, {("LDS", "A"): 1, ("MAN", "B"): 1})
    decision = route(order({"A": 1, "B": 1}), ctx, RoutingPolicy(allow_split=False))
    assert not decision.routed
    assert "splitting is not allowed" in decision.reason


def test_pickup_is_never_split_even_when_splitting_is_allowed() -> None:
    ctx = RoutingContext(ALL, {("YRK", "A"): 1, ("HUL", "B"): 1})
    decision = route(order({"A": 1, "B": 1}, OrderType.PICKUP), ctx)
    assert not decision.routed
    assert "for pickup" in decision.reason


def test_order_short_everywhere_names_the_missing_units() -> None:
    ctx = RoutingContext(ALL, {("LDS", "A"): 1, ("MAN", "A"): 1})
    decision = route(order({"A": 5}), ctx)
    assert not decision.routed
    assert "A (2 of 5)" in decision.reason


def test_split_needing_more_locations_than_allowed_is_not_made() -> None:
    stock = {("LDS", "A"): 1, ("MAN", "B"): 1, ("LON", "C"): 1}
    decision = route(order({"A": 1, "B": 1, "C": 1}), RoutingContext(ALL, stock), RoutingPolicy(max_locations=2))
    assert not decision.routed
    three = route(order({"A": 1, "B": 1, "C": 1}), RoutingContext(ALL, stock), RoutingPolicy(max_locations=3))
    assert set(three.location_codes) == {"LDS", "MAN", "LON"}


def test_without_coordinates_the_ranking_decides() -> None:
    ctx = RoutingContext(ALL, {("LDS", "A"): 1, ("MAN", "A"): 1})
    decision = route(order({"A": 1}, coords=False), ctx)
    assert decision.location_codes == ("MAN",)
    assert "location ranking" in decision.reason


def test_without_the_stock_rule_the_order_is_backordered_at_the_best_location() -> None:
    policy = RoutingPolicy(rules=(AcceptsOrderType(), DailyCapacity(), ClosestLocation()))
    decision = route(order({"A": 3}), RoutingContext(ALL, {}), policy)
    assert decision.location_codes == ("LDS",)


def test_reserving_a_decision_reserves_stock_and_records_the_reason_on_the_order() -> None:
    levels = {
        ("LDS", "A"): StockLevel("LDS", "A", on_hand=1),
        ("MAN", "B"): StockLevel("MAN", "B", on_hand=2),
    }
    ctx = RoutingContext(ALL, {k: v.available for k, v in levels.items()})
    o = order({"A": 1, "B": 1})
    o.move_to(OrderStatus.VALIDATED)
    decision = route(o, ctx)
    reserve_decision(o, decision, levels)
    assert o.status == OrderStatus.ROUTED
    assert o.history[-1][1] == decision.reason
    assert levels[("LDS", "A")].reserved == 1 and levels[("MAN", "B")].reserved == 1


def test_reservation_failing_midway_releases_what_it_took_and_leaves_the_order_alone() -> None:
    levels = {
        ("LDS", "A"): StockLevel("LDS", "A", on_hand=1),
        ("MAN", "B"): StockLevel("MAN", "B", on_hand=1),
    }
    o = order({"A": 1, "B": 1})
    o.move_to(OrderStatus.VALIDATED)
    decision = route(o, RoutingContext(ALL, {("LDS", "A"): 1, ("MAN", "B"): 1}))
    levels[("MAN", "B")].reserved = 1  # someone else took the last B since routing
    with pytest.raises(InsufficientStock):
        reserve_decision(o, decision, levels)
    assert levels[("LDS", "A")].reserved == 0
    assert o.status == OrderStatus.VALIDATED


def test_lacking_stock_note_names_only_locations_the_chain_would_have_preferred() -> None:
    ctx = RoutingContext(ALL, {("LDS", "A"): 0, ("MAN", "A"): 5})
    reason = route(order({"A": 1}), ctx).reason
    assert "LDS short of A (0 of 1)" in reason  # closer than MAN: worth saying why not
    assert "LON" not in reason and "YRK short" in reason  # YRK (36 km) is closer than MAN (58 km) too


def test_split_is_found_in_a_large_network() -> None:
    many = [Location(f"L{i:02d}", f"L{i}", latitude=50 + i * 0.1, longitude=-1.0, rank=i) for i in range(40)]
    stock = {("L05", "A"): 1, ("L07", "B"): 1}
    decision = route(order({"A": 1, "B": 1}), RoutingContext(many, stock))
    assert decision.split and set(decision.location_codes) == {"L05", "L07"}
