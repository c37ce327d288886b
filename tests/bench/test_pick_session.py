"""Every branch of the pick state machine: totes, bins, units, quantities, totes again, short, skip, done."""

from __future__ import annotations

from typing import Any

import pytest

from app.bench.feedback import FeedbackKind as K
from app.bench.picking import PickSession, PickState
from app.domain.pick_events import PickConfirmed, PickShort, ShortReason, ToteAssigned

MUG, SOCK = "4006381333931", "0012345678905"


def cluster_batch(mode: str = "cluster") -> dict[str, Any]:
    orders = [
        {"number": "PB0000001", "tote_slot": 1, "lines": [{"sku": "MUG-01", "barcode": MUG, "quantity": 3}]},
        {"number": "PB0000002", "tote_slot": 2, "lines": [{"sku": "SOCK-01", "barcode": SOCK, "quantity": 1}]},
    ]
    alt = [{"bin": "C-04-02-1", "walk_seq": 204002, "available": 5}]
    stops = [
        {"seq": 1, "bin": "A-01-01-1", "zone": "A", "walk_seq": 100101, "sku": "MUG-01", "name": "Mug",
         "barcode": MUG, "quantity": 3, "order_number": "PB0000001", "tote_slot": 1, "alternates": alt},
        {"seq": 2, "bin": "B-02-01-1", "zone": "B", "walk_seq": 100201, "sku": "SOCK-01", "name": "Socks",
         "barcode": SOCK, "quantity": 1, "order_number": "PB0000002", "tote_slot": 2, "alternates": []},
    ]  # fmt: skip
    if mode == "batch":
        for s in stops:
            s["order_number"] = s["tote_slot"] = None
        for o in orders:
            o["tote_slot"] = None
    return {"batch_id": "b-1", "lease_id": "l-1", "mode": mode, "orders": orders, "stops": stops}


def started(mode: str = "cluster") -> PickSession:
    s = PickSession("PK-1001")
    assert s.begin(cluster_batch(mode)).kind == K.BATCH_STARTED
    for slot, tote in zip(s.slots(), ("TOTE-0001", "TOTE-0002"), strict=False):
        assert s.scan(tote).kind == K.TOTE_ASSIGNED, slot
    return s


def test_an_empty_batch_is_refused_and_the_session_stays_idle() -> None:
    s = PickSession()
    fb = s.begin({"batch_id": "b", "mode": "cluster", "orders": [], "stops": []})
    assert (fb.kind, fb.accepted, s.state) == (K.NOT_FOUND, False, PickState.IDLE)


def test_each_slot_gets_an_empty_tote_and_a_tote_already_on_the_cart_is_a_wrong_tote() -> None:
    s = PickSession("PK-1001")
    s.begin(cluster_batch())
    assert s.scan("A-01-01-1").kind == K.NOT_ALLOWED  # a bin before the totes
    fb = s.scan("TOTE-0001")
    assert fb.kind == K.TOTE_ASSIGNED and "slot 2" in fb.message
    (ev,) = fb.events
    assert isinstance(ev, ToteAssigned) and (ev.order_number, ev.tote, ev.slot) == ("PB0000001", "TOTE-0001", 1)
    again = s.scan("TOTE-0001")
    assert (again.kind, again.accepted, again.events) == (K.WRONG_TOTE, False, ())
    assert s.scan("TOTE-0002").kind == K.TOTE_ASSIGNED
    assert s.state == PickState.AT_BIN and s.totes == {1: "TOTE-0001", 2: "TOTE-0002"}


def test_a_wrong_bin_is_refused_and_the_right_bin_opens_the_stop() -> None:
    s = started()
    wrong = s.scan("B-02-01-1")
    assert (wrong.kind, wrong.accepted, s.state) == (K.WRONG_BIN, False, PickState.AT_BIN)
    assert s.scan(MUG).kind == K.NOT_ALLOWED  # the item before its bin
    assert s.scan("a-01-01-1").kind == K.BIN_CONFIRMED
    assert s.state == PickState.PICKING and s.visited == [100101]


