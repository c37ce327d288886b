"""A lease is as few round trips as the database allows: on PostgreSQL one statement picks, locks, marks
and returns the orders and writes the lease and its history, plus one for the orders' lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select

from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import queue
from tests.hub.conftest import Hub


def test_a_lease_takes_the_queue_head_in_a_fixed_number_of_statements(hub: Hub) -> None:
    hub.scene(orders=6)
    hub.order("urgent", {"A": 1}, priority=5)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.append(sql)

    with unit_of_work(hub.factory) as s:
        station = s.scalars(select(m.Station)).one()
        event.listen(hub.engine, "before_cursor_execute", seen)
        try:
            result = queue.lease_batch(s, station, batch_size=4, lease_seconds=600)
        finally:
            event.remove(hub.engine, "before_cursor_execute", seen)
        numbers = [o.number for o in result.orders]
        assert all(o.lines for o in result.orders)  # loaded with the lease: packing needs them offline
    expected = 2 if hub.engine.dialect.name == "postgresql" else 4
    assert len(statements) == expected, statements
    with hub.factory() as s:
        urgent = s.scalar(select(m.Order.number).where(m.Order.channel_order_id == "urgent"))
        assert numbers[0] == urgent and len(numbers) == 4  # the queue's order: priority first
        leased = s.scalar(select(func.count()).select_from(m.Order).where(m.Order.lease_id == result.lease.id))
        history = s.scalar(
            select(func.count())
            .select_from(m.OrderStatusChange)
            .where(m.OrderStatusChange.note == f"lease {result.lease.id}")
        )
        assert leased == history == 4
        assert s.get(m.Lease, result.lease.id) is not None
