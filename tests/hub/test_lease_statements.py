"""A lease is as few round trips as the database allows: on PostgreSQL one statement picks, locks, marks
and returns the orders and writes the lease and its history, plus one for the orders' lines."""

from __future__ import annotations

from datetime import datetime
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


def test_the_bench_lease_answer_is_one_statement_and_the_same_as_the_orm_answer(hub: Hub) -> None:
    """``POST /queue/leases`` on PostgreSQL answers from one statement (orders, lines, products with barcodes,
    cartons); renewing the same lease goes through the ORM views and must describe the same orders the same way."""
    station = hub.scene(orders=5)
    hub.lease(station, batch_size=1)  # the caller's principal is cached from here on
    hub.order("urgent", {"C": 3, "A": 1}, priority=5)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.append(sql)

    event.listen(hub.engine, "before_cursor_execute", seen)
    try:
        leased = hub.lease(station, batch_size=3)
    finally:
        event.remove(hub.engine, "before_cursor_execute", seen)
    if hub.engine.dialect.name == "postgresql":
        assert len(statements) == 1, statements
    renewed = hub.ok(
        "POST", f"/api/v1/queue/leases/{leased['lease_id']}/renew", headers=station, json={"lease_seconds": 600}
    )
    drop = {"lease", "lost_reason", "lost_detail"}
    by_number = sorted(leased["orders"], key=lambda o: o["number"])
    assert [_same_times({k: v for k, v in o.items() if k not in drop}) for o in renewed["orders"]] == [
        _same_times(o) for o in by_number
    ]
    urgent = leased["orders"][0]  # the queue's order: priority first, its lines in their order
    assert urgent["priority"] == 5 and [(ln["sku"], ln["quantity"]) for ln in urgent["lines"]] == [("C", 3), ("A", 1)]
    assert urgent["ship_to"]["city"] == "Leeds" and urgent["lines"][0]["unit_price_minor"] == 1000
    assert leased["products"] == renewed["products"] and {p["sku"] for p in leased["products"]} == {"A", "B", "C"}
    assert next(p for p in leased["products"] if p["sku"] == "A")["barcodes"] == ["4006381333931", "A"]
    assert leased["cartons"] == renewed["cartons"] and leased["cartons"][0]["code"] == "BOX-M"
    assert leased["location"] == renewed["location"] == "WH1"
    assert datetime.fromisoformat(leased["expires_at"]) <= datetime.fromisoformat(renewed["expires_at"])


def _same_times(order: dict[str, Any]) -> dict[str, Any]:
    """Times compared as instants (``Z`` or ``+00:00`` are the same time)."""
    return {k: datetime.fromisoformat(v) if k in ("created_at", "ship_by") and v else v for k, v in order.items()}
