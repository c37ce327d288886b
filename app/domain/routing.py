"""Distributed order management: which location (or locations) fulfils an order, and why.

A ``RoutingPolicy`` is a chain of rules. Each rule may *exclude* a location (it cannot take the
order at all: wrong order type, capacity reached) and may *score* a plan (a set of allocations,
lower is better). Plans that do not pass every exclusion are dropped; the rest are compared rule
by rule, in chain order, so the first rule that tells two plans apart decides between them. The
decision keeps that reasoning as a sentence an admin can read on the order.

Plain Python: the hub loads locations, available stock and today's load, and calls ``route``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.domain.catalog import Location, LocationKind, StockLevel
from app.domain.errors import DomainError
from app.domain.inventory import release, reserve
from app.domain.orders import Order, OrderStatus, OrderType


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of each SKU that one location fulfils."""

    location_code: str
    units: Mapping[str, int]
    distance_km: float | None = None

    @property
    def total_units(self) -> int:
        return sum(self.units.values())


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: tuple[Allocation, ...]

    @property
    def location_codes(self) -> tuple[str, ...]:
        return tuple(a.location_code for a in self.allocations)

    @property
    def label(self) -> str:
        return " + ".join(self.location_codes)


@dataclass(frozen=True, slots=True)
class RoutingContext:
    """What the hub knows right now: locations, available units per (location, SKU), orders today."""

    locations: Sequence[Location]
    available: Mapping[tuple[str, str], int]
    orders_today: Mapping[str, int] = field(default_factory=dict)
    _index: dict[str, Location] | None = field(default=None, init=False, repr=False, compare=False)

    def stock(self, location_code: str, sku: str) -> int:
        return max(0, self.available.get((location_code, sku), 0))

    def location(self, code: str) -> Location:
        index: dict[str, Location] | None = self._index
        if index is None or len(index) != len(self.locations):
            index = {loc.code: loc for loc in self.locations}
            object.__setattr__(self, "_index", index)
        try:
            return index[code]
        except KeyError:
            raise DomainError(f"unknown location {code!r}") from None


class RoutingRule:
    """One link in the chain. Subclasses override ``exclude`` and/or ``score``."""

    name = "rule"

    def exclude(self, location: Location, order: Order, ctx: RoutingContext) -> str | None:
        """Why ``location`` cannot take ``order`` at all, or None."""
        return None

    def score(self, plan: Plan, order: Order, ctx: RoutingContext) -> float:
        """Lower is better; equal scores leave the choice to the next rule."""
        return 0.0

    def explain(self, chosen: Plan, other: Plan, order: Order, ctx: RoutingContext) -> str:
        """Why ``chosen`` beat ``other`` under this rule (called only when their scores differ)."""
        return f"{self.name} prefers {chosen.label} over {other.label}"


class AcceptsOrderType(RoutingRule):
    """Ship orders go to locations that ship (a store that ships is ship-from-store); ship-from-store
    orders only to stores that ship; pickup (BOPIS) orders only to locations that accept pickup, and to
    the customer's chosen store when the order names one."""

    name = "order type"

    def exclude(self, location: Location, order: Order, ctx: RoutingContext) -> str | None:
        if order.order_type == OrderType.PICKUP:
            if not location.accepts_pickup:
                return "does not offer in-store pickup"
            if order.location_code and order.location_code != location.code:
                return f"customer chose to collect at {order.location_code}"
            return None
        if not location.ships:
            return "does not ship orders"
        if order.order_type == OrderType.SHIP_FROM_STORE and location.kind != LocationKind.STORE:
            return "is not a store (ship-from-store order)"
        return None


class DailyCapacity(RoutingRule):
    name = "daily capacity"

    def exclude(self, location: Location, order: Order, ctx: RoutingContext) -> str | None:
        cap = location.daily_capacity
        if cap is not None and ctx.orders_today.get(location.code, 0) >= cap:
            return f"daily capacity of {cap} orders reached"
        return None


