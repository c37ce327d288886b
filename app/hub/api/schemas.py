"""Request and response bodies. Field limits here are the first line against bad input."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Grams = Annotated[int, Field(ge=0, le=1_000_000)]
Mm = Annotated[int, Field(gt=0, le=10_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Strict):
    code: Code
    name: Name
    kind: Literal["warehouse", "store"] = "warehouse"
    latitude: float = Field(0.0, ge=-90, le=90)
    longitude: float = Field(0.0, ge=-180, le=180)
    rank: int = Field(100, ge=0, le=10_000)
    daily_capacity: int | None = Field(None, ge=0)
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


class AddressIn(BaseModel):
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
    unit_price_minor: int = Field(0, ge=0)
    name: str = Field("", max_length=300)


class OrderIn(Strict):
    channel: Annotated[str, Field(min_length=1, max_length=40)]
    channel_order_id: Annotated[str, Field(min_length=1, max_length=100)]
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    ship_to: AddressIn
    priority: int = Field(0, ge=-100, le=100)
    ship_by: datetime | None = None
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


class OrderList(BaseModel):
    total: int
    orders: list[OrderOut]


class ReasonIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class StockAdjustmentIn(Strict):
    location: Code
    sku: Sku
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: str
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
    order_numbers: list[str] | None = None


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
    station_name: Name
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
