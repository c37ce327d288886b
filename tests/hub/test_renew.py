"""Renewals tell the truth: per order ``held`` or ``lost`` with why (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.fakes.hub_clock import HubClock
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post


@pytest.fixture
def clock() -> Iterator[HubClock]:
    with HubClock() as c:
        yield c


def renew(hub: Hub, station: dict[str, str], lease_id: str, seconds: int = 30) -> Any:
    return hub.ok("POST", f"/api/v1/queue/leases/{lease_id}/renew", headers=station, json={"lease_seconds": seconds})


def by_number(answer: Any) -> dict[str, dict[str, Any]]:
    return {o["number"]: o for o in answer["orders"]}


def test_renew_after_another_bench_took_the_order_reports_it_lost_and_leaves_the_other_lease_alone(
    hub: Hub, clock: HubClock
) -> None:
    first = hub.scene(orders=2)
    second = hub.station("BENCH-2")
    mine = hub.lease(first, lease_seconds=30)
    clock.advance(31)  # the first bench's lease runs out
    theirs = hub.lease(second, batch_size=1, lease_seconds=30)
    taken = theirs["orders"][0]["number"]
    answer = by_number(renew(hub, first, mine["lease_id"]))
    assert answer[taken]["lease"] == "lost"
    assert answer[taken]["lost_reason"] == "taken"
    assert "BENCH-2" in answer[taken]["lost_detail"]
    kept = next(n for n in answer if n != taken)
    assert answer[kept]["lease"] == "held" and answer[kept]["lost_reason"] is None
    # the other bench still holds it: its pack is applied, ours would not be
    assert post(hub, second, [packed_event(taken)])[0]["status"] == "applied"


def test_renew_of_an_expired_lease_nobody_took_still_holds_the_orders(hub: Hub, clock: HubClock) -> None:
    first = hub.scene(orders=2)
    mine = hub.lease(first, lease_seconds=30)
    clock.advance(300)
    answer = renew(hub, first, mine["lease_id"], seconds=60)
    assert {o["lease"] for o in answer["orders"]} == {"held"}
    assert datetime.fromisoformat(answer["expires_at"]) > datetime.fromisoformat(mine["expires_at"])
    # and renewed it is: another bench now finds nothing to lease
    assert hub.lease(hub.station("BENCH-2"))["orders"] == []


def test_renew_says_why_each_order_was_lost(hub: Hub) -> None:
    station = hub.scene(orders=4)
    lease = hub.lease(station)
    cancelled, held, packed, released = (o["number"] for o in lease["orders"])
    hub.ok("POST", f"/api/v1/orders/{cancelled}/cancel", json={"reason": "customer changed mind"})
    hub.ok("POST", f"/api/v1/orders/{held}/hold", json={"reason": "fraud check"})
    assert post(hub, station, [packed_event(packed)])[0]["status"] == "applied"
    hub.ok(
        "POST", f"/api/v1/queue/leases/{lease['lease_id']}/release", headers=station, json={"order_numbers": [released]}
    )
    answer = by_number(renew(hub, station, lease["lease_id"]))
    assert {n: (o["lease"], o["lost_reason"]) for n, o in answer.items()} == {
        cancelled: ("lost", "cancelled"),
        held: ("lost", "on_hold"),
        packed: ("lost", "packed"),
        released: ("lost", "released"),
    }
    assert "customer changed mind" in answer[cancelled]["lost_detail"]
    assert "fraud check" in answer[held]["lost_detail"]
    assert "BENCH-1" in answer[packed]["lost_detail"]


def test_renew_answer_declares_held_and_lost_in_the_openapi_document(hub: Hub) -> None:
    doc = hub.client.get("/openapi.json").json()
    renewed = doc["components"]["schemas"]["RenewedOrder"]["properties"]
    assert renewed["lease"]["enum"] == ["held", "lost"]
    assert set(renewed["lost_reason"]["anyOf"][0]["enum"]) == {"taken", "cancelled", "on_hold", "packed", "released"}


@pytest.mark.postgres
def test_renew_racing_other_benches_on_postgres_never_holds_an_order_someone_else_took(
    live_pg_hub: Hub, clock: HubClock
) -> None:
    from tests.hub.test_concurrency_pg import run_together

    hub = live_pg_hub
    hub.location("WH1")
    hub.product("A")
    hub.stock("WH1", "A", 1000)
    for i in range(40):
        hub.order(f"r{i}", {"A": 1})
    mine = hub.station("BENCH-0")
    others = [hub.station(f"BENCH-{i}") for i in range(1, 9)]
    lease = hub.lease(mine, batch_size=40, lease_seconds=30)
    clock.advance(31)

    def work(i: int, client: Any) -> Any:
        if i == 0:  # the slow bench renews again and again while the others lease
            answers = []
            for _ in range(6):
                r = client.post(
                    f"/api/v1/queue/leases/{lease['lease_id']}/renew", headers=mine, json={"lease_seconds": 30}
                )
                assert r.status_code == 200, r.text
                answers.append(by_number(r.json()))
            return answers
        got: list[str] = []
        while True:
            r = client.post("/api/v1/queue/leases", headers=others[i - 1], json={"batch_size": 2, "lease_seconds": 600})
            assert r.status_code == 200, r.text
            numbers = [o["number"] for o in r.json()["orders"]]
            if not numbers:
                return got
            got += numbers

    results = run_together(9, work, str(hub.client.base_url))
    renewals: list[dict[str, dict[str, Any]]] = results[0]
    taken = [n for got in results[1:] for n in got]
    print(f"held by the slow bench: {len(renewals[-1]) - len(taken)}, taken by the others: {len(taken)}")
    assert len(taken) == len(set(taken))
    last = renewals[-1]
    held = {n for n, o in last.items() if o["lease"] == "held"}
    assert held.isdisjoint(taken) and held | set(taken) == set(last)
    assert all(last[n]["lost_reason"] == "taken" for n in taken)
    for earlier in renewals:  # once said held, never taken afterwards
        assert {n for n, o in earlier.items() if o["lease"] == "held"} <= held
