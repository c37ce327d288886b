"""Operators' standing: an admin changes a role or deactivates someone; a bench back online re-checks the
badges it keeps for offline sign-in; supervisors read the events applied under a badge that was no longer
an active operator (``app.hub.services.operator_standing``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from app.domain import limits
from app.domain.operators import Role
from app.hub.api.deps import ADMINISTRATION, DB, SUPERVISION, allow
from app.hub.api.schemas import Strict
from app.hub.services import operator_standing
from app.hub.services.clock import now
from app.hub.services.principals import PrincipalCache
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["people"])
NONE = Scope.NONE

Badge = Annotated[str, Field(min_length=1, max_length=limits.BADGE)]


class OperatorChangeIn(Strict):
    role: Literal["packer", "receiver", "supervisor", "admin"] | None = None
    active: bool | None = None


class OperatorStateOut(BaseModel):
    name: str
    badge: str
    role: str
    active: bool


class StandingIn(Strict):
    badges: list[Badge] = Field(min_length=1, max_length=200)


class StandingOut(BaseModel):
    badge: str
    active: bool
    role: str | None
    screens: list[str]


@router.patch("/admin/operators/{badge}", response_model=OperatorStateOut, **allow(*ADMINISTRATION, scope=NONE))
def change_operator(
    body: OperatorChangeIn,
    session: DB,
    request: Request,
    badge: Annotated[str, Path(min_length=1, max_length=limits.BADGE)],
) -> OperatorStateOut:
    """Change an operator's role, or deactivate (``active: false``) them: their sessions end at once and
    benches drop their offline sign-in when they next reach the hub."""
    cache: PrincipalCache | None = getattr(request.app.state, "principals", None)
    op = operator_standing.change_operator(session, badge, role=body.role, active=body.active, cache=cache)
    return OperatorStateOut(name=op.name, badge=op.badge, role=op.role, active=op.active)


@router.post("/operators/standing", response_model=list[StandingOut], **allow(Role.STATION, scope=NONE))
def operator_standing_now(body: StandingIn, session: DB) -> list[dict[str, Any]]:
    """For a bench back online: per badge it keeps for offline sign-in, whether it is still an active
    operator (an unknown badge answers ``active: false`` too), their role now and the screens it opens."""
    return operator_standing.standing(session, body.badges)


@router.get("/admin/operator-flags", **allow(*SUPERVISION, scope=NONE))
def operator_flags(session: DB, hours: int = Query(24 * 7, ge=1, le=24 * 90)) -> list[dict[str, Any]]:
    """Bench events applied under a badge that was deactivated or unknown when they reached the hub
    (made while signed in offline): the work is kept, a supervisor looks at who did it."""
    return operator_standing.flags(session, since=now() - timedelta(hours=hours))
