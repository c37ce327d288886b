"""Applying the pick events (``app.domain.pick_events``); called by ``events._apply`` inside the event
batch's savepoint, after the exactly-once key is taken — so each is applied once.

``pick_confirmed``: the bin gives the units (refused when it holds fewer: a bin never goes below zero),
the tote takes them; the location figure does not move (the units are still in the building).
``pick_short``: what the bin did not have leaves the bin and the location figure (a stock adjustment with
the reason), a count task is raised for the bin, and the order is held when no other pickable bin has
the units. ``tote_assigned``: a free tote is given to the batch's order (refused if another open order
has it).
"""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus
from app.domain.pick_events import PickConfirmed, PickShort, ShortReason, ToteAssigned
from app.hub import models as m
from app.hub.bin_models import Bin, BinStock, Pick, PickBatch, Tote
from app.hub.services import bins, picks, scope, totes
from app.hub.services import orders as order_service
from app.hub.services.auth import Principal
from app.hub.services.clock import now
from app.hub.services.errors import Invalid

PickEvent = ToteAssigned | PickConfirmed | PickShort
TYPES = (ToteAssigned, PickConfirmed, PickShort)
_ADJUST = {ShortReason.DAMAGED: "damaged", ShortReason.BIN_EMPTY: "lost", ShortReason.NOT_FOUND: "lost"}


class PickRejected(Invalid):
    status = 422


def apply(session: Session, principal: Principal, operator_id: int | None, event: PickEvent) -> None:
    batch = session.get(PickBatch, event.batch_id)
    if batch is None:
        raise PickRejected(f"unknown pick batch {event.batch_id}")
    scope.require(principal, batch.location_id, f"pick batch {event.batch_id}")
    order = _batch_order(session, batch, event.order_number)
    if isinstance(event, ToteAssigned):
        _assign(session, batch, order, event.tote, event.slot)
    elif isinstance(event, PickConfirmed):
        _confirmed(session, principal, operator_id, batch, order, event)
    else:
        _short(session, principal, operator_id, batch, order, event)


def _batch_order(session: Session, batch: PickBatch, number: str | None) -> m.Order | None:
    if batch.mode == "batch":
        if number is not None:
            raise PickRejected("a batch-mode pick names no order (it is sorted at the pack bench)")
        return None
    if number is None:
        raise PickRejected(f"a {batch.mode} pick names its order")
    order = session.scalar(select(m.Order).where(m.Order.number == number))
    if order is None or order.id not in picks.batch_order_ids(session, batch):
        raise PickRejected(f"order {number} is not in pick batch {batch.id}")
    return order


def _assign(session: Session, batch: PickBatch, order: m.Order | None, code: str, slot: int | None) -> Tote:
    tote = totes.by_code(session, batch.location_id, code, lock=True)
    if tote is None:
        tote = Tote(location_id=batch.location_id, code=code)
        session.add(tote)
    elif (tote.batch_id, tote.order_id) == (batch.id, order.id if order else None):
        return tote
    elif totes.in_use(session, tote):
        what = f"order {session.get(m.Order, tote.order_id).number}" if tote.order_id else "another batch"  # type: ignore[union-attr]
        raise PickRejected(f"tote {code} is in use by {what}")
    else:
        totes.free(session, tote)
    tote.batch_id = batch.id
    tote.order_id = order.id if order else None
    tote.slot = slot
    tote.assigned_at = now()
    session.flush()
    return tote


def _bin_and_product(session: Session, batch: PickBatch, code: str, sku: str) -> tuple[Bin, m.Product]:
    where = bins.bin_by_code(session, batch.location_id, code)
    if where is None:
        raise PickRejected(f"unknown bin {code}")
    product = session.scalar(select(m.Product).where(m.Product.sku == sku))
    if product is None:
        raise PickRejected(f"unknown SKU {sku}")
    return where, product


def _wanted(session: Session, batch: PickBatch, order: m.Order | None, product_id: int) -> int:
    """Units of the product the order (batch mode: every order of the batch) asks for."""
    ids = [order.id] if order else picks.batch_order_ids(session, batch)
    q = select(func.coalesce(func.sum(m.OrderLine.quantity), 0)).where(
        m.OrderLine.order_id.in_(ids), m.OrderLine.product_id == product_id
    )
    return int(session.scalar(q) or 0)


def _done(session: Session, batch: PickBatch, order: m.Order | None, product_id: int) -> int:
    q = select(func.coalesce(func.sum(Pick.quantity), 0)).where(
        Pick.batch_id == batch.id, Pick.product_id == product_id, Pick.kind == "picked"
    )
    if order is not None:
        q = q.where(Pick.order_id == order.id)
    return int(session.scalar(q) or 0)


