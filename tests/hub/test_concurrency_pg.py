"""Ownership under concurrency, proven on PostgreSQL over real HTTP: leases and stock reservations."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.hub import models as m
from tests.hub.conftest import Hub

pytestmark = pytest.mark.postgres
CLIENTS = 16


def run_together(n: int, work: Callable[[int, httpx.Client], Any], base_url: str) -> list[Any]:
    """Run ``work`` in ``n`` threads, each with its own HTTP client, released at the same instant."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def runner(i: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            barrier.wait()
            try:
                results[i] = work(i, client)
            except BaseException as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_sixteen_benches_leasing_at_once_get_disjoint_batches(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    hub.location("WH1")
    hub.product("A")
    hub.stock("WH1", "A", 1000)
    for i in range(60):
        hub.order(f"c{i}", {"A": 1})
    stations = [hub.station(f"BENCH-{i}") for i in range(CLIENTS)]
    base = str(hub.client.base_url)

    def lease_until_empty(i: int, client: httpx.Client) -> list[str]:
        got: list[str] = []
        while True:
            r = client.post("/api/v1/queue/leases", headers=stations[i], json={"batch_size": 2, "lease_seconds": 600})
            assert r.status_code == 200, r.text
            numbers = [o["number"] for o in r.json()["orders"]]
            if not numbers:
                return got
            got.extend(numbers)

    batches = run_together(CLIENTS, lease_until_empty, base)
    leased = Counter(n for batch in batches for n in batch)
    assert sum(leased.values()) == 60
    assert [n for n, c in leased.items() if c > 1] == []
    assert sum(1 for b in batches if b) > 1  # the work really was spread over several benches
    with hub.factory() as s:
        statuses = Counter(s.scalars(select(m.Order.status)).all())
    assert statuses == {"leased": 60}


def test_sixteen_clients_reserving_the_last_units_never_drive_stock_below_zero(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    hub.location("WH1")
    hub.product("LAST")
    hub.stock("WH1", "LAST", 10)
    base = str(hub.client.base_url)

    def order_two(i: int, client: httpx.Client) -> list[str]:
        out = []
        for k in range(2):
            body = {
                "channel": "web",
                "channel_order_id": f"r{i}-{k}",
                "lines": [{"sku": "LAST", "quantity": 1}],
                "ship_to": {"name": "A", "line1": "1 St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
            }
            r = client.post("/api/v1/orders", headers=hub.admin, json=body)
            assert r.status_code == 201, r.text
            out.append(r.json()["status"])
        return out

    statuses = Counter(s for pair in run_together(CLIENTS, order_two, base) for s in pair)
    assert statuses == {"queued": 10, "on_hold": 22}
    row = hub.ok("GET", "/api/v1/stock", params={"sku": "LAST"})[0]
    assert (row["on_hand"], row["reserved"], row["available"]) == (10, 10, 0)


def test_concurrent_stock_removals_stop_at_zero(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    hub.location("WH1")
    hub.product("FEW")
    hub.stock("WH1", "FEW", 5)
    base = str(hub.client.base_url)

    def remove_one(_i: int, client: httpx.Client) -> int:
        body = {"location": "WH1", "sku": "FEW", "delta": -1, "reason": "damaged"}
        return client.post("/api/v1/stock/adjustments", headers=hub.admin, json=body).status_code

    codes = Counter(run_together(CLIENTS, remove_one, base))
    assert codes == {200: 5, 409: 11}
    row = hub.ok("GET", "/api/v1/stock", params={"sku": "FEW"})[0]
    assert row["on_hand"] == 0


def test_the_same_event_posted_by_many_clients_at_once_is_applied_once(live_pg_hub: Hub) -> None:
    from tests.hub.test_queue_and_events import packed_event

    hub = live_pg_hub
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    event = packed_event(number)
    base = str(hub.client.base_url)

    def send(_i: int, client: httpx.Client) -> str:
        r = client.post("/api/v1/events", headers=station, json={"events": [event]})
        assert r.status_code == 200, r.text
        status: str = r.json()["results"][0]["status"]
        return status

    outcomes = Counter(run_together(CLIENTS, send, base))
    assert outcomes == {"applied": 1, "duplicate": CLIENTS - 1}
    row = hub.ok("GET", "/api/v1/stock", params={"sku": "A"})[0]
    assert (row["on_hand"], row["reserved"]) == (49, 0)
