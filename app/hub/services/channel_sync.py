"""Channels in both directions outside webhooks: pull orders (Shopify, WooCommerce) and push sellable
stock back so a storefront does not oversell."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.channels.base import ChannelError, StockPublisher
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import dom
from app.hub.services.dom import OrderRules
from app.hub.services.errors import HubError


def pull_orders(factory: sessionmaker[Session], source: Any, rules: OrderRules, batch: int = 100) -> dict[str, int]:
    """Pull every order ``source`` (a channel client with ``pull_orders``) has, and ingest each once."""
    counts = {"created": 0, "unchanged": 0, "cancelled": 0, "failed": 0}
    pending: list[Any] = []

    def flush() -> None:
        with unit_of_work(factory) as session:
            for incoming in pending:
                try:
                    with session.begin_nested():
                        result = dom.ingest(session, incoming, rules)
                except HubError:
                    counts["failed"] += 1
                    continue
                key = "created" if result.created else ("cancelled" if result.note == "cancelled" else "unchanged")
                counts[key] += 1
        pending.clear()

    for incoming in source.pull_orders():
        pending.append(incoming)
        if len(pending) >= batch:
            flush()
    flush()
    return counts


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
