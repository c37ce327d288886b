"""ORM rows → response bodies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.services import fulfilments
from app.hub.sync_models import OrderChange


def product(p: m.Product) -> s.ProductOut:
    return s.ProductOut(
        sku=p.sku,
        name=p.name,
        weight_g=p.weight_g,
        length_mm=p.length_mm,
        width_mm=p.width_mm,
        height_mm=p.height_mm,
        barcodes=sorted(b.raw for b in p.barcodes),
        image_url=p.image_url,
    )


def lines(o: m.Order) -> list[s.OrderLineOut]:
    return [
        s.OrderLineOut(sku=ln.sku, name=ln.name, quantity=ln.quantity, unit_price_minor=ln.unit_price_minor)
        for ln in o.lines
    ]


def order(session: Session, o: m.Order, *, history: bool = False, parts: bool = True) -> s.OrderOut:
    loc = session.get(m.Location, o.location_id) if o.location_id else None
    hist = changes = None
    if history:
        changes = [
            {"at": c.at.isoformat(), "source": c.source, "outcome": c.outcome, "diff": c.diff}
            for c in session.scalars(select(OrderChange).where(OrderChange.order_id == o.id).order_by(OrderChange.id))
        ]
        hist = [
            {"status": h.status, "note": h.note, "at": h.at.isoformat()}
            for h in session.scalars(
                select(m.OrderStatusChange).where(m.OrderStatusChange.order_id == o.id).order_by(m.OrderStatusChange.id)
            )
        ]
    return s.OrderOut(
        number=o.number or "",
        channel=o.channel,
        channel_order_id=o.channel_order_id,
        status=o.status,
        order_type=o.order_type,
        priority=o.priority,
        service_level=o.service_level,
        created_at=o.created_at,
        ship_by=o.ship_by,
        location=loc.code if loc else None,
        hold_reason=o.hold_reason,
        cancel_reason=o.cancel_reason,
        routing_reason=o.routing_reason,
        total_minor=o.total_minor,
        currency=o.currency,
        ship_to=o.ship_to,
        lines=lines(o),
        history=hist,
        changes=changes,
        fulfilments=[s.FulfilmentOut.model_validate(f) for f in fulfilments.views(session, o)] if parts else None,
        part_of=_parent_number(session, o),
    )


def _parent_number(session: Session, o: m.Order) -> str | None:
    if o.parent_id is None:
        return None
    return session.scalar(select(m.Order.number).where(m.Order.id == o.parent_id))


def leased_order(o: m.Order) -> s.LeasedOrder:
    return s.LeasedOrder(
        number=o.number or "",
        status=o.status,
        priority=o.priority,
        ship_by=o.ship_by,
        created_at=o.created_at,
        channel=o.channel,
        service_level=o.service_level,
        order_type=o.order_type,
        ship_to=o.ship_to,
        hold_reason=o.hold_reason,
        lines=lines(o),
    )


def rma(session: Session, r: m.Rma) -> s.RmaOut:
    o = session.get(m.Order, r.order_id)
    assert o is not None
    skus = {ln.sku for ln in r.lines}
    products = {p.sku: p for p in session.scalars(select(m.Product).where(m.Product.sku.in_(skus)))}
    return s.RmaOut(
        number=r.number or "",
        order_number=o.number or "",
        status=r.status,
        resolution=r.resolution,
        return_tracking_number=r.return_tracking_number,
        created_at=r.created_at,
        lines=[
            s.RmaLineOut(
                sku=ln.sku,
                name=products[ln.sku].name if ln.sku in products else ln.sku,
                quantity=ln.quantity,
                received_quantity=ln.received_quantity,
                reason=ln.reason,
                barcodes=sorted(b.raw for b in products[ln.sku].barcodes) if ln.sku in products else [],
                weight_g=products[ln.sku].weight_g if ln.sku in products else 0,
            )
            for ln in r.lines
        ],
    )
