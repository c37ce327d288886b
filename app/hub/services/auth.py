"""Stations, operators and who is calling."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from app.domain.operators import OPERATOR_ROLES, Role
from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.security import check_pin, digest, hash_pin, new_enrolment_code, new_token, normalize_code
from app.hub.services import catalog
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, Invalid, NotFound, Unauthorized
from app.hub.services.principals import Principal as Principal
from app.hub.services.principals import PrincipalCache

ENROLMENT_CODE_HOURS = 72
OPERATOR_SESSION_HOURS = 12
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def forget_after_commit(session: Session, cache: PrincipalCache | None) -> None:
    """Empty ``cache`` once this transaction commits (and so is visible to the next read): a revoked
    token is refused by this process at once."""
    if cache is not None:
        event.listen(session, "after_commit", lambda _s: cache.forget_all(), once=True)


def create_enrolment_code(session: Session, station_name: str, location_code: str) -> str:
    """A one-time code (printed for the person setting up the bench) valid for 72 hours."""
    loc = catalog.location_by_code(session, location_code)
    station = session.scalar(select(m.Station).where(m.Station.name == station_name))
    if station is not None and station.location_id != loc.id:
        raise Conflict(f"station {station_name} exists at another location")
    code = new_enrolment_code()
    at = now()
    session.add(
        m.EnrolmentCode(
            code_hash=digest(normalize_code(code)),
            station_name=station_name,
            location_id=loc.id,
            created_at=at,
            expires_at=at + timedelta(hours=ENROLMENT_CODE_HOURS),
        )
    )
    session.flush()
    return code


def enrol(session: Session, code: str, cache: PrincipalCache | None = None) -> tuple[m.Station, str]:
    """Spend a one-time code; the station gets a fresh token (a re-enrolment replaces the old one and
    ends the operator sessions signed in under it)."""
    row = session.get(m.EnrolmentCode, digest(normalize_code(code)), with_for_update=True)
    at = now()
    if row is None or row.used_at is not None or row.expires_at < at:
        raise Unauthorized("enrolment code unknown, used or expired: ask an admin for a new one")
    row.used_at = at
    station = session.scalar(select(m.Station).where(m.Station.name == row.station_name))
    if station is None:
        station = m.Station(name=row.station_name, location_id=row.location_id)
        session.add(station)
    else:
        # A re-enrolment ends the old token and every operator session minted under it.
        end_station_sessions(session, station.id)
        forget_after_commit(session, cache)
    token = new_token()
    station.token_hash = digest(token)
    station.enrolled_at = at
    session.flush()
    return station, token


def add_operator(session: Session, *, name: str, badge: str, pin: str, role: str) -> m.Operator:
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise Invalid(f"role must be one of {[r.value for r in OPERATOR_ROLES]}") from exc
    if role_value not in OPERATOR_ROLES:
        raise Invalid(f"role must be one of {[r.value for r in OPERATOR_ROLES]}")
    if session.scalar(select(m.Operator.id).where(m.Operator.badge == badge)) is not None:
        raise Conflict(f"badge {badge} is already in use")
    try:
        pin_hash = hash_pin(pin)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    op = m.Operator(name=name, badge=badge, pin_hash=pin_hash, role=role_value.value, active=True)
    session.add(op)
    session.flush()
    return op


def open_session(session: Session, operator_id: int, station_id: int | None) -> str:
    """A new operator session token (12 hours) for an operator whose PIN has been checked."""
    token = new_token()
    at = now()
    session.add(
        m.OperatorSession(
            token_hash=digest(token),
            operator_id=operator_id,
            station_id=station_id,
            created_at=at,
            expires_at=at + timedelta(hours=OPERATOR_SESSION_HOURS),
        )
    )
    session.flush()
    return token


def sign_in(session: Session, *, badge: str, pin: str, station_id: int | None) -> tuple[m.Operator, str]:
    """Badge and PIN checked inside ``session``, not throttled: for trusted callers at the hub (the
    ``packbench hub token`` command, test scenes). Benches sign in through ``signin.sign_in``."""
    op = session.scalar(select(m.Operator).where(m.Operator.badge == badge))
    pin_hash = op.pin_hash if op is not None and op.active else None
    if op is None or not check_pin(pin_hash, pin):
        raise Unauthorized("badge or PIN not recognised")
    return op, open_session(session, op.id, station_id)


def sign_out(session: Session, token: str, cache: PrincipalCache | None = None) -> None:
    row = session.get(m.OperatorSession, digest(token))
    if row is not None:
        session.delete(row)
    forget_after_commit(session, cache)


def end_station_sessions(session: Session, station_id: int) -> int:
    """Delete every operator session minted at the station; returns how many."""
    result = session.execute(delete(m.OperatorSession).where(m.OperatorSession.station_id == station_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_station(session: Session, name: str, cache: PrincipalCache | None = None) -> tuple[int, int]:
    """End the station's token and every operator session minted at it, and give its live leases'
    orders back to the queue (the station can no longer renew or pack them). Returns (sessions
    ended, orders released). The station can be enrolled again with a new code."""
    station = session.scalar(select(m.Station).where(m.Station.name == name).with_for_update(of=m.Station))
    if station is None:
        raise NotFound(f"unknown station {name!r}")
    station.token_hash = None
    ended = end_station_sessions(session, station.id)
    at = now()
    leases = select(m.Lease.id).where(m.Lease.station_id == station.id, m.Lease.released_at.is_(None))
    released = session.execute(
        update(m.Order)
        .where(m.Order.lease_id.in_(leases), m.Order.status == OrderStatus.LEASED.value)
        .values(status=OrderStatus.QUEUED.value, lease_id=None, lease_expires_at=None, updated_at=at)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        update(m.Lease).where(m.Lease.station_id == station.id, m.Lease.released_at.is_(None)).values(released_at=at)
    )
    forget_after_commit(session, cache)
    return ended, int(released)


def authenticate(session: Session, token: str, cache: PrincipalCache | None = None) -> tuple[Principal, bool]:
    """Resolve a bearer token to a principal, or raise Unauthorized. Reads only; the second value says
    the station's ``last_seen_at`` is due an update (``touch_station``, at most once a minute)."""
    h = digest(token)
    generation = 0
    if cache is not None:
        cached = cache.get(h)
        if cached is not None:
            return cached, False
        generation = cache.generation()
    at = now()
    station = session.scalar(select(m.Station).where(m.Station.token_hash == h))
    if station is not None:
        stale = station.last_seen_at is None or at - station.last_seen_at >= LAST_SEEN_RESOLUTION
        p = Principal(
            role=Role.STATION,
            station_id=station.id,
            station_name=station.name,
            location_id=station.location_id,
            location_code=station.location.code,
        )
        if cache is not None:
            cache.put(h, p, generation, None)
        return p, stale
    sess = session.get(m.OperatorSession, h)
    if sess is None or sess.expires_at < at or not sess.operator.active:
        raise Unauthorized("token missing, unknown or expired")
    st = session.get(m.Station, sess.station_id) if sess.station_id is not None else None
    p = Principal(
        role=Role(sess.operator.role),
        station_id=st.id if st else None,
        station_name=st.name if st else None,
        location_id=st.location_id if st else None,
        location_code=st.location.code if st else None,
        operator_id=sess.operator.id,
        operator_badge=sess.operator.badge,
    )
    if cache is not None:
        cache.put(h, p, generation, sess.expires_at)
    return p, False


def touch_station(session: Session, station_id: int) -> None:
    """Written at most once a minute: a write (and its WAL flush) on every call costs more than it tells."""
    session.execute(update(m.Station).where(m.Station.id == station_id).values(last_seen_at=now()))


def operator_id_for_badge(session: Session, badge: str) -> int | None:
    if not badge:
        return None
    return session.scalar(select(m.Operator.id).where(m.Operator.badge == badge))
