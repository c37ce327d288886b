"""Stored orders: capture once per channel order id, read them back as domain orders, and store
the transitions the domain order makes (hold, cancel, …). Validation and routing are the pipeline's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.domain.orders import RESERVING, Address, Order, OrderLine, OrderStatus, OrderType
from app.hub import models as m
from app.hub.services import catalog, order_search, stock
from app.hub.services.clock import now
from app.hub.services.errors import Invalid, NotFound


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
    channel_updated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def lifecycle(row: m.Order) -> Order:
    """The stored order as a domain order, with its state: the domain owns every transition."""
    order = domain_order(row)
    order.status = OrderStatus(row.status)
    order.hold_reason = row.hold_reason
    order.status_before_hold = OrderStatus(row.status_before_hold) if row.status_before_hold else None
    return order


def _write_back(session: Session, row: m.Order, order: Order) -> None:
    """Store what the domain order became: its state and one history row per transition it made."""
    at = now()
    row.status = order.status.value
    row.hold_reason = order.hold_reason
    row.status_before_hold = order.status_before_hold.value if order.status_before_hold else None
    row.updated_at = at
    for status, note in order.history:
        session.add(m.OrderStatusChange(order_id=row.id, status=status.value, note=note, at=at))
    order.history.clear()


def transition(session: Session, row: m.Order, change: Callable[[Order], object], *, follow: bool = True) -> None:
    """Apply one domain transition (``change`` calls a method of the domain order) to the stored order.
    A fulfilment that ships, is delivered or cancelled moves its split order along (unless ``follow``
    is False: the split order itself is being changed)."""
    order = lifecycle(row)
    try:
        change(order)
    except DomainError as exc:
        raise Invalid(str(exc)) from exc
    _write_back(session, row, order)
    if follow and row.parent_id is not None and order.status in _MOVES_PARENT:
        follow_parent(session, row)


_MOVES_PARENT = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED})


def follow_parent(session: Session, part: m.Order) -> None:
    """The split order takes the status its fulfilments give it. Its row is locked first, so two
    benches shipping its two parts at once cannot both read the other as not shipped yet."""
    parent = session.scalar(
        select(m.Order).where(m.Order.id == part.parent_id).with_for_update().execution_options(populate_existing=True)
    )
    assert parent is not None
    session.flush()
    states = [OrderStatus(s) for s in session.scalars(select(m.Order.status).where(m.Order.parent_id == parent.id))]
    order = lifecycle(parent)
    try:
        changed = order.follow(states, f"{part.number} {part.status}")
    except DomainError as exc:
        raise Invalid(str(exc)) from exc
    if not changed:
        return
    _write_back(session, parent, order)
    if order.status == OrderStatus.SHIPPED and parent.shipped_at is None:
        parent.shipped_at = now()
    elif order.status == OrderStatus.DELIVERED:
        parent.delivered_at = now()


def set_status(session: Session, order: m.Order, target: OrderStatus, note: str = "") -> None:
    transition(session, order, lambda o: o.move_to(target, note))


def find_by_channel(session: Session, channel: str, channel_order_id: str) -> m.Order | None:
    """The order a channel sent (never one of a split order's fulfilments)."""
    return session.scalar(
        select(m.Order).where(
            m.Order.channel == channel, m.Order.channel_order_id == channel_order_id, m.Order.parent_id.is_(None)
        )
    )


def check_lines(session: Session, lines: list[NewOrderLine]) -> dict[str, m.Product]:
    """The products of ``lines``; refused with every offending line named."""
    if not lines:
        raise Invalid("an order needs at least one line")
    bad_qty = [ln.sku for ln in lines if ln.quantity <= 0]
    if bad_qty:
        raise Invalid(f"quantity must be positive on lines: {', '.join(bad_qty)}")
    products = catalog.products_by_sku(session, [ln.sku for ln in lines])
    unknown = sorted({ln.sku for ln in lines} - set(products))
    if unknown:
        raise Invalid(f"unknown SKU: {', '.join(unknown)}", unknown_skus=unknown)
    return products


def line_rows(lines: list[NewOrderLine], products: dict[str, m.Product]) -> list[m.OrderLine]:
    return [
        m.OrderLine(
            product_id=products[ln.sku].id,
            sku=ln.sku,
            name=ln.name or products[ln.sku].name,
            quantity=ln.quantity,
            unit_price_minor=ln.unit_price_minor,
        )
        for ln in lines
    ]


def store(session: Session, new: NewOrder) -> tuple[m.Order, bool]:
    """Store an order once per (channel, channel order id), received; returns (order, created).

    A repeat of an order already stored changes nothing and returns the stored order. Unknown SKUs
    or non-positive quantities are refused with every offending line named. Validation and routing
    are the pipeline's (``app.hub.services.pipeline``).
    """
    existing = find_by_channel(session, new.channel, new.channel_order_id)
    if existing is not None:
        return existing, False
    products = check_lines(session, new.lines)
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
        channel_updated_at=new.channel_updated_at,
        lines=line_rows(new.lines, products),
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
    session.flush()
    return order, True


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


def holds_stock(row: m.Order) -> bool:
    """Is stock reserved for this order at its location (routed, queued, leased, or held from there)?"""
    status = OrderStatus(row.status)
    if status == OrderStatus.ON_HOLD and row.status_before_hold:
        status = OrderStatus(row.status_before_hold)
    return row.location_id is not None and status in RESERVING


def release_stock(session: Session, row: m.Order) -> None:
    """Give back the units reserved for the order (when it holds any)."""
    if holds_stock(row):
        assert row.location_id is not None
        stock.release(session, row.location_id, stock.units_by_product(row.lines))


def note(session: Session, order: m.Order, text: str) -> None:
    """A line in the order's history that changes nothing else."""
    session.add(m.OrderStatusChange(order_id=order.id, status=order.status, note=text, at=now()))


def hold(session: Session, order: m.Order, reason: str) -> None:
    """On hold with ``reason`` (a held order keeps its reservation, loses its lease)."""
    transition(session, order, lambda o: o.hold(reason))
    _drop_lease(order)


def cancel(session: Session, order: m.Order, reason: str) -> None:
    release_stock(session, order)
    transition(session, order, lambda o: o.cancel(reason))
    order.cancel_reason = reason
    _drop_lease(order)


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
    # A split order's fulfilments are listed under it, or by their location when one is asked for.
    q = select(m.Order) if location_code else select(m.Order).where(m.Order.parent_id.is_(None))
    if status:
        q = q.where(m.Order.status == status)
    if channel:
        q = q.where(m.Order.channel == channel)
    if location_code:
        q = q.join(m.Location, m.Location.id == m.Order.location_id).where(m.Location.code == location_code)
    if search:
        q = q.where(m.Order.id.in_(order_search.matching_ids(session, search)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(m.Order.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


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
    """The stored order's content as a domain order (received; ``lifecycle`` adds its state)."""
    a = row.ship_to
    try:
        return Order(
            channel=row.channel,
            channel_order_id=row.channel_order_id,
            number=row.number or "",
            lines=[OrderLine(ln.sku, ln.quantity) for ln in row.lines],
            ship_to=stored_address(a),
            order_type=OrderType(row.order_type),
            priority=row.priority,
            created_at=row.created_at,
            ship_by=row.ship_by,
            paid=row.paid,
            location_code=str(a.get("pickup_location") or "") or None,
            service_level=row.service_level,
            customer_email=row.customer_email,
        )
    except (ValueError, DomainError) as exc:
        raise Invalid(f"order {row.number} cannot be routed: {exc}") from exc
