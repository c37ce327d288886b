"""One interface for every carrier: rates, buy a label, void it, track it, close the day (manifest)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from app.domain.catalog import Dimensions
from app.domain.money import Money
from app.domain.orders import Address


class CarrierError(Exception):
    """The carrier refused or failed; the message says what to do."""


class CarrierTimeout(CarrierError):
    """No answer in time. The call may or may not have happened at the carrier: retry the same
    purchase (same parcel reference), never start a new one."""


@dataclass(frozen=True, slots=True)
class ParcelRequest:
    """One parcel to ship. ``parcel_ref`` is unique per parcel (``"<order number>/<parcel no>"``) and is
    the idempotency key of its label purchase."""

    parcel_ref: str
    ship_from: Address
    ship_to: Address
    weight_g: int
    dimensions: Dimensions | None = None
    channel: str = ""
    service_level: str = "standard"
    reference: str = ""

    def __post_init__(self) -> None:
        if self.weight_g <= 0:
            raise CarrierError(f"parcel {self.parcel_ref}: weight must be positive grams")


@dataclass(frozen=True, slots=True)
class Rate:
    """A price for one service. ``rate_id``/``shipment_id`` are the carrier's handles for buying it."""

    carrier: str
    service: str
    amount: Money
    transit_days: int | None
    rate_id: str = ""
    shipment_id: str = ""

    @property
    def key(self) -> str:
        return f"{self.carrier}:{self.service}"

    def describe(self) -> str:
        days = "transit unknown" if self.transit_days is None else f"{self.transit_days} day(s)"
        return f"{self.key} {_money(self.amount)} ({days})"


def _money(m: Money) -> str:
    whole, cents = divmod(m.amount_minor, 100)
    return f"{whole}.{cents:02d} {m.currency}"


@dataclass(frozen=True, slots=True)
class Label:
    parcel_ref: str
    carrier: str
    service: str
    tracking_number: str
    zpl: str
    amount: Money
    shipment_id: str = ""
    tracking_url: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class TrackingStatus(enum.StrEnum):
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    RETURNED_TO_SENDER = "returned_to_sender"
    EXCEPTION = "exception"
    LOST = "lost"
    UNKNOWN = "unknown"

    @property
    def is_problem(self) -> bool:
        """A person should look: the parcel is coming back, stuck or gone."""
        return self in {TrackingStatus.RETURNED_TO_SENDER, TrackingStatus.EXCEPTION, TrackingStatus.LOST}


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    tracking_number: str
    status: TrackingStatus
    detail: str = ""
    carrier_status: str = ""  # the carrier's own word, kept for the record
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VoidResult:
    accepted: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Manifest:
    """An end-of-day hand-over document for one carrier."""

    carrier: str
    manifest_id: str
    tracking_numbers: tuple[str, ...]
    document: str = ""  # text or ZPL to print, when the carrier gives none by URL
    document_url: str = ""


class Carrier(Protocol):
    name: str

    def rates(self, parcel: ParcelRequest) -> list[Rate]: ...

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        """Buy ``rate`` for ``parcel``. Called again with the same arguments after a timeout it must
        return the label already bought, not buy a second one."""
        ...

    def void(self, label: Label, reason: str) -> VoidResult: ...

    def track(self, tracking_number: str) -> TrackingUpdate: ...

    def manifest(self, labels: Sequence[Label]) -> Manifest: ...
