"""Enrolment, sign-in, operators and KPI reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import func, select

from app.domain.operators import BENCH_SCREENS, Role
from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api.deps import ADMINISTRATION, BENCH, DB, SUPERVISION, Caller, Factory, UtcTime, allow, public
from app.hub.services import auth, picking_report, reports, signin
from app.hub.services.errors import Forbidden
from app.hub.services.principals import PrincipalCache
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["people"])
NONE = Scope.NONE


def _cache(request: Request) -> PrincipalCache | None:
    cache: PrincipalCache | None = getattr(request.app.state, "principals", None)
    return cache


def _policy(request: Request) -> signin.SignInPolicy:
    policy: signin.SignInPolicy | None = getattr(request.app.state, "sign_in_policy", None)
    return policy or signin.SignInPolicy()


@router.post("/enrol", response_model=s.EnrolOut, **public())
def enrol(body: s.EnrolIn, session: DB, request: Request) -> s.EnrolOut:
    """Spend a one-time enrolment code; the station receives its own token (shown once). Enrolling a
    station again ends its old token and every operator session signed in under it."""
    station, token = auth.enrol(session, body.code, _cache(request))
    return s.EnrolOut(station_name=station.name, location=station.location.code, token=token)


@router.post(
    "/admin/enrolment-codes",
    response_model=s.EnrolmentCodeOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION, scope=NONE),
)
def create_enrolment_code(body: s.EnrolmentCodeIn, session: DB) -> s.EnrolmentCodeOut:
    code = auth.create_enrolment_code(session, body.station_name, body.location)
    return s.EnrolmentCodeOut(station_name=body.station_name, location=body.location, code=code)


@router.post(
    "/admin/operators",
    response_model=s.OperatorOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION, scope=NONE),
)
def add_operator(body: s.OperatorIn, session: DB) -> s.OperatorOut:
    op = auth.add_operator(session, name=body.name, badge=body.badge, pin=body.pin, role=body.role)
    return s.OperatorOut(name=op.name, badge=op.badge, role=op.role)


@router.get("/admin/operators", response_model=list[s.OperatorOut], **allow(*SUPERVISION, scope=NONE))
def list_operators(session: DB) -> list[s.OperatorOut]:
    return [
        s.OperatorOut(name=o.name, badge=o.badge, role=o.role)
        for o in session.scalars(select(m.Operator).order_by(m.Operator.name))
    ]


@router.post(
    "/sessions",
    response_model=s.SignInOut,
    **allow(
        Role.STATION,
        scope=NONE,
        responses={429: {"description": "the badge or this station is locked after too many wrong sign-ins"}},
    ),
)
def sign_in(body: s.SignInIn, factory: Factory, caller: Caller, request: Request) -> s.SignInOut:
    """An operator signs in at this bench with badge and PIN; the token carries their role. Five wrong
    PINs for a badge in 5 minutes lock it (ten at a station lock the station), longer each time."""
    op = signin.sign_in(factory, _policy(request), badge=body.badge, pin=body.pin, station=caller)
    role = Role(op.role)
    return s.SignInOut(token=op.token, name=op.name, badge=op.badge, role=role.value, screens=list(BENCH_SCREENS[role]))


@router.get("/admin/sign-ins", **allow(*SUPERVISION, scope=NONE))
def sign_in_report(session: DB, hours: int = Query(24, ge=1, le=24 * 90)) -> dict[str, Any]:
    """Lockouts in force (badge or station, until when) and failed sign-ins of the last ``hours``."""
    return dict(signin.report(session, hours=hours))


@router.get("/admin/stations", **allow(*ADMINISTRATION, scope=NONE))
def list_stations(session: DB) -> list[dict[str, Any]]:
    """Every station: its location, whether it holds a token, when it was last seen, sessions open."""
    counts = select(m.OperatorSession.station_id, func.count()).group_by(m.OperatorSession.station_id)
    open_sessions = {station_id: n for station_id, n in session.execute(counts)}
    return [
        {
            "name": st.name,
            "location": st.location.code,
            "enrolled": st.token_hash is not None,
            "enrolled_at": st.enrolled_at.isoformat() if st.enrolled_at else None,
            "last_seen_at": st.last_seen_at.isoformat() if st.last_seen_at else None,
            "operator_sessions": open_sessions.get(st.id, 0),
        }
        for st in session.scalars(select(m.Station).order_by(m.Station.name))
    ]


@router.post("/stations/{name}/revoke", **allow(*ADMINISTRATION, scope=NONE))
def revoke_station(name: str, session: DB, request: Request) -> dict[str, Any]:
    """End the station's token and every operator session signed in at it; its leased orders go back
    to the queue. Enrol it again with a new code to bring it back."""
    ended, released = auth.revoke_station(session, name, _cache(request))
    return {"station": name, "sessions_ended": ended, "orders_released": released}


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT, **allow(*BENCH, scope=NONE))
def sign_out(request: Request, session: DB, caller: Caller) -> None:
    if caller.operator_id is None:
        raise Forbidden("a station token cannot be signed out; sign out an operator session")
    header = request.headers.get("authorization", "")
    auth.sign_out(session, header.partition(" ")[2], _cache(request))


@router.get("/whoami", response_model=s.WhoAmI, **allow(*BENCH, scope=NONE))
def whoami(caller: Caller) -> s.WhoAmI:
    return s.WhoAmI(
        role=caller.role.value,
        station=caller.station_name,
        location=caller.location_code,
        operator_badge=caller.operator_badge,
    )


@router.get("/reports/shift", **allow(*SUPERVISION, scope=NONE))
def shift_report(session: DB, since: UtcTime = None, until: UtcTime = None) -> dict[str, Any]:
    """Orders packed per hour per station and per operator, exceptions, returns, queue depth and age."""
    rep = reports.shift_report(session, since, until)
    out = dict(rep.__dict__)
    out["since"] = rep.since.isoformat()
    out["until"] = rep.until.isoformat()
    out["picking"] = picking_report.report(session, since, None)
    return out
