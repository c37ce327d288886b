"""Totes: which order (or batch) a tote holds, what is in it, when it is free again.

A tote is in use from its ``tote_assigned`` (or first pick) until its order is packed; a tote whose
batch lease was released or ran out (and whose order no live lease holds) is free again, and any
units still in it go back to the bins they came from (the location figure never moves for that).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.bin_models import Bin, PickBatch, Tote, ToteItem
from app.hub.services import bins
from app.hub.services.clock import now

_OPEN = (OrderStatus.QUEUED.value, OrderStatus.LEASED.value, OrderStatus.ON_HOLD.value)


def by_code(session: Session, location_id: int, code: str, *, lock: bool = False) -> Tote | None:
    q = select(Tote).where(Tote.location_id == location_id, Tote.code == code)
    return session.scalar(q.with_for_update() if lock else q)


def items(session: Session, tote: Tote) -> list[ToteItem]:
    return list(session.scalars(select(ToteItem).where(ToteItem.tote_id == tote.id, ToteItem.quantity > 0)).all())


def _lease_live(session: Session, lease_id: str | None) -> bool:
    lease = session.get(m.Lease, lease_id) if lease_id else None
    return lease is not None and lease.released_at is None and lease.expires_at >= now()


def in_use(session: Session, tote: Tote) -> bool:
    """Does the tote still serve an open order (its batch's lease, or a later claim, still holds it)?"""
    if tote.batch_id is None:
        return False
    batch = session.get(PickBatch, tote.batch_id)
    if tote.order_id is not None:
        order = session.get(m.Order, tote.order_id)
        if order is None or order.status not in _OPEN:
            return False
        return order.status == OrderStatus.ON_HOLD.value or _lease_live(session, order.lease_id)
    if batch is None:
        return False
    from app.hub.services.picks import batch_order_ids  # a cycle at import time otherwise

    ids = batch_order_ids(session, batch)
    live = session.scalars(select(m.Order).where(m.Order.id.in_(ids), m.Order.status.in_(_OPEN))).all()
    return any(o.status == OrderStatus.ON_HOLD.value or _lease_live(session, o.lease_id) for o in live)


def free(session: Session, tote: Tote) -> None:
    """Free the tote; units still in it go back to the bins they came from."""
    for item in items(session, tote):
        assert item.bin_id is not None
        bin_row = session.get(Bin, item.bin_id)
        location_id = bin_row.location_id if bin_row else tote.location_id
        bins.put(session, location_id, item.product_id, item.quantity, bin_row.code if bin_row else None)
    session.execute(update(ToteItem).where(ToteItem.tote_id == tote.id).values(quantity=0))
    tote.batch_id = None
    tote.order_id = None
    tote.slot = None
    tote.assigned_at = None


def add(session: Session, tote: Tote, product_id: int, quantity: int, bin_id: int) -> None:
    item = session.get(ToteItem, (tote.id, product_id))
    if item is None:
        session.add(ToteItem(tote_id=tote.id, product_id=product_id, bin_id=bin_id, quantity=quantity))
    else:
        item.quantity += quantity
        item.bin_id = bin_id
    session.flush()


def for_order(session: Session, order: m.Order) -> list[Tote]:
    """The order's own totes, then the batch totes of the batches it was leased in (batch mode)."""
    own = list(session.scalars(select(Tote).where(Tote.order_id == order.id).order_by(Tote.id)).all())
    notes = select(m.OrderStatusChange.note).where(
        m.OrderStatusChange.order_id == order.id, m.OrderStatusChange.note.like("lease %")
    )
    lease_ids = {n.removeprefix("lease ") for n in session.scalars(notes).all()}
    if not lease_ids:
        return own
    batch_ids = select(PickBatch.id).where(PickBatch.lease_id.in_(lease_ids), PickBatch.mode == "batch")
    shared = session.scalars(
        select(Tote).where(Tote.batch_id.in_(batch_ids), Tote.order_id.is_(None)).order_by(Tote.id)
    ).all()
    return own + list(shared)


def order_packed(session: Session, order: m.Order) -> None:
    """The packed order's units leave its totes first, then the bins (an order packed without a pick);
    its own totes are free again, and a batch tote once it is empty."""
    assert order.location_id is not None
    need: dict[int, int] = {}
    for ln in order.lines:
        need[ln.product_id] = need.get(ln.product_id, 0) + ln.quantity
    mine = for_order(session, order)
    for tote in mine:
        for item in items(session, tote):
            part = min(item.quantity, need.get(item.product_id, 0))
            if part:
                item.quantity -= part
                need[item.product_id] -= part
    session.flush()
    rest = {pid: q for pid, q in need.items() if q > 0}
    if rest:
        bins.take(session, order.location_id, rest)
    for tote in mine:
        if tote.order_id == order.id or not items(session, tote):
            free(session, tote)


def in_use_list(session: Session, location_id: int | None) -> list[tuple[str, str | None]]:
    """(tote code, order number or None for a batch tote) of every tote in use."""
    q = select(Tote).where(Tote.batch_id.is_not(None)).order_by(Tote.code)
    if location_id is not None:
        q = q.where(Tote.location_id == location_id)
    out: list[tuple[str, str | None]] = []
    for tote in session.scalars(q).all():
        if in_use(session, tote):
            order = session.get(m.Order, tote.order_id) if tote.order_id else None
            out.append((tote.code, order.number if order else None))
    return out


def picked(session: Session, totes: Iterable[Tote]) -> dict[int, int]:
    """Units per product id in the totes."""
    out: dict[int, int] = {}
    for tote in totes:
        for item in items(session, tote):
            out[item.product_id] = out.get(item.product_id, 0) + item.quantity
    return out
