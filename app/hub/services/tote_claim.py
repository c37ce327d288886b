"""A tote scanned at a pack bench: its order (batch mode: the batch's orders) is leased to that station.

The claim makes a new lease for the claiming station and moves the orders onto it (with the history
line the queue's renewal reads), so renew, release and expiry work on it as on any lease. Refused (409)
while another bench's claim still holds an order; the pick lease itself yields to any bench of the
location (the picker hands the tote over).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.bin_models import PickBatch, Tote
from app.hub.services import picks, queue, totes
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, NotFound


@dataclass
class Claim:
    lease: m.Lease
    tote: str
    mode: str
    orders: list[m.Order]
    picked: dict[int, dict[str, int]] = field(default_factory=dict)  # order id -> sku -> units in the tote


def _held_elsewhere(session: Session, station: m.Station, order: m.Order) -> bool:
    if order.status != OrderStatus.LEASED.value or order.lease_id is None:
        return False
    lease = session.get(m.Lease, order.lease_id)
    if lease is None or lease.released_at is not None or lease.expires_at < now():
        return False
    is_pick_lease = session.scalar(select(PickBatch.id).where(PickBatch.lease_id == lease.id)) is not None
    return not is_pick_lease and lease.station_id != station.id


def claim(session: Session, station: m.Station, code: str, lease_seconds: int) -> Claim:
    tote = totes.by_code(session, station.location_id, code, lock=True)
    if tote is None or not totes.in_use(session, tote):
        raise NotFound(f"tote {code} is not in use here (unknown or empty)")
    batch = session.get(PickBatch, tote.batch_id)
    assert batch is not None
    ids = [tote.order_id] if tote.order_id is not None else picks.batch_order_ids(session, batch)
    found = session.scalars(select(m.Order).where(m.Order.id.in_(ids)).with_for_update()).all()
    by_id = {o.id: o for o in found}
    orders = [by_id[i] for i in ids if i in by_id and by_id[i].status in (OrderStatus.LEASED.value, "queued")]
    held = [by_id[i] for i in ids if i in by_id and by_id[i].status == OrderStatus.ON_HOLD.value]
    if not orders:
        if held:
            raise Conflict(f"tote {code}: order {held[0].number} is on hold ({held[0].hold_reason})")
        raise NotFound(f"tote {code} holds no open order")
    busy = [o for o in orders if _held_elsewhere(session, station, o)]
    if busy:
        raise Conflict(f"tote {code}: order {busy[0].number} is being packed at another bench")
    lease = queue.new_lease(station, lease_seconds)
    at = lease.created_at
    session.add(lease)
    session.flush()
    for o in orders:
        o.status = OrderStatus.LEASED.value
        o.lease_id = lease.id
        o.lease_expires_at = lease.expires_at
        o.updated_at = at
        session.add(
            m.OrderStatusChange(order_id=o.id, status=OrderStatus.LEASED.value, note=f"lease {lease.id}", at=at)
        )
    session.flush()
    return Claim(lease, code, batch.mode, list(orders), _picked(session, tote, orders))


def _picked(session: Session, tote: Tote, orders: list[m.Order]) -> dict[int, dict[str, int]]:
    """What the tote holds per order: all of it for an order's own tote; a batch tote's units are given
    to the batch's orders in queue order (the sort the pack bench does)."""
    left = totes.picked(session, [tote])
    out: dict[int, dict[str, int]] = {}
    for o in orders:
        mine: dict[str, int] = {}
        for ln in o.lines:
            part = min(ln.quantity - mine.get(ln.sku, 0), left.get(ln.product_id, 0))
            if part > 0:
                mine[ln.sku] = mine.get(ln.sku, 0) + part
                left[ln.product_id] -= part
        out[o.id] = mine
    return out
