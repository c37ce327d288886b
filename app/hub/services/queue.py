"""The pick queue: benches lease batches of their location's orders.

A lease has an owner (the station) and an expiry. Orders whose lease has expired count as queued
again and can be leased by another bench. On PostgreSQL the batch is chosen with
``FOR UPDATE SKIP LOCKED`` so concurrent benches take disjoint batches without waiting on each
other; on SQLite every write transaction is serialised (BEGIN IMMEDIATE) to the same effect.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import CTE, Integer, Select, and_, bindparam, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.services.clock import now
from app.hub.services.errors import Forbidden, Invalid, NotFound

MAX_BATCH = 100
MAX_LEASE_SECONDS = 8 * 3600
MIN_LEASE_SECONDS = 30


@dataclass
class LeaseResult:
    lease: m.Lease
    orders: list[m.Order]


def _check_seconds(lease_seconds: int) -> None:
    if not MIN_LEASE_SECONDS <= lease_seconds <= MAX_LEASE_SECONDS:
        raise Invalid(f"lease_seconds must be between {MIN_LEASE_SECONDS} and {MAX_LEASE_SECONDS}")


class StationRef(Protocol):
    """What a lease needs of the station: a station row or the caller's cached principal will do."""

    @property
    def id(self) -> int: ...

    @property
    def location_id(self) -> int: ...


@dataclass(frozen=True)
class LeasePlan:
    """A lease about to be written: its row, and the values the lease statements are executed with."""

    lease: m.Lease
    params: dict[str, object]

    @property
    def note(self) -> str:
        return str(self.params["p_note"])


def new_lease(station: StationRef, lease_seconds: int) -> m.Lease:
    """A lease row for ``station`` from now for ``lease_seconds`` (not yet written)."""
    at = now()
    return m.Lease(
        id=str(uuid.uuid4()),
        station_id=station.id,
        location_id=station.location_id,
        created_at=at,
        expires_at=at + timedelta(seconds=lease_seconds),
    )


def plan_lease(station: StationRef, *, batch_size: int, lease_seconds: int) -> LeasePlan:
    if not 1 <= batch_size <= MAX_BATCH:
        raise Invalid(f"batch_size must be between 1 and {MAX_BATCH}")
    _check_seconds(lease_seconds)
    lease = new_lease(station, lease_seconds)
    at = lease.created_at
    params: dict[str, object] = {
        "p_lease_id": lease.id,
        "p_station_id": station.id,
        "p_location_id": station.location_id,
        "p_at": at,
        "p_expires_at": lease.expires_at,
        "p_batch_size": batch_size,
        "p_note": f"lease {lease.id}",
    }
    return LeasePlan(lease, params)


def lease_batch(session: Session, station: StationRef, *, batch_size: int, lease_seconds: int) -> LeaseResult:
    """Lease up to ``batch_size`` waiting orders of the station's location, in queue order.

    The orders are picked, locked and marked by one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
    LOCKED) RETURNING``: concurrent benches skip each other's rows instead of waiting. On PostgreSQL the
    lease row and the orders' status history are written by the same statement (data-modifying CTEs), so
    a lease is one round trip plus the load of the orders' lines; SQLite (writes serialised) takes three.
    (The bench's own lease answer on PostgreSQL is one statement in all: ``lease_payload``.) The statements
    are built once, with bound parameters: a lease only executes them.
    """
    plan = plan_lease(station, batch_size=batch_size, lease_seconds=lease_seconds)
    lease, at = plan.lease, plan.lease.created_at
    if session.get_bind().dialect.name == "postgresql":
        orders = list(session.scalars(_orm_lease_statement(), plan.params).all())
        make_transient_to_detached(lease)  # the row exists now: let the session know it without writing it again
        session.add(lease)
    else:
        session.add(lease)
        session.flush()
        orders = list(session.scalars(_sqlite_marking(), plan.params).all())
        if orders:
            history = [
                {"order_id": o.id, "status": OrderStatus.LEASED.value, "note": plan.note, "at": at} for o in orders
            ]
            session.execute(insert(m.OrderStatusChange), history)
    # Their lines came with them (the relationship's selectin load); RETURNING gives rows in no order.
    orders.sort(key=lambda o: (-o.priority, o.ship_by is None, o.ship_by or at, o.id))
    return LeaseResult(lease, orders)


