"""Orders: capture (once per channel order id), validate, route, hold, cancel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.domain.orders import OrderStatus, check_transition
from app.hub import models as m
from app.hub.services import catalog, routing, stock
from app.hub.services.clock import now
from app.hub.services.errors import Invalid, NotFound

REQUIRED_ADDRESS_FIELDS = ("name", "line1", "city", "postcode", "country")


@dataclass
class NewOrderLine:
    sku: str
    quantity: int
    unit_price_minor: int = 0
    name: str = ""


@dataclass
class NewOrder:
    channel: str
    channel_order_id: str
    lines: list[NewOrderLine]
    ship_to: dict[str, Any]
    priority: int = 0
    ship_by: datetime | None = None
    paid: bool = True
    currency: str = "USD"
    order_type: str = "ship"
    service_level: str = "standard"
    customer_email: str = ""
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def set_status(session: Session, order: m.Order, target: OrderStatus, note: str = "") -> None:
    try:
        check_transition(OrderStatus(order.status), target)
    except DomainError as exc:
        raise Invalid(str(exc)) from exc
    order.status = target.value
    order.updated_at = now()
    session.add(m.OrderStatusChange(order_id=order.id, status=target.value, note=note, at=order.updated_at))


def find_by_channel(session: Session, channel: str, channel_order_id: str) -> m.Order | None:
    return session.scalar(
        select(m.Order).where(m.Order.channel == channel, m.Order.channel_order_id == channel_order_id)
    )


def create_order(session: Session, new: NewOrder, *, route: bool = True) -> tuple[m.Order, bool]:
    """Store an order once per (channel, channel order id); returns (order, created).

    A repeat of an order already stored changes nothing and returns the stored order.
    Unknown SKUs or non-positive quantities are refused with every offending line named.
    """
    existing = find_by_channel(session, new.channel, new.channel_order_id)
    if existing is not None:
        return existing, False
    if not new.lines:
        raise Invalid("an order needs at least one line")
    bad_qty = [ln.sku for ln in new.lines if ln.quantity <= 0]
    if bad_qty:
        raise Invalid(f"quantity must be positive on lines: {', '.join(bad_qty)}")
    products = catalog.products_by_sku(session, [ln.sku for ln in new.lines])
    unknown = sorted({ln.sku for ln in new.lines} - set(products))
    if unknown:
        raise Invalid(f"unknown SKU: {', '.join(unknown)}", unknown_skus=unknown)
    created = new.created_at or now()
    order = m.Order(
        channel=new.channel,
        channel_order_id=new.channel_order_id,
        status=OrderStatus.RECEIVED.value,
        order_type=new.order_type,
        priority=new.priority,
        service_level=new.service_level,
        created_at=created,
        updated_at=created,
        ship_by=new.ship_by,
        paid=new.paid,
        currency=new.currency,
        total_minor=sum(ln.unit_price_minor * ln.quantity for ln in new.lines),
        ship_to=dict(new.ship_to),
        customer_email=new.customer_email,
        lines=[
            m.OrderLine(
                product_id=products[ln.sku].id,
                sku=ln.sku,
                name=ln.name or products[ln.sku].name,
                quantity=ln.quantity,
                unit_price_minor=ln.unit_price_minor,
            )
            for ln in new.lines
        ],
    )
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except IntegrityError:
        # Another request stored the same channel order a moment ago: that one wins.
        again = find_by_channel(session, new.channel, new.channel_order_id)
        if again is None:
            raise
        return again, False
    order.number = f"PB{order.id:07d}"
    session.add(m.OrderStatusChange(order_id=order.id, status=order.status, note="received", at=created))
    if route:
        validate_and_route(session, order)
    session.flush()
    return order, True


def validation_problems(order: m.Order) -> list[str]:
    problems = []
    if not order.paid:
        problems.append("payment not captured")
    missing = [f for f in REQUIRED_ADDRESS_FIELDS if not str(order.ship_to.get(f) or "").strip()]
    if missing:
        problems.append(f"address incomplete: {', '.join(missing)}")
    return problems


def validate_and_route(session: Session, order: m.Order) -> None:
    """received → validated → routed → queued, or on hold with the reason."""
    problems = validation_problems(order)
    if problems:
        hold(session, order, "; ".join(problems))
        return
    set_status(session, order, OrderStatus.VALIDATED, "checks passed")
    location, why = routing.route_and_reserve(session, order)
    order.routing_reason = why
    if location is None:
        hold(session, order, why)
        return
    order.location_id = location.id
    set_status(session, order, OrderStatus.ROUTED, why)
    set_status(session, order, OrderStatus.QUEUED, f"queued at {location.code}")


def get_order(session: Session, number: str, *, for_update: bool = False) -> m.Order:
    q = select(m.Order).where(m.Order.number == number)
    if for_update:
        q = q.with_for_update()
    order = session.scalar(q)
    if order is None:
        raise NotFound(f"unknown order {number!r}")
    return order


def _drop_lease(order: m.Order) -> None:
    order.lease_id = None
    order.lease_expires_at = None


def hold(session: Session, order: m.Order, reason: str) -> None:
    status = OrderStatus(order.status)
    if status == OrderStatus.ON_HOLD:
        order.hold_reason = reason
        return
    order.status_before_hold = status.value
    order.hold_reason = reason
    _drop_lease(order)
    set_status(session, order, OrderStatus.ON_HOLD, reason)


def release_hold(session: Session, order: m.Order) -> None:
    if order.status != OrderStatus.ON_HOLD:
        raise Invalid(f"order {order.number} is {order.status}, not on hold")
    back = OrderStatus(order.status_before_hold or OrderStatus.RECEIVED)
    order.hold_reason = None
    order.status_before_hold = None
    if back == OrderStatus.LEASED:
        back = OrderStatus.QUEUED
    if back in (OrderStatus.RECEIVED, OrderStatus.VALIDATED) or order.location_id is None:
        # It never got stock: validate and route it again from the start.
        order.status = OrderStatus.RECEIVED.value
        validate_and_route(session, order)
        return
    set_status(session, order, back, "hold released")


def cancel(session: Session, order: m.Order, reason: str) -> None:
    status = OrderStatus(order.status)
    reserved = status in (OrderStatus.ROUTED, OrderStatus.QUEUED, OrderStatus.LEASED) or (
        status == OrderStatus.ON_HOLD
        and order.status_before_hold in (OrderStatus.ROUTED, OrderStatus.QUEUED, OrderStatus.LEASED)
    )
    set_status(session, order, OrderStatus.CANCELLED, reason)
    order.cancel_reason = reason
    _drop_lease(order)
    if reserved and order.location_id is not None:
        stock.release(session, order.location_id, routing.units_by_product(order))


def list_orders(
    session: Session,
    *,
    status: str | None = None,
    channel: str | None = None,
    location_code: str | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[m.Order], int]:
    q = select(m.Order)
    if status:
        q = q.where(m.Order.status == status)
    if channel:
        q = q.where(m.Order.channel == channel)
    if location_code:
        q = q.join(m.Location, m.Location.id == m.Order.location_id).where(m.Location.code == location_code)
    if search:
        like = f"%{search}%"
        q = q.where(m.Order.number.ilike(like) | m.Order.channel_order_id.ilike(like))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(m.Order.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