def test_units_count_up_a_wrong_item_and_an_unknown_code_change_nothing() -> None:
    s = started()
    s.scan("A-01-01-1")
    assert s.scan(SOCK).kind == K.WRONG_ITEM
    assert s.scan("NOPE-123").kind == K.UNKNOWN_CODE
    assert s.scan("C-04-02-1").kind == K.WRONG_BIN  # another bin of the batch while at this one
    assert s.scan(MUG).kind == K.UNIT_PICKED and s.current is not None and s.current.picked == 1


def test_a_keyed_quantity_counts_many_units_and_more_than_wanted_is_an_over_pick() -> None:
    s = started()
    s.scan("A-01-01-1")
    over = s.scan("4")
    assert (over.kind, over.accepted) == (K.OVER_PICK, False)
    assert s.scan("2").kind == K.WAITING
    assert s.scan(MUG).kind == K.UNIT_PICKED and s.current is not None and s.current.picked == 2
    s.scan(MUG)
    assert s.state == PickState.TO_TOTE
    assert s.scan(MUG).kind == K.NOT_ALLOWED  # all picked: to the tote


def test_over_picking_by_scans_is_refused_when_a_keyed_quantity_overshoots_what_is_left() -> None:
    s = started()
    s.scan("A-01-01-1")
    s.scan(MUG)
    assert s.key_quantity(3).kind == K.OVER_PICK
    assert s.key_quantity(0).kind == K.NOT_ALLOWED


def test_the_wrong_tote_is_refused_and_the_right_one_confirms_the_pick() -> None:
    s = started()
    s.scan("A-01-01-1")
    s.scan("3")
    s.scan(MUG)
    wrong = s.scan("TOTE-0002")
    assert (wrong.kind, wrong.events) == (K.WRONG_TOTE, ())
    fb = s.scan("TOTE-0001")
    assert fb.kind == K.STOP_DONE
    (ev,) = fb.events
    assert isinstance(ev, PickConfirmed)
    assert (ev.bin, ev.sku, ev.quantity, ev.tote) == ("A-01-01-1", "MUG-01", 3, "TOTE-0001")
    assert ev.order_number == "PB0000001"
    assert s.current is not None and s.current.bin == "B-02-01-1" and s.after is None


def test_confirming_the_tote_by_button_finishes_the_batch_and_names_the_totes() -> None:
    s = started()
    for code in ("A-01-01-1", "3", MUG):
        s.scan(code)
    assert s.confirm_tote().kind == K.STOP_DONE
    assert s.confirm_tote().kind == K.NOT_ALLOWED  # at a bin: nothing to put in a tote
    s.scan("B-02-01-1")
    s.scan(SOCK)
    done = s.scan("CMD:TOTE_OK")
    assert done.kind == K.BATCH_DONE and "TOTE-0001, TOTE-0002" in done.message
    assert s.state == PickState.DONE and s.units_picked() == 4
    assert s.tote_orders() == {"TOTE-0001": ["PB0000001"], "TOTE-0002": ["PB0000002"]}
    assert s.scan(MUG).kind == K.NOT_ALLOWED


def test_a_short_pick_records_what_was_taken_and_what_is_missing_and_sends_the_picker_to_the_next_bin() -> None:
    s = started()
    s.scan("A-01-01-1")
    s.scan(MUG)
    fb = s.scan("CMD:SHORT_BIN_EMPTY")
    assert fb.kind == K.PICK_SHORT and "C-04-02-1" in fb.message
    confirmed, short = fb.events
    assert isinstance(confirmed, PickConfirmed) and confirmed.quantity == 1
    assert isinstance(short, PickShort) and (short.quantity, short.reason) == (2, ShortReason.BIN_EMPTY)
    stop = s.current
    assert stop is not None and (stop.bin, stop.quantity, s.state) == ("C-04-02-1", 2, PickState.AT_BIN)
    s.scan("C-04-02-1")
    s.scan("2")
    s.scan(MUG)
    (ev,) = s.scan("TOTE-0001").events
    assert isinstance(ev, PickConfirmed) and (ev.bin, ev.quantity) == ("C-04-02-1", 2)


