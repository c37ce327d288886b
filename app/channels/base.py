"""What every sales channel adapter gives the hub: normalised orders in, fulfilment and stock out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from app.domain.orders import Order

# ISO 4217 currencies whose minor unit is not a hundredth.
_EXPONENTS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "HUF": 2,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}


class ChannelError(Exception):
    """A channel answered in a way we cannot use (bad payload, refused call, gave up retrying)."""


def currency_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: str | float | int | Decimal, currency: str) -> int:
    """A decimal amount in major units (``"12.50"``) as integer minor units (``1250``).

    Amounts with more decimals than the currency has are refused rather than rounded: a channel
    that sends ``12.505 USD`` has a problem we should see.
    """
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as exc:
        raise ChannelError(f"amount {amount!r} is not a number") from exc
    if not value.is_finite():
        raise ChannelError(f"amount {amount!r} is not a number")
    if value.adjusted() > 15:  # a quadrillion in major units: not a price (and 1e999999999 must not be expanded)
        raise ChannelError(f"amount {str(amount)[:40]!r} is too large")
    scaled = value.scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ChannelError(f"amount {amount!r} has more decimals than {currency.upper()} allows")
    return int(scaled)


def from_minor(amount_minor: int, currency: str) -> str:
    """Integer minor units as the decimal string channels expect (``1250`` → ``"12.50"``)."""
    exp = currency_exponent(currency)
    return str(Decimal(amount_minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp)))


@dataclass(frozen=True, slots=True)
class ChannelOrder:
    """An order as a channel sent it, normalised. ``cancelled`` when the channel says it was cancelled;
    ``updated_at`` (UTC) lets a pull resume from the newest change it has seen."""

    order: Order
    cancelled: bool = False
    updated_at: datetime | None = None
    channel_ref: str = ""  # the channel's own handle for pushing back (e.g. a Shopify GID)


@dataclass(frozen=True, slots=True)
class Shipment:
    """What we tell a channel when a parcel leaves. ``lines`` (SKU → units) when it is one part of
    a split order (empty: the whole order); ``complete`` when nothing of the order is left to ship."""

    tracking_number: str
    carrier: str
    tracking_url: str = ""
    service: str = ""
    notify_customer: bool = True
    lines: Mapping[str, int] = field(default_factory=dict)
    complete: bool = True


class OrderSource(Protocol):
    """A channel we can pull orders from."""

    channel: str

    def pull_orders(self, updated_since: datetime | None = None) -> Iterator[ChannelOrder]: ...


class FulfilmentSink(Protocol):
    """A channel we tell about shipments and deliveries."""

    def push_shipment(self, channel_ref: str, shipment: Shipment) -> object: ...

    def push_delivered(self, channel_ref: str, shipment: Shipment) -> None: ...


class StockPublisher(Protocol):
    """A channel whose storefront shows our available stock, so it does not oversell."""

    def push_available(self, available: Mapping[str, int]) -> None:
        """Set each SKU's sellable quantity (units available over all shipping locations)."""
        ...


class RecordingStockPublisher:
    """A ``StockPublisher`` that remembers what it was told: for CSV channels and tests."""

    def __init__(self) -> None:
        self.pushed: list[dict[str, int]] = []

    def push_available(self, available: Mapping[str, int]) -> None:
        self.pushed.append(dict(available))
