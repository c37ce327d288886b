"""Many channel orders at once (CSV imports): the same rules as ``pipeline.ingest``, set-wise.

A batch is stored in one transaction with a handful of statements instead of a dozen per order:
orders already stored are skipped (one query), the rest are inserted with their lines, validated
with ``app.domain.validation``, routed with ``app.domain.routing`` against a snapshot of available
stock that the batch holds locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writer lock is
taken at BEGIN), and reserved in one UPDATE per stock row. The unique (channel, channel order id)
constraint still guards against a concurrent writer: the caller falls back to ``pipeline.ingest`` order
by order when the batch hits it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from app.domain.orders import Order, OrderStatus
from app.domain.routing import RoutingContext, RoutingPolicy, route
from app.domain.validation import validate_order
from app.hub import models as m
from app.hub.services import dom
from app.hub.services.clock import now
from app.hub.services.errors import Invalid


@dataclass(frozen=True)
class BatchResult:
    created: int
    repeats: int
    held: int


def import_batch(session: Session, batch: Sequence[Order], rules: dom.OrderRules) -> BatchResult:
    """Store, validate, route and reserve ``batch`` (orders unique within it)."""
    keys = [(o.channel, o.channel_order_id) for o in batch]
    stored = set(
        session.execute(
            select(m.Order.channel, m.Order.channel_order_id).where(
                tuple_(m.Order.channel, m.Order.channel_order_id).in_(keys)
            )
        ).all()
    )
    fresh = [o for o in batch if (o.channel, o.channel_order_id) not in stored]
    if not fresh:
        return BatchResult(0, len(batch), 0)
    skus = sorted({ln.sku for o in fresh for ln in o.lines})
    products = {p.sku: p for p in session.scalars(select(m.Product).where(m.Product.sku.in_(skus)))}
    unknown = sorted(set(skus) - set(products))
    if unknown:
        raise Invalid(f"unknown SKU: {', '.join(unknown)}", unknown_skus=unknown)

    at = now()
    rows = []
    for o in fresh:
        new = dom.new_order(o)
        created = new.created_at or at
        rows.append(
            {
                "channel": new.channel,
                "channel_order_id": new.channel_order_id,
                "status": OrderStatus.RECEIVED.value,
                "order_type": new.order_type,
                "priority": new.priority,
                "service_level": new.service_level,
                "created_at": created,
                "updated_at": at,
                "ship_by": new.ship_by,
                "paid": new.paid,
                "currency": new.currency,
                "total_minor": sum(ln.unit_price_minor * ln.quantity for ln in new.lines),
                "ship_to": dict(new.ship_to),
                "customer_email": new.customer_email,
            }
        )
    ids = list(session.scalars(insert(m.Order).returning(m.Order.id, sort_by_parameter_order=True), rows))
    session.execute(
        insert(m.OrderLine),
        [
            {
                "order_id": oid,
                "product_id": products[ln.sku].id,
                "sku": ln.sku,
                "name": ln.name or products[ln.sku].name,
                "quantity": ln.quantity,
                "unit_price_minor": ln.unit_price.amount_minor,
            }
            for oid, o in zip(ids, fresh, strict=True)
            for ln in o.lines
        ],
    )
    history: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    reserve: dict[tuple[int, int], int] = {}
    ctx, by_code, levels = _locked_context(session, [products[s].id for s in skus], skus)
    available = dict(ctx.available)
    load = dict(ctx.orders_today)
    held = 0
    one_by_one: list[tuple[int, Order, RoutingPolicy]] = []
    earlier = _earlier_orders(session, fresh, ids) if rules.risk.first_order_limit_minor is not None else {}
    for oid, o, row in zip(ids, fresh, rows, strict=True):
        number = f"PB{oid:07d}"
        o.number = number
        history.append({"order_id": oid, "status": "received", "note": "received", "at": row["created_at"]})
        change: dict[str, Any] = {"id": oid, "number": number}
        result = validate_order(o, rules.risk, previous_orders=earlier.get(oid, 1))
        if not result.ok:
            why = result.hold_reason or "validation failed"
            change |= {"status": "on_hold", "status_before_hold": "received", "hold_reason": why}
            history.append({"order_id": oid, "status": "on_hold", "note": why, "at": at})
            held += 1
            changes.append(change)
            continue
        history.append({"order_id": oid, "status": "validated", "note": "checks passed", "at": at})
        policy, wait = rules.routing_for(o.channel, o.created_at or at, at)
        decision = route(o, RoutingContext(ctx.locations, available, load), policy)
        change["routing_reason"] = decision.reason
        if decision.split:
            # Split orders are routed one by one after the batch (fulfilments are rows of their own).
            change["status"] = "validated"
            one_by_one.append((oid, o, policy))
            changes.append(change)
            continue
        if not decision.routed:
            why = f"{wait} ({decision.reason})" if wait else decision.reason
            change |= {"status": "on_hold", "status_before_hold": "validated", "hold_reason": why}
            history.append({"order_id": oid, "status": "on_hold", "note": why, "at": at})
            held += 1
            changes.append(change)
            continue
        alloc = decision.allocations[0]
        loc = by_code[alloc.location_code]
        for sku, q in alloc.units.items():
            available[(loc.code, sku)] = available.get((loc.code, sku), 0) - q
            key = (loc.id, products[sku].id)
            reserve[key] = reserve.get(key, 0) + q
        if alloc.location_code in load:
            load[alloc.location_code] += 1
        change |= {"status": "queued", "location_id": loc.id}
        history.append({"order_id": oid, "status": "routed", "note": decision.reason, "at": at})
        history.append({"order_id": oid, "status": "queued", "note": f"queued at {loc.code}", "at": at})
        changes.append(change)
    if reserve:
        session.execute(
            update(m.StockLevel),
            [
                {"location_id": lid, "product_id": pid, "reserved": levels[(lid, pid)] + q}
                for (lid, pid), q in sorted(reserve.items())
            ],
        )
    session.execute(update(m.Order), changes)
    session.execute(insert(m.OrderStatusChange), history)
    for oid, o, policy in one_by_one:
        split_row = session.get(m.Order, oid, populate_existing=True)
        assert split_row is not None
        dom.route_row(session, split_row, o, policy)
        held += split_row.status == OrderStatus.ON_HOLD.value
    return BatchResult(len(fresh), len(batch) - len(fresh), held)


def _earlier_orders(session: Session, fresh: Sequence[Order], ids: Sequence[int]) -> dict[int, int]:
    """For the first-order risk rule: how many orders each new order's customer placed before it
    (in the same channel), counting earlier orders of this batch too. Unknown customers count as 1."""
    emails = sorted({o.customer_email for o in fresh if o.customer_email})
    before: dict[tuple[str, str], int] = {}
    if emails:
        q = (
            select(m.Order.channel, m.Order.customer_email, func.count(m.Order.id))
            .where(m.Order.customer_email.in_(emails), m.Order.id.not_in(list(ids)), m.Order.parent_id.is_(None))
            .group_by(m.Order.channel, m.Order.customer_email)
        )
        before = {(ch, em): int(n) for ch, em, n in session.execute(q)}
    out: dict[int, int] = {}
    for oid, o in zip(ids, fresh, strict=True):
        if not o.customer_email:
            out[oid] = 1
            continue
        key = (o.channel, o.customer_email)
        out[oid] = before.get(key, 0)
        before[key] = out[oid] + 1
    return out


def _locked_context(
    session: Session, product_ids: list[int], skus: list[str]
) -> tuple[RoutingContext, dict[str, m.Location], dict[tuple[int, int], int]]:
    """The routing context with the batch's stock rows locked; ``levels`` holds their reserved counts."""
    locations, by_code = dom._locations(session)
    q = (
        select(m.StockLevel, m.Location.code, m.Product.sku)
        .join(m.Location, m.Location.id == m.StockLevel.location_id)
        .join(m.Product, m.Product.id == m.StockLevel.product_id)
        .where(m.StockLevel.product_id.in_(product_ids))
        .order_by(m.StockLevel.location_id, m.StockLevel.product_id)
        .with_for_update(of=m.StockLevel)
    )
    available: dict[tuple[str, str], int] = {}
    levels: dict[tuple[int, int], int] = {}
    for level, code, sku in session.execute(q):
        available[(code, sku)] = level.on_hand - level.reserved
        levels[(level.location_id, level.product_id)] = level.reserved
    load = dom._load_today(session, by_code)
    return RoutingContext(locations, available, dict(load)), by_code, levels
