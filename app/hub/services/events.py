"""Applying bench events exactly once.

Every event is checked field by field first (``from_wire``, ``check_fits``): a malformed one is
``rejected`` and never reaches the database. A batch is then applied in one transaction with a
savepoint per event (``event_batch`` says how): each event's row in ``applied_events``, keyed by its
id, is written in the same transaction as its effects. A repeat (a retry after a lost answer, a
replayed outbox) finds that row and is answered ``duplicate``; two copies racing each other meet on
the primary key and the later one is answered ``duplicate`` too. An event that breaks a rule is
``rejected`` with the reason, rolled back alone, and the rest of the batch is applied.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
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
from app.hub.services import event_batch as batch
from app.hub.services import orders as order_service
from app.hub.services import pick_events, scope, stock, totes
from app.hub.services import returns as return_service
from app.hub.services.auth import Principal, operator_id_for_badge
from app.hub.services.clock import now
from app.hub.services.errors import HubError
from app.hub.services.event_limits import check_fits

log = logging.getLogger(__name__)


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
    """Apply a batch in one transaction, a savepoint per event (see ``event_batch``); the answer per event
    in the order sent. Should the batch transaction itself fail (a deadlock with another batch, a store
    error outside any one event), the batch is applied again event by event, each in its own transaction."""
    principal.require_station()
    checked = [_checked(w) for w in wires]
    try:
        return _apply_together(factory, principal, checked)
    except _RetryAlone as exc:
        log.info("event batch of %d applied event by event: %s", len(wires), exc.__cause__ or "stock did not fit")
    except DBAPIError as exc:
        if exc.connection_invalidated:  # the database went away: the whole batch fails, the bench retries
            raise
        log.warning("event batch of %d applied event by event after %s", len(wires), exc.__class__.__name__)
    return [c if isinstance(c, EventResult) else _apply_alone(factory, principal, c) for c in checked]


def apply_one(factory: sessionmaker[Session], principal: Principal, wire: Any) -> EventResult:
    """One event in its own transaction."""
    checked = _checked(wire)
    return checked if isinstance(checked, EventResult) else _apply_alone(factory, principal, checked)


def _checked(wire: Any) -> BenchEvent | EventResult:
    """The event, or its ``rejected`` answer when a field is malformed or does not fit its column."""
    raw_id = wire.get("event_id") if isinstance(wire, dict) else None
    raw_id = raw_id[:100] if isinstance(raw_id, str) else ""
    try:
        event = from_wire(wire)
        check_fits(event)
    except DomainError as exc:
        return EventResult(raw_id, Outcome.REJECTED, str(exc))
    return event


class _RetryAlone(Exception):
    """This batch lost a deadlock or serialisation race, or its summed stock moves did not fit: roll it
    all back and apply it event by event."""


def _apply_together(
    factory: sessionmaker[Session], principal: Principal, checked: list[BenchEvent | EventResult]
) -> list[EventResult]:
    results: list[EventResult | None] = [c if isinstance(c, EventResult) else None for c in checked]
    first: dict[str, int] = {}  # event id -> index of its first copy in this batch
    for i, c in enumerate(checked):
        if isinstance(c, BenchEvent):
            first.setdefault(c.event_id, i)
    events = [(i, c) for i, c in enumerate(checked) if isinstance(c, BenchEvent) and first[c.event_id] == i]
    with unit_of_work(factory) as session:
        at = now()
        operators = batch.operator_ids(session, (e.operator_badge for _, e in events))
        rows = [batch.key_row(e, principal.station_id, operators.get(e.operator_badge), at) for _, e in events]
        claimed = batch.claim_keys(session, rows)
        mine = [e for _, e in events if e.event_id in claimed]
        batch.lock_orders(session, (n for e in mine if (n := getattr(e, "order_number", None))))
        moves = batch.StockMoves()
        group: list[tuple[int, BenchEvent]] = []  # consecutive pack events, flushed together
        for i, event in events:
            if event.event_id not in claimed:
                results[i] = EventResult(event.event_id, Outcome.DUPLICATE)
            elif isinstance(event, OrderPacked):
                group.append((i, event))
            else:
                _apply_group(session, principal, operators, group, results, moves)
                group = []
                results[i] = _apply_in_savepoint(session, principal, operators.get(event.operator_badge), event, moves)
        _apply_group(session, principal, operators, group, results, moves)
        for i, event in events:
            if event.event_id in claimed and results[i].status == Outcome.REJECTED:  # type: ignore[union-attr]
                batch.release_key(session, event.event_id)
        if not moves.write(session):  # stock the events did not leave reserved: apply them one by one
            raise _RetryAlone
        session.info.pop(batch.ORDERS_KEY, None)
        session.info.pop(batch.LEASES_KEY, None)
    out: list[EventResult] = []
    for i, c in enumerate(checked):
        r = results[i]
        if r is None:  # a second copy of an event in the same batch: answered as its first copy was
            assert isinstance(c, BenchEvent)
            done = results[first[c.event_id]]
            assert done is not None
            r = done if done.status == Outcome.REJECTED else EventResult(c.event_id, Outcome.DUPLICATE)
        out.append(r)
    return out


_RACE_CODES = ("40P01", "40001")  # PostgreSQL: deadlock detected, serialisation failure


class _Tangled(Exception):
    """A handler refused its event after it had already changed something: the group needs savepoints."""


def _apply_group(
    session: Session,
    principal: Principal,
    operators: dict[str, int],
    group: list[tuple[int, BenchEvent]],
    results: list[EventResult | None],
    moves: batch.StockMoves,
) -> None:
    """Apply consecutive pack events under one savepoint with one flush (one INSERT of all their parcels,
    one of their status changes, one UPDATE round of their orders): a pack handler checks every rule before
    it changes anything, so an event it refuses has nothing to roll back. Should that not hold, or the
    flush fail, the group is rolled back and each event applied again in a savepoint of its own."""
    if not group:
        return
    mine = batch.StockMoves()
    outcome: dict[int, EventResult] = {}
    session.info[batch.MOVES_KEY] = mine
    try:
        with session.begin_nested(), session.no_autoflush:
            for i, event in group:
                new, dirty = len(session.new), set(session.dirty)
                try:
                    _apply(session, principal, operators.get(event.operator_badge), event)
                except (HubError, DomainError) as exc:
                    if len(session.new) != new or set(session.dirty) != dirty:
                        raise _Tangled from exc
                    outcome[i] = EventResult(event.event_id, Outcome.REJECTED, getattr(exc, "message", str(exc)))
                else:
                    outcome[i] = EventResult(event.event_id, Outcome.APPLIED)
            session.flush()
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        if getattr(exc.orig, "sqlstate", None) in _RACE_CODES:
            raise _RetryAlone from exc
        outcome = {}
    except (_Tangled, SQLAlchemyError, ValueError, TypeError, ArithmeticError):
        outcome = {}
    finally:
        session.info.pop(batch.MOVES_KEY, None)
    if outcome:
        moves.merge(mine)
        for i, r in outcome.items():
            results[i] = r
        return
    for i, event in group:  # one by one, each rolled back alone
        results[i] = _apply_in_savepoint(session, principal, operators.get(event.operator_badge), event, moves)


def _apply_in_savepoint(
    session: Session, principal: Principal, operator_id: int | None, event: BenchEvent, moves: batch.StockMoves
) -> EventResult:
    mine = batch.StockMoves()
    session.info[batch.MOVES_KEY] = mine
    try:
        with session.begin_nested():
            _apply(session, principal, operator_id, event)
            session.flush()
    except IntegrityError:
        return EventResult(event.event_id, Outcome.REJECTED, "the store refused this event (constraint)")
    except (HubError, DomainError) as exc:
        return EventResult(event.event_id, Outcome.REJECTED, getattr(exc, "message", str(exc)))
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        if getattr(exc.orig, "sqlstate", None) in _RACE_CODES:
            raise _RetryAlone from exc
        return _store_refused(event, exc)
    except (SQLAlchemyError, ValueError, TypeError, ArithmeticError) as exc:
        return _store_refused(event, exc)
    finally:
        session.info.pop(batch.MOVES_KEY, None)
    moves.merge(mine)
    return EventResult(event.event_id, Outcome.APPLIED)


def _apply_alone(factory: sessionmaker[Session], principal: Principal, event: BenchEvent) -> EventResult:
    try:
        with unit_of_work(factory) as session:
            if session.get(m.AppliedEvent, event.event_id) is not None:
                return EventResult(event.event_id, Outcome.DUPLICATE)
            operator_id = operator_id_for_badge(session, event.operator_badge)
            # Takes the event id first: a racing copy waits here, then collides.
            batch.insert_key(session, batch.key_row(event, principal.station_id, operator_id, now()))
            _apply(session, principal, operator_id, event)
            session.flush()
    except IntegrityError:
        with factory() as session:
            if session.get(m.AppliedEvent, event.event_id) is not None:
                return EventResult(event.event_id, Outcome.DUPLICATE)
        return EventResult(event.event_id, Outcome.REJECTED, "the store refused this event (constraint)")
    except (HubError, DomainError) as exc:
        return EventResult(event.event_id, Outcome.REJECTED, getattr(exc, "message", str(exc)))
    except DBAPIError as exc:
        if exc.connection_invalidated:  # the database went away: the whole batch fails, the bench retries
            raise
        return _store_refused(event, exc)
    except (SQLAlchemyError, ValueError, TypeError, ArithmeticError) as exc:
        return _store_refused(event, exc)
    return EventResult(event.event_id, Outcome.APPLIED)


def _store_refused(event: BenchEvent, exc: Exception) -> EventResult:
    """An error nobody foresaw for this one event: logged in full here, answered ``rejected`` to the bench."""
    log.error("event %s (%s) refused by the store", event.event_id, event.TYPE, exc_info=exc)
    return EventResult(event.event_id, Outcome.REJECTED, f"the store refused this event ({exc.__class__.__name__})")


def _order_at_station(session: Session, principal: Principal, number: str) -> m.Order:
    order = batch.locked_order(session, number) or session.scalar(
        select(m.Order).where(m.Order.number == number).with_for_update()
    )
    if order is None:
        raise Rejected(f"unknown order {number}")
    scope.require(principal, order.location_id, f"order {number}")
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
    elif isinstance(event, pick_events.TYPES):
        pick_events.apply(session, principal, operator_id, event)
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
    batch.consume(session, order.location_id, stock.units_by_product(order.lines))
    totes.order_packed(session, order)  # the units leave its totes, or its bins when it was not picked


def _pack_exception(
    session: Session, principal: Principal, operator_id: int | None, event: PackExceptionRaised
) -> None:
    order = _order_at_station(session, principal, event.order_number)
    session.add(
        m.PackException(
            event_id=event.event_id,
            order_id=order.id,
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
    if event.kind in HOLDING_EXCEPTIONS and OrderStatus(order.status) in holdable:
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
    scope.require_rma(session, principal, event.rma_number)
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