class StockAvailable(RoutingRule):
    """Every allocated unit must be available at its location. Without this rule in the chain the
    router backorders: the whole order goes to the best location whatever its stock."""

    name = "stock available"


class FewestSplits(RoutingRule):
    name = "fewest splits"

    def score(self, plan: Plan, order: Order, ctx: RoutingContext) -> float:
        return float(len(plan.allocations))

    def explain(self, chosen: Plan, other: Plan, order: Order, ctx: RoutingContext) -> str:
        return f"{_parcels(chosen)} instead of {_parcels(other)} ({other.label})"


class ClosestLocation(RoutingRule):
    """Sum of great-circle distances from each allocated location to the ship-to coordinates. An
    order without coordinates scores every plan the same, so the next rule decides."""

    name = "closest location"

    def score(self, plan: Plan, order: Order, ctx: RoutingContext) -> float:
        return sum(a.distance_km or 0.0 for a in plan.allocations)

    def explain(self, chosen: Plan, other: Plan, order: Order, ctx: RoutingContext) -> str:
        mine = self.score(chosen, order, ctx)
        theirs = self.score(other, order, ctx)
        return f"closer to the customer ({mine:.0f} km against {theirs:.0f} km from {other.label})"


class LocationRanking(RoutingRule):
    """The admin's order of preference: a lower ``Location.rank`` wins."""

    name = "location ranking"

    def score(self, plan: Plan, order: Order, ctx: RoutingContext) -> float:
        return float(sum(ctx.location(code).rank for code in plan.location_codes))

    def explain(self, chosen: Plan, other: Plan, order: Order, ctx: RoutingContext) -> str:
        mine = int(self.score(chosen, order, ctx))
        theirs = int(self.score(other, order, ctx))
        return f"ranked higher (rank {mine} against {theirs} for {other.label})"


def default_rules() -> tuple[RoutingRule, ...]:
    return (
        AcceptsOrderType(),
        DailyCapacity(),
        StockAvailable(),
        FewestSplits(),
        ClosestLocation(),
        LocationRanking(),
    )


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """``allow_split``: may an order that no single location can fill ship from several?
    ``max_locations``: at most this many locations in one split order. ``split_candidates``: splits
    are searched among this many most preferred locations that hold any of the units."""

    rules: tuple[RoutingRule, ...] = field(default_factory=default_rules)
    allow_split: bool = True
    max_locations: int = 3
    split_candidates: int = 12


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """The outcome. ``allocations`` is empty when the order cannot be routed; ``reason`` says why
    either way, ``excluded`` maps location codes to why they were never considered."""

    allocations: tuple[Allocation, ...]
    reason: str
    excluded: Mapping[str, str] = field(default_factory=dict)

    @property
    def routed(self) -> bool:
        return bool(self.allocations)

    @property
    def split(self) -> bool:
        return len(self.allocations) > 1

    @property
    def location_codes(self) -> tuple[str, ...]:
        return tuple(a.location_code for a in self.allocations)


