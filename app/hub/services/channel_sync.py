"""Channels in both directions outside webhooks: pull orders (Shopify, WooCommerce) and push sellable
stock back so a storefront does not oversell."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.channels.base import ChannelError, StockPublisher
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import pipeline
from app.hub.services.dom import OrderRules
from app.hub.services.errors import HubError


def pull_orders(
    factory: sessionmaker[Session],
    source: Any,
    rules: OrderRules,
    batch: int = 100,
    *,
    updated_since: datetime | None = None,
    cursor: list[datetime] | None = None,
) -> dict[str, int]:
    """Pull the orders ``source`` (a channel client with ``pull_orders``) has (changed since
    ``updated_since`` when given) and take each through the pipeline. ``cursor`` (when given) gets
    the ``updated_since`` for the next pull: the newest change seen, or the oldest one that failed
    (so that it is pulled again) when some did."""
    counts = {"created": 0, "changed": 0, "held": 0, "unchanged": 0, "cancelled": 0, "failed": 0}
    pending: list[Any] = []
    newest: list[datetime] = [updated_since] if updated_since else []
    failed_at: list[datetime] = []

    def flush() -> None:
        with unit_of_work(factory) as session:
            for incoming in pending:
                try:
                    with session.begin_nested():
                        result = pipeline.ingest(session, incoming, rules)
                except HubError:
                    counts["failed"] += 1
                    if incoming.updated_at is not None:
                        failed_at.append(incoming.updated_at)
                    continue
                counts[_kind(result)] += 1
        pending.clear()

    for incoming in source.pull_orders(updated_since):
        pending.append(incoming)
        if incoming.updated_at is not None:
            newest.append(incoming.updated_at)
        if len(pending) >= batch:
            flush()
    flush()
    if cursor is not None and (failed_at or newest):
        cursor.append(min(failed_at) if failed_at else max(newest))
    return counts


def _kind(result: pipeline.Outcome) -> str:
    if result.created:
        return "created"
    if result.note in ("cancelled", "changed"):
        return result.note
    return "held" if result.note.startswith("held") else "unchanged"


def available_by_sku(session: Session) -> dict[str, int]:
    """Units a storefront may sell: available (on hand - reserved) summed over locations that ship."""
    q = (
        select(m.Product.sku, func.sum(m.StockLevel.on_hand - m.StockLevel.reserved))
        .join(m.StockLevel, m.StockLevel.product_id == m.Product.id)
        .join(m.Location, m.Location.id == m.StockLevel.location_id)
        .where(m.Location.ships.is_(True))
        .group_by(m.Product.sku)
    )
    return {sku: max(0, int(n or 0)) for sku, n in session.execute(q)}


def push_stock(factory: sessionmaker[Session], publishers: Mapping[str, StockPublisher]) -> dict[str, str]:
    """Tell each channel its sellable stock so the storefront does not oversell."""
    with unit_of_work(factory) as session:
        levels = available_by_sku(session)
    outcome: dict[str, str] = {}
    for name, publisher in publishers.items():
        try:
            publisher.push_available(levels)
            outcome[name] = f"{len(levels)} SKUs sent"
        except ChannelError as exc:
            outcome[name] = f"failed: {exc}"
    return outcome
