"""Stock per location. Every change is one conditional UPDATE, so concurrent callers cannot
drive available stock below zero (and a CHECK constraint in the schema refuses it besides)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.inventory import AdjustmentReason
from app.hub import models as m
from app.hub.services import bins, catalog
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, Invalid, NotFound


def _ensure_row(session: Session, location_id: int, product_id: int) -> None:
    exists = session.scalar(
        select(m.StockLevel.product_id).where(
            m.StockLevel.location_id == location_id, m.StockLevel.product_id == product_id
        )
    )
    if exists is None:
        with session.begin_nested():
            session.add(m.StockLevel(location_id=location_id, product_id=product_id, on_hand=0, reserved=0))


def adjust(
    session: Session,
    *,
    location_code: str,
    sku: str,
    delta: int,
    reason: str,
    note: str = "",
    operator_id: int | None = None,
    event_id: str | None = None,
    bin_code: str | None = None,
) -> m.StockLevel:
    """Add ``delta`` units on hand (negative to remove). Refused if on hand would fall below reserved."""
    if delta == 0:
        raise Invalid("an adjustment of zero changes nothing")
    try:
        reason_value = AdjustmentReason(reason).value
    except ValueError as exc:
        raise Invalid(f"reason must be one of {sorted(AdjustmentReason)}") from exc
    loc = catalog.location_by_code(session, location_code)
    product = catalog.products_by_sku(session, [sku]).get(sku)
    if product is None:
        raise NotFound(f"unknown SKU {sku!r}")
    _ensure_row(session, loc.id, product.id)
    result = session.execute(
        update(m.StockLevel)
        .where(
            m.StockLevel.location_id == loc.id,
            m.StockLevel.product_id == product.id,
            m.StockLevel.on_hand + delta >= m.StockLevel.reserved,
        )
        .values(on_hand=m.StockLevel.on_hand + delta)
        .returning(m.StockLevel.on_hand)
    )
    if result.first() is None:
        raise Conflict(f"{sku} at {location_code}: on hand cannot fall below the units reserved for orders")
    bins.adjust(session, loc.id, product.id, delta, bin_code)  # the location figure stays the sum of its bins
    session.add(
        m.StockAdjustment(
            location_id=loc.id,
            product_id=product.id,
            delta=delta,
            reason=reason_value,
            note=note,
            operator_id=operator_id,
            event_id=event_id,
            created_at=now(),
        )
    )
    session.flush()
    level = session.get(m.StockLevel, (loc.id, product.id), populate_existing=True)
    assert level is not None
    return level


def units_by_product(lines: Iterable[m.OrderLine]) -> dict[int, int]:
    """Units per product id over an order's lines."""
    out: dict[int, int] = {}
    for line in lines:
        out[line.product_id] = out.get(line.product_id, 0) + line.quantity
    return out


def try_reserve(session: Session, location_id: int, units: dict[int, int]) -> bool:
    """Reserve every (product_id → quantity) at the location, or none of them.

    Runs in a SAVEPOINT: if any line lacks available stock, the lines already reserved are undone.
    """
    nested = session.begin_nested()
    for product_id, qty in sorted(units.items()):
        result = session.execute(
            update(m.StockLevel)
            .where(
                m.StockLevel.location_id == location_id,
                m.StockLevel.product_id == product_id,
                m.StockLevel.on_hand - m.StockLevel.reserved >= qty,
            )
            .values(reserved=m.StockLevel.reserved + qty)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            nested.rollback()
            return False
    nested.commit()
    return True


def release(session: Session, location_id: int, units: dict[int, int]) -> None:
    for product_id, qty in sorted(units.items()):
        session.execute(
            update(m.StockLevel)
            .where(m.StockLevel.location_id == location_id, m.StockLevel.product_id == product_id)
            .values(reserved=m.StockLevel.reserved - qty)
            .where(m.StockLevel.reserved >= qty)
        )


def consume(session: Session, location_id: int, units: dict[int, int]) -> None:
    """Reserved units leave the building: both on hand and reserved go down."""
    for product_id, qty in sorted(units.items()):
        session.execute(
            update(m.StockLevel)
            .where(
                m.StockLevel.location_id == location_id,
                m.StockLevel.product_id == product_id,
                m.StockLevel.reserved >= qty,
                m.StockLevel.on_hand >= qty,
            )
            .values(on_hand=m.StockLevel.on_hand - qty, reserved=m.StockLevel.reserved - qty)
        )


def levels(
    session: Session, *, location_code: str | None = None, sku: str | None = None
) -> list[tuple[str, str, int, int]]:
    """(location code, sku, on hand, reserved) rows."""
    q = (
        select(m.Location.code, m.Product.sku, m.StockLevel.on_hand, m.StockLevel.reserved)
        .join(m.Location, m.Location.id == m.StockLevel.location_id)
        .join(m.Product, m.Product.id == m.StockLevel.product_id)
        .order_by(m.Location.code, m.Product.sku)
    )
    if location_code:
        q = q.where(m.Location.code == location_code)
    if sku:
        q = q.where(m.Product.sku == sku)
    return [(a, b, c, d) for a, b, c, d in session.execute(q).all()]
