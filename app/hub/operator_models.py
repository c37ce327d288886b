"""The hub's table of bench events whose operator was not an active operator when they were applied
(signed in offline at a bench, deactivated or unknown by the time the events drained). The events are
applied (the work happened); these rows are for a supervisor to look at. Migration
``0012_operator_event_flags`` creates the table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain import limits
from app.hub.models import Base


class OperatorEventFlag(Base):
    """One applied event whose badge named no active operator: ``reason`` is ``inactive`` or ``unknown_badge``."""

    __tablename__ = "operator_event_flags"
    event_id: Mapped[str] = mapped_column(String(limits.EVENT_ID), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"), nullable=True)
    operator_badge: Mapped[str] = mapped_column(String(limits.BADGE))
    reason: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(100), default="")  # the order or RMA the event names
    occurred_at: Mapped[datetime]
    flagged_at: Mapped[datetime] = mapped_column(index=True)
