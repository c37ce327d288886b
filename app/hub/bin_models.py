"""Tables of picking: bins and the stock in them, pick batches, totes and what is in them, the picks
and short picks the benches report, and the count tasks short picks raise.

Stock invariant: a location's ``stock_levels.on_hand`` is the sum of its bins' ``bin_stock.on_hand`` plus
the units picked into its totes that are not packed yet (``tote_items``). Reservations stay per location.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.domain import limits
from app.hub.models import Base, Id

TOTE_CODE = 40


class Bin(Base):
    __tablename__ = "bins"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    code: Mapped[str] = mapped_column(String(limits.BIN))
    zone: Mapped[str] = mapped_column(String(20), default="")
    aisle: Mapped[str] = mapped_column(String(20), default="")
    bay: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[int] = mapped_column(Integer, default=0)
    walk_seq: Mapped[int] = mapped_column(Integer, default=0)
    pickable: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (UniqueConstraint("location_id", "code", name="uq_bins_location_code"),)


class BinStock(Base):
    __tablename__ = "bin_stock"
    bin_id: Mapped[int] = mapped_column(ForeignKey("bins.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        Index("ix_bin_stock_product", "product_id"),
    )


class PickBatch(Base):
    __tablename__ = "pick_batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lease_id: Mapped[str] = mapped_column(ForeignKey("leases.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    mode: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    # [[bin code, product id, units], ...] planned: an open batch books these bin units for its picks
    plan: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Tote(Base):
    __tablename__ = "totes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    code: Mapped[str] = mapped_column(String(TOTE_CODE))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("pick_batches.id"), nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True, index=True)
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (UniqueConstraint("location_id", "code", name="uq_totes_location_code"),)


class ToteItem(Base):
    __tablename__ = "tote_items"
    tote_id: Mapped[int] = mapped_column(ForeignKey("totes.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"), nullable=True)  # where it came from
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_nonneg"),)


class Pick(Base):
    """A confirmed pick (``kind`` "picked") or a short pick (``kind`` "short", with its reason)."""

    __tablename__ = "picks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(limits.EVENT_ID), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    batch_id: Mapped[str] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    bin_id: Mapped[int] = mapped_column(ForeignKey("bins.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    tote: Mapped[str] = mapped_column(String(TOTE_CODE), default="")
    reason: Mapped[str] = mapped_column(String(20), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(index=True)


class CountTask(Base):
    __tablename__ = "count_tasks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"), nullable=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    reason: Mapped[str] = mapped_column(String(40))
    raised_at: Mapped[datetime]
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
