"""The one order pipeline: every way an order enters or changes goes through these use cases.

``submit`` (``POST /api/v1/orders``, webhooks, pulls, CSV order by order), ``ingest`` (a channel's
create, edit or cancellation), ``change`` (a channel edit), ``release`` (a hold released),
``cancel`` and ``reroute`` (a supervisor). Each stores what it must, lets the domain order make
the state transition (``orders.transition``) and validates and routes with the domain rules and
the DOM rule chain (``dom.validate_and_route``), so an order ends the same way whichever door it
came in by. The CSV bulk import (``bulk_import``) applies the same domain rules set-wise.

A channel edit (quantities, address, payment, …) of an order nobody works on yet is applied: the
old reservation is given back, the order is validated and routed again and stock re-reserved. An
order a bench has leased or packed is held for a person with the difference recorded
(``order_changes``); releasing the hold applies it (unless the order was packed). Too late (shipped,
cancelled): the difference is recorded and answered, never dropped silently.

A split order (``fulfilments``) is changed through its fulfilments: cancel, hold and release act
on them; a re-route or an applied edit replaces the ones no bench has taken yet and routes the
order again; an edit while a bench has one holds the others for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.channels.base import ChannelOrder
from app.domain.orders import OPEN_STATUSES, ChangeAction, Order, OrderStatus, change_action
from app.hub import models as m
from app.hub import sync_models as sm
from app.hub.services import catalog, dom, fulfilments, orders
from app.hub.services.clock import now
from app.hub.services.dom import OrderRules
from app.hub.services.errors import Conflict, Invalid

_FIELDS = ("paid", "priority", "service_level", "customer_email", "order_type")


@dataclass(frozen=True)
class Outcome:
    number: str
    created: bool
    status: str
    note: str = ""
    changes: tuple[str, ...] = ()


def submit(session: Session, new: orders.NewOrder, rules: OrderRules, order: Order | None = None) -> Outcome:
    """Store (once per channel order id), validate and route a new order. ``order`` is the channel's
    domain order when there is one (its risk facts are not stored); else the stored one is used."""
    row, created = orders.store(session, new)
    if not created:
        return Outcome(row.number or "", False, row.status, "already stored")
    domain = order if order is not None else orders.domain_order(row)
    domain.number = row.number or ""
    dom.validate_and_route(session, row, domain, rules)
    return Outcome(row.number or "", True, row.status)


def ingest(session: Session, incoming: ChannelOrder, rules: OrderRules) -> Outcome:
    """A channel's order as it is now: stored and routed when new, cancelled when the channel
    cancelled it, changed when it differs from what is stored."""
    channel, ref = incoming.order.channel, incoming.order.channel_order_id
    existing = orders.find_by_channel(session, channel, ref)
    if incoming.cancelled:
        if existing is None:
            return Outcome("", False, "ignored", "cancelled before we ever stored it")
        if existing.status in (OrderStatus.CANCELLED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            return Outcome(existing.number or "", False, existing.status, "nothing to cancel")
        cancel(session, existing, f"cancelled in {channel}")
        return Outcome(existing.number or "", False, existing.status, "cancelled")
    new = dom.new_order(incoming.order, incoming.updated_at)
    if existing is None:
        result = submit(session, new, rules, incoming.order)
        if result.created:
            return result
        existing = orders.find_by_channel(session, channel, ref)  # stored by a concurrent call meanwhile
        assert existing is not None
    return change(session, existing, new, rules, source=channel, order=incoming.order)


def _lock(session: Session, row: m.Order) -> m.Order:
    locked = session.scalar(
        select(m.Order).where(m.Order.id == row.id).with_for_update().execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def _proposed(new: orders.NewOrder) -> dict[str, Any]:
    return {
        "lines": [
            {"sku": ln.sku, "quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "name": ln.name}
            for ln in new.lines
        ],
        "ship_to": dict(new.ship_to),
        "ship_by": new.ship_by.isoformat() if new.ship_by else None,
        **{f: getattr(new, f) for f in _FIELDS},
    }


def differences(row: m.Order, proposed: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``proposed`` (see ``_proposed``) changes in the stored order, field by field."""
    out: list[dict[str, Any]] = []
    have: dict[str, int] = {}
    for ln in row.lines:
        have[ln.sku] = have.get(ln.sku, 0) + ln.quantity
    want: dict[str, int] = {}
    for ln in proposed["lines"]:
        want[ln["sku"]] = want.get(ln["sku"], 0) + int(ln["quantity"])
    for sku in sorted(set(have) | set(want)):
        if have.get(sku, 0) != want.get(sku, 0):
            out.append({"field": f"quantity of {sku}", "before": have.get(sku, 0), "after": want.get(sku, 0)})
    old_to, new_to = row.ship_to or {}, proposed["ship_to"]
    for key in sorted(set(old_to) | set(new_to)):
        before, after = old_to.get(key), new_to.get(key)
        if (before or None) != (after or None):
            out.append({"field": key, "before": before, "after": after})
    old_by = row.ship_by.isoformat() if row.ship_by else None
    if old_by != proposed["ship_by"]:
        out.append({"field": "ship_by", "before": old_by, "after": proposed["ship_by"]})
    for f in _FIELDS:
        if getattr(row, f) != proposed[f]:
            out.append({"field": f, "before": getattr(row, f), "after": proposed[f]})
    return out