_ORDERS = m.Base.metadata.tables[m.Order.__tablename__]
_LEASES = m.Base.metadata.tables[m.Lease.__tablename__]
_HISTORY = m.Base.metadata.tables[m.OrderStatusChange.__tablename__]


def _picked() -> Select[tuple[int]]:
    """The queue's head at ``:location_id``: waiting orders, or leased ones whose lease ran out, in queue order."""
    leasable = and_(
        _ORDERS.c.location_id == bindparam("p_location_id"),
        or_(
            _ORDERS.c.status == OrderStatus.QUEUED.value,
            and_(_ORDERS.c.status == OrderStatus.LEASED.value, _ORDERS.c.lease_expires_at < bindparam("p_at")),
        ),
    )
    return (
        select(_ORDERS.c.id)
        .where(leasable)
        .order_by(_ORDERS.c.priority.desc(), _ORDERS.c.ship_by.asc().nulls_last(), _ORDERS.c.id)
        .limit(bindparam("p_batch_size", type_=Integer))
        .with_for_update(skip_locked=True)
    )


_MARKING = {
    "status": OrderStatus.LEASED.value,
    "lease_id": bindparam("p_lease_id"),
    "lease_expires_at": bindparam("p_expires_at"),
    "updated_at": bindparam("p_at"),
}


@cache
def _sqlite_marking() -> Any:
    marked = update(m.Order).where(m.Order.id.in_(_picked())).values(_MARKING).returning(m.Order)
    return marked.execution_options(synchronize_session=False, populate_existing=True)


@cache
def lease_ctes() -> tuple[CTE, CTE, CTE]:
    """PostgreSQL: ``new_lease`` (INSERT the lease), ``marked`` (UPDATE the picked orders RETURNING them) and
    ``history`` (INSERT their status changes), for one statement executed with ``LeasePlan.params``. The foreign
    key from the orders to the new lease is checked at the end of the statement, when the lease row is there."""
    new_lease = (
        insert(_LEASES)
        .values(
            id=bindparam("p_lease_id"),
            station_id=bindparam("p_station_id"),
            location_id=bindparam("p_location_id"),
            created_at=bindparam("p_at"),
            expires_at=bindparam("p_expires_at"),
        )
        .returning(_LEASES.c.id)
        .cte("new_lease")
    )
    chosen = _picked().cte("picked")
    marked = (
        update(_ORDERS)
        .where(_ORDERS.c.id.in_(select(chosen.c.id)))
        .values(_MARKING)
        .returning(*_ORDERS.c)
        .cte("marked")
    )
    history = (
        insert(_HISTORY)
        .from_select(
            ["order_id", "status", "note", "at"],
            select(
                marked.c.id,
                literal(OrderStatus.LEASED.value),
                bindparam("p_note", type_=_HISTORY.c.note.type),
                bindparam("p_at", type_=_HISTORY.c.at.type),
            ),
        )
        .cte("history")
    )
    return new_lease, marked, history


@cache
def _orm_lease_statement() -> Any:
    new_lease, marked, history = lease_ctes()
    stmt = select(m.Order).from_statement(select(marked).add_cte(new_lease, history))
    return stmt.execution_options(populate_existing=True)


def _own_lease(session: Session, station: m.Station, lease_id: str) -> m.Lease:
    lease = session.get(m.Lease, lease_id, with_for_update=True)
    if lease is None:
        raise NotFound(f"unknown lease {lease_id}")
    if lease.station_id != station.id:
        raise Forbidden("this lease belongs to another station")
    return lease


def lease_orders(session: Session, lease: m.Lease, *, lock: bool = False) -> list[m.Order]:
    """Orders that were leased under this lease, whatever they are now (held, cancelled, packed…)."""
    ids = select(m.OrderStatusChange.order_id).where(m.OrderStatusChange.note == f"lease {lease.id}")
    q = select(m.Order).where(m.Order.id.in_(ids)).order_by(m.Order.id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(q).all())


class LostReason(enum.StrEnum):
    """Why a lease no longer holds one of its orders."""

    TAKEN = "taken"  # its lease ran out and another lease (another bench) took it
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"
    PACKED = "packed"  # packed (or further on): by this bench or another
    RELEASED = "released"  # given back to the queue


@dataclass(frozen=True)
class Renewed:
    """One order of a renewed lease: ``lost`` is None while the lease still holds it."""

    order: m.Order
    lost: LostReason | None = None
    detail: str = ""