def route(order: Order, ctx: RoutingContext, policy: RoutingPolicy | None = None) -> RoutingDecision:
    """Choose where ``order`` ships from. Pure: reserves nothing (see ``reserve_decision``)."""
    policy = policy or RoutingPolicy()
    units = order.units()
    excluded: dict[str, str] = {}
    eligible: list[Location] = []
    for loc in ctx.locations:
        why = next((w for r in policy.rules if (w := r.exclude(loc, order, ctx)) is not None), None)
        if why is None:
            eligible.append(loc)
        else:
            excluded[loc.code] = why
    excluded_note = _excluded_note(excluded)
    if not eligible:
        return RoutingDecision((), "no location can take this order" + excluded_note, excluded)

    needs_stock = any(isinstance(r, StockAvailable) for r in policy.rules)
    distances = {loc.code: _distance(loc, order) for loc in eligible}
    single = [
        Plan((Allocation(loc.code, dict(units), distances[loc.code]),))
        for loc in eligible
        if not needs_stock or all(ctx.stock(loc.code, sku) >= q for sku, q in units.items())
    ]
    plans = single
    split_note = ""
    may_split = policy.allow_split and order.order_type != OrderType.PICKUP
    if plans and needs_stock and may_split and not any(isinstance(r, FewestSplits) for r in policy.rules):
        # Without "fewest splits" in the chain a closer split may beat one far shipment.
        plans = plans + _split_plans(units, eligible, ctx, distances, policy, order)
    if not plans and needs_stock:
        if may_split:
            plans = _split_plans(units, eligible, ctx, distances, policy, order)
        if not plans:
            short = _shortage(units, eligible, ctx)
            why = "no single location has every unit in stock"
            if not may_split:
                why += " and splitting is not allowed" + (" for pickup" if policy.allow_split else "")
            elif short:
                why += f" and together they are short of {short}"
            else:
                why += f" and no split over at most {policy.max_locations} locations covers it"
            return RoutingDecision((), why + excluded_note, excluded)
        split_note = "no single location has every unit in stock, so the order ships in parts; "

    def key(p: Plan) -> tuple[tuple[float, ...], str]:
        return tuple(r.score(p, order, ctx) for r in policy.rules), p.label

    ranked = sorted(plans, key=key)
    chosen = ranked[0]
    if needs_stock and not split_note:
        # Name the locations the chain would have preferred had they had the stock ("why not the closest?").
        in_plan = {c for p in plans for c in p.location_codes}
        best = key(chosen)
        better = sorted(
            (k, loc)
            for loc in eligible
            if loc.code not in in_plan
            and (k := key(Plan((Allocation(loc.code, dict(units), distances[loc.code]),)))) < best
        )
        if better:
            notes = [f"{loc.code} short of {_shortage(units, [loc], ctx)}" for _k, loc in better[:3]]
            excluded_note = " (lacking stock: " + "; ".join(notes) + ")" + excluded_note
    reason = split_note + _explain(chosen, ranked[1:], order, ctx, policy.rules, needs_stock)
    return RoutingDecision(chosen.allocations, reason + excluded_note, excluded)


def _distance(loc: Location, order: Order) -> float | None:
    lat, lon = order.ship_to.latitude, order.ship_to.longitude
    if lat is None or lon is None:
        return None
    return loc.distance_km(lat, lon)


def _parcels(plan: Plan) -> str:
    n = len(plan.allocations)
    return "one shipment" if n == 1 else f"{n} shipments"


def _shortage(units: Mapping[str, int], eligible: Iterable[Location], ctx: RoutingContext) -> str:
    locs = list(eligible)
    short = []
    for sku, q in sorted(units.items()):
        have = sum(ctx.stock(loc.code, sku) for loc in locs)
        if have < q:
            short.append(f"{sku} ({have} of {q})")
    return ", ".join(short)


def _split_plans(
    units: Mapping[str, int],
    eligible: Sequence[Location],
    ctx: RoutingContext,
    distances: Mapping[str, float | None],
    policy: RoutingPolicy,
    order: Order,
) -> list[Plan]:
    """Every covering split over the fewest locations that can cover the order at all.

    Units go to the combination's locations in the chain's own preference order (closest, ranked),
    each taking what it has; a combination where some location ends up with nothing is dropped,
    since a smaller one already covers the order.
    """

    def one(loc: Location) -> tuple[float, ...]:
        plan = Plan((Allocation(loc.code, {}, distances[loc.code]),))
        return (*(r.score(plan, order, ctx) for r in policy.rules), 0.0)

    # The most preferred locations holding any of the units; the cap keeps the combinations few
    # (C(12, 3) = 220) when a network has many locations.
    stocked = sorted((loc for loc in eligible if any(ctx.stock(loc.code, sku) > 0 for sku in units)), key=one)
    stocked = stocked[: policy.split_candidates]
    for size in range(2, min(policy.max_locations, len(stocked)) + 1):
        found: list[Plan] = []
        for combo in itertools.combinations(stocked, size):
            plan = _fill(units, combo, ctx, distances)
            if plan is not None:
                found.append(plan)
        if found:
            return found
    return []