def summary(diff: list[dict[str, Any]]) -> str:
    return "; ".join(f"{d['field']} {d['before']!s} → {d['after']!s}" for d in diff)


def change(
    session: Session,
    row: m.Order,
    new: orders.NewOrder,
    rules: OrderRules,
    *,
    source: str,
    order: Order | None = None,
) -> Outcome:
    """Apply an edit of a stored order (see the module's note for what each state does)."""
    row = _lock(session, row)
    number = row.number or ""
    stamp = new.channel_updated_at
    if stamp is not None and row.channel_updated_at is not None and stamp < row.channel_updated_at:
        return Outcome(number, False, row.status, f"older than the version stored ({row.channel_updated_at})")
    products = orders.check_lines(session, new.lines)
    proposed = _proposed(new)
    diff = differences(row, proposed)
    if stamp is not None:
        row.channel_updated_at = stamp
    if not diff:
        held = pending_change(session, row)
        if held is None:
            return Outcome(number, False, row.status, "unchanged")
        # The channel went back to what is stored: the change held for a person no longer stands.
        held.outcome = "superseded"
        orders.note(session, row, f"{source} went back to the stored version: the held change is void")
        return Outcome(number, False, row.status, "unchanged; the held change is void")
    text = summary(diff)
    action = change_action(OrderStatus(row.status), _before(row))
    if OrderStatus(row.status) == OrderStatus.SPLIT:
        action = ChangeAction.APPLY if fulfilments.replaceable(session, row) else ChangeAction.HOLD
    why = f"changed in {source} while {row.status}, not applied: {text}"
    if (
        action == ChangeAction.HOLD
        and fulfilments.is_split(row)
        and not fulfilments.hold(session, row, why, strict=False)
    ):
        action = ChangeAction.RECORD  # every fulfilment is packed or further: too late
    record = sm.OrderChange(order_id=row.id, source=source, at=now(), diff=diff, proposed=proposed)
    session.add(record)
    if action == ChangeAction.APPLY:
        _apply(session, row, proposed, products, rules, f"changed in {source}: {text}", order)
        record.outcome = "applied"
        return Outcome(number, False, row.status, "changed", tuple(d["field"] for d in diff))
    if action == ChangeAction.HOLD:
        was = row.status if row.status != OrderStatus.ON_HOLD else f"held ({row.hold_reason})"
        if not fulfilments.is_split(row):  # a split order's fulfilments were held above
            orders.hold(session, row, f"changed in {source} while {was}, not applied: {text}")
        record.outcome = "held"
        return Outcome(number, False, row.status, "held for a person: " + text, tuple(d["field"] for d in diff))
    record.outcome = "recorded"
    orders.note(session, row, f"change from {source} not applied, the order is {row.status}: {text}")
    return Outcome(number, False, row.status, f"not applied ({row.status}): " + text, tuple(d["field"] for d in diff))


def _before(row: m.Order) -> OrderStatus | None:
    return OrderStatus(row.status_before_hold) if row.status_before_hold else None


def _apply(
    session: Session,
    row: m.Order,
    proposed: dict[str, Any],
    products: dict[str, m.Product],
    rules: OrderRules,
    note: str,
    order: Order | None,
) -> None:
    """Give back the old reservation, store the new content, validate and route again from received."""
    if fulfilments.is_split(row):
        fulfilments.replace_parts(session, row, note)
    else:
        orders.release_stock(session, row)
        orders.transition(session, row, lambda o: o.reopen(note))
    row.location_id = None
    row.lease_id = None
    row.lease_expires_at = None
    lines = [orders.NewOrderLine(**ln) for ln in proposed["lines"]]
    row.lines.clear()
    session.flush()
    row.lines.extend(orders.line_rows(lines, products))
    row.ship_to = dict(proposed["ship_to"])
    row.ship_by = datetime.fromisoformat(proposed["ship_by"]) if proposed["ship_by"] else None
    for f in _FIELDS:
        setattr(row, f, proposed[f])
    row.total_minor = sum(ln.unit_price_minor * ln.quantity for ln in lines)
    session.flush()
    domain = order if order is not None else orders.domain_order(row)
    domain.number = row.number or ""
    dom.validate_and_route(session, row, domain, rules)


def pending_change(session: Session, row: m.Order) -> sm.OrderChange | None:
    return session.scalar(
        select(sm.OrderChange)
        .where(sm.OrderChange.order_id == row.id, sm.OrderChange.outcome == "held")
        .order_by(sm.OrderChange.id.desc())
        .limit(1)
    )


