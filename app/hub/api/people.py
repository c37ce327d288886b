"""Enrolment, sign-in, operators and KPI reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from sqlalchemy import select

from app.domain.operators import BENCH_SCREENS, Role
from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api.deps import ADMINISTRATION, BENCH, DB, SUPERVISION, Caller, UtcTime, allow, public
from app.hub.services import auth, reports
from app.hub.services.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["people"])


@router.post("/enrol", response_model=s.EnrolOut, **public())
def enrol(body: s.EnrolIn, session: DB) -> s.EnrolOut:
    """Spend a one-time enrolment code; the station receives its own token (shown once)."""
    station, token = auth.enrol(session, body.code)
    return s.EnrolOut(station_name=station.name, location=station.location.code, token=token)


@router.post(
    "/admin/enrolment-codes",
    response_model=s.EnrolmentCodeOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION),
)
def create_enrolment_code(body: s.EnrolmentCodeIn, session: DB) -> s.EnrolmentCodeOut:
    code = auth.create_enrolment_code(session, body.station_name, body.location)
    return s.EnrolmentCodeOut(station_name=body.station_name, location=body.location, code=code)


@router.post(
    "/admin/operators",
    response_model=s.OperatorOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION),
)
def add_operator(body: s.OperatorIn, session: DB) -> s.OperatorOut:
    op = auth.add_operator(session, name=body.name, badge=body.badge, pin=body.pin, role=body.role)
    return s.OperatorOut(name=op.name, badge=op.badge, role=op.role)


@router.get("/admin/operators", response_model=list[s.OperatorOut], **allow(*SUPERVISION))
def list_operators(session: DB) -> list[s.OperatorOut]:
    return [
        s.OperatorOut(name=o.name, badge=o.badge, role=o.role)
        for o in session.scalars(select(m.Operator).order_by(m.Operator.name))
    ]


@router.post("/sessions", response_model=s.SignInOut, **allow(Role.STATION))
def sign_in(body: s.SignInIn, session: DB, caller: Caller) -> s.SignInOut:
    """An operator signs in at this bench with badge and PIN; the token carries their role."""
    op, token = auth.sign_in(session, badge=body.badge, pin=body.pin, station_id=caller.station_id)
    role = Role(op.role)
    return s.SignInOut(token=token, name=op.name, badge=op.badge, role=role.value, screens=list(BENCH_SCREENS[role]))


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT, **allow(*BENCH))
def sign_out(request: Request, session: DB, caller: Caller) -> None:
    if caller.operator_id is None:
        raise Forbidden("a station token cannot be signed out; sign out an operator session")
    header = request.headers.get("authorization", "")
    auth.sign_out(session, header.partition(" ")[2])


@router.get("/whoami", response_model=s.WhoAmI, **allow(*BENCH))
def whoami(caller: Caller) -> s.WhoAmI:
    return s.WhoAmI(
        role=caller.role.value,
        station=caller.station_name,
        location=caller.location_code,
        operator_badge=caller.operator_badge,
    )


@router.get("/reports/shift", **allow(*SUPERVISION))
def shift_report(session: DB, since: UtcTime = None, until: UtcTime = None) -> dict[str, Any]:
    """Orders packed per hour per station and per operator, exceptions, returns, queue depth and age."""
    rep = reports.shift_report(session, since, until)
    out = dict(rep.__dict__)
    out["since"] = rep.since.isoformat()
    out["until"] = rep.until.isoformat()
    return out
