"""Picking at the hub: bins and their stock, pick batches (allocation, walk order), pick events applied
once, short picks, totes handed to another bench and freed by packing, the picking report."""

from __future__ import annotations

from sqlalchemy import func, select

from app.hub.bin_models import CountTask
from tests.hub.conftest import Hub
from tests.hub.pick_scene import bin_qty, lease, location_qty, pick, short, tote, warehouse
from tests.hub.test_queue_and_events import packed_event, post


def test_bin_import_slots_stock_and_the_location_figure_is_the_sum_of_its_bins(hub: Hub) -> None:
    warehouse(hub)
    assert location_qty(hub, "A") == (48, 0)  # 3 + 5 pickable + 40 in reserve
    assert bin_qty(hub, "R-01-01-1", "A") == 40
    assert bin_qty(hub, "B-03-01-1", "C") == 10


def test_a_bad_bin_file_imports_nothing_and_names_each_bad_row(hub: Hub) -> None:
    hub.location("WH1")
    hub.product("A", [])
    bad = "bin,zone,aisle,bay,level,pickable,sku,quantity\nA-1,A,A,1,1,maybe,A,3\nA-2,A,A,0,1,true,ZZ,1\n"
    r = hub.client.post("/api/v1/admin/bins/import", params={"location": "WH1"}, json={"csv": bad}, headers=hub.admin)
    assert r.status_code == 422
    assert "row 2: pickable" in r.json()["error"] and "row 3: bay" in r.json()["error"]
    assert hub.ok("GET", "/api/v1/stock", params={"sku": "A"}) == []  # nothing stored
    r = hub.client.post(
        "/api/v1/admin/bins/import", params={"location": "WH1"}, json={"csv": "a,b\n1,2\n"}, headers=hub.admin
    )
    assert r.status_code == 422 and "lacks the columns" in r.json()["error"]


def test_a_line_is_split_across_bins_and_reserve_bins_are_never_picked(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"A": 6, "B": 1}])
    batch = lease(hub, station, "single")
    stops = [(s["bin"], s["sku"], s["quantity"]) for s in batch["stops"]]
    assert stops == [("A-01-01-1", "A", 3), ("A-02-01-1", "B", 1), ("B-01-01-1", "A", 3)]
    assert all(not s["bin"].startswith("R-") for s in batch["stops"])
    other = {"bin": "B-01-01-1", "walk_seq": batch["stops"][2]["walk_seq"], "available": 5}
    assert batch["stops"][0]["alternates"] == [other]


def test_stops_follow_the_s_shaped_walk_across_aisles(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"C": 1}, {"B": 1}, {"A": 1}])
    batch = lease(hub, station, "cluster")
    walk = [s["walk_seq"] for s in batch["stops"]]
    assert walk == sorted(walk)
    assert [s["bin"] for s in batch["stops"]] == ["A-01-01-1", "A-02-01-1", "B-03-01-1"]
    # aisle B is walked down: bay 3 comes before bay 1
    b3 = next(s for s in batch["stops"] if s["bin"] == "B-03-01-1")
    assert b3["walk_seq"] < 100_000 * 2 and b3["tote_slot"] == 1
    assert {o["number"]: o["tote_slot"] for o in batch["orders"]} == {
        s["order_number"]: s["tote_slot"] for s in batch["stops"]
    }


def test_an_order_no_pickable_bin_can_give_is_held_with_a_count_task_not_batched(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"A": 20}, {"B": 1}])  # A: 8 pickable, 40 in reserve
    batch = lease(hub, station, "cluster")
    assert [o["lines"][0]["sku"] for o in batch["orders"]] == ["B"]
    assert len(batch["held"]) == 1 and all(s["sku"] == "B" for s in batch["stops"])
    held = hub.ok("GET", f"/api/v1/orders/{batch['held'][0]}")
    assert held["status"] == "on_hold" and "no pickable stock" in held["hold_reason"]
    with hub.factory() as s:
        assert s.scalar(select(func.count()).select_from(CountTask)) == 1


def test_an_empty_queue_gives_an_empty_batch(hub: Hub) -> None:
    station = warehouse(hub)
    batch = lease(hub, station, "batch")
    assert batch["orders"] == [] and batch["stops"] == [] and batch["mode"] == "batch"