def release(session: Session, row: m.Order, rules: OrderRules) -> None:
    """Release a hold. A change held for a person is applied now (validated, routed, re-reserved)
    unless the order was packed; an order held before it reached a queue is validated and routed
    again; otherwise it goes back where it was (a held lease back to the queue)."""
    row = _lock(session, row)
    if fulfilments.is_split(row):
        _release_split(session, row, rules)
        return
    if row.status != OrderStatus.ON_HOLD:
        raise Invalid(f"order {row.number} is {row.status}, not on hold")
    before = _before(row) or OrderStatus.RECEIVED
    held = pending_change(session, row)
    if held is not None:
        # Only the newest held change is applied; older ones were superseded by it.
        for older in session.scalars(
            select(sm.OrderChange).where(sm.OrderChange.order_id == row.id, sm.OrderChange.outcome == "held")
        ):
            older.outcome = "superseded"
        if before != OrderStatus.PACKED:
            products = orders.check_lines(session, [orders.NewOrderLine(**ln) for ln in held.proposed["lines"]])
            held.outcome = "applied"
            _apply(session, row, held.proposed, products, rules, "hold released, change applied", None)
            return
        held.outcome = "dismissed"
    if before in (OrderStatus.RECEIVED, OrderStatus.VALIDATED) or row.location_id is None:
        orders.transition(session, row, lambda o: o.reopen("hold released"))
        dom.validate_and_route(session, row, orders.domain_order(row), rules)
        return
    orders.transition(session, row, lambda o: o.release_hold())


def _release_split(session: Session, row: m.Order, rules: OrderRules) -> None:
    """A split order's held change is applied when no bench has a fulfilment (else dismissed), and
    its held fulfilments go back where they were."""
    held = pending_change(session, row)
    if held is not None:
        for older in session.scalars(
            select(sm.OrderChange).where(sm.OrderChange.order_id == row.id, sm.OrderChange.outcome == "held")
        ):
            older.outcome = "superseded"
        if fulfilments.replaceable(session, row):
            products = orders.check_lines(session, [orders.NewOrderLine(**ln) for ln in held.proposed["lines"]])
            held.outcome = "applied"
            _apply(session, row, held.proposed, products, rules, "hold released, change applied", None)
            return
        held.outcome = "dismissed"
    fulfilments.release(session, row)


def hold(session: Session, row: m.Order, reason: str) -> None:
    """A supervisor holds an open order (a split order: its fulfilments not packed yet)."""
    row = _lock(session, row)
    if fulfilments.is_split(row):
        fulfilments.hold(session, row, reason)
        return
    if OrderStatus(row.status) not in OPEN_STATUSES:
        raise Invalid(f"order {row.number} is {row.status}: only open orders can be held")
    orders.hold(session, row, reason)


def cancel(session: Session, row: m.Order, reason: str) -> None:
    row = _lock(session, row)
    if fulfilments.is_split(row):
        fulfilments.cancel(session, row, reason)
        return
    orders.cancel(session, row, reason)


def reroute(session: Session, row: m.Order, rules: OrderRules, location: str | None = None) -> None:
    """A supervisor routes the order again (to ``location`` when named) through the rule chain. When
    it cannot be routed so, nothing changes and the rule chain's reason is the error."""
    row = _lock(session, row)
    if location is not None:
        catalog.location_by_code(session, location)
    status, before = OrderStatus(row.status), _before(row)
    target = f" to {location}" if location else ""
    if status == OrderStatus.SPLIT:
        savepoint = session.begin_nested()
        fulfilments.replace_parts(session, row, f"re-routed{target} by a supervisor")
        _route_again(session, row, rules, location, savepoint, target)
        return
    if status == OrderStatus.LEASED:
        raise Conflict(f"order {row.number} is leased by a bench: hold it first")
    if status not in (OrderStatus.VALIDATED, OrderStatus.ROUTED, OrderStatus.QUEUED, OrderStatus.ON_HOLD) or (
        before == OrderStatus.PACKED
    ):
        raise Conflict(f"order {row.number} is {row.status}{' (packed)' if before else ''}: it cannot be re-routed")
    savepoint = session.begin_nested()
    orders.release_stock(session, row)
    orders.transition(session, row, lambda o: o.reopen(f"re-routed{target} by a supervisor"))
    _route_again(session, row, rules, location, savepoint, target)


def _route_again(
    session: Session, row: m.Order, rules: OrderRules, location: str | None, savepoint: Any, target: str
) -> None:
    row.location_id = None
    dom.validate_and_route(session, row, orders.domain_order(row), rules, only_at=location)
    if row.status not in (OrderStatus.QUEUED, OrderStatus.SPLIT):
        why = row.hold_reason or row.routing_reason or "it could not be routed"
        savepoint.rollback()
        session.refresh(row)
        raise Conflict(f"order {row.number} cannot be re-routed{target}: {why}")
    savepoint.commit()
