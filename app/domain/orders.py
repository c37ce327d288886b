"""Orders and their lifecycle.

received → validated → routed → queued → leased → packed → shipped → delivered, with
on_hold (from any state before shipping, back to where it was once released), cancelled (from
any state before shipping), and back to received from validated, routed or queued when the order
is changed (a channel edit, a re-route) so that it is validated and routed again from the start.

An order that ships from several locations is *split*: validated → split, and each part (a
fulfilment, an order of its own with its location's lines) goes routed → queued → … → shipped. The
split order follows its fulfilments (``fulfilled_status``): partially_shipped once one has shipped,
shipped when every one that is not cancelled has, delivered likewise, cancelled when all are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.errors import DomainError, InvalidQuantity, InvalidTransition
from app.domain.money import Money


class OrderStatus(enum.StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    ROUTED = "routed"
    QUEUED = "queued"
    LEASED = "leased"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    SPLIT = "split"  # ships in parts, none shipped yet: its fulfilments are the orders that move
    PARTIALLY_SHIPPED = "partially_shipped"


S = OrderStatus
_PRE_PACK = {S.RECEIVED, S.VALIDATED, S.ROUTED, S.QUEUED, S.LEASED}

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.RECEIVED: frozenset({S.VALIDATED, S.ON_HOLD, S.CANCELLED}),
    S.VALIDATED: frozenset({S.RECEIVED, S.ROUTED, S.SPLIT, S.ON_HOLD, S.CANCELLED}),
    S.ROUTED: frozenset({S.RECEIVED, S.QUEUED, S.ON_HOLD, S.CANCELLED}),
    S.QUEUED: frozenset({S.RECEIVED, S.LEASED, S.PACKED, S.ON_HOLD, S.CANCELLED}),
    S.LEASED: frozenset({S.QUEUED, S.PACKED, S.ON_HOLD, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.ON_HOLD, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.ON_HOLD: frozenset(_PRE_PACK | {S.PACKED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
    S.SPLIT: frozenset({S.RECEIVED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.DELIVERED}),
}

OPEN_STATUSES = frozenset(_PRE_PACK | {S.ON_HOLD})
# Orders whose stock is reserved at their location (packing consumes it).
RESERVING = frozenset({S.ROUTED, S.QUEUED, S.LEASED})
# A split order's own states: it is never queued, its fulfilments are.
SPLIT_STATES = frozenset({S.SPLIT, S.PARTIALLY_SHIPPED})
# Changed orders in these states are validated and routed again; a bench may hold the others.
_REOPENABLE = frozenset({S.RECEIVED, S.VALIDATED, S.ROUTED, S.QUEUED})


class ChangeAction(enum.StrEnum):
    """What a change to an order's lines or address (a channel edit) does, by the order's state."""

    APPLY = "apply"  # nobody works on it yet: store the change, validate and route again
    HOLD = "hold"  # a bench has it (or had it when it was held): hold for a person, record the difference
    RECORD = "record"  # shipped, delivered or cancelled: too late to change, the difference is recorded


def change_action(status: OrderStatus, status_before_hold: OrderStatus | None = None) -> ChangeAction:
    if status in _REOPENABLE:
        return ChangeAction.APPLY
    if status == S.ON_HOLD:
        # Held by validation or routing (it never reached a queue): apply and try again. Held after
        # it was queued, leased or packed: a person (or a bench) decided something; keep it held.
        before = status_before_hold or S.RECEIVED
        return ChangeAction.APPLY if before in (S.RECEIVED, S.VALIDATED) else ChangeAction.HOLD
    if status in (S.LEASED, S.PACKED):
        return ChangeAction.HOLD
    return ChangeAction.RECORD


def fulfilled_status(parts: Iterable[OrderStatus]) -> OrderStatus:
    """The status of a split order whose fulfilments are in ``parts``."""
    states = list(parts)
    live = [p for p in states if p != S.CANCELLED]
    if not live:
        return S.CANCELLED
    if all(p == S.DELIVERED for p in live):
        return S.DELIVERED
    if all(p in (S.SHIPPED, S.DELIVERED) for p in live):
        return S.SHIPPED
    if any(p in (S.SHIPPED, S.DELIVERED) for p in live):
        return S.PARTIALLY_SHIPPED
    return S.SPLIT


def check_transition(current: OrderStatus, target: OrderStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"an order that is {current.value} cannot become {target.value}")


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""
    email: str = ""
    latitude: float | None = None
    longitude: float | None = None
    company: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Money = field(default_factory=lambda: Money(0))
    name: str = ""

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidQuantity(f"line {self.sku}: quantity must be positive, got {self.quantity}")
        if not self.sku.strip():
            raise DomainError("an order line needs a SKU")


class OrderType(enum.StrEnum):
    SHIP = "ship"
    SHIP_FROM_STORE = "ship_from_store"
    PICKUP = "pickup"


@dataclass(slots=True)
class Order:
    """An order as the hub knows it. ``channel_order_id`` is unique per ``channel``."""

    channel: str
    channel_order_id: str
    lines: list[OrderLine]
    ship_to: Address
    number: str = ""
    status: OrderStatus = OrderStatus.RECEIVED
    order_type: OrderType = OrderType.SHIP
    priority: int = 0
    created_at: datetime | None = None
    ship_by: datetime | None = None
    paid: bool = True
    total: Money = field(default_factory=lambda: Money(0))
    location_code: str | None = None
    hold_reason: str | None = None
    status_before_hold: OrderStatus | None = None
    service_level: str = "standard"
    customer_email: str = ""
    risk_flag: bool = False
    billing_country: str | None = None
    history: list[tuple[OrderStatus, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lines:
            raise DomainError("an order needs at least one line")

    def move_to(self, target: OrderStatus, note: str = "") -> None:
        check_transition(self.status, target)
        self.history.append((target, note))
        self.status = target

    def hold(self, reason: str) -> None:
        if self.status == OrderStatus.ON_HOLD:
            self.hold_reason = reason
            return
        if self.status not in _PRE_PACK and self.status != OrderStatus.PACKED:
            raise InvalidTransition(f"an order that is {self.status.value} cannot be put on hold")
        self.status_before_hold = self.status
        self.hold_reason = reason
        self.move_to(OrderStatus.ON_HOLD, reason)

    def release_hold(self) -> OrderStatus:
        if self.status != OrderStatus.ON_HOLD:
            raise InvalidTransition(f"order is {self.status.value}, not on hold")
        back = self.status_before_hold or OrderStatus.RECEIVED
        # A held lease is not a lease any more: the order goes back to the queue.
        if back == OrderStatus.LEASED:
            back = OrderStatus.QUEUED
        self.hold_reason = None
        self.status_before_hold = None
        self.move_to(back, "hold released")
        return back

    def cancel(self, reason: str) -> None:
        self.move_to(OrderStatus.CANCELLED, reason)

    def split(self, reason: str) -> None:
        """A validated order ships in parts (its fulfilments are routed and queued on their own)."""
        if self.status != OrderStatus.VALIDATED:
            raise InvalidTransition(f"only a validated order can be split, this one is {self.status.value}")
        self.location_code = None
        self.move_to(OrderStatus.SPLIT, reason)

    def follow(self, parts: Iterable[OrderStatus], note: str = "") -> bool:
        """A split order takes the status its fulfilments give it; True when it changed."""
        target = fulfilled_status(parts)
        if target == self.status:
            return False
        self.move_to(target, note or f"fulfilments: {target.value}")
        return True

    def reopen(self, note: str) -> None:
        """Back to received (from validated, routed, queued, or a hold that never reached a queue) so
        that the order is validated and routed again; its location and any hold are forgotten."""
        if self.status == OrderStatus.SPLIT:
            self.move_to(OrderStatus.RECEIVED, note)
            return
        if self.status == OrderStatus.ON_HOLD:
            if self.status_before_hold == OrderStatus.PACKED:
                raise InvalidTransition("a packed order on hold cannot be routed again")
            self.hold_reason = None
            self.status_before_hold = None
        elif self.status not in _REOPENABLE:
            raise InvalidTransition(f"an order that is {self.status.value} cannot be changed and routed again")
        if self.status != OrderStatus.RECEIVED:
            self.move_to(OrderStatus.RECEIVED, note)
        self.location_code = None

    def units(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.sku] = out.get(line.sku, 0) + line.quantity
        return out
