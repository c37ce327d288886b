"""The supervisors' picking report: picks per hour per picker, lines and units, short picks by reason
and by bin, the bins waiting for a count, the totes in use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.bin_models import Bin, CountTask, Pick
from app.hub.services import totes
from app.hub.services.clock import now

MIN_SPAN = timedelta(minutes=1)  # a picker's rate is over at least a minute of work


def report(session: Session, since: datetime | None, location_id: int | None) -> dict[str, Any]:
    since = since or now() - timedelta(hours=12)
    where = [Pick.at >= since] + ([Pick.location_id == location_id] if location_id is not None else [])
    rows = session.execute(
        select(
            m.Operator.badge,
            m.Operator.name,
            func.count(Pick.id),
            func.sum(Pick.quantity),
            func.min(Pick.at),
            func.max(Pick.at),
        )
        .select_from(Pick)
        .outerjoin(m.Operator, m.Operator.id == Pick.operator_id)
        .where(Pick.kind == "picked", *where)
        .group_by(m.Operator.badge, m.Operator.name)
        .order_by(m.Operator.badge)
    ).all()
    pickers = []
    for badge, name, lines, units, first, last in rows:
        hours = max(last - first, MIN_SPAN).total_seconds() / 3600
        pickers.append(
            {
                "badge": badge or "",
                "name": name or "(station)",
                "lines": int(lines),
                "units": int(units or 0),
                "picks_per_hour": round(int(lines) / hours, 1),
            }
        )
    by_reason: dict[str, int] = {}
    by_bin: dict[str, int] = {}
    shorts = session.execute(
        select(Pick.reason, Bin.code, func.count(Pick.id))
        .join(Bin, Bin.id == Pick.bin_id)
        .where(Pick.kind == "short", *where)
        .group_by(Pick.reason, Bin.code)
    ).all()
    for reason, code, n in shorts:
        by_reason[reason] = by_reason.get(reason, 0) + int(n)
        by_bin[code] = by_bin.get(code, 0) + int(n)
    tasks_q = (
        select(Bin.code, m.Product.sku, CountTask.reason, CountTask.raised_at)
        .select_from(CountTask)
        .outerjoin(Bin, Bin.id == CountTask.bin_id)
        .join(m.Product, m.Product.id == CountTask.product_id)
        .where(CountTask.done_at.is_(None))
        .order_by(CountTask.raised_at, CountTask.id)
    )
    if location_id is not None:
        tasks_q = tasks_q.where(CountTask.location_id == location_id)
    tasks = [
        {"bin": code or "", "sku": sku, "reason": reason, "raised_at": at.isoformat()}
        for code, sku, reason, at in session.execute(tasks_q).all()
    ]
    in_use = [{"tote": code, "order_number": number} for code, number in totes.in_use_list(session, location_id)]
    return {
        "since": since.isoformat(),
        "pickers": pickers,
        "short_picks": {"by_reason": by_reason, "by_bin": by_bin},
        "count_tasks": tasks,
        "totes_in_use": in_use,
    }
