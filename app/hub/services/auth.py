"""Stations, operators and who is calling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.operators import OPERATOR_ROLES, Role
from app.hub import models as m
from app.hub.security import digest, hash_pin, new_enrolment_code, new_token, normalize_code, verify_pin
from app.hub.services import catalog
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, Forbidden, Invalid, Unauthorized

ENROLMENT_CODE_HOURS = 72
OPERATOR_SESSION_HOURS = 12
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a station (and maybe an operator signed in at it), or an operator at the hub."""

    role: Role
    station_id: int | None = None
    station_name: str | None = None
    location_id: int | None = None
    location_code: str | None = None
    operator_id: int | None = None
    operator_badge: str | None = None

    def require_station(self) -> int:
        if self.station_id is None:
            raise Forbidden("this call is made from an enrolled bench station")
        return self.station_id


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


def enrol(session: Session, code: str) -> tuple[m.Station, str]:
    """Spend a one-time code; the station gets a fresh token (a re-enrolment replaces the old one)."""
    row = session.get(m.EnrolmentCode, digest(normalize_code(code)), with_for_update=True)
    at = now()
    if row is None or row.used_at is not None or row.expires_at < at:
        raise Unauthorized("enrolment code unknown, used or expired: ask an admin for a new one")
    row.used_at = at
    station = session.scalar(select(m.Station).where(m.Station.name == row.station_name))
    if station is None:
        station = m.Station(name=row.station_name, location_id=row.location_id)
        session.add(station)
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


def sign_in(session: Session, *, badge: str, pin: str, station_id: int | None) -> tuple[m.Operator, str]:
    op = session.scalar(select(m.Operator).where(m.Operator.badge == badge))
    if op is None or not op.active or not verify_pin(op.pin_hash, pin):
        raise Unauthorized("badge or PIN not recognised")
    token = new_token()
    at = now()
    session.add(
        m.OperatorSession(
            token_hash=digest(token),
            operator_id=op.id,
            station_id=station_id,
            created_at=at,
            expires_at=at + timedelta(hours=OPERATOR_SESSION_HOURS),
        )
    )
    session.flush()
    return op, token


def sign_out(session: Session, token: str) -> None:
    row = session.get(m.OperatorSession, digest(token))
    if row is not None:
        session.delete(row)


def authenticate(session: Session, token: str) -> Principal:
    """Resolve a bearer token to a principal, or raise Unauthorized."""
    h = digest(token)
    station = session.scalar(select(m.Station).where(m.Station.token_hash == h))
    at = now()
    if station is not None:
        # Written at most once a minute: a write (and its WAL flush) on every call costs more than it tells.
        if station.last_seen_at is None or at - station.last_seen_at >= LAST_SEEN_RESOLUTION:
            station.last_seen_at = at
        return Principal(
            role=Role.STATION,
            station_id=station.id,
            station_name=station.name,
            location_id=station.location_id,
            location_code=station.location.code,
        )
    sess = session.get(m.OperatorSession, h)
    if sess is None or sess.expires_at < at or not sess.operator.active:
        raise Unauthorized("token missing, unknown or expired")
    st = session.get(m.Station, sess.station_id) if sess.station_id is not None else None
    return Principal(
        role=Role(sess.operator.role),
        station_id=st.id if st else None,
        station_name=st.name if st else None,
        location_id=st.location_id if st else None,
        location_code=st.location.code if st else None,
        operator_id=sess.operator.id,
        operator_badge=sess.operator.badge,
    )


def operator_id_for_badge(session: Session, badge: str) -> int | None:
    if not badge:
        return None
    return session.scalar(select(m.Operator.id).where(m.Operator.badge == badge))
