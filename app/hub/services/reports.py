"""KPIs computed from what the hub has applied: throughput, exceptions, returns, queue."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.hub import models as m
from app.hub.services import operator_standing, queue, shift_detail
from app.hub.services.clock import now


@dataclass
class ShiftReport:
    since: datetime
    until: datetime
    orders_packed: int = 0
    packed_per_hour: dict[str, int] = field(default_factory=dict)
    by_station: dict[str, dict[str, int]] = field(default_factory=dict)
    by_operator: dict[str, dict[str, int]] = field(default_factory=dict)
    exceptions_by_kind: dict[str, int] = field(default_factory=dict)
    returns_by_condition: dict[str, int] = field(default_factory=dict)
    returns_by_disposition: dict[str, int] = field(default_factory=dict)
    units_restocked: int = 0
    queue: list[dict[str, object]] = field(default_factory=list)
    events_applied: int = 0
    units_by_station: dict[str, dict[str, int]] = field(default_factory=dict)
    units_by_operator: dict[str, dict[str, int]] = field(default_factory=dict)
    exceptions_per_hour: dict[str, dict[str, int]] = field(default_factory=dict)
    exception_list: list[dict[str, object]] = field(default_factory=list)
    queue_age_profile: dict[str, dict[str, int]] = field(default_factory=dict)
    # Events applied under a badge that was deactivated or unknown by then (signed in offline at a bench).
    operator_flags: list[dict[str, object]] = field(default_factory=list)


def _hour(t: datetime) -> str:
    return t.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:00Z")


def shift_report(session: Session, since: datetime | None = None, until: datetime | None = None) -> ShiftReport:
    until = until or now()
    since = since or until - timedelta(hours=12)
    rep = ShiftReport(since=since, until=until)
    st = aliased(m.Station)
    op = aliased(m.Operator)
    rows = session.execute(
        select(m.Order.packed_at, st.name, op.name, op.badge)
        .join(st, st.id == m.Order.packed_station_id, isouter=True)
        .join(op, op.id == m.Order.packed_operator_id, isouter=True)
        .where(m.Order.packed_at >= since, m.Order.packed_at < until)
    ).all()
    per_hour: Counter[str] = Counter()
    by_station: dict[str, Counter[str]] = defaultdict(Counter)
    by_operator: dict[str, Counter[str]] = defaultdict(Counter)
    for packed_at, station, op_name, badge in rows:
        if packed_at is None:
            continue
        hour = _hour(packed_at)
        per_hour[hour] += 1
        by_station[station or "?"][hour] += 1
        by_operator[f"{op_name} ({badge})" if badge else "unknown operator"][hour] += 1
    rep.orders_packed = len(rows)
    rep.packed_per_hour = dict(sorted(per_hour.items()))
    rep.by_station = {k: dict(sorted(v.items())) for k, v in sorted(by_station.items())}
    rep.by_operator = {k: dict(sorted(v.items())) for k, v in sorted(by_operator.items())}
    rep.exceptions_by_kind = {
        k: int(n)
        for k, n in session.execute(
            select(m.PackException.kind, func.count())
            .where(m.PackException.occurred_at >= since, m.PackException.occurred_at < until)
            .group_by(m.PackException.kind)
            .order_by(m.PackException.kind)
        ).all()
    }
    ret = session.execute(
        select(m.ReturnReceiptLine.condition, m.ReturnReceiptLine.disposition, m.ReturnReceiptLine.quantity)
        .join(m.ReturnReceipt, m.ReturnReceipt.id == m.ReturnReceiptLine.receipt_id)
        .where(m.ReturnReceipt.received_at >= since, m.ReturnReceipt.received_at < until)
    ).all()
    cond: Counter[str] = Counter()
    disp: Counter[str] = Counter()
    for c, d, q in ret:
        cond[c] += q
        disp[d] += q
    rep.returns_by_condition = dict(sorted(cond.items()))
    rep.returns_by_disposition = dict(sorted(disp.items()))
    rep.units_restocked = disp.get("restock", 0)
    at = now()
    rep.queue = [
        {
            "location": code,
            "depth": depth,
            "oldest_age_seconds": int((at - oldest).total_seconds()) if oldest else 0,
        }
        for code, depth, oldest in queue.queue_depth(session)
    ]
    rep.events_applied = int(
        session.scalar(
            select(func.count())
            .select_from(m.AppliedEvent)
            .where(m.AppliedEvent.applied_at >= since, m.AppliedEvent.applied_at < until + timedelta(minutes=5))
        )
        or 0
    )
    units = shift_detail.units_per_hour(session, since, until)
    rep.units_by_station, rep.units_by_operator = units["by_station"], units["by_operator"]
    rep.exceptions_per_hour, rep.exception_list = shift_detail.exceptions(session, since, until)
    rep.queue_age_profile = shift_detail.queue_age_profile(session)
    rep.operator_flags = operator_standing.flags(session, since=since, until=until)
    return rep
