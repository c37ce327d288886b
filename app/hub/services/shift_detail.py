"""The supervisor's view of a shift beyond the totals: units per hour per bench and per packer, exceptions
per hour with the orders behind them (drill-down), and how long the waiting orders have waited."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.domain.orders import OrderStatus
from app.hub import models as m
from app.hub.services.clock import now

# Queue age buckets: (label, upper bound in hours); the last is open-ended.
AGE_BUCKETS = [("0-1 h", 1.0), ("1-2 h", 2.0), ("2-4 h", 4.0), ("4-8 h", 8.0), ("8 h +", float("inf"))]
EXCEPTION_ROWS = 500  # the drill-down lists at most this many exceptions, newest first


def hour_of(t: datetime) -> str:
    return t.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:00Z")


def units_per_hour(session: Session, since: datetime, until: datetime) -> dict[str, dict[str, dict[str, int]]]:
    """``{"by_station": {bench: {hour: units}}, "by_operator": {…}}``: units packed, from the orders' lines."""
    st, op = aliased(m.Station), aliased(m.Operator)
    units = (
        select(m.OrderLine.order_id, func.sum(m.OrderLine.quantity).label("units"))
        .group_by(m.OrderLine.order_id)
        .subquery()
    )
    rows = session.execute(
        select(m.Order.packed_at, st.name, op.name, op.badge, units.c.units)
        .join(units, units.c.order_id == m.Order.id)
        .join(st, st.id == m.Order.packed_station_id, isouter=True)
        .join(op, op.id == m.Order.packed_operator_id, isouter=True)
        .where(m.Order.packed_at >= since, m.Order.packed_at < until)
    ).all()
    by_station: dict[str, Counter[str]] = defaultdict(Counter)
    by_operator: dict[str, Counter[str]] = defaultdict(Counter)
    for packed_at, station, op_name, badge, n in rows:
        hour = hour_of(packed_at)
        by_station[station or "?"][hour] += int(n or 0)
        by_operator[f"{op_name} ({badge})" if badge else "unknown operator"][hour] += int(n or 0)
    return {
        "by_station": {k: dict(sorted(v.items())) for k, v in sorted(by_station.items())},
        "by_operator": {k: dict(sorted(v.items())) for k, v in sorted(by_operator.items())},
    }


def exceptions(session: Session, since: datetime, until: datetime) -> tuple[dict[str, dict[str, int]], list[Any]]:
    """Exceptions per kind per hour, and the newest ``EXCEPTION_ROWS`` of them with their order."""
    st, op = aliased(m.Station), aliased(m.Operator)
    rows = session.execute(
        select(
            m.PackException.occurred_at,
            m.PackException.kind,
            m.Order.number,
            m.PackException.sku,
            m.PackException.quantity,
            m.PackException.detail,
            st.name,
            op.name,
        )
        .join(m.Order, m.Order.id == m.PackException.order_id, isouter=True)
        .join(st, st.id == m.PackException.station_id, isouter=True)
        .join(op, op.id == m.PackException.operator_id, isouter=True)
        .where(m.PackException.occurred_at >= since, m.PackException.occurred_at < until)
        .order_by(m.PackException.occurred_at.desc())
    ).all()
    per_hour: dict[str, Counter[str]] = defaultdict(Counter)
    listed: list[dict[str, Any]] = []
    for at, kind, number, sku, qty, detail, station, operator in rows:
        per_hour[kind][hour_of(at)] += 1
        if len(listed) < EXCEPTION_ROWS:
            listed.append(
                {
                    "at": at.isoformat(),
                    "hour": hour_of(at),
                    "kind": kind,
                    "order_number": number,
                    "sku": sku,
                    "quantity": qty,
                    "detail": detail,
                    "station": station,
                    "operator": operator,
                }
            )
    return {k: dict(sorted(v.items())) for k, v in sorted(per_hour.items())}, listed


def queue_age_profile(session: Session) -> dict[str, dict[str, int]]:
    """Orders waiting per location, counted by how long they have waited (``AGE_BUCKETS``)."""
    at = now()
    waiting = or_(
        m.Order.status == OrderStatus.QUEUED.value,
        and_(m.Order.status == OrderStatus.LEASED.value, m.Order.lease_expires_at < at),
    )
    out: dict[str, dict[str, int]] = {}
    for code, created in session.execute(
        select(m.Location.code, m.Order.created_at).join(m.Order, m.Order.location_id == m.Location.id).where(waiting)
    ).all():
        hours = (at - created).total_seconds() / 3600
        label = next(name for name, upper in AGE_BUCKETS if hours < upper)
        out.setdefault(code, {name: 0 for name, _ in AGE_BUCKETS})[label] += 1
    return dict(sorted(out.items()))
