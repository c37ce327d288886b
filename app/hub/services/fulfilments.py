"""Split shipments: an order that ships from several locations becomes one fulfilment per location.

A fulfilment is an order row of its own (``parent_id`` → the order the channel sent; number
``<order>-1``, ``-2``, …) with its location's lines, reservation, place in that location's queue,
lease, parcels, label and tracking, so the queue, the bench, labels and the channel outbox work on
it as on any order. The split order itself is never queued and holds no stock; its status follows
its fulfilments (``Order.follow``: split → partially_shipped → shipped → delivered). An order that
is not split is its own single fulfilment.

A supervisor's cancel, hold and release of a split order act on its fulfilments; a re-route or a
channel edit replaces fulfilments no bench has taken yet (cancelled "replaced", stock given back)
and routes the order again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.orders import OPEN_STATUSES, SPLIT_STATES, OrderStatus
from app.domain.routing import RoutingDecision
from app.domain.splits import fulfilment_number
from app.hub import models as m
from app.hub.services import orders, stock
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, Invalid
from app.hub.shipping_models import ShippingLabel
from app.hub.sync_models import OutboxMessage

S = OrderStatus
# A fulfilment no bench has in hand (never leased since, or given back): it may still be replaced.
_WAITING = frozenset({S.ROUTED, S.QUEUED})
_DONE = frozenset({S.SHIPPED, S.DELIVERED, S.CANCELLED})


def is_split(row: m.Order) -> bool:
    return OrderStatus(row.status) in SPLIT_STATES


def parts(session: Session, row: m.Order, *, lock: bool = False) -> list[m.Order]:
    """The fulfilments of a split order (empty for any other order), in number order."""
    if row.parent_id is not None:
        return []
    q = select(m.Order).where(m.Order.parent_id == row.id).order_by(m.Order.id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(q))


def split(session: Session, row: m.Order, decision: RoutingDecision, by_code: dict[str, m.Location]) -> bool:
    """Reserve every location's units (all or none: False when the stock moved meanwhile), then
    split the validated order and queue one fulfilment per location."""
    product_of = {ln.sku: ln.product_id for ln in row.lines}
    line_of = {ln.sku: ln for ln in row.lines}
    savepoint = session.begin_nested()
    for alloc in decision.allocations:
        units = {product_of[sku]: q for sku, q in alloc.units.items()}
        if not stock.try_reserve(session, by_code[alloc.location_code].id, units):
            savepoint.rollback()
            return False
    savepoint.commit()
    orders.transition(session, row, lambda o: o.split(decision.reason))
    row.location_id = None
    first = len(parts(session, row)) + 1  # after a re-route the replaced ones keep their numbers
    count = len(decision.allocations)
    for n, alloc in enumerate(decision.allocations, first):
        loc = by_code[alloc.location_code]
        number = fulfilment_number(row.number or "", n)
        lines = [
            m.OrderLine(
                product_id=product_of[sku],
                sku=sku,
                name=line_of[sku].name,
                quantity=q,
                unit_price_minor=line_of[sku].unit_price_minor,
            )
            for sku, q in sorted(alloc.units.items())
        ]
        part = m.Order(
            number=number,
            channel=row.channel,
            channel_order_id=number,  # the channel's id is the split order's (unique per channel)
            parent_id=row.id,
            status=S.RECEIVED.value,
            order_type=row.order_type,
            priority=row.priority,
            service_level=row.service_level,
            created_at=row.created_at,
            updated_at=now(),
            ship_by=row.ship_by,
            paid=row.paid,
            currency=row.currency,
            total_minor=sum(ln.unit_price_minor * ln.quantity for ln in lines),
            ship_to=dict(row.ship_to),
            customer_email=row.customer_email,
            channel_updated_at=row.channel_updated_at,
            routing_reason=decision.reason,
            lines=lines,
        )
        session.add(part)
        session.flush()
        what = ", ".join(f"{ln.quantity} x {ln.sku}" for ln in lines)
        session.add(m.OrderStatusChange(order_id=part.id, status=part.status, note="received", at=now()))
        orders.set_status(session, part, S.VALIDATED, f"part {n - first + 1} of {count} of {row.number}")
        orders.set_status(session, part, S.ROUTED, f"{loc.code} ships {what}")
        part.location_id = loc.id
        orders.set_status(session, part, S.QUEUED, f"queued at {loc.code}")
    return True


def _waiting(part: m.Order) -> bool:
    """Not in a bench's hands: waiting in its queue, or held before it was packed (a held lease is
    no lease: the bench's renewal finds it on hold)."""
    status = OrderStatus(part.status)
    if status == S.ON_HOLD:
        return OrderStatus(part.status_before_hold or S.RECEIVED) != S.PACKED
    return status in _WAITING


def replaceable(session: Session, row: m.Order) -> bool:
    """May the split order be routed again: no fulfilment is in a bench's hands or beyond?"""
    return all(_waiting(p) for p in parts(session, row) if p.status != S.CANCELLED.value)