def _fill(
    units: Mapping[str, int],
    combo: Sequence[Location],
    ctx: RoutingContext,
    distances: Mapping[str, float | None],
) -> Plan | None:
    taken: dict[str, dict[str, int]] = {loc.code: {} for loc in combo}
    for sku, wanted in sorted(units.items()):
        left = wanted
        for loc in combo:
            if left == 0:
                break
            take = min(left, ctx.stock(loc.code, sku))
            if take:
                taken[loc.code][sku] = take
                left -= take
        if left:
            return None
    if any(not t for t in taken.values()):
        return None
    return Plan(tuple(Allocation(loc.code, taken[loc.code], distances[loc.code]) for loc in combo))


def _explain(
    chosen: Plan,
    others: Sequence[Plan],
    order: Order,
    ctx: RoutingContext,
    rules: Sequence[RoutingRule],
    needs_stock: bool,
) -> str:
    where = chosen.label
    if chosen.allocations and len(chosen.allocations) > 1:
        where = "; ".join(f"{a.location_code} ships {_units(a.units)}" for a in chosen.allocations)
    head = f"routed to {where}"
    if not others:
        only = "the only eligible location with every unit in stock" if needs_stock else "the only eligible location"
        if len(chosen.allocations) > 1:
            only = "the only split that covers every unit"
        return f"{head}: {only}"
    # For every runner-up, the first rule in the chain that separated it from the winner.
    by_rule: dict[str, list[str]] = {}
    for other in others[:4]:
        for rule in rules:
            if rule.score(chosen, order, ctx) != rule.score(other, order, ctx):
                name, text = rule.name, rule.explain(chosen, other, order, ctx)
                break
        else:
            name, text = "tie", f"with {other.label}, broken by location code"
        if text not in by_rule.setdefault(name, []):
            by_rule[name].append(text)
    reasons = [f"{name}: " + ", ".join(texts) for name, texts in by_rule.items()]
    return f"{head} — " + "; ".join(reasons)


def _units(units: Mapping[str, int]) -> str:
    return ", ".join(f"{q} x {sku}" for sku, q in sorted(units.items()))


def _excluded_note(excluded: Mapping[str, str]) -> str:
    if not excluded:
        return ""
    return " (not considered: " + "; ".join(f"{code} {why}" for code, why in sorted(excluded.items())) + ")"


def reserve_decision(order: Order, decision: RoutingDecision, levels: Mapping[tuple[str, str], StockLevel]) -> None:
    """Reserve the decision's units and move a validated order to routed with the reason.

    All or nothing: if any reservation fails (stock moved since routing) the ones already made are
    released, the order is untouched, and ``InsufficientStock`` (a ``DomainError``) is raised.
    """
    if not decision.routed:
        raise DomainError(f"order {order.number or order.channel_order_id} was not routed: {decision.reason}")
    if order.status != OrderStatus.VALIDATED:
        raise DomainError(f"only a validated order can be routed, this one is {order.status.value}")
    done: list[tuple[StockLevel, int]] = []
    try:
        for alloc in decision.allocations:
            for sku, q in alloc.units.items():
                level = levels.get((alloc.location_code, sku))
                if level is None:
                    level = StockLevel(alloc.location_code, sku)
                reserve(level, q)
                done.append((level, q))
    except DomainError:
        for level, q in done:
            release(level, q)
        raise
    order.location_code = decision.allocations[0].location_code
    order.move_to(OrderStatus.ROUTED, decision.reason)
