"""Request and response bodies. Field limits here are the first line against bad input.

One rule for every request body (``Checked``): no text may hold a NUL character (PostgreSQL
refuses them) and no integer may leave the signed 64-bit range, whatever the field. On top of
that each integer field is bounded to its column's range (``INT32_MAX`` for an INTEGER column),
each text field to its column's length. Times without a zone are taken as UTC (``UtcDatetime``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

INT32_MAX = 2**31 - 1  # an INTEGER column
INT64_MAX = 2**63 - 1  # a BIGINT column
MAX_UNIT_PRICE_MINOR = 10**12  # times 10,000 units times 500 lines stays inside a BIGINT order total


def refuse_bad_scalars(value: Any, where: str = "") -> None:
    """Raise ValueError for a NUL character in any text or an integer outside 64 bits, at any depth."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where or 'text'} may not contain NUL characters")
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise ValueError(f"{where or 'number'} is out of range")
    elif isinstance(value, dict):
        for k, v in value.items():
            refuse_bad_scalars(k, where)
            refuse_bad_scalars(v, where)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            refuse_bad_scalars(v, where)


def as_utc(value: datetime) -> datetime:
    """A time without a zone is UTC; every time is handed on as aware UTC."""
    try:
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+01:00 has no UTC time
        raise ValueError("time is out of range") from exc


UtcDatetime = Annotated[
    datetime, AfterValidator(as_utc), Field(description="ISO 8601; a time without a zone is taken as UTC")
]

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Grams = Annotated[int, Field(ge=0, le=1_000_000)]
Mm = Annotated[int, Field(gt=0, le=10_000)]


class ErrorOut(BaseModel):
    """Every refusal: ``error`` says what is wrong (validation refusals add ``details``)."""

    error: str
    details: list[dict[str, Any]] | None = None


class Checked(BaseModel):
    """The base of every request body: see the module docstring."""

    @field_validator("*", mode="after")
    @classmethod
    def _scalars_in_range(cls, value: Any) -> Any:
        refuse_bad_scalars(value)
        return value


class Strict(Checked):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Strict):
    code: Code
    name: Name
    kind: Literal["warehouse", "store"] = "warehouse"
    latitude: float = Field(0.0, ge=-90, le=90)
    longitude: float = Field(0.0, ge=-180, le=180)
    rank: int = Field(100, ge=0, le=10_000)
    daily_capacity: int | None = Field(None, ge=0, le=INT32_MAX)
    ships: bool = True
    accepts_pickup: bool = False


class LocationOut(LocationIn):
    model_config = ConfigDict(from_attributes=True)


class ProductIn(Strict):
    sku: Sku
    name: Name
    weight_g: Grams
    length_mm: Mm
    width_mm: Mm
    height_mm: Mm
    barcodes: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=20)
    image_url: str | None = Field(None, max_length=500)


class ProductOut(BaseModel):
    sku: str
    name: str
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    barcodes: list[str]
    image_url: str | None


class CartonIn(Strict):
    code: Code
    name: str = Field("", max_length=200)
    length_mm: Mm
    width_mm: Mm
    height_mm: Mm
    tare_g: Grams
    max_weight_g: int = Field(30000, gt=0, le=1_000_000)


class CartonOut(CartonIn):
    model_config = ConfigDict(from_attributes=True)


class AddressIn(Checked):
    model_config = ConfigDict(extra="ignore")
    name: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    line1: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)
    country: str = Field("", max_length=2)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class OrderLineIn(Strict):
    sku: Sku
    quantity: int = Field(gt=0, le=10_000)
    unit_price_minor: int = Field(0, ge=0, le=MAX_UNIT_PRICE_MINOR)
    name: str = Field("", max_length=300)


class OrderIn(Strict):
    channel: Annotated[str, Field(min_length=1, max_length=40)]
    channel_order_id: Annotated[str, Field(min_length=1, max_length=100)]
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    ship_to: AddressIn
    priority: int = Field(0, ge=-100, le=100)
    ship_by: UtcDatetime | None = None
    paid: bool = True
    currency: str = Field("USD", min_length=3, max_length=3)
    order_type: Literal["ship", "ship_from_store", "pickup"] = "ship"
    service_level: str = Field("standard", max_length=40)
    customer_email: str = Field("", max_length=200)


class OrderLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_minor: int


class FulfilmentLineOut(BaseModel):
    sku: str
    quantity: int


class TrackingOut(BaseModel):
    parcel_no: int
    carrier: str
    tracking_number: str
    tracking_url: str = ""
    status: str | None = None


class FulfilmentOut(BaseModel):
    """One shipment of an order: the order itself when it is not split, else one of its parts."""

    number: str
    location: str | None
    status: str
    lines: list[FulfilmentLineOut]
    tracking: list[TrackingOut]


