"""Returns: RMAs created for shipped orders, looked up at the bench, received with restock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.domain.orders import OrderStatus
from app.domain.returns import (
    ReceivedUnit,
    Resolution,
    RmaLine,
    RmaStatus,
    check_receipt,
    outstanding,
    restock_quantities,
)
from app.hub import models as m
from app.hub.services import orders as order_service
from app.hub.services import stock
from app.hub.services.clock import now
from app.hub.services.errors import Invalid, NotFound

RETURNABLE = {OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED}


@dataclass
class NewRmaLine:
    sku: str
    quantity: int
    reason: str = ""


def create_rma(
    session: Session,
    *,
    order_number: str,
    lines: list[NewRmaLine],
    resolution: str = "refund",
    return_tracking_number: str | None = None,
) -> m.Rma:
    order = order_service.get_order(session, order_number)
    if OrderStatus(order.status) not in RETURNABLE:
        raise Invalid(f"order {order_number} is {order.status}: only shipped orders can be returned")
    try:
        res = Resolution(resolution)
    except ValueError as exc:
        raise Invalid(f"resolution must be one of {sorted(Resolution)}") from exc
    if not lines:
        raise Invalid("an RMA needs at least one line")
    ordered = {ln.sku: 0 for ln in order.lines}
    for ln in order.lines:
        ordered[ln.sku] += ln.quantity
    already = {sku: 0 for sku in ordered}
    for earlier in session.scalars(select(m.Rma).where(m.Rma.order_id == order.id)).all():
        for old in earlier.lines:
            already[old.sku] = already.get(old.sku, 0) + old.quantity
    for rl in lines:
        if rl.quantity <= 0:
            raise Invalid(f"{rl.sku}: quantity must be positive")
        if rl.sku not in ordered:
            raise Invalid(f"{rl.sku} is not on order {order_number}")
        if already[rl.sku] + rl.quantity > ordered[rl.sku]:
            raise Invalid(f"{rl.sku}: {ordered[rl.sku]} ordered, {already[rl.sku]} already authorised for return")
        already[rl.sku] += rl.quantity
    rma = m.Rma(
        order_id=order.id,
        status=RmaStatus.OPEN.value,
        resolution=res.value,
        return_tracking_number=return_tracking_number,
        created_at=now(),
        lines=[m.RmaLine(sku=ln.sku, quantity=ln.quantity, reason=ln.reason) for ln in lines],
    )
    session.add(rma)
    session.flush()
    rma.number = f"RMA-{rma.id:07d}"
    session.flush()
    return rma


def lookup(session: Session, code: str) -> list[m.Rma]:
    """RMAs by RMA number, order number, return tracking number or outbound tracking number."""
    text = code.strip().upper()
    by_number = session.scalar(select(m.Rma).where(m.Rma.number == text))
    if by_number is not None:
        return [by_number]
    rows = session.scalars(select(m.Rma).where(m.Rma.return_tracking_number == code.strip())).all()
    if rows:
        return list(rows)
    order_ids = select(m.Order.id).where(m.Order.number == text)
    parcel_orders = select(m.Parcel.order_id).where(m.Parcel.tracking_number == code.strip())
    rows = session.scalars(
        select(m.Rma).where(m.Rma.order_id.in_(order_ids) | m.Rma.order_id.in_(parcel_orders)).order_by(m.Rma.id)
    ).all()
    if not rows:
        raise NotFound(f"no return found for {code!r}")
    return list(rows)


def receive(
    session: Session,
    *,
    rma_number: str,
    location_id: int,
    units: list[ReceivedUnit],
    event_id: str,
    station_id: int | None,
    operator_id: int | None,
) -> m.ReturnReceipt:
    """Record a receipt; restock only the units whose disposition is restock, at ``location_id``."""
    rma = session.scalar(select(m.Rma).where(m.Rma.number == rma_number).with_for_update())
    if rma is None:
        raise NotFound(f"unknown RMA {rma_number}")
    authorised = [RmaLine(rl.sku, rl.quantity, rl.reason) for rl in rma.lines]
    received = {rl.sku: 0 for rl in rma.lines}
    for rl in rma.lines:
        received[rl.sku] += rl.received_quantity
    try:
        check_receipt(authorised, received, units)
    except DomainError as exc:
        raise Invalid(str(exc)) from exc
    at = now()
    receipt = m.ReturnReceipt(
        event_id=event_id,
        rma_id=rma.id,
        location_id=location_id,
        station_id=station_id,
        operator_id=operator_id,
        received_at=at,
    )
    session.add(receipt)
    session.flush()
    session.add_all(
        m.ReturnReceiptLine(
            receipt_id=receipt.id,
            sku=u.sku,
            quantity=u.quantity,
            condition=u.condition.value,
            disposition=u.disposition.value,
            bin=u.bin,
        )
        for u in units
    )
    for u in units:
        left = u.quantity
        for rl in rma.lines:
            if rl.sku == u.sku and left:
                take = min(left, rl.quantity - rl.received_quantity)
                rl.received_quantity += take
                left -= take
    loc = session.get(m.Location, location_id)
    assert loc is not None
    restock_bin = {u.sku: u.bin for u in reversed(units) if u.bin}  # the first bin named per SKU
    for sku, qty in restock_quantities(units).items():
        stock.adjust(
            session,
            location_code=loc.code,
            sku=sku,
            delta=qty,
            reason="return_restock",
            note=f"{rma.number}",
            operator_id=operator_id,
            event_id=event_id,
            bin_code=restock_bin.get(sku),
        )
    still = outstanding(authorised, _received_now(rma))
    rma.status = (RmaStatus.PARTIALLY_RECEIVED if still else RmaStatus.RECEIVED).value
    order = session.get(m.Order, rma.order_id)
    assert order is not None
    prices = {ln.sku: ln.unit_price_minor for ln in order.lines}
    session.add(
        m.Settlement(
            rma_id=rma.id,
            receipt_id=receipt.id,
            kind=rma.resolution,
            amount_minor=sum(prices.get(u.sku, 0) * u.quantity for u in units),
            currency=order.currency,
            status="pending",
            created_at=at,
        )
    )
    session.flush()
    return receipt


def _received_now(rma: m.Rma) -> dict[str, int]:
    out: dict[str, int] = {}
    for rl in rma.lines:
        out[rl.sku] = out.get(rl.sku, 0) + rl.received_quantity
    return out
