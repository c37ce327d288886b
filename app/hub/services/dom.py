"""Channel orders into the hub: store once, validate by the domain rules, route by the DOM rule chain.

``ingest`` is what webhooks, channel pulls and CSV imports call. The order is stored through the
hub's own ``orders.create_order`` (one row per channel order id: a replay changes nothing), then
checked with ``app.domain.validation`` (risk rules included) and routed with
``app.domain.routing``; the stock is reserved with the hub's conditional UPDATE, and the routing
reason is stored on the order (``routing_reason``) and in its history.

The hub's order row has one fulfilment location, so a decision that needs a split shipment puts
the order on hold with the split spelled out, for a person to act on, rather than half-routing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.channels.base import ChannelOrder
from app.domain.catalog import Location, LocationKind
from app.domain.orders import Address, Order, OrderLine, OrderStatus, OrderType
from app.domain.routing import RoutingContext, RoutingPolicy, route
from app.domain.validation import RiskRules, validate_order
from app.hub import models as m
from app.hub.services import orders, stock
from app.hub.services.clock import now
from app.hub.services.errors import Invalid


@dataclass(frozen=True)
class OrderRules:
    risk: RiskRules = field(default_factory=RiskRules)
    routing: RoutingPolicy = field(default_factory=lambda: RoutingPolicy(allow_split=False))


@dataclass(frozen=True)
class IngestResult:
    number: str
    created: bool
    status: str
    note: str = ""


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


def new_order(order: Order) -> orders.NewOrder:
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
    )


def ingest(session: Session, incoming: ChannelOrder, rules: OrderRules) -> IngestResult:
    """Store (once), validate and route one channel order; a cancellation cancels the stored order."""
    if incoming.cancelled:
        existing = orders.find_by_channel(session, incoming.order.channel, incoming.order.channel_order_id)
        if existing is None:
            return IngestResult("", False, "ignored", "cancelled before we ever stored it")
        if existing.status in (OrderStatus.CANCELLED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            return IngestResult(existing.number or "", False, existing.status, "nothing to cancel")
        orders.cancel(session, existing, f"cancelled in {incoming.order.channel}")
        return IngestResult(existing.number or "", False, existing.status, "cancelled")
    row, created = orders.create_order(session, new_order(incoming.order), route=False)
    if not created:
        return IngestResult(row.number or "", False, row.status, "already stored")
    validate_and_route(session, row, incoming.order, rules)
    return IngestResult(row.number or "", True, row.status)


def previous_orders(session: Session, row: m.Order) -> int:
    if not row.customer_email:
        return 1  # unknown customer: the first-order rule cannot tell, so it does not fire
    q = select(func.count()).where(
        m.Order.customer_email == row.customer_email, m.Order.id != row.id, m.Order.channel == row.channel
    )
    return int(session.scalar(q) or 0)


def validate_and_route(session: Session, row: m.Order, order: Order, rules: OrderRules) -> None:
    """received → validated → routed → queued, or on hold with every reason."""
    earlier = previous_orders(session, row) if rules.risk.first_order_limit_minor is not None else 1
    result = validate_order(order, rules.risk, previous_orders=earlier)
    if not result.ok:
        orders.hold(session, row, result.hold_reason or "validation failed")
        return
    orders.set_status(session, row, OrderStatus.VALIDATED, "checks passed")
    route_row(session, row, order, rules.routing)


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


def route_row(session: Session, row: m.Order, order: Order, policy: RoutingPolicy, *, attempts: int = 2) -> None:
    """Route a validated order and reserve its stock; on hold with the reason when it cannot."""
    for _attempt in range(attempts):
        ctx, by_code = _context(session, sorted(order.units()))
        decision = route(order, ctx, policy)
        row.routing_reason = decision.reason
        if not decision.routed:
            orders.hold(session, row, decision.reason)
            return
        if decision.split:
            orders.hold(session, row, "needs a split shipment: " + decision.reason)
            return
        alloc = decision.allocations[0]
        loc = by_code[alloc.location_code]
        product_ids = {ln.sku: ln.product_id for ln in row.lines}
        units = {product_ids[sku]: q for sku, q in alloc.units.items()}
        if stock.try_reserve(session, loc.id, units):
            load = session.info.get("dom.load")
            if load is not None and loc.code in load:
                load[loc.code] += 1
            row.location_id = loc.id
            orders.set_status(session, row, OrderStatus.ROUTED, decision.reason)
            orders.set_status(session, row, OrderStatus.QUEUED, f"queued at {loc.code}")
            return
        # Someone took the stock between reading and reserving: look again with fresh numbers.
    orders.hold(session, row, "stock changed while routing; try again")


def stored_address(a: Mapping[str, Any], *, email: str = "") -> Address:
    """The ``ship_to`` JSON an order row stores, as a domain address (``email`` when it has none)."""
    lat, lon = a.get("latitude"), a.get("longitude")
    return Address(
        name=str(a.get("name") or ""),
        company=str(a.get("company") or ""),
        line1=str(a.get("line1") or ""),
        line2=str(a.get("line2") or ""),
        city=str(a.get("city") or ""),
        region=str(a.get("region") or ""),
        postcode=str(a.get("postcode") or ""),
        country=str(a.get("country") or ""),
        phone=str(a.get("phone") or ""),
        email=str(a.get("email") or email or ""),
        latitude=float(lat) if isinstance(lat, int | float) else None,
        longitude=float(lon) if isinstance(lon, int | float) else None,
    )


def domain_order(row: m.Order) -> Order:
    """The stored order as a domain order (for re-routing after an admin releases a hold)."""
    a = row.ship_to
    try:
        return Order(
            channel=row.channel,
            channel_order_id=row.channel_order_id,
            number=row.number or "",
            lines=[OrderLine(ln.sku, ln.quantity) for ln in row.lines],
            ship_to=stored_address(a),
            order_type=OrderType(row.order_type),
            paid=row.paid,
            location_code=str(a.get("pickup_location") or "") or None,
            service_level=row.service_level,
            customer_email=row.customer_email,
        )
    except ValueError as exc:
        raise Invalid(f"order {row.number} cannot be routed: {exc}") from exc