def _confirmed(
    session: Session,
    principal: Principal,
    operator_id: int | None,
    batch: PickBatch,
    order: m.Order | None,
    event: PickConfirmed,
) -> None:
    where, product = _bin_and_product(session, batch, event.bin, event.sku)
    if order is not None and order.status not in (OrderStatus.LEASED.value, OrderStatus.QUEUED.value):
        raise PickRejected(f"order {order.number} is {order.status}: put the units back")
    wanted = _wanted(session, batch, order, product.id)
    if _done(session, batch, order, product.id) + event.quantity > wanted:
        raise PickRejected(f"{event.sku}: {event.quantity} more would pick over the {wanted} ordered")
    if not where.pickable:
        raise PickRejected(f"bin {where.code} is a reserve bin: it is not picked from")
    tote = _assign(session, batch, order, event.tote, None)
    if not bins.take_from(session, where.id, product.id, event.quantity):
        raise PickRejected(f"bin {where.code} holds fewer than {event.quantity} of {event.sku}")
    totes.add(session, tote, product.id, event.quantity, where.id)
    _record(session, principal, operator_id, batch, order, where, product, event, "picked", event.tote, "")


def _record(
    session: Session,
    principal: Principal,
    operator_id: int | None,
    batch: PickBatch,
    order: m.Order | None,
    where: Bin,
    product: m.Product,
    event: PickConfirmed | PickShort,
    kind: str,
    tote: str,
    reason: str,
) -> None:
    session.add(
        Pick(
            event_id=event.event_id,
            kind=kind,
            batch_id=batch.id,
            location_id=batch.location_id,
            order_id=order.id if order else None,
            bin_id=where.id,
            product_id=product.id,
            quantity=event.quantity,
            tote=tote,
            reason=reason,
            station_id=principal.station_id,
            operator_id=operator_id,
            at=event.occurred_at,
        )
    )


def _short(
    session: Session,
    principal: Principal,
    operator_id: int | None,
    batch: PickBatch,
    order: m.Order | None,
    event: PickShort,
) -> None:
    where, product = _bin_and_product(session, batch, event.bin, event.sku)
    held = session.get(BinStock, (where.id, product.id), with_for_update=True)
    gone = min(event.quantity, held.on_hand if held else 0)
    if gone and bins.take_from(session, where.id, product.id, gone):
        _off_location(session, batch.location_id, product.id, gone)
        session.add(
            m.StockAdjustment(
                location_id=batch.location_id,
                product_id=product.id,
                delta=-gone,
                reason=_ADJUST[event.reason],
                note=f"short pick at {where.code}: {event.reason.value}",
                operator_id=operator_id,
                event_id=event.event_id,
                created_at=now(),
            )
        )
    picks.raise_count_task(session, batch.location_id, where.id, product.id, f"short pick: {event.reason.value}")
    _record(session, principal, operator_id, batch, order, where, product, event, "short", "", event.reason.value)
    session.flush()
    elsewhere = sum(
        s.on_hand
        for s in bins.slots(session, batch.location_id, [product.id])
        if s.bin.pickable and s.bin.id != where.id
    )
    if elsewhere >= event.quantity:
        return  # the picker is sent to the next bin (the stop's alternates)
    target = order or _last_order_with(session, batch, product.id)
    holdable = (OrderStatus.QUEUED.value, OrderStatus.LEASED.value)
    if target is not None and target.status in holdable:
        order_service.hold(session, target, f"short pick: {event.sku}")


def _off_location(session: Session, location_id: int, product_id: int, units: int) -> None:
    """Units that are not there leave the location's figure; reservations over what is left are cut back
    (the held order and the count task settle them)."""
    level = m.StockLevel
    left = level.on_hand - units
    session.execute(
        update(level)
        .where(level.location_id == location_id, level.product_id == product_id, level.on_hand >= units)
        .values(on_hand=left, reserved=case((level.reserved > left, left), else_=level.reserved))
    )


def _last_order_with(session: Session, batch: PickBatch, product_id: int) -> m.Order | None:
    """Batch mode: the last order of the batch (queue order) that asks for the product and is not packed."""
    for order_id in reversed(picks.batch_order_ids(session, batch)):
        order = session.get(m.Order, order_id)
        if (
            order
            and order.status == OrderStatus.LEASED.value
            and any(ln.product_id == product_id for ln in order.lines)
        ):
            return order
    return None
