"""Validate by the domain rules and route by the DOM rule chain: the one routing path of the hub.

The pipeline (``app.hub.services.pipeline``) calls ``validate_and_route`` for every order that
enters or changes. The order is checked with ``app.domain.validation`` (risk rules included) and
routed with ``app.domain.routing``; the stock is reserved with the hub's conditional UPDATE, and
the routing reason is stored on the order (``routing_reason``) and in its history.

A decision that needs a split shipment is taken when the channel's split policy
(``OrderRules.splits``, ``app.domain.splits``) allows it: the order becomes one fulfilment per
location (``app.hub.services.fulfilments``), each routed, reserved and queued there. Otherwise it
is held: for a person (``never``), or waiting for stock until the policy's days have passed
(``after_days``; the ``split-wait`` job routes it again).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.catalog import Location, LocationKind
from app.domain.orders import Address, Order, OrderStatus, OrderType
from app.domain.routing import RoutingContext, RoutingDecision, RoutingPolicy, route
from app.domain.splits import WAITING_FOR_STOCK, SplitMode, SplitPolicies
from app.domain.validation import RiskRules, validate_order
from app.hub import models as m
from app.hub.services import fulfilments, orders, stock
from app.hub.services.clock import now
from app.hub.services.orders import domain_order, stored_address

__all__ = ["OrderRules", "domain_order", "new_order", "route_row", "stored_address", "validate_and_route"]


@dataclass(frozen=True)
class OrderRules:
    risk: RiskRules = field(default_factory=RiskRules)
    routing: RoutingPolicy = field(default_factory=lambda: RoutingPolicy(allow_split=False))
    # Per channel: may an order no single location can fill ship in parts (allow, never, after_days:N)?
    splits: SplitPolicies = field(default_factory=SplitPolicies)

    def routing_for(
        self, channel: str, placed_at: datetime, at: datetime, *, part: bool = False
    ) -> tuple[RoutingPolicy, str]:
        """The routing policy for an order of ``channel`` placed at ``placed_at``, now, and what to
        add to a hold when it may not split yet. A fulfilment (``part``) is never split again."""
        policy = self.splits.for_channel(channel)
        allowed = not part and policy.may_split(placed_at, at)
        wait = ""
        if not allowed and not part and policy.mode == SplitMode.AFTER_DAYS:
            when = policy.splits_on(placed_at)
            wait = f"{WAITING_FOR_STOCK}: the order may ship in parts from {when:%Y-%m-%d %H:%M} UTC"
        return replace(self.routing, allow_split=allowed), wait


def _ship_to(a: Address, order: Order) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": a.name,
        "line1": a.line1,
        "line2": a.line2,
        "city": a.city,
        "region": a.region,
        "postcode": a.postcode,
        "country": a.country,
        "phone": a.phone,
        "email": a.email,
    }
    if a.latitude is not None and a.longitude is not None:
        out["latitude"], out["longitude"] = a.latitude, a.longitude
    if order.order_type == OrderType.PICKUP and order.location_code:
        out["pickup_location"] = order.location_code
    return out


def new_order(order: Order, channel_updated_at: datetime | None = None) -> orders.NewOrder:
    return orders.NewOrder(
        channel=order.channel,
        channel_order_id=order.channel_order_id,
        lines=[orders.NewOrderLine(ln.sku, ln.quantity, ln.unit_price.amount_minor, ln.name) for ln in order.lines],
        ship_to=_ship_to(order.ship_to, order),
        priority=order.priority,
        ship_by=order.ship_by,
        paid=order.paid,
        currency=order.total.currency,
        order_type=order.order_type.value,
        service_level=order.service_level,
        customer_email=order.customer_email,
        created_at=order.created_at,
        channel_updated_at=channel_updated_at,
    )


def previous_orders(session: Session, row: m.Order) -> int:
    if not row.customer_email:
        return 1  # unknown customer: the first-order rule cannot tell, so it does not fire
    q = select(func.count()).where(
        m.Order.customer_email == row.customer_email,
        m.Order.id != row.id,
        m.Order.channel == row.channel,
        m.Order.parent_id.is_(None),
    )
    return int(session.scalar(q) or 0)


def validate_and_route(
    session: Session, row: m.Order, order: Order, rules: OrderRules, *, only_at: str | None = None
) -> None:
    """received → validated → routed → queued, or on hold with every reason."""
    earlier = previous_orders(session, row) if rules.risk.first_order_limit_minor is not None else 1
    result = validate_order(order, rules.risk, previous_orders=earlier)
    if not result.ok:
        orders.hold(session, row, result.hold_reason or "validation failed")
        return
    orders.set_status(session, row, OrderStatus.VALIDATED, "checks passed")
    policy, wait = rules.routing_for(row.channel, row.created_at, now(), part=row.parent_id is not None)
    route_row(session, row, order, policy, only_at=only_at, waiting=wait)


def _locations(session: Session) -> tuple[list[Location], dict[str, m.Location]]:
    # Locations change rarely: read them once per session (a CSV import stores a batch per session).
    cached = session.info.get("dom.locations")
    if cached is None:
        rows = list(session.scalars(select(m.Location).order_by(m.Location.code)))
        domain = [
            Location(
                code=r.code,
                name=r.name,
                kind=LocationKind(r.kind),
                latitude=r.latitude,
                longitude=r.longitude,
                rank=r.rank,
                daily_capacity=r.daily_capacity,
                ships=r.ships,
                accepts_pickup=r.accepts_pickup,
            )
            for r in rows
        ]
        cached = session.info["dom.locations"] = (domain, {r.code: r for r in rows})
    locations: tuple[list[Location], dict[str, m.Location]] = cached
    return locations


def _load_today(session: Session, by_code: dict[str, m.Location]) -> dict[str, int]:
    """Orders routed to each capacity-limited location today (UTC), cancelled ones excepted; counted
    once per session, then kept up to date by ``route_row`` as it routes."""
    load: dict[str, int] | None = session.info.get("dom.load")
    if load is None:
        load = {}
        midnight = datetime.combine(now().date(), time(0), tzinfo=now().tzinfo)
        for code, r in by_code.items():
            if r.daily_capacity is None:
                continue
            routed_today = (
                select(func.count(func.distinct(m.OrderStatusChange.order_id)))
                .join(m.Order, m.Order.id == m.OrderStatusChange.order_id)
                .where(
                    m.Order.location_id == r.id,
                    m.Order.status != OrderStatus.CANCELLED.value,
                    m.OrderStatusChange.status == OrderStatus.ROUTED.value,
                    m.OrderStatusChange.at >= midnight,
                )
            )
            load[code] = int(session.scalar(routed_today) or 0)
        session.info["dom.load"] = load
    return load


def _context(session: Session, skus: list[str]) -> tuple[RoutingContext, dict[str, m.Location]]:
    locations, by_code = _locations(session)
    available: dict[tuple[str, str], int] = {}
    q = (
        select(m.Location.code, m.Product.sku, m.StockLevel.on_hand - m.StockLevel.reserved)
        .join(m.Location, m.Location.id == m.StockLevel.location_id)
        .join(m.Product, m.Product.id == m.StockLevel.product_id)
        .where(m.Product.sku.in_(skus))
    )
    for code, sku, avail in session.execute(q):
        available[(code, sku)] = int(avail)
    return RoutingContext(locations, available, dict(_load_today(session, by_code))), by_code


def route_row(
    session: Session,
    row: m.Order,
    order: Order,
    policy: RoutingPolicy,
    *,
    attempts: int = 2,
    only_at: str | None = None,
    waiting: str = "",
) -> None:
    """Route a validated order and reserve its stock (one location, or one fulfilment per location
    of a split); on hold with the reason when it cannot (``waiting`` first when it waits for stock).
    ``only_at``: a supervisor's re-route to one location (the rule chain still decides if it can)."""
    for _attempt in range(attempts):
        ctx, by_code = _context(session, sorted(order.units()))
        if only_at is not None:
            ctx = RoutingContext([loc for loc in ctx.locations if loc.code == only_at], ctx.available, ctx.orders_today)
        decision = route(order, ctx, policy)
        row.routing_reason = decision.reason
        if not decision.routed:
            orders.hold(session, row, f"{waiting} ({decision.reason})" if waiting else decision.reason)
            return
        if decision.split:
            if fulfilments.split(session, row, decision, by_code):
                _count_load(session, decision)
                return
            continue
        alloc = decision.allocations[0]
        loc = by_code[alloc.location_code]
        product_ids = {ln.sku: ln.product_id for ln in row.lines}
        units = {product_ids[sku]: q for sku, q in alloc.units.items()}
        if stock.try_reserve(session, loc.id, units):
            _count_load(session, decision)
            row.location_id = loc.id
            orders.set_status(session, row, OrderStatus.ROUTED, decision.reason)
            orders.set_status(session, row, OrderStatus.QUEUED, f"queued at {loc.code}")
            return
        # Someone took the stock between reading and reserving: look again with fresh numbers.
    orders.hold(session, row, "stock changed while routing; try again")


def _count_load(session: Session, decision: RoutingDecision) -> None:
    load = session.info.get("dom.load")
    for code in decision.location_codes:
        if load is not None and code in load:
            load[code] += 1