@dataclass
class RenewResult:
    lease: m.Lease
    renewed: list[Renewed]

    @property
    def orders(self) -> list[m.Order]:
        return [r.order for r in self.renewed]


_BEFORE_PACK = (OrderStatus.RECEIVED, OrderStatus.VALIDATED, OrderStatus.ROUTED, OrderStatus.QUEUED, OrderStatus.LEASED)


def _why_lost(session: Session, lease: m.Lease, order: m.Order) -> tuple[LostReason, str]:
    status = OrderStatus(order.status)
    if status == OrderStatus.CANCELLED:
        return LostReason.CANCELLED, f"cancelled: {order.cancel_reason or 'no reason given'}"
    if status == OrderStatus.ON_HOLD:
        return LostReason.ON_HOLD, f"on hold: {order.hold_reason or 'no reason given'}"
    if status == OrderStatus.LEASED and order.lease_id is not None:
        other = session.get(m.Lease, order.lease_id)
        by = session.get(m.Station, other.station_id) if other is not None else None
        if other is not None and other.station_id == lease.station_id:
            return LostReason.TAKEN, "leased again by this bench under another lease (this lease had run out)"
        return LostReason.TAKEN, f"taken by {by.name if by else 'another bench'} after this lease ran out"
    if status in (
        OrderStatus.RECEIVED,
        OrderStatus.VALIDATED,
        OrderStatus.ROUTED,
        OrderStatus.QUEUED,
        OrderStatus.LEASED,
    ):
        return LostReason.RELEASED, "given back to the queue"
    by = session.get(m.Station, order.packed_station_id) if order.packed_station_id else None
    return LostReason.PACKED, f"already {status.value}" + (f" at {by.name}" if by else "")


def renew(session: Session, station: m.Station, lease_id: str, lease_seconds: int) -> RenewResult:
    """Extend the lease for the orders it still holds and say, per order, held or lost and why.

    An order is held while it is leased under this lease, even when the lease ran out meanwhile,
    as long as no other lease took it. The orders are locked first (``FOR UPDATE``), so a bench
    leasing at the same moment either took an order before (then it is reported lost) or skips it.
    """
    _check_seconds(lease_seconds)
    lease = _own_lease(session, station, lease_id)
    if lease.released_at is not None:
        raise Invalid("this lease was released")
    at = now()
    expires = at + timedelta(seconds=lease_seconds)
    orders = lease_orders(session, lease, lock=True)
    renewed: list[Renewed] = []
    for order in orders:
        if order.status == OrderStatus.LEASED.value and order.lease_id == lease.id:
            order.lease_expires_at = expires
            order.updated_at = at
            renewed.append(Renewed(order))
        else:
            reason, detail = _why_lost(session, lease, order)
            renewed.append(Renewed(order, reason, detail))
    lease.expires_at = expires
    session.flush()
    return RenewResult(lease, renewed)


def release(session: Session, station: m.Station, lease_id: str, order_numbers: list[str] | None = None) -> int:
    """Give orders back to the queue (all of the lease's, or the ones named). Returns how many."""
    lease = _own_lease(session, station, lease_id)
    at = now()
    q = (
        update(m.Order)
        .where(m.Order.lease_id == lease.id, m.Order.status == OrderStatus.LEASED.value)
        .values(status=OrderStatus.QUEUED.value, lease_id=None, lease_expires_at=None, updated_at=at)
    )
    if order_numbers is not None:
        q = q.where(m.Order.number.in_(order_numbers))
    count = session.execute(q).rowcount  # type: ignore[attr-defined]
    if order_numbers is None:
        lease.released_at = at
    return int(count)


def queue_depth(session: Session, location_id: int | None = None) -> list[tuple[str, int, datetime | None]]:
    """(location code, orders waiting, oldest waiting order's creation time) per location."""
    at = now()
    waiting = or_(
        m.Order.status == OrderStatus.QUEUED.value,
        and_(m.Order.status == OrderStatus.LEASED.value, m.Order.lease_expires_at < at),
    )
    q = (
        select(m.Location.code, func.count(m.Order.id), func.min(m.Order.created_at))
        .join(m.Order, and_(m.Order.location_id == m.Location.id, waiting), isouter=True)
        .group_by(m.Location.code)
        .order_by(m.Location.code)
    )
    if location_id is not None:
        q = q.where(m.Location.id == location_id)
    return [(code, int(n), oldest) for code, n, oldest in session.execute(q).all()]
