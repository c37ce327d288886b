"""Pick batches: a bench leases orders of its location (the queue lease itself, so the same rules hold:
never two benches on one order, expiry returns them) and the hub plans the walk.

Each order's lines are allocated to pickable bins with stock (``app.domain.picking.allocate``: walk order,
split across bins when one is short, reserve bins never). An order a line of which no pickable bin can
give is not put in the batch: it is held ("no pickable stock") and a count task raised for that SKU. The
stops are in walk order (S-shaped); each says the other pickable bins holding the SKU, for a short pick.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.domain import picking
from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.bin_models import Bin, CountTask, Pick, PickBatch
from app.hub.services import bins, queue
from app.hub.services import orders as order_service
from app.hub.services.clock import now
from app.hub.services.errors import Invalid

MAX_ORDERS = 50
MAX_TOTES = 50
MAX_LEASE_SECONDS = 3600
NO_STOCK = "no pickable stock"


@dataclass(frozen=True)
class Alternate:
    bin: str
    walk_seq: int
    available: int


@dataclass(frozen=True)
class PlannedStop:
    seq: int
    stop: picking.Stop
    zone: str
    alternates: tuple[Alternate, ...]


@dataclass
class PickPlan:
    batch: PickBatch
    lease: m.Lease
    orders: list[m.Order]
    slots: dict[str, int]  # order number -> tote slot (cluster and single)
    stops: list[PlannedStop] = field(default_factory=list)
    held: list[str] = field(default_factory=list)


def raise_count_task(session: Session, location_id: int, bin_id: int | None, product_id: int, reason: str) -> None:
    """A count task for the bin (one open task per bin and product is enough)."""
    open_one = exists().where(
        CountTask.location_id == location_id,
        CountTask.bin_id.is_(None) if bin_id is None else CountTask.bin_id == bin_id,
        CountTask.product_id == product_id,
        CountTask.done_at.is_(None),
    )
    if not session.scalar(select(open_one)):
        session.add(
            CountTask(location_id=location_id, bin_id=bin_id, product_id=product_id, reason=reason, raised_at=now())
        )


def lease_pick_batch(
    session: Session, station: m.Station, *, mode: picking.PickMode, max_orders: int, totes: int, lease_seconds: int
) -> PickPlan:
    if not 1 <= max_orders <= MAX_ORDERS or not 1 <= totes <= MAX_TOTES:
        raise Invalid(f"max_orders and totes must be between 1 and {MAX_ORDERS}")
    if lease_seconds > MAX_LEASE_SECONDS:
        raise Invalid(f"lease_seconds must be at most {MAX_LEASE_SECONDS}")
    wanted = {picking.PickMode.SINGLE: 1, picking.PickMode.CLUSTER: min(max_orders, totes)}.get(mode, max_orders)
    leased = queue.lease_batch(session, station, batch_size=wanted, lease_seconds=lease_seconds)
    batch = PickBatch(
        id=str(uuid.uuid4()),
        lease_id=leased.lease.id,
        location_id=station.location_id,
        station_id=station.id,
        mode=mode.value,
        created_at=now(),
    )
    session.add(batch)
    plan = PickPlan(batch, leased.lease, [], {})
    product_ids = {ln.product_id for o in leased.orders for ln in o.lines}
    found = bins.slots(session, station.location_id, product_ids)
    skus = {ln.product_id: ln.sku for o in leased.orders for ln in o.lines}
    booked = booked_units(session, station.location_id, batch.id) if found else {}
    stock = [
        picking.BinStock(
            s.bin.code,
            skus[s.product_id],
            s.bin.walk_seq,
            max(0, s.on_hand - booked.get((s.bin.code, s.product_id), 0)),
            s.bin.pickable,
        )
        for s in found
    ]
    taken: list[picking.Stop] = []
    for order in leased.orders:
        lines = [picking.Line(order.number or "", ln.sku, ln.quantity) for ln in order.lines]
        allocation = picking.allocate(lines, stock)
        if allocation.short:
            _hold_unstocked(session, station.location_id, order, allocation.short, found)
            plan.held.append(order.number or "")
            continue
        plan.orders.append(order)
        taken.extend(allocation.stops)
        stock = _less(stock, allocation.stops)
    product_of = {sku: pid for pid, sku in skus.items()}
    batch.plan = [[st.bin_code, product_of[st.sku], st.quantity] for st in taken]
    numbers = [o.number or "" for o in plan.orders]
    if mode != picking.PickMode.BATCH:
        plan.slots = {n: i + 1 for i, n in enumerate(numbers)}
    ordered = picking.plan(
        picking.PickMode.CLUSTER if mode == picking.PickMode.SINGLE else mode,
        picking.Allocation(tuple(taken), ()),
        numbers,
        max(totes, 1),
    )
    zones = {s.bin.code: s.bin.zone for s in found}
    for i, stop in enumerate(ordered, start=1):
        others = tuple(
            Alternate(s.bin.code, s.bin.walk_seq, s.on_hand)
            for s in found
            if skus[s.product_id] == stop.sku and s.bin.pickable and s.on_hand > 0 and s.bin.code != stop.bin_code
        )
        plan.stops.append(PlannedStop(i, stop, zones.get(stop.bin_code, ""), others))
    session.flush()
    return plan


def booked_units(session: Session, location_id: int, but: str) -> dict[tuple[str, int], int]:
    """Bin units the other open batches of the location planned and have not picked (or found short) yet:
    a new batch is planned against what is left, so two benches are not sent for the same units."""
    at = now()
    open_batches = session.execute(
        select(PickBatch.id, PickBatch.plan)
        .join(m.Lease, m.Lease.id == PickBatch.lease_id)
        .where(
            PickBatch.location_id == location_id,
            PickBatch.id != but,
            m.Lease.released_at.is_(None),
            m.Lease.expires_at >= at,
        )
    ).all()
    booked: dict[tuple[str, int], int] = {}
    for _id, planned in open_batches:
        for code, product_id, qty in planned or []:
            booked[(str(code), int(product_id))] = booked.get((str(code), int(product_id)), 0) + int(qty)
    if not booked:
        return booked
    done = session.execute(
        select(Bin.code, Pick.product_id, func.sum(Pick.quantity))
        .join(Bin, Bin.id == Pick.bin_id)
        .where(Pick.batch_id.in_([b for b, _p in open_batches]))
        .group_by(Bin.code, Pick.product_id)
    ).all()
    for code, product_id, qty in done:
        key = (code, product_id)
        if key in booked:
            booked[key] = max(0, booked[key] - int(qty))
    return booked


def _less(stock: list[picking.BinStock], stops: tuple[picking.Stop, ...]) -> list[picking.BinStock]:
    """The bin stock left once ``stops`` are picked (for the next order of the same batch)."""
    used: dict[tuple[str, str], int] = {}
    for s in stops:
        used[(s.bin_code, s.sku)] = used.get((s.bin_code, s.sku), 0) + s.quantity
    return [
        picking.BinStock(b.code, b.sku, b.walk_seq, b.on_hand - used.get((b.code, b.sku), 0), b.pickable) for b in stock
    ]


def _hold_unstocked(
    session: Session,
    location_id: int,
    order: m.Order,
    short: tuple[picking.Line, ...],
    found: list[bins.Slot],
) -> None:
    order_service.hold(session, order, f"{NO_STOCK}: " + ", ".join(sorted({ln.sku for ln in short})))
    ids = {ln.sku: ln.product_id for ln in order.lines}
    for line in short:
        product_id = ids[line.sku]
        where: Bin | None = next((s.bin for s in found if s.product_id == product_id), None)
        raise_count_task(session, location_id, where.id if where else None, product_id, NO_STOCK)


def batch_order_ids(session: Session, batch: PickBatch) -> list[int]:
    """The ids of the orders leased under the batch's lease, in queue order of the lease."""
    note = f"lease {batch.lease_id}"
    q = (
        select(m.Order.id)
        .join(m.OrderStatusChange, m.OrderStatusChange.order_id == m.Order.id)
        .where(m.OrderStatusChange.note == note, m.OrderStatusChange.status == OrderStatus.LEASED.value)
        .order_by(m.Order.priority.desc(), m.Order.ship_by.asc().nulls_last(), m.Order.id)
    )
    return list(dict.fromkeys(session.scalars(q).all()))
