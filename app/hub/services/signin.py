"""Badge-and-PIN sign-in at a bench, throttled per badge and per station.

``policy.badge_limit`` wrong sign-ins with one badge within ``policy.window`` lock that badge for
``policy.lockout``; ``policy.station_limit`` wrong sign-ins at one station (any badges) lock sign-in
at that station the same way. Each further lockout of the same badge or station in a row lasts twice
as long, up to ``policy.max_lockout``; a quiet day (``policy.forget_after``), and for a badge a
right PIN, starts the count again. Every failure is stored (``SignInFailure``) and lockouts are
logged, for supervisors to read.

The Argon2 check (~0.1 s) runs outside any write transaction: the operator and the lock state are
read in a read-only transaction (no write lock on SQLite), the PIN is verified with no transaction
open, and only then a short write transaction records the outcome — re-checking the lock under a
row lock, so a burst of parallel guesses gets no more tries than a sequence would. An unknown badge
is verified against a dummy hash, so it answers in the same time as a known badge with a wrong PIN.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.hub import models as m
from app.hub.database import read_only, unit_of_work
from app.hub.security import check_pin
from app.hub.services import auth
from app.hub.services.clock import now
from app.hub.services.errors import HubError, Unauthorized
from app.hub.signin_models import SignInFailure, SignInThrottle

log = logging.getLogger("packbench.hub.signin")

BADGE = "badge"
STATION = "station"


@dataclass(frozen=True)
class SignInPolicy:
    badge_limit: int = 5
    station_limit: int = 10
    window: timedelta = timedelta(minutes=5)
    lockout: timedelta = timedelta(minutes=5)
    max_lockout: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)


class Locked(HubError):
    """Too many wrong sign-ins: 429 with ``retry_after_s``, and a Retry-After header."""

    status = 429

    def __init__(self, what: str, until: datetime, at: datetime) -> None:
        seconds = max(1, int((until - at).total_seconds() + 0.999))
        super().__init__(
            f"{what} is locked after too many wrong sign-ins; try again in {seconds} s", retry_after_s=seconds
        )
        self.headers = {"Retry-After": str(seconds)}


@dataclass(frozen=True)
class SignedIn:
    name: str
    badge: str
    role: str
    token: str


@dataclass(frozen=True)
class _Operator:
    id: int
    name: str
    badge: str
    role: str
    pin_hash: str


def _subjects(badge: str, station_name: str) -> list[tuple[str, str, str]]:
    """(kind, subject, what a person reads) for the badge and the station."""
    return [(BADGE, badge[:100], f"badge {badge}"), (STATION, station_name[:100], f"sign-in at {station_name}")]


def _refuse_if_locked(session: Session, subjects: list[tuple[str, str, str]], at: datetime, *, lock: bool) -> None:
    for kind, subject, what in subjects:
        row = session.get(SignInThrottle, (kind, subject), with_for_update=lock)
        if row is not None and row.locked_until is not None and row.locked_until > at:
            raise Locked(what, row.locked_until, at)


def sign_in(
    factory: sessionmaker[Session], policy: SignInPolicy, *, badge: str, pin: str, station: auth.Principal
) -> SignedIn:
    """Check badge and PIN for an operator at ``station``; raise Unauthorized (401) or Locked (429)."""
    station_id = station.require_station()
    subjects = _subjects(badge, station.station_name or str(station_id))
    with read_only(factory) as session:
        _refuse_if_locked(session, subjects, now(), lock=False)
        row = session.scalar(select(m.Operator).where(m.Operator.badge == badge))
        op = _Operator(row.id, row.name, row.badge, row.role, row.pin_hash) if row is not None else None
        active = row is not None and row.active
    # No transaction is open here: the slow hash holds nobody up.
    right = check_pin(op.pin_hash if op is not None and active else None, pin)
    with unit_of_work(factory) as session:
        at = now()
        _refuse_if_locked(session, subjects, at, lock=True)
        if right and op is not None:
            current = session.get(m.Operator, op.id)
            if current is not None and current.active and current.pin_hash == op.pin_hash:
                _forgive(session, BADGE, subjects[0][1], at)
                token = auth.open_session(session, op.id, station_id)
                return SignedIn(op.name, op.badge, op.role, token)
        reason = "unknown_badge" if op is None else ("inactive" if not active else "wrong_pin")
        locked = _fail(session, policy, badge=badge, station_id=station_id, subjects=subjects, at=at, reason=reason)
    if locked:
        log.warning("sign-in locked: %s (badge %s at station %s)", "; ".join(locked), badge, station.station_name)
    raise Unauthorized("badge or PIN not recognised")


def _throttle(session: Session, kind: str, subject: str) -> SignInThrottle:
    row = session.get(SignInThrottle, (kind, subject), with_for_update=True)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(SignInThrottle(kind=kind, subject=subject, lockouts=0))
    except IntegrityError:  # a concurrent first failure made it: take that one
        pass
    row = session.get(SignInThrottle, (kind, subject), with_for_update=True)
    assert row is not None
    return row


def _forgive(session: Session, kind: str, subject: str, at: datetime) -> None:
    row = session.get(SignInThrottle, (kind, subject), with_for_update=True)
    if row is not None:
        row.lockouts = 0
        row.counted_from = at


def _fail(
    session: Session,
    policy: SignInPolicy,
    *,
    badge: str,
    station_id: int,
    subjects: list[tuple[str, str, str]],
    at: datetime,
    reason: str,
) -> list[str]:
    failure = SignInFailure(at=at, badge=badge[:64], station_id=station_id, reason=reason, locked="")
    session.add(failure)
    session.flush()
    locked: list[str] = []
    for (kind, subject, what), limit in zip(subjects, (policy.badge_limit, policy.station_limit), strict=True):
        row = _throttle(session, kind, subject)
        since = max(d for d in (at - policy.window, row.locked_until, row.counted_from) if d is not None)
        match = SignInFailure.badge == badge[:64] if kind == BADGE else SignInFailure.station_id == station_id
        count = session.scalar(select(func.count(SignInFailure.id)).where(match, SignInFailure.at > since)) or 0
        if count < limit:
            continue
        if row.last_lockout_at is not None and at - row.last_lockout_at > policy.forget_after:
            row.lockouts = 0
        row.lockouts += 1
        row.locked_until = at + min(policy.lockout * 2 ** (row.lockouts - 1), policy.max_lockout)
        row.last_lockout_at = at
        locked.append(f"{what} until {row.locked_until.isoformat(timespec='seconds')}")
    failure.locked = "; ".join(locked)[:200]
    return locked


def report(session: Session, *, hours: int = 24, limit: int = 200) -> dict[str, list[dict[str, object]]]:
    """Lockouts in force and the failed sign-ins of the last ``hours``, newest first, for supervisors."""
    at = now()
    names = {i: name for i, name in session.execute(select(m.Station.id, m.Station.name))}
    locks = session.scalars(
        select(SignInThrottle).where(SignInThrottle.locked_until > at).order_by(SignInThrottle.locked_until.desc())
    ).all()
    failures = session.scalars(
        select(SignInFailure)
        .where(SignInFailure.at > at - timedelta(hours=hours))
        .order_by(SignInFailure.at.desc(), SignInFailure.id.desc())
        .limit(limit)
    ).all()
    return {
        "locked": [
            {
                "kind": r.kind,
                "subject": r.subject,
                "until": r.locked_until.isoformat() if r.locked_until else None,
                "lockouts_in_a_row": r.lockouts,
            }
            for r in locks
        ],
        "failures": [
            {
                "at": f.at.isoformat(),
                "badge": f.badge,
                "station": names.get(f.station_id) if f.station_id is not None else None,
                "reason": f.reason,
                "locked": f.locked,
            }
            for f in failures
        ],
    }