def test_a_confirmed_pick_moves_units_from_bin_to_tote_once_and_a_replay_is_a_duplicate(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"B": 2}])
    batch = lease(hub, station, "single")
    number = batch["orders"][0]["number"]
    bid = batch["batch_id"]
    events = [tote(bid, number, "TOTE-0001"), pick(bid, number, "A-02-01-1", "B", 2, "TOTE-0001")]
    assert [r["status"] for r in post(hub, station, events)] == ["applied", "applied"]
    assert [r["status"] for r in post(hub, station, events)] == ["duplicate", "duplicate"]
    assert bin_qty(hub, "A-02-01-1", "B") == 18
    assert location_qty(hub, "B") == (20, 2)  # the units are still in the building, reserved


def test_a_pick_the_bin_cannot_give_or_over_the_order_is_rejected_and_changes_nothing(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"A": 4}])
    batch = lease(hub, station, "single")
    number, bid = batch["orders"][0]["number"], batch["batch_id"]
    out = post(hub, station, [pick(bid, number, "A-01-01-1", "A", 4, "T1")])
    assert out[0]["status"] == "rejected" and "holds fewer" in out[0]["reason"]
    out = post(hub, station, [pick(bid, number, "B-01-01-1", "A", 5, "T1")])
    assert out[0]["status"] == "rejected" and "over" in out[0]["reason"]
    out = post(hub, station, [pick(bid, number, "R-01-01-1", "A", 1, "T1")])
    assert out[0]["status"] == "rejected" and "reserve" in out[0]["reason"]
    assert (bin_qty(hub, "A-01-01-1", "A"), bin_qty(hub, "B-01-01-1", "A")) == (3, 5)


def test_a_short_pick_with_stock_elsewhere_sends_the_picker_on_and_raises_a_count_task(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"A": 2}])
    batch = lease(hub, station, "single")
    number, bid = batch["orders"][0]["number"], batch["batch_id"]
    assert post(hub, station, [short(bid, number, "A-01-01-1", "A", 2)])[0]["status"] == "applied"
    assert bin_qty(hub, "A-01-01-1", "A") == 1
    assert location_qty(hub, "A")[0] == 46
    assert hub.ok("GET", f"/api/v1/orders/{number}")["status"] == "leased"
    assert post(hub, station, [pick(bid, number, "B-01-01-1", "A", 2, "T1")])[0]["status"] == "applied"
    report = hub.ok("GET", "/api/v1/reports/picking")
    assert report["short_picks"] == {"by_reason": {"bin_empty": 1}, "by_bin": {"A-01-01-1": 1}}
    assert [(t["bin"], t["sku"]) for t in report["count_tasks"]] == [("A-01-01-1", "A")]
    assert report["pickers"][0]["lines"] == 1 and report["pickers"][0]["units"] == 2
    assert report["totes_in_use"] == [{"tote": "T1", "order_number": number}]
    assert hub.ok("GET", "/api/v1/reports/shift")["picking"]["short_picks"] == report["short_picks"]


def test_a_short_pick_with_no_stock_left_holds_the_order(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"C": 10}])
    batch = lease(hub, station, "single")
    number, bid = batch["orders"][0]["number"], batch["batch_id"]
    assert post(hub, station, [short(bid, number, "B-03-01-1", "C", 10, "damaged")])[0]["status"] == "applied"
    order = hub.ok("GET", f"/api/v1/orders/{number}")
    assert order["status"] == "on_hold" and order["hold_reason"] == "short pick: C"
    assert bin_qty(hub, "B-03-01-1", "C") == 0
    on_hand, reserved = location_qty(hub, "C")
    assert on_hand == 0 and reserved == 0


