from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from app.domain.events import LabelPrinted, OrderPacked, PackExceptionRaised, Parcel
from app.hub import models as m
from tests.hub.conftest import Hub


def packed_event(number: str, **kw: Any) -> dict[str, Any]:
    ev = OrderPacked(
        order_number=number,
        parcels=(Parcel(parcel_no=1, carton_code="BOX-M", weight_g=1000, expected_weight_g=1000),),
        operator_badge=kw.pop("badge", ""),
        **kw,
    )
    return ev.to_wire()


def post(hub: Hub, station: dict[str, str], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = hub.client.post("/api/v1/events", headers=station, json={"events": events})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def stock_row(hub: Hub, sku: str) -> tuple[int, int]:
    row = hub.ok("GET", "/api/v1/stock", params={"sku": sku, "location": "WH1"})[0]
    return row["on_hand"], row["reserved"]


def test_lease_hands_out_orders_with_everything_needed_to_pack_offline(hub: Hub) -> None:
    station = hub.scene(orders=3)
    lease = hub.lease(station, batch_size=2)
    assert len(lease["orders"]) == 2
    assert {p["sku"] for p in lease["products"]} == {"A", "B"}
    a = next(p for p in lease["products"] if p["sku"] == "A")
    assert a["barcodes"] == ["4006381333931", "A"] and a["weight_g"] == 250
    assert [c["code"] for c in lease["cartons"]] == ["BOX-M"]
    assert all(o["status"] == "leased" for o in lease["orders"])


def test_two_benches_never_get_the_same_order(hub: Hub) -> None:
    first = hub.scene(orders=5)
    second = hub.station("BENCH-2")
    a = {o["number"] for o in hub.lease(first, batch_size=3)["orders"]}
    b = {o["number"] for o in hub.lease(second, batch_size=3)["orders"]}
    assert len(a) == 3 and len(b) == 2 and not a & b


def test_an_expired_lease_returns_its_orders_to_the_queue(hub: Hub) -> None:
    first = hub.scene(orders=2)
    second = hub.station("BENCH-2")
    lease = hub.lease(first)
    assert hub.lease(second)["orders"] == []
    with hub.factory.begin() as s:
        s.execute(
            update(m.Order)
            .where(m.Order.lease_id == lease["lease_id"])
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    depth = hub.ok("GET", "/api/v1/queue")
    assert depth[0]["depth"] == 2
    taken = hub.lease(second)
    assert {o["number"] for o in taken["orders"]} == {o["number"] for o in lease["orders"]}


def test_release_gives_orders_back_and_renew_reports_a_cancellation(hub: Hub) -> None:
    station = hub.scene(orders=3)
    lease = hub.lease(station)
    numbers = [o["number"] for o in lease["orders"]]
    hub.ok("POST", f"/api/v1/orders/{numbers[0]}/cancel", json={"reason": "customer changed mind"})
    renewed = hub.ok(
        "POST", f"/api/v1/queue/leases/{lease['lease_id']}/renew", headers=station, json={"lease_seconds": 900}
    )
    statuses = {o["number"]: o["status"] for o in renewed["orders"]}
    assert statuses[numbers[0]] == "cancelled"
    released = hub.ok(
        "POST", f"/api/v1/queue/leases/{lease['lease_id']}/release", headers=station, json={"order_numbers": None}
    )
    assert released == {"released": 2}
    assert hub.ok("GET", "/api/v1/queue")[0]["depth"] == 2


def test_a_station_only_leases_its_own_locations_queue(hub: Hub) -> None:
    hub.scene(orders=2)
    hub.location("WH2")
    other = hub.station("FAR-BENCH", location="WH2")
    assert hub.lease(other)["orders"] == []
    lease = hub.lease(hub.station("BENCH-2"))
    r = hub.client.post(f"/api/v1/queue/leases/{lease['lease_id']}/renew", headers=other, json={"lease_seconds": 60})
    assert r.status_code == 403


def test_posting_the_same_event_batch_twice_changes_nothing_the_second_time(hub: Hub) -> None:
    station = hub.scene(orders=2)
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    batch = [packed_event(n) for n in numbers]
    first = post(hub, station, batch)
    assert [r["status"] for r in first] == ["applied", "applied"]
    after_first = stock_row(hub, "A"), stock_row(hub, "B")
    with hub.factory() as s:
        events_before = s.scalar(select(func.count()).select_from(m.AppliedEvent))
        parcels_before = s.scalar(select(func.count()).select_from(m.Parcel))
    second = post(hub, station, batch)
    assert [r["status"] for r in second] == ["duplicate", "duplicate"]
    assert (stock_row(hub, "A"), stock_row(hub, "B")) == after_first == ((48, 0), (46, 0))
    with hub.factory() as s:
        assert s.scalar(select(func.count()).select_from(m.AppliedEvent)) == events_before
        assert s.scalar(select(func.count()).select_from(m.Parcel)) == parcels_before


def test_a_malformed_event_is_rejected_with_its_reason_and_the_rest_apply(hub: Hub) -> None:
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    bad_id = {"event_id": "not-a-uuid", "type": "order_packed", "occurred_at": "2026-01-01T00:00:00Z", "payload": {}}
    bad_type = {"event_id": str(uuid.uuid4()), "type": "teleported", "payload": {}}
    unknown = packed_event("PB9999999")
    results = post(hub, station, [bad_id, bad_type, unknown, packed_event(number)])
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert "UUID" in results[0]["reason"]
    assert "unknown event type" in results[1]["reason"]
    assert "unknown order" in results[2]["reason"]
    with hub.factory() as s:
        assert s.scalar(select(func.count()).select_from(m.AppliedEvent)) == 1


def test_a_cancelled_order_cannot_be_shipped_even_if_the_bench_packed_it(hub: Hub) -> None:
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    hub.ok("POST", f"/api/v1/orders/{number}/cancel", json={"reason": "fraud"})
    [result] = post(hub, station, [packed_event(number)])
    assert result["status"] == "rejected" and "cancelled" in result["reason"]
    assert stock_row(hub, "A") == (50, 0)


def test_another_benchs_live_lease_blocks_a_pack_event(hub: Hub) -> None:
    station = hub.scene(orders=1)
    other = hub.station("BENCH-2")
    number = hub.lease(station)["orders"][0]["number"]
    [result] = post(hub, other, [packed_event(number)])
    assert result["status"] == "rejected" and "another bench" in result["reason"]


def test_short_pick_holds_the_order_and_label_printed_ships_a_packed_one(hub: Hub) -> None:
    station = hub.scene(orders=2)
    first, second = (o["number"] for o in hub.lease(station)["orders"])
    short = PackExceptionRaised(order_number=first, kind="short_pick", sku="B", quantity=1, detail="bin empty")  # type: ignore[arg-type]
    results = post(hub, station, [short.to_wire(), packed_event(second)])
    assert [r["status"] for r in results] == ["applied", "applied"]
    held = hub.ok("GET", f"/api/v1/orders/{first}")
    assert held["status"] == "on_hold" and "short pick: B x1" in held["hold_reason"]
    label = LabelPrinted(order_number=second, parcel_no=1, tracking_number="TR123", carrier="table")
    assert post(hub, station, [label.to_wire()])[0]["status"] == "applied"
    assert hub.ok("GET", f"/api/v1/orders/{second}")["status"] == "shipped"


def test_operator_on_the_event_is_credited_in_the_shift_report(hub: Hub) -> None:
    station = hub.scene(orders=2)
    hub.operator(station, "PK-7", "packer")
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    post(hub, station, [packed_event(n, badge="PK-7") for n in numbers])
    report = hub.ok("GET", "/api/v1/reports/shift")
    assert report["orders_packed"] == 2
    assert sum(report["by_station"]["BENCH-1"].values()) == 2
    assert sum(report["by_operator"]["PK-7 (PK-7)"].values()) == 2
