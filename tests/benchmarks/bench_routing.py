"""Routing 100,000 orders over 50 locations with the domain's DOM rule chain (``app.domain.routing``).

Each order is routed against live availability: the units of every decision are taken off the
context's available stock before the next order, as the hub's reservation would. The baseline is
the simplest rule a hub could run instead, in the same process on the same data: the first location
by rank that has every line in stock.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from tests.benchmarks.common import Row, module_missing, na, rate

ORDERS = 100_000
LOCATIONS = 50
SKUS = 500


def scenario(seed: int = 5) -> tuple[list[object], dict[tuple[str, str], int], list[object]]:
    from app.domain.catalog import Location, LocationKind
    from app.domain.orders import Address, Order, OrderLine

    rnd = random.Random(seed)
    locations = [
        Location(
            code=f"L{i:02d}",
            name=f"Location {i}",
            kind=LocationKind.STORE if i % 5 == 0 else LocationKind.WAREHOUSE,
            latitude=rnd.uniform(50.0, 58.0),
            longitude=rnd.uniform(-5.5, 1.5),
            rank=rnd.randint(1, 100),
        )
        for i in range(LOCATIONS)
    ]
    available = {
        (loc.code, f"SKU-{s:04d}"): rnd.choice((0, 0, 5, 20, 100, 400)) for loc in locations for s in range(SKUS)
    }
    orders = []
    for i in range(ORDERS):
        lines = [OrderLine(f"SKU-{s:04d}", rnd.randint(1, 3)) for s in rnd.sample(range(SKUS), rnd.randint(1, 4))]
        ship_to = Address(
            "C", "1 St", "Town", "PC1", "GB", latitude=rnd.uniform(50.0, 58.0), longitude=rnd.uniform(-5.5, 1.5)
        )
        orders.append(Order(channel="web", channel_order_id=str(i), lines=lines, ship_to=ship_to))
    return list(locations), available, list(orders)


def first_fit(orders: list[object], locations: list[object], available: dict[tuple[str, str], int]) -> int:
    from app.domain.catalog import Location
    from app.domain.orders import Order

    by_rank: list[Location] = sorted((loc for loc in locations if isinstance(loc, Location)), key=lambda x: x.rank)
    routed = 0
    for o in orders:
        assert isinstance(o, Order)
        units = o.units()
        for loc in by_rank:
            if all(available.get((loc.code, sku), 0) >= q for sku, q in units.items()):
                for sku, q in units.items():
                    available[(loc.code, sku)] -= q
                routed += 1
                break
    return routed


def rule_chain(orders: list[object], locations: list[object], available: dict[tuple[str, str], int]) -> Counter[str]:
    from app.domain.catalog import Location
    from app.domain.orders import Order
    from app.domain.routing import RoutingContext, route

    locs = [loc for loc in locations if isinstance(loc, Location)]
    ctx = RoutingContext(locs, available)
    outcome: Counter[str] = Counter()
    for o in orders:
        assert isinstance(o, Order)
        decision = route(o, ctx)
        if not decision.routed:
            outcome["not routed"] += 1
            continue
        outcome["split" if len(decision.allocations) > 1 else "one location"] += 1
        for alloc in decision.allocations:
            for sku, q in alloc.units.items():
                available[(alloc.location_code, sku)] -= q
    return outcome


def run() -> list[Row]:
    missing = module_missing("app.domain.routing")
    if missing:
        return [na("routing", missing)]
    locations, available, orders = scenario()
    t0 = time.perf_counter()
    base_routed = first_fit(orders, locations, dict(available))
    base_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    outcome = rule_chain(orders, locations, dict(available))
    chain_s = time.perf_counter() - t0
    return [
        Row(
            f"routing {ORDERS:,} orders over {LOCATIONS} locations (DOM rule chain)",
            f"{rate(ORDERS, chain_s):,.0f} orders/s ({chain_s:.1f} s, {chain_s / ORDERS * 1e6:.0f} us per order)",
            baseline=(
                f"first location by rank with every line in stock: {rate(ORDERS, base_s):,.0f} orders/s"
                f" ({base_s:.1f} s, {base_routed:,} routed)"
            ),
            target="no target set; figure for capacity planning",
            note=f"{SKUS} SKUs, 1-4 lines per order, availability drawn down as orders route; {dict(outcome)}",
        )
    ]