def test_a_short_pick_with_no_other_bin_holds_the_order_and_drops_its_stops() -> None:
    s = started()
    s.scan("A-01-01-1")
    s.short(ShortReason.NOT_FOUND)  # to the alternate
    fb = s.short(ShortReason.DAMAGED)  # the alternate too: no bin left
    assert fb.kind == K.PICK_SHORT and "PB0000001 is held" in fb.message
    assert s.held == ["PB0000001"] and s.current is not None and s.current.order_number == "PB0000002"
    s.scan("B-02-01-1")
    s.scan(SOCK)
    s.confirm_tote()
    assert s.state == PickState.DONE
    assert s.short(ShortReason.BIN_EMPTY).kind == K.NOT_ALLOWED


def test_short_is_refused_once_every_unit_is_picked() -> None:
    s = started()
    for code in ("A-01-01-1", "3", MUG):
        s.scan(code)
    assert s.short(ShortReason.BIN_EMPTY).kind == K.NOT_ALLOWED


def test_skip_moves_the_stop_to_the_end_of_the_walk_but_not_once_units_are_taken_or_when_it_is_the_last() -> None:
    s = started()
    fb = s.skip()
    assert fb.kind == K.SKIPPED and fb.events == ()
    assert s.current is not None and s.current.bin == "B-02-01-1"
    assert s.after is not None and s.after.bin == "A-01-01-1"
    s.scan("B-02-01-1")
    s.scan(SOCK)
    assert s.skip().kind == K.NOT_ALLOWED  # units taken
    s.confirm_tote()
    assert s.scan("CMD:SKIP").kind == K.NOT_ALLOWED  # the last stop
    assert s.command("JUMP").kind == K.UNKNOWN_CODE


def test_batch_mode_uses_one_tote_and_events_name_no_order() -> None:
    s = started("batch")
    assert s.slots() == [1] and s.state == PickState.AT_BIN
    s.scan("A-01-01-1")
    s.scan("3")
    s.scan(MUG)
    (ev,) = s.scan("TOTE-0001").events
    assert isinstance(ev, PickConfirmed) and ev.order_number is None and ev.tote == "TOTE-0001"
    assert s.tote_orders() == {"TOTE-0001": ["PB0000001", "PB0000002"]}
    s.scan("B-02-01-1")
    short = s.short(ShortReason.BIN_EMPTY)
    assert "holds the orders" in short.message and s.held == []


def test_a_restore_after_a_short_pick_keeps_the_stop_it_sent_the_picker_to_and_ignores_another_batch() -> None:
    s = started()
    s.scan("A-01-01-1")
    s.scan(MUG)
    s.short(ShortReason.BIN_EMPTY)
    again = PickSession()
    again.restore(s.snapshot(), s.batch_snapshot())
    assert again.current is not None and (again.current.bin, again.current.quantity) == ("C-04-02-1", 2)
    assert again.stops[0].quantity == 1 and again.snapshot() == s.snapshot()
    other = PickSession()
    other.restore(s.snapshot(), {**s.batch_snapshot(), "batch_id": "another"})
    assert other.state == PickState.IDLE


@pytest.mark.parametrize("steps", [0, 2, 4, 6])
def test_a_restored_snapshot_resumes_exactly_where_the_picker_was(steps: int) -> None:
    s = started()
    for code in ["A-01-01-1", MUG, "2", MUG, "TOTE-0001", "B-02-01-1"][:steps]:
        s.scan(code)
    again = PickSession("PK-1001")
    again.restore(s.snapshot(), s.batch_snapshot())
    assert again.snapshot() == s.snapshot()
    assert again.scan(MUG).kind == s.scan(MUG).kind


def test_an_unreadable_scan_and_a_scan_with_no_batch_are_refused() -> None:
    s = PickSession()
    assert s.scan("\x01").kind == K.UNKNOWN_CODE
    assert s.scan("A-01-01-1").kind == K.NOT_ALLOWED
    busy = started()
    assert busy.begin(cluster_batch()).kind == K.NOT_ALLOWED