def test_a_tote_picked_at_one_bench_is_claimed_packed_at_another_and_then_free_for_reuse(hub: Hub) -> None:
    picker = warehouse(hub, orders=[{"B": 1, "C": 1}, {"B": 1}])
    packer = hub.station("BENCH-2")
    batch = lease(hub, picker, "cluster")
    first, second = (o["number"] for o in batch["orders"])
    bid = batch["batch_id"]
    post(hub, picker, [tote(bid, first, "TOTE-1", 1), tote(bid, second, "TOTE-2", 2)])
    taken = post(hub, picker, [tote(bid, second, "TOTE-1", 2)])
    assert taken[0]["status"] == "rejected" and "in use" in taken[0]["reason"]
    events = [pick(bid, first, "A-02-01-1", "B", 1, "TOTE-1"), pick(bid, first, "B-03-01-1", "C", 1, "TOTE-1")]
    assert {r["status"] for r in post(hub, picker, events)} == {"applied"}
    claim = hub.ok("POST", "/api/v1/totes/TOTE-1/claim", headers=packer, json={})
    assert claim["tote"] == "TOTE-1" and claim["mode"] == "cluster"
    assert [o["number"] for o in claim["orders"]] == [first]
    assert claim["orders"][0]["picked"] == [{"sku": "B", "quantity": 1}, {"sku": "C", "quantity": 1}]
    third = hub.station("BENCH-3")
    again = hub.client.post("/api/v1/totes/TOTE-1/claim", headers=third, json={})
    assert again.status_code == 409 and "another bench" in again.json()["error"]
    refused = post(hub, picker, [packed_event(first)])  # the picking bench no longer holds it
    assert refused[0]["status"] == "rejected"
    assert post(hub, packer, [packed_event(first)])[0]["status"] == "applied"
    assert location_qty(hub, "C") == (9, 0) and bin_qty(hub, "B-03-01-1", "C") == 9
    assert hub.client.post("/api/v1/totes/TOTE-1/claim", headers=packer, json={}).status_code == 404
    batch2 = lease(hub, picker, "single")
    assert batch2["orders"] == []  # the second order is still in the first batch
    reuse = post(hub, picker, [tote(bid, second, "TOTE-1", 2)])
    assert reuse[0]["status"] == "applied"


def test_a_batch_mode_tote_is_claimed_with_every_order_of_the_batch_to_sort(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"B": 2}, {"B": 3}])
    batch = lease(hub, station, "batch")
    assert [(s["bin"], s["quantity"], s["order_number"]) for s in batch["stops"]] == [("A-02-01-1", 5, None)]
    bid = batch["batch_id"]
    assert post(hub, station, [pick(bid, None, "A-02-01-1", "B", 5, "CART-1")])[0]["status"] == "applied"
    claim = hub.ok("POST", "/api/v1/totes/CART-1/claim", headers=station, json={})
    assert claim["mode"] == "batch" and len(claim["orders"]) == 2
    assert sum(o["picked"][0]["quantity"] for o in claim["orders"]) == 5


def test_an_order_packed_without_a_pick_takes_its_units_off_the_bins(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"A": 4}])
    leased = hub.lease(station)
    assert post(hub, station, [packed_event(leased["orders"][0]["number"])])[0]["status"] == "applied"
    assert (bin_qty(hub, "A-01-01-1", "A"), bin_qty(hub, "B-01-01-1", "A")) == (0, 4)
    assert location_qty(hub, "A") == (44, 0)


def test_a_return_restocks_into_the_bin_it_names(hub: Hub) -> None:
    station = warehouse(hub)
    with hub.factory() as s:
        from app.hub.services import stock

        stock.adjust(s, location_code="WH1", sku="C", delta=2, reason="return_restock", bin_code="A-03-01-1")
        s.commit()
    assert bin_qty(hub, "A-03-01-1", "C") == 2 and location_qty(hub, "C") == (12, 0)
    assert station


def test_a_station_of_another_location_cannot_claim_or_pick_in_this_ones_batch(hub: Hub) -> None:
    station = warehouse(hub, orders=[{"B": 1}])
    batch = lease(hub, station, "single")
    number, bid = batch["orders"][0]["number"], batch["batch_id"]
    post(hub, station, [pick(bid, number, "A-02-01-1", "B", 1, "T9")])
    hub.location("WH2")
    other = hub.station("BENCH-B", "WH2")
    assert hub.client.post("/api/v1/totes/T9/claim", headers=other, json={}).status_code == 404
    out = post(hub, other, [short(bid, number, "A-02-01-1", "B", 1)])
    assert out[0]["status"] == "rejected" and "not at this station's location" in out[0]["reason"]
    assert lease(hub, other, "cluster")["orders"] == []


def test_an_open_batch_books_its_bin_units_so_the_next_bench_is_sent_elsewhere(hub: Hub) -> None:
    first = warehouse(hub, orders=[{"A": 3}, {"A": 3}])
    second = hub.station("BENCH-2")
    one = lease(hub, first, "single")
    two = lease(hub, second, "single")
    assert [s["bin"] for s in one["stops"]] == ["A-01-01-1"]
    assert [s["bin"] for s in two["stops"]] == ["B-01-01-1"]
    hub.ok("POST", f"/api/v1/queue/leases/{one['lease_id']}/release", headers=first, json={})
    again = lease(hub, first, "single")  # released: its booking is gone
    assert [s["bin"] for s in again["stops"]] == ["A-01-01-1"]
