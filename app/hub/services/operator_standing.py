"""Operators' standing: role and active flag changed by an admin, the standing a bench re-checks when it is
back online, and the events whose operator was no longer an active operator when they drained.

A bench lets an operator who signed in online there recently sign in again while the hub is down
(``app.bench.operator_cache``). Their events carry the badge. When those events are applied, the badge
may by then name an operator who was deactivated, or nobody: the events are still applied (the work
happened) and each one is flagged here for a supervisor (``flag_events``, ``flags``). When the bench
reaches the hub again it asks for the standing of the badges it holds (``standing``) and signs out,
or changes the role of, whoever the answer says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.events import BenchEvent
from app.domain.operators import BENCH_SCREENS, Role
from app.hub import models as m
from app.hub.operator_models import OperatorEventFlag
from app.hub.services.auth import forget_after_commit
from app.hub.services.clock import now
from app.hub.services.errors import NotFound
from app.hub.services.principals import PrincipalCache

INACTIVE = "inactive"
UNKNOWN = "unknown_badge"


def change_operator(
    session: Session,
    badge: str,
    *,
    role: str | None = None,
    active: bool | None = None,
    cache: PrincipalCache | None = None,
) -> m.Operator:
    """Change an operator's role or deactivate (reactivate) them. Their open sessions end on
    deactivation; either change empties the principal cache so a session's old role is not served."""
    op = session.scalar(select(m.Operator).where(m.Operator.badge == badge))
    if op is None:
        raise NotFound(f"no operator with badge {badge}")
    if role is not None:
        op.role = Role(role).value
    if active is not None:
        op.active = active
        if not active:
            session.execute(
                update(m.OperatorSession).where(m.OperatorSession.operator_id == op.id).values(expires_at=now())
            )
    session.flush()
    forget_after_commit(session, cache)
    return op


def standing(session: Session, badges: Sequence[str]) -> list[dict[str, Any]]:
    """Per badge asked: ``active`` (False for an unknown badge too), ``role`` and the ``screens`` it opens."""
    found = {o.badge: o for o in session.scalars(select(m.Operator).where(m.Operator.badge.in_(set(badges))))}
    out: list[dict[str, Any]] = []
    for badge in dict.fromkeys(badges):
        op = found.get(badge)
        if op is None or not op.active:
            out.append({"badge": badge, "active": False, "role": None, "screens": []})
        else:
            role = Role(op.role)
            out.append({"badge": badge, "active": True, "role": role.value, "screens": list(BENCH_SCREENS[role])})
    return out


def _subject(event: BenchEvent) -> str:
    return str(getattr(event, "order_number", None) or getattr(event, "rma_number", None) or "")[:100]


def flag_events(session: Session, events: Iterable[BenchEvent], station_id: int | None, at: datetime) -> int:
    """Flag the applied ``events`` whose badge names no active operator; returns how many were flagged."""
    named = [e for e in events if e.operator_badge]
    if not named:
        return 0
    active = dict(
        session.execute(
            select(m.Operator.badge, m.Operator.active).where(m.Operator.badge.in_({e.operator_badge for e in named}))
        ).all()
    )
    rows = [
        OperatorEventFlag(
            event_id=e.event_id,
            type=e.TYPE,
            station_id=station_id,
            operator_badge=e.operator_badge,
            reason=UNKNOWN if e.operator_badge not in active else INACTIVE,
            subject=_subject(e),
            occurred_at=e.occurred_at,
            flagged_at=at,
        )
        for e in named
        if not active.get(e.operator_badge, False)
    ]
    session.add_all(rows)
    return len(rows)


def flags(
    session: Session, *, since: datetime, until: datetime | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Events flagged after ``since`` (up to ``until``), newest first: what, when, at which station, whose
    badge, why."""
    names = {i: name for i, name in session.execute(select(m.Station.id, m.Station.name))}
    rows = session.scalars(
        select(OperatorEventFlag)
        .where(OperatorEventFlag.flagged_at > since, OperatorEventFlag.flagged_at <= (until or now()))
        .order_by(OperatorEventFlag.flagged_at.desc(), OperatorEventFlag.event_id)
        .limit(limit)
    ).all()
    return [
        {
            "event_id": r.event_id,
            "type": r.type,
            "subject": r.subject,
            "operator_badge": r.operator_badge,
            "reason": r.reason,
            "station": names.get(r.station_id) if r.station_id is not None else None,
            "occurred_at": r.occurred_at.isoformat(),
            "flagged_at": r.flagged_at.isoformat(),
        }
        for r in rows
    ]
