"""Returns: an RMA authorises lines; a receipt grades each unit and decides what happens to it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.domain.errors import DomainError, InvalidQuantity


class Condition(enum.StrEnum):
    NEW = "new"  # new / unopened
    OPENED = "opened"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


class Disposition(enum.StrEnum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    REFURBISH = "refurbish"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"


class Resolution(enum.StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    STORE_CREDIT = "store_credit"


class RmaStatus(enum.StrEnum):
    OPEN = "open"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"


# What a clerk may decide for each condition: a damaged item is never put back on the shelf.
ALLOWED_DISPOSITIONS: dict[Condition, frozenset[Disposition]] = {
    Condition.NEW: frozenset(Disposition),
    Condition.OPENED: frozenset(Disposition),
    Condition.DAMAGED: frozenset(Disposition) - {Disposition.RESTOCK},
    Condition.DEFECTIVE: frozenset(Disposition) - {Disposition.RESTOCK},
}


def default_disposition(condition: Condition) -> Disposition:
    return {
        Condition.NEW: Disposition.RESTOCK,
        Condition.OPENED: Disposition.QUARANTINE,
        Condition.DAMAGED: Disposition.SCRAP,
        Condition.DEFECTIVE: Disposition.RETURN_TO_VENDOR,
    }[condition]


def check_disposition(condition: Condition, disposition: Disposition) -> None:
    if disposition not in ALLOWED_DISPOSITIONS[condition]:
        raise DomainError(f"a {condition.value} item cannot be sent to {disposition.value}")


@dataclass(frozen=True, slots=True)
class RmaLine:
    sku: str
    quantity: int
    reason: str = ""

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidQuantity(f"RMA line {self.sku}: quantity must be positive")


@dataclass(frozen=True, slots=True)
class ReceivedUnit:
    """One graded line of a return receipt: ``quantity`` units of ``sku`` in one condition."""

    sku: str
    quantity: int
    condition: Condition
    disposition: Disposition
    bin: str = ""

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidQuantity(f"received {self.sku}: quantity must be positive")
        check_disposition(self.condition, self.disposition)


def outstanding(authorised: list[RmaLine], already_received: dict[str, int]) -> dict[str, int]:
    """Units per SKU still expected on an RMA."""
    out: dict[str, int] = {}
    for line in authorised:
        out[line.sku] = out.get(line.sku, 0) + line.quantity
    for sku, qty in already_received.items():
        if sku in out:
            out[sku] -= qty
    return {k: v for k, v in out.items() if v > 0}


def check_receipt(authorised: list[RmaLine], already_received: dict[str, int], units: list[ReceivedUnit]) -> None:
    """Refuse a receipt that returns a SKU not on the RMA or more units than are outstanding."""
    left = outstanding(authorised, already_received)
    for unit in units:
        if unit.sku not in left:
            raise DomainError(f"{unit.sku} is not expected on this return")
        if unit.quantity > left[unit.sku]:
            raise DomainError(f"{unit.sku}: {unit.quantity} received but only {left[unit.sku]} expected")
        left[unit.sku] -= unit.quantity
        if left[unit.sku] == 0:
            del left[unit.sku]


def restock_quantities(units: list[ReceivedUnit]) -> dict[str, int]:
    """Only units with disposition RESTOCK go back to available stock."""
    out: dict[str, int] = {}
    for u in units:
        if u.disposition == Disposition.RESTOCK:
            out[u.sku] = out.get(u.sku, 0) + u.quantity
    return out
