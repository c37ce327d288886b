"""The hub's tables (SQLAlchemy 2 declarative). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.domain import limits

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger ids on PostgreSQL, plain INTEGER PRIMARY KEY (rowid) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored as UTC and always read back as aware UTC datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the hub store; use UTC-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Location(Base):
    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(limits.LOCATION_CODE), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="warehouse")
    latitude: Mapped[float] = mapped_column(Float, default=0.0)
    longitude: Mapped[float] = mapped_column(Float, default=0.0)
    rank: Mapped[int] = mapped_column(Integer, default=100)
    daily_capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ships: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_pickup: Mapped[bool] = mapped_column(Boolean, default=False)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    sku: Mapped[str] = mapped_column(String(limits.SKU), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    weight_g: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    barcodes: Mapped[list[ProductBarcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan", lazy="selectin"
    )
    __table_args__ = (CheckConstraint("weight_g >= 0", name="weight_nonneg"),)


class ProductBarcode(Base):
    __tablename__ = "product_barcodes"
    code_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    raw: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    product: Mapped[Product] = relationship(back_populates="barcodes")


class Carton(Base):
    __tablename__ = "cartons"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(limits.CARTON_CODE), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    tare_g: Mapped[int] = mapped_column(Integer)
    max_weight_g: Mapped[int] = mapped_column(Integer, default=30000)


class StockLevel(Base):
    __tablename__ = "stock_levels"
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        # The database itself refuses negative available stock, whatever the code above it does.
        CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        CheckConstraint("on_hand >= reserved", name="available_nonneg"),
        Index("ix_stock_levels_product", "product_id"),
    )


class StockAdjustment(Base):
    __tablename__ = "stock_adjustments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(limits.ORDER_NUMBER), unique=True, nullable=True)
    channel: Mapped[str] = mapped_column(String(40))
    channel_order_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    order_type: Mapped[str] = mapped_column(String(20), default="ship")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    service_level: Mapped[str] = mapped_column(String(40), default="standard")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ship_by: Mapped[datetime | None] = mapped_column(nullable=True)
    paid: Mapped[bool] = mapped_column(Boolean, default=True)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    ship_to: Mapped[dict[str, Any]]
    customer_email: Mapped[str] = mapped_column(String(200), default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_before_hold: Mapped[str | None] = mapped_column(String(20), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    routing_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    lease_id: Mapped[str | None] = mapped_column(ForeignKey("leases.id"), nullable=True, index=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    packed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    packed_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    packed_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The channel's own "updated at" of the version stored: an older edit arriving late is not applied.
    channel_updated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # A fulfilment (one shipment of a split order) points at the order the channel sent; None otherwise.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), nullable=True, index=True
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", lazy="selectin", order_by="OrderLine.id"
    )
    __table_args__ = (
        UniqueConstraint("channel", "channel_order_id", name="uq_orders_channel_order"),
        Index("ix_orders_queue", "location_id", "status", "priority"),
        # The lease query's order, for waiting orders only: no sort of the whole queue per lease.
        Index(
            "ix_orders_waiting",
            "location_id",
            text("priority DESC"),
            "ship_by",
            "id",
            postgresql_where=text("status IN ('queued', 'leased')"),
            sqlite_where=text("status IN ('queued', 'leased')"),
        ),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(limits.SKU))
    name: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    order: Mapped[Order] = relationship(back_populates="lines")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class OrderStatusChange(Base):
    __tablename__ = "order_status_history"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Lease(Base):
    __tablename__ = "leases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)
    location: Mapped[Location] = relationship(lazy="joined")


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    station_name: Mapped[str] = mapped_column(String(100))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    badge: Mapped[str] = mapped_column(String(limits.BADGE), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OperatorSession(Base):
    __tablename__ = "operator_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    operator: Mapped[Operator] = relationship(lazy="joined")


class AppliedEvent(Base):
    """One row per bench event applied; the primary key is what makes apply exactly-once."""

    __tablename__ = "applied_events"
    event_id: Mapped[str] = mapped_column(String(limits.EVENT_ID), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    operator_badge: Mapped[str] = mapped_column(String(limits.BADGE), default="")
    occurred_at: Mapped[datetime]
    applied_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]


class PackException(Base):
    __tablename__ = "pack_exceptions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(limits.EVENT_ID), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True, index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(30))
    sku: Mapped[str | None] = mapped_column(String(limits.SKU), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]


class Parcel(Base):
    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    parcel_no: Mapped[int] = mapped_column(Integer)
    carton_code: Mapped[str] = mapped_column(String(limits.CARTON_CODE))
    weight_g: Mapped[int] = mapped_column(Integer)
    expected_weight_g: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[dict[str, Any]]
    carrier: Mapped[str | None] = mapped_column(String(limits.CARRIER), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(limits.TRACKING_NUMBER), nullable=True, index=True)
    __table_args__ = (UniqueConstraint("order_id", "parcel_no", name="uq_parcels_order_parcel"),)


class Rma(Base):
    __tablename__ = "rmas"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(limits.RMA_NUMBER), unique=True, nullable=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="open")
    resolution: Mapped[str] = mapped_column(String(20), default="refund")
    return_tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime]
    lines: Mapped[list[RmaLine]] = relationship(
        back_populates="rma", cascade="all, delete-orphan", lazy="selectin", order_by="RmaLine.id"
    )


class RmaLine(Base):
    __tablename__ = "rma_lines"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("rmas.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(limits.SKU))
    quantity: Mapped[int] = mapped_column(Integer)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    rma: Mapped[Rma] = relationship(back_populates="lines")


class ReturnReceipt(Base):
    __tablename__ = "return_receipts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(limits.EVENT_ID), unique=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("rmas.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    received_at: Mapped[datetime]


class ReturnReceiptLine(Base):
    __tablename__ = "return_receipt_lines"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("return_receipts.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(limits.SKU))
    quantity: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(20))
    disposition: Mapped[str] = mapped_column(String(24))
    bin: Mapped[str] = mapped_column(String(limits.BIN), default="")


class Settlement(Base):
    """A refund or exchange recorded for the channel once returned units are received."""

    __tablename__ = "settlements"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("rmas.id"), index=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("return_receipts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime]


# The order desk's lookups (app.hub.services.order_search; migration 0013): by channel order id alone,
# and by the customer's e-mail and name whatever their case. The customer's name is in ``ship_to``; its
# index is on the very expression the search uses, one per dialect (an expression index is used only
# for the same expression).
CUSTOMER_NAME_KEY = {
    "postgresql": func.lower(Order.ship_to.op("->>")(literal_column("'name'"))),
    "sqlite": func.lower(func.json_extract(Order.ship_to, literal_column("'$.name'"))),
}
Index("ix_orders_channel_order_id", Order.channel_order_id)
Index("ix_orders_customer_email_lower", func.lower(Order.customer_email))
for _dialect, _key in CUSTOMER_NAME_KEY.items():
    Index(f"ix_orders_customer_name_{_dialect}", _key).ddl_if(dialect=_dialect)
