"""Applying bench events exactly once.

Each event is applied in its own transaction, together with a row in ``applied_events`` keyed by
the event id. A repeat (a retry after a lost answer, a replayed outbox) finds that row and is
answered ``duplicate``; two copies racing each other collide on the primary key and the loser is
answered ``duplicate`` too. An event that breaks a rule is ``rejected`` with the reason and
changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import DomainError
from app.domain.events import (
    HOLDING_EXCEPTIONS,
    BenchEvent,
    LabelPrinted,
    OrderPacked,
    PackExceptionRaised,
    ReturnReceived,
    from_wire,
)
from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import orders as order_service
from app.hub.services import returns as return_service
from app.hub.services import stock
from app.hub.services.auth import Principal, operator_id_for_badge
from app.hub.services.clock import now
from app.hub.services.errors import HubError


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass
class EventResult:
    event_id: str
    status: Outcome
    reason: str = ""


class Rejected(HubError):
    status = 422


def apply_batch(factory: sessionmaker[Session], principal: Principal, wires: list[Any]) -> list[EventResult]:
    principal.require_station()
    return [apply_one(factory, principal, w) for w in wires]


def apply_one(factory: sessionmaker[Session], principal: Principal, wire: Any) -> EventResult:
    raw_id = str(wire.get("event_id", "")) if isinstance(wire, dict) else ""
    try:
        if not isinstance(wire, dict):
            raise DomainError("each event must be an object")
        event = from_wire(wire)
    except DomainError as exc:
        return EventResult(raw_id, Outcome.REJECTED, str(exc))
    try:
        with unit_of_work(factory) as session:
            if session.get(m.AppliedEvent, event.event_id) is not None:
                return EventResult(event.event_id, Outcome.DUPLICATE)
            operator_id = operator_id_for_badge(session, event.operator_badge)
            session.add(
                m.AppliedEvent(
                    event_id=event.event_id,
                    type=event.TYPE,
                    station_id=principal.station_id,
                    operator_id=operator_id,
                    operator_badge=event.operator_badge,
                    occurred_at=event.occurred_at,
                    applied_at=now(),
                    payload=event.payload(),
                )
            )
            session.flush()  # takes the event id first: a racing copy waits here, then collides
            _apply(session, principal, operator_id, event)
            session.flush()
    except IntegrityError:
        with factory() as session:
            if session.get(m.AppliedEvent, event.event_id) is not None:
                return EventResult(event.event_id, Outcome.DUPLICATE)
        return EventResult(event.event_id, Outcome.REJECTED, "the store refused this event (constraint)")
    except (HubError, DomainError) as exc:
        return EventResult(event.event_id, Outcome.REJECTED, getattr(exc, "message", str(exc)))
    return EventResult(event.event_id, Outcome.APPLIED)


def _order_at_station(session: Session, principal: Principal, number: str) -> m.Order:
    order = session.scalar(select(m.Order).where(m.Order.number == number).with_for_update())
    if order is None:
        raise Rejected(f"unknown order {number}")
    if order.location_id != principal.location_id:
        raise Rejected(f"order {number} is not routed to this station's location")
    return order


def _apply(session: Session, principal: Principal, operator_id: int | None, event: BenchEvent) -> None:
    if isinstance(event, OrderPacked):
        _order_packed(session, principal, operator_id, event)
    elif isinstance(event, PackExceptionRaised):
        _pack_exception(session, principal, operator_id, event)
    elif isinstance(event, LabelPrinted):
        _label_printed(session, principal, event)
    elif isinstance(event, ReturnReceived):
        _return_received(session, principal, operator_id, event)
    else:  # pragma: no cover - from_wire only builds the types above
        raise Rejected(f"no handler for {event.TYPE}")


def _order_packed(session: Session, principal: Principal, operator_id: int | None, event: OrderPacked) -> None:
    order = _order_at_station(session, principal, event.order_number)
    status = OrderStatus(order.status)
    at = now()
    if status == OrderStatus.CANCELLED:
        raise Rejected(f"order {order.number} was cancelled: do not ship it")
    if status == OrderStatus.ON_HOLD:
        raise Rejected(f"order {order.number} is on hold: {order.hold_reason}")
    if status not in (OrderStatus.LEASED, OrderStatus.QUEUED):
        raise Rejected(f"order {order.number} is {status.value}, it cannot be packed again")
    if (
        status == OrderStatus.LEASED
        and order.lease_expires_at is not None
        and order.lease_expires_at >= at
        and order.lease_id is not None
    ):
        lease = session.get(m.Lease, order.lease_id)
        if lease is not None and lease.station_id != principal.station_id:
            raise Rejected(f"order {order.number} is leased by another bench")
    expected = {ln.sku: 0 for ln in order.lines}
    for ln in order.lines:
        expected[ln.sku] += ln.quantity
    parcels = event.parcels
    if len(parcels) > 1 or parcels[0].items:
        packed: dict[str, int] = {}
        for p in parcels:
            for sku, q in p.items.items():
                packed[sku] = packed.get(sku, 0) + q
        if packed != expected:
            raise Rejected(f"parcels hold {packed} but order {order.number} is {expected}")
    numbers = [p.parcel_no for p in parcels]
    if len(set(numbers)) != len(numbers):
        raise Rejected("parcel numbers repeat")
    for p in parcels:
        session.add(
            m.Parcel(
                order_id=order.id,
                parcel_no=p.parcel_no,
                carton_code=p.carton_code,
                weight_g=p.weight_g,
                expected_weight_g=p.expected_weight_g,
                items=dict(p.items) if p.items else dict(expected),
            )
        )
    order_service.set_status(session, order, OrderStatus.PACKED, f"packed at {principal.station_name}")
    order.packed_at = event.occurred_at
    order.packed_station_id = principal.station_id
    order.packed_operator_id = operator_id
    order.lease_id = None
    order.lease_expires_at = None
    assert order.location_id is not None
    stock.consume(session, order.location_id, stock.units_by_product(order.lines))


def _pack_exception(
    session: Session, principal: Principal, operator_id: int | None, event: PackExceptionRaised
) -> None:
    order = session.scalar(select(m.Order).where(m.Order.number == event.order_number))
    session.add(
        m.PackException(
            event_id=event.event_id,
            order_id=order.id if order else None,
            station_id=principal.station_id,
            operator_id=operator_id,
            kind=event.kind.value,
            sku=event.sku,
            quantity=event.quantity,
            detail=event.detail,
            occurred_at=event.occurred_at,
        )
    )
    holdable = (OrderStatus.QUEUED, OrderStatus.LEASED, OrderStatus.ON_HOLD)
    if order is not None and event.kind in HOLDING_EXCEPTIONS and OrderStatus(order.status) in holdable:
        what = event.kind.value.replace("_", " ")
        if event.sku:
            what += f": {event.sku} x{event.quantity}"
        order_service.hold(session, order, f"{what} ({event.detail})" if event.detail else what)


def _label_printed(session: Session, principal: Principal, event: LabelPrinted) -> None:
    order = _order_at_station(session, principal, event.order_number)
    parcel = session.scalar(
        select(m.Parcel).where(m.Parcel.order_id == order.id, m.Parcel.parcel_no == event.parcel_no)
    )
    if parcel is None:
        raise Rejected(f"order {order.number} has no parcel {event.parcel_no}")
    parcel.tracking_number = event.tracking_number
    parcel.carrier = event.carrier
    session.flush()
    unlabelled = session.scalar(
        select(m.Parcel.id).where(m.Parcel.order_id == order.id, m.Parcel.tracking_number.is_(None))
    )
    if unlabelled is None and order.status == OrderStatus.PACKED:
        order_service.set_status(session, order, OrderStatus.SHIPPED, "all parcels labelled")
        order.shipped_at = event.occurred_at


def _return_received(session: Session, principal: Principal, operator_id: int | None, event: ReturnReceived) -> None:
    if event.location_code != principal.location_code:
        raise Rejected(f"returns are received at this station's location ({principal.location_code})")
    assert principal.location_id is not None
    return_service.receive(
        session,
        rma_number=event.rma_number,
        location_id=principal.location_id,
        units=list(event.units),
        event_id=event.event_id,
        station_id=principal.station_id,
        operator_id=operator_id,
    )
