"""The hub's tables for sign-in throttling: every failed sign-in, and the lock state per badge and
per station. They share ``app.hub.models.Base``; migration ``0004_sign_in_throttle`` creates them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.hub.models import Base, Id


class SignInFailure(Base):
    """One failed (or refused while locked) sign-in: the log supervisors read."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime]
    badge: Mapped[str] = mapped_column(String(64))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id", ondelete="SET NULL"), nullable=True)
    reason: Mapped[str] = mapped_column(String(40))  # wrong_pin | unknown_badge | inactive
    locked: Mapped[str] = mapped_column(String(200), default="")  # what this failure locked, if anything
    __table_args__ = (
        Index("ix_sign_in_failures_badge_at", "badge", "at"),
        Index("ix_sign_in_failures_station_at", "station_id", "at"),
    )


class SignInThrottle(Base):
    """Lock state of one badge or one station (``kind`` = ``badge`` | ``station``, ``subject`` = the badge
    or the station name). ``lockouts`` counts lockouts in a row: each one lasts twice the one before."""

    __tablename__ = "sign_in_throttles"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    last_lockout_at: Mapped[datetime | None] = mapped_column(nullable=True)
    counted_from: Mapped[datetime | None] = mapped_column(nullable=True)  # failures before this do not count