class OrderOut(BaseModel):
    number: str
    channel: str
    channel_order_id: str
    status: str
    order_type: str
    priority: int
    service_level: str
    created_at: datetime
    ship_by: datetime | None
    location: str | None
    hold_reason: str | None
    cancel_reason: str | None
    routing_reason: str | None
    total_minor: int
    currency: str
    ship_to: dict[str, Any]
    lines: list[OrderLineOut]
    history: list[dict[str, Any]] | None = None
    # Edits a channel sent after the order was stored: the difference and what became of it.
    changes: list[dict[str, Any]] | None = None
    # Its shipments: one per location when it is split (numbers <order>-1, -2 …), else itself
    # (not in the order list).
    fulfilments: list[FulfilmentOut] | None = None
    # For a fulfilment: the order it is part of.
    part_of: str | None = None


class OrderList(BaseModel):
    total: int
    orders: list[OrderOut]


class ReasonIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RerouteIn(Strict):
    """A supervisor's re-route: to this location, or wherever the rule chain says when omitted."""

    location: Code | None = None


class StockAdjustmentIn(Strict):
    location: Code
    sku: Sku
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: str = Field(max_length=32)
    note: str = Field("", max_length=500)


class StockLevelOut(BaseModel):
    location: str
    sku: str
    on_hand: int
    reserved: int
    available: int


class LeaseIn(Strict):
    batch_size: int = Field(10, ge=1, le=100)
    lease_seconds: int = Field(1800, ge=30, le=8 * 3600)


class RenewIn(Strict):
    lease_seconds: int = Field(1800, ge=30, le=8 * 3600)


class ReleaseIn(Strict):
    order_numbers: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=500)


class PackProduct(BaseModel):
    sku: str
    name: str
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    barcodes: list[str]
    image_url: str | None


class LeasedOrder(BaseModel):
    number: str
    status: str
    priority: int
    ship_by: datetime | None
    created_at: datetime
    channel: str
    service_level: str
    order_type: str
    ship_to: dict[str, Any]
    hold_reason: str | None
    lines: list[OrderLineOut]


class LeaseOut(BaseModel):
    lease_id: str
    location: str
    expires_at: datetime
    orders: list[LeasedOrder]
    products: list[PackProduct]
    cartons: list[CartonOut]


class RenewedOrder(LeasedOrder):
    """An order of a renewed lease: ``lease`` is ``held`` (its expiry moved on) or ``lost`` (``lost_reason`` why)."""

    lease: Literal["held", "lost"]
    lost_reason: Literal["taken", "cancelled", "on_hold", "packed", "released"] | None = None
    lost_detail: str = ""


class RenewOut(LeaseOut):
    orders: list[RenewedOrder]  # type: ignore[assignment]


class EventBatchIn(BaseModel):
    events: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class EventResultOut(BaseModel):
    event_id: str
    status: Literal["applied", "duplicate", "rejected"]
    reason: str = ""


class EventBatchOut(BaseModel):
    results: list[EventResultOut]


class RmaLineIn(Strict):
    sku: Sku
    quantity: int = Field(gt=0, le=10_000)
    reason: str = Field("", max_length=500)


class RmaIn(Strict):
    order_number: Annotated[str, Field(min_length=1, max_length=20)]
    lines: list[RmaLineIn] = Field(min_length=1, max_length=500)
    resolution: Literal["refund", "exchange", "store_credit"] = "refund"
    return_tracking_number: str | None = Field(None, max_length=64)


class RmaLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    received_quantity: int
    reason: str
    barcodes: list[str]
    weight_g: int


class RmaOut(BaseModel):
    number: str
    order_number: str
    status: str
    resolution: str
    return_tracking_number: str | None
    created_at: datetime
    lines: list[RmaLineOut]


class EnrolmentCodeIn(Strict):
    station_name: Annotated[str, Field(min_length=1, max_length=100)]
    location: Code


class EnrolmentCodeOut(BaseModel):
    station_name: str
    location: str
    code: str


class EnrolIn(Strict):
    code: Annotated[str, Field(min_length=4, max_length=40)]


class EnrolOut(BaseModel):
    station_name: str
    location: str
    token: str


class OperatorIn(Strict):
    name: Name
    badge: Annotated[str, Field(min_length=3, max_length=64)]
    pin: Annotated[str, Field(min_length=4, max_length=12, pattern=r"^\d+$")]
    role: Literal["packer", "receiver", "supervisor", "admin"]


class OperatorOut(BaseModel):
    name: str
    badge: str
    role: str


class SignInIn(Strict):
    badge: Annotated[str, Field(min_length=1, max_length=64)]
    pin: Annotated[str, Field(min_length=1, max_length=12)]


class SignInOut(BaseModel):
    token: str
    name: str
    badge: str
    role: str
    screens: list[str]


class WhoAmI(BaseModel):
    role: str
    station: str | None
    location: str | None
    operator_badge: str | None
