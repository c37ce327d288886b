"""The channel outbox: fulfilments and deliveries to tell a channel, sent with retries and back-off.

A message is stored in the same transaction as what caused it (labels bought, a delivery tracked),
under a unique key (one per shipment), so a retry of the cause never adds a second one. Delivery
claims a message for a while (``claimed_until``, taken with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, under SQLite's writer lock otherwise), sends it, and marks it sent; a failure sets the
next attempt with exponential back-off. A claim that lapses (the process died mid-send) is taken
again later, so nothing is lost across restarts. A resend after a crash that had in fact gone
through must not double it: the channel clients look before they write (Shopify: a fulfilment with
the shipment's tracking number exists already; WooCommerce: a note with it does), and Shopify's
"nothing left to fulfil" also counts as sent: each fulfilment reaches the channel once. A split
order's parts are a message each, with their lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.channels.base import ChannelError, FulfilmentSink, Shipment
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services.clock import now
from app.hub.sync_models import OutboxMessage

ALREADY_DONE = ("nothing left to fulfil",)


@dataclass(frozen=True)
class Backoff:
    base_s: float = 10.0
    cap_s: float = 3600.0

    def after(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.cap_s, self.base_s * 2 ** max(0, attempts - 1)))


def enqueue(session: Session, order: m.Order, kind: str, shipment: Shipment, ref: str, *, extra: str = "") -> str:
    """Store the message telling ``order``'s channel about ``shipment`` once (its key names the
    channel, kind, order and ``extra``); returns the key."""
    key = f"{order.channel}:{kind}:{order.number}{':' + extra if extra else ''}"
    channel, order_id = order.channel, order.id
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return key
    at = now()
    payload: dict[str, Any] = {
        "ref": ref,
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "tracking_url": shipment.tracking_url,
        "service": shipment.service,
        "lines": dict(shipment.lines),
        "complete": shipment.complete,
    }
    try:
        with session.begin_nested():
            session.add(
                OutboxMessage(
                    key=key,
                    channel=channel,
                    kind=kind,
                    order_id=order_id,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=at,
                    last_error="",
                    created_at=at,
                )
            )
    except IntegrityError:
        pass  # stored by a concurrent caller: one message all the same
    return key


def _claim(session: Session, claim_s: float, limit: int, key: str | None) -> list[OutboxMessage]:
    at = now()
    q = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= at,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if key is not None:
        q = q.where(OutboxMessage.key == key)
    rows = list(session.scalars(q))
    for row in rows:
        row.claimed_until = at + timedelta(seconds=claim_s)
        row.attempts += 1
    return rows


def _send(sink: FulfilmentSink, kind: str, p: Mapping[str, Any]) -> None:
    shipment = Shipment(
        p["tracking_number"],
        p["carrier"],
        p.get("tracking_url", ""),
        p.get("service", ""),
        lines={str(k): int(v) for k, v in (p.get("lines") or {}).items()},
        complete=bool(p.get("complete", True)),
    )
    if kind == "delivered":
        sink.push_delivered(p["ref"], shipment)
    else:
        sink.push_shipment(p["ref"], shipment)


def deliver(
    factory: sessionmaker[Session],
    sinks: Mapping[str, FulfilmentSink],
    *,
    key: str | None = None,
    limit: int = 50,
    claim_s: float = 120.0,
    backoff: Backoff | None = None,
) -> dict[str, int]:
    """Send the due messages (only ``key`` when given); returns counts of sent and failed."""
    backoff = backoff or Backoff()
    with unit_of_work(factory) as session:
        claimed = [(r.id, r.channel, r.kind, r.attempts, dict(r.payload)) for r in _claim(session, claim_s, limit, key)]
    counts = {"sent": 0, "failed": 0}
    for msg_id, channel, kind, attempts, payload in claimed:
        sink = sinks.get(channel)
        error = ""
        if sink is None:
            error = f"no {channel} channel configured"
        else:
            try:
                _send(sink, kind, payload)
            except (ChannelError, httpx.HTTPError, OSError) as exc:
                already = attempts > 1 and any(s in str(exc) for s in ALREADY_DONE)
                error = "" if already else (str(exc) or type(exc).__name__)
        with unit_of_work(factory) as session:
            row = session.get(OutboxMessage, msg_id)
            assert row is not None
            row.claimed_until = None
            if error:
                row.last_error = error[:2000]
                row.next_attempt_at = now() + backoff.after(attempts)
                counts["failed"] += 1
                continue
            row.status, row.sent_at, row.last_error = "sent", now(), ""
            counts["sent"] += 1
            order = session.get(m.Order, row.order_id)
            if order is not None:
                what = "delivery" if kind == "delivered" else "tracking"
                session.add(
                    m.OrderStatusChange(
                        order_id=order.id, status=order.status, note=f"{what} sent to {channel}", at=now()
                    )
                )
    return counts


def pending(session: Session) -> int:
    return len(list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))))


def reset_claims(session: Session) -> None:
    """For tests and operators: make every pending message due now."""
    session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "pending").values(next_attempt_at=now(), claimed_until=None)
    )
