"""Picking under concurrency on PostgreSQL over real HTTP: pick batches are disjoint, bins never go
below zero when many benches pick the last units of one bin at once."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.hub.conftest import Hub
from tests.hub.pick_scene import bin_qty, location_qty, pick, warehouse
from tests.hub.test_concurrency_pg import CLIENTS, run_together

pytestmark = pytest.mark.postgres


def test_sixteen_benches_leasing_pick_batches_at_once_get_disjoint_orders(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    station0 = warehouse(hub, orders=[{"B": 1} for _ in range(48)])
    stations = [station0] + [hub.station(f"BENCH-P{i}") for i in range(1, CLIENTS)]

    def lease_until_empty(i: int, client: httpx.Client) -> list[str]:
        got: list[str] = []
        while True:
            body = {"mode": "cluster", "max_orders": 2, "totes": 2, "lease_seconds": 600}
            r = client.post("/api/v1/picks/batches", headers=stations[i], json=body)
            assert r.status_code == 200, r.text
            numbers = [o["number"] for o in r.json()["orders"]]
            if not numbers and not r.json()["held"]:
                return got
            got.extend(numbers)

    batches = run_together(CLIENTS, lease_until_empty, str(hub.client.base_url))
    leased = Counter(n for b in batches for n in b)
    assert [n for n, c in leased.items() if c > 1] == []
    assert sum(leased.values()) == 20  # bin A-02-01-1 holds 20 of B: the rest are held, never batched twice
    assert sum(1 for b in batches if b) > 1


def test_benches_picking_the_last_units_of_one_bin_at_once_never_drive_it_below_zero(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    station0 = warehouse(hub, orders=[{"A": 1} for _ in range(CLIENTS)])
    stations = [station0] + [hub.station(f"BENCH-P{i}") for i in range(1, CLIENTS)]
    batches = [
        hub.ok(
            "POST",
            "/api/v1/picks/batches",
            headers=stations[i],
            json={"mode": "single", "max_orders": 1, "totes": 1, "lease_seconds": 600},
        )
        for i in range(CLIENTS)
    ]
    with_orders = [(i, b) for i, b in enumerate(batches) if b["orders"]]
    # An open batch books the bin units it plans: 3 batches are sent to A-01-01-1, 5 to B-01-01-1, and the
    # rest are held (reserve only). Then every bench tries the 3 units of A-01-01-1 at once anyway.
    assert Counter(b["stops"][0]["bin"] for _i, b in with_orders) == {"A-01-01-1": 3, "B-01-01-1": 5}
    assert sum(len(b["held"]) for b in batches) == CLIENTS - 8

    def pick_from_the_first_bin(i: int, client: httpx.Client) -> str:
        station, b = with_orders[i]
        event = pick(b["batch_id"], b["orders"][0]["number"], "A-01-01-1", "A", 1, f"T-{station}")  # 8 benches
        r = client.post("/api/v1/events", headers=stations[station], json={"events": [event]})
        assert r.status_code == 200, r.text
        return str(r.json()["results"][0]["status"])

    outcomes = Counter(run_together(len(with_orders), pick_from_the_first_bin, str(hub.client.base_url)))
    assert outcomes == {"applied": 3, "rejected": 5}
    assert bin_qty(hub, "A-01-01-1", "A") == 0
    assert location_qty(hub, "A")[0] == 48