def replace_parts(session: Session, row: m.Order, note: str) -> None:
    """Cancel the split order's waiting fulfilments as replaced (their stock given back) and reopen
    the order so that it is routed again; Conflict when a bench has one."""
    live = [p for p in parts(session, row, lock=True) if p.status != S.CANCELLED.value]
    if not all(_waiting(p) for p in live):
        taken = ", ".join(f"{p.number} is {p.status}" for p in live if not _waiting(p))
        raise Conflict(f"order {row.number} ships in parts and a bench has one ({taken}): it cannot be changed")
    for p in live:
        orders.release_stock(session, p)
        orders.transition(session, p, lambda o: o.cancel(f"replaced: {note}"), follow=False)
        p.cancel_reason = f"replaced: {note}"
        p.lease_id = None
        p.lease_expires_at = None
    orders.transition(session, row, lambda o: o.reopen(note))


def cancel(session: Session, row: m.Order, reason: str) -> None:
    """Cancel every fulfilment not shipped yet; the split order follows (cancelled, or shipped when
    some had already shipped)."""
    open_parts = [p for p in parts(session, row, lock=True) if OrderStatus(p.status) not in _DONE]
    if not open_parts:
        raise Invalid(f"order {row.number} is {row.status}: nothing left to cancel")
    for p in open_parts:
        orders.cancel(session, p, reason)
    row.cancel_reason = reason


def hold(session: Session, row: m.Order, reason: str, *, strict: bool = True) -> bool:
    """Hold the split order's fulfilments that are not packed yet; False (Invalid when ``strict``)
    when there is none."""
    holdable = [p for p in parts(session, row, lock=True) if OrderStatus(p.status) in OPEN_STATUSES - {S.ON_HOLD}]
    if not holdable:
        if strict:
            raise Invalid(f"order {row.number} is {row.status}: no fulfilment left to hold")
        return False
    for p in holdable:
        orders.hold(session, p, reason)
    orders.note(session, row, f"fulfilments {', '.join(p.number or '' for p in holdable)} held: {reason}")
    return True


def release(session: Session, row: m.Order) -> None:
    held = [p for p in parts(session, row, lock=True) if p.status == S.ON_HOLD.value]
    if not held:
        raise Invalid(f"order {row.number} is {row.status}: none of its fulfilments is on hold")
    for p in held:
        orders.transition(session, p, lambda o: o.release_hold())
    orders.note(session, row, "fulfilments released")


def shipment_lines(session: Session, row: m.Order) -> tuple[dict[str, int], bool]:
    """What a fulfilment's shipment tells the channel: its units (empty for an order that is not
    split: the whole order) and whether it completes the order (every other live part has gone to
    the channel outbox already)."""
    if row.parent_id is None:
        return {}, True
    units: dict[str, int] = {}
    for ln in row.lines:
        units[ln.sku] = units.get(ln.sku, 0) + ln.quantity
    siblings = session.scalars(
        select(m.Order.number).where(
            m.Order.parent_id == row.parent_id, m.Order.id != row.id, m.Order.status != S.CANCELLED.value
        )
    )
    keys = {f"{row.channel}:shipment:{n}" for n in siblings}
    told = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys)))) if keys else set()
    return units, told == keys


def views(session: Session, row: m.Order) -> list[dict[str, Any]]:
    """What ``GET /api/v1/orders/{number}`` shows as ``fulfilments``: the split order's parts, or
    the order itself when it is not split."""
    shown = parts(session, row)
    live = any(p.status != S.CANCELLED.value for p in shown)
    if not shown or not (live or is_split(row) or (row.status == S.CANCELLED.value and row.location_id is None)):
        shown = [row]  # not split (or re-routed to one location since): the order is its own fulfilment
    codes = {loc.id: loc.code for loc in session.scalars(select(m.Location))}
    ids = [p.id for p in shown]
    labels: dict[int, list[dict[str, Any]]] = {}
    for lb in session.scalars(
        select(ShippingLabel)
        .where(ShippingLabel.order_id.in_(ids), ShippingLabel.status == "bought")
        .order_by(ShippingLabel.parcel_no)
    ):
        labels.setdefault(lb.order_id, []).append(
            {
                "parcel_no": lb.parcel_no,
                "carrier": lb.carrier,
                "tracking_number": lb.tracking_number or "",
                "tracking_url": lb.tracking_url,
                "status": lb.tracking_status,
            }
        )
    for parcel in session.scalars(select(m.Parcel).where(m.Parcel.order_id.in_(ids)).order_by(m.Parcel.parcel_no)):
        known = {t["tracking_number"] for t in labels.get(parcel.order_id, [])}
        if parcel.tracking_number and parcel.tracking_number not in known:
            labels.setdefault(parcel.order_id, []).append(
                {
                    "parcel_no": parcel.parcel_no,
                    "carrier": parcel.carrier or "",
                    "tracking_number": parcel.tracking_number,
                    "tracking_url": "",
                    "status": "",
                }
            )
    return [
        {
            "number": p.number or "",
            "location": codes.get(p.location_id) if p.location_id else None,
            "status": p.status,
            "lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in p.lines],
            "tracking": labels.get(p.id, []),
        }
        for p in shown
    ]
