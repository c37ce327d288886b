"""Tables of the order pipeline and the hub's jobs: channel edits held or applied, scheduled job
runs (one row per job and scheduled time: what makes a run happen once across hub processes), the
per-channel sync state (pull cursor, last stock pushed) and the channel outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.hub.models import Base, Id


class OrderChange(Base):
    """An edit of a stored order that a channel sent: the difference and what became of it
    (applied, held for a person, recorded too late, superseded, dismissed)."""

    __tablename__ = "order_changes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    diff: Mapped[list[Any]] = mapped_column(JSON)
    proposed: Mapped[dict[str, Any]]
    outcome: Mapped[str] = mapped_column(String(12), default="")


class JobRun(Base):
    """One scheduled run of a job. (job, scheduled_for) is unique: the hub process whose insert wins
    runs it; ``lease_until`` is kept fresh while it runs, so a run whose process died is taken over."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    scheduled_for: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))  # running, retry, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    owner: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint("job", "scheduled_for", name="uq_job_runs_job_slot"),
        Index("ix_job_runs_open", "status", "lease_until"),
    )


class ChannelState(Base):
    """Per channel: the pull cursor (``updated_since`` of the next incremental pull) and a digest of
    the sellable stock last pushed (a push is sent only when it changed)."""

    __tablename__ = "channel_state"
    channel: Mapped[str] = mapped_column(String(40), primary_key=True)
    updated_since: Mapped[datetime | None] = mapped_column(nullable=True)
    pulled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    stock_digest: Mapped[str] = mapped_column(String(64), default="")
    stock_pushed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class OutboxMessage(Base):
    """A fulfilment or delivery to tell a channel. ``key`` is unique (one message per shipment);
    sent with retries and back-off until the channel takes it."""

    __tablename__ = "channel_outbox"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # shipment, delivered
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (Index("ix_channel_outbox_due", "status", "next_attempt_at"),)
