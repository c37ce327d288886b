"""Stock rules: what a reservation, an adjustment, a pack and a restock do to a StockLevel."""

from __future__ import annotations

import enum

from app.domain.catalog import StockLevel
from app.domain.errors import InsufficientStock, InvalidQuantity


class AdjustmentReason(enum.StrEnum):
    RECEIVED = "received"
    CYCLE_COUNT = "cycle_count"
    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    RETURN_RESTOCK = "return_restock"
    CORRECTION = "correction"


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise InvalidQuantity(f"quantity must be a positive whole number, got {quantity}")


def reserve(level: StockLevel, quantity: int) -> None:
    _positive(quantity)
    if level.available < quantity:
        raise InsufficientStock(f"{level.sku} at {level.location_code}: {level.available} available, {quantity} wanted")
    level.reserved += quantity


def release(level: StockLevel, quantity: int) -> None:
    _positive(quantity)
    level.reserved = max(0, level.reserved - quantity)


def consume(level: StockLevel, quantity: int) -> None:
    """Reserved units leave the building (packed)."""
    _positive(quantity)
    level.on_hand = max(0, level.on_hand - quantity)
    level.reserved = max(0, level.reserved - quantity)


def adjust(level: StockLevel, delta: int, reason: AdjustmentReason) -> None:
    """Change on-hand by ``delta``; on hand may never drop below what is reserved."""
    if delta == 0:
        raise InvalidQuantity("an adjustment of zero changes nothing")
    if level.on_hand + delta < level.reserved:
        raise InsufficientStock(
            f"{level.sku} at {level.location_code}: on hand {level.on_hand} with {level.reserved} reserved "
            f"cannot change by {delta}"
        )
    level.on_hand += delta
    level.history.append((delta, reason.value))
