"""The hub's tables for channels and shipping (labels, webhook receipts, carrier number sequences).

They share ``app.hub.models.Base``; migration ``0002_shipping`` creates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.hub.models import Base, Id


class ShippingLabel(Base):
    """One label purchase per parcel (``parcel_ref`` = ``"<order number>/<parcel no>"``).

    ``status``: ``pending`` (rate chosen, carrier asked, answer not yet stored), ``bought``, ``voided``.
    A voided row keeps its history under ``parcel_ref + "#void<n>"`` so the parcel can be labelled again.
    """

    __tablename__ = "shipping_labels"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    parcel_ref: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    parcel_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    carrier: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(80))
    rate: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(Text, default="")
    tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tracking_url: Mapped[str] = mapped_column(String(300), default="")
    shipment_id: Mapped[str] = mapped_column(String(80), default="")
    zpl: Mapped[str] = mapped_column(Text, default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    manifest_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    tracking_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    tracking_detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (Index("ix_shipping_labels_tracking", "tracking_number"),)


class WebhookReceipt(Base):
    """A channel webhook delivery applied once: a replay with the same delivery id changes nothing."""

    __tablename__ = "webhook_receipts"
    channel: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(Text, default="")


class CarrierSequence(Base):
    """The next serial for a carrier's own tracking numbers (table-rate couriers)."""

    __tablename__ = "carrier_sequences"
    carrier: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)
