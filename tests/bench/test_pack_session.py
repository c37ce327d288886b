"""PackSession driven through every branch with plain values: no database, no Qt, no network."""

from __future__ import annotations

import pytest

from app.bench.feedback import FeedbackKind as K
from app.bench.feedback import Tone
from app.bench.model import PackOrder
from app.bench.packing import PackSession, PackState, WeightTolerance
from app.devices.weights import ScaleState, WeightReading, reading
from app.domain.events import ExceptionKind, LabelPrinted, OrderPacked, PackExceptionRaised
from tests.bench.factories import LAMP, MUG, SOCKS, STRAY, Clock, catalog, gtin

ORDER = "PB000001"
# 2 mugs (350 g) + socks (90 g) in BOX-M (220 g tare)
EXPECTED_G = 2 * 350 + 90 + 220


def session(*orders: PackOrder, supervisors: tuple[str, ...] = ("SV-1",)) -> PackSession:
    return PackSession(
        catalog(*orders),
        tolerance=WeightTolerance(pct=5, min_g=20),
        operator_badge="PK-1",
        is_supervisor=lambda b: b in supervisors,
        now=Clock(),
    )


def scanned_all(s: PackSession) -> None:
    s.scan(ORDER)
    for code in (gtin(1), gtin(1), gtin(2)):
        assert s.scan(code).kind == K.RIGHT


def exceptions(fb_events: tuple[object, ...]) -> list[ExceptionKind]:
    return [e.kind for e in fb_events if isinstance(e, PackExceptionRaised)]


# ---------------------------------------------------------------- starting


def test_order_scan_starts_the_order_with_units_to_scan() -> None:
    s = session()
    fb = s.scan("pb000001")
    assert fb.kind == K.ORDER_STARTED and fb.accepted
    assert s.state == PackState.SCANNING and s.order_number == ORDER
    assert s.outstanding() == {"MUG-1": 2, "SOCK-1": 1}


def test_tote_scan_starts_the_order_in_that_tote() -> None:
    s = session()
    assert s.scan("TOTE-A01").kind == K.ORDER_STARTED
    assert s.order_number == ORDER


def test_order_not_in_the_queue_is_refused() -> None:
    s = session()
    fb = s.scan("PB999999")
    assert fb.kind == K.NOT_FOUND and not fb.accepted
    assert s.state == PackState.IDLE


@pytest.mark.parametrize(("status", "kind"), [("cancelled", K.CANCELLED), ("on_hold", K.ON_HOLD)])
def test_cancelled_or_held_order_cannot_be_started(status: str, kind: K) -> None:
    s = session(PackOrder(ORDER, status, {"MUG-1": 1}))
    fb = s.scan(ORDER)
    assert fb.kind == kind and not fb.accepted
    assert s.state == PackState.IDLE


def test_already_packed_order_cannot_be_started_again() -> None:
    s = session(PackOrder(ORDER, "packed", {"MUG-1": 1}))
    assert s.scan(ORDER).kind == K.NOT_ALLOWED


def test_item_scan_before_an_order_is_refused() -> None:
    s = session()
    fb = s.scan(gtin(1))
    assert fb.kind == K.NOT_ALLOWED and s.state == PackState.IDLE


def test_a_second_order_scan_while_packing_is_refused() -> None:
    s = session(PackOrder(ORDER, "leased", {"MUG-1": 2}), PackOrder("PB000002", "leased", {"MUG-1": 1}))
    s.scan(ORDER)
    s.scan(gtin(1))
    fb = s.scan("PB000002")
    assert fb.kind == K.NOT_ALLOWED
    assert s.order_number == ORDER and s.scanned() == {"MUG-1": 1}


def test_rma_scan_on_the_pack_screen_points_to_returns() -> None:
    fb = session().scan("RMA-0000001")
    assert fb.kind == K.NOT_ALLOWED and "return" in fb.message


# ---------------------------------------------------------------- item scans


def test_right_item_counts_up_whatever_gtin_form_is_scanned() -> None:
    s = session()
    s.scan(ORDER)
    fb = s.scan(gtin(1))
    assert fb.kind == K.RIGHT and fb.sku == "MUG-1" and fb.tone == Tone.GOOD
    assert s.scan(gtin(1).zfill(14)).kind == K.RIGHT  # the GTIN-14 form of the same code
    assert s.scanned() == {"MUG-1": 2}


def test_sku_label_scan_counts_as_the_item() -> None:
    s = session()
    s.scan(ORDER)
    assert s.scan("sock-1").kind == K.RIGHT
    assert s.scanned() == {"SOCK-1": 1}


def test_wrong_item_scan_is_rejected_and_changes_nothing() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    before = s.snapshot()
    fb = s.scan(STRAY.barcodes[0])
    assert fb.kind == K.WRONG_ITEM and not fb.accepted and fb.tone == Tone.BAD
    assert "not on order" in fb.message and STRAY.name in fb.message
    assert s.snapshot() == before
    assert exceptions(fb.events) == [ExceptionKind.WRONG_ITEM]


def test_over_scan_is_rejected_and_changes_nothing() -> None:
    s = session(PackOrder(ORDER, "leased", {"MUG-1": 1, "SOCK-1": 1}))
    s.scan(ORDER)
    s.scan(gtin(1))
    before = s.snapshot()
    fb = s.scan(gtin(1))
    assert fb.kind == K.OVER_SCAN and not fb.accepted
    assert "needs only 1" in fb.message
    assert s.snapshot() == before
    assert exceptions(fb.events) == [ExceptionKind.OVER_SCAN]


@pytest.mark.parametrize("code", ["NOT-A-PRODUCT", "5061414000010"])  # unknown alias; bad check digit
def test_unknown_code_is_rejected_and_changes_nothing(code: str) -> None:
    s = session()
    s.scan(ORDER)
    before = s.snapshot()
    fb = s.scan(code)
    assert fb.kind == K.UNKNOWN_CODE and not fb.accepted
    assert s.snapshot() == before
    assert exceptions(fb.events) == [ExceptionKind.UNKNOWN_CODE]


def test_unknown_code_without_an_order_records_no_exception() -> None:
    fb = session().scan("5061414000010")
    assert fb.kind == K.UNKNOWN_CODE and fb.events == ()


def test_scan_for_an_order_cancelled_mid_pack_is_refused_and_changes_nothing() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    s.catalog.set_status(ORDER, "cancelled")  # type: ignore[attr-defined]  # the sync pulled a cancellation
    before = s.snapshot()
    fb = s.scan(gtin(1))
    assert fb.kind == K.CANCELLED and not fb.accepted and "cancelled" in fb.message
    assert s.snapshot() == before
    assert s.close_parcel().kind == K.CANCELLED


def test_cancelled_order_is_put_aside_with_an_exception_and_the_next_order_starts() -> None:
    s = session(PackOrder(ORDER, "leased", {"MUG-1": 2}), PackOrder("PB000002", "leased", {"SOCK-1": 1}))
    s.scan(ORDER)
    s.scan(gtin(1))
    s.catalog.set_status(ORDER, "cancelled")  # type: ignore[attr-defined]
    fb = s.scan("CMD:CANCEL")
    assert fb.kind == K.EXCEPTION and s.state == PackState.HELD
    assert exceptions(fb.events) == [ExceptionKind.CANCELLED_ORDER]
    assert s.scan("PB000002").kind == K.ORDER_STARTED


def test_scanning_the_next_order_puts_a_cancelled_one_aside() -> None:
    s = session(PackOrder(ORDER, "leased", {"MUG-1": 2}), PackOrder("PB000002", "leased", {"SOCK-1": 1}))
    s.scan(ORDER)
    s.catalog.set_status(ORDER, "on_hold")  # type: ignore[attr-defined]
    fb = s.scan("PB000002")
    assert fb.kind == K.ORDER_STARTED and exceptions(fb.events) == [ExceptionKind.CANCELLED_ORDER]


def test_cancel_card_for_an_order_that_is_not_cancelled_is_refused() -> None:
    s = session()
    s.scan(ORDER)
    assert s.scan("CMD:CANCEL").kind == K.NOT_ALLOWED
    assert s.state == PackState.SCANNING


def test_unknown_command_card_is_refused() -> None:
    assert session().scan("CMD:DANCE").kind == K.UNKNOWN_CODE


# ---------------------------------------------------------------- cartons and weighing


def test_last_item_closes_the_parcel_and_suggests_the_smallest_carton_that_fits() -> None:
    s = session()
    scanned_all(s)
    assert s.state == PackState.WEIGHING
    assert s.current is not None and s.current.carton_code == "BOX-M"  # mugs are too tall for the mailer
    assert s.expected_weight_g(s.current) == EXPECTED_G


def test_weight_readings_are_ignored_while_scanning() -> None:
    s = session()
    s.scan(ORDER)
    fb = s.weight(reading(EXPECTED_G, stable=True))
    assert fb.kind == K.IGNORED and s.state == PackState.SCANNING


@pytest.mark.parametrize(
    "r",
    [reading(EXPECTED_G, stable=False), WeightReading(ScaleState.OVERLOAD), reading(0, stable=True)],
    ids=["motion", "overload", "empty-scale"],
)
def test_only_a_stable_non_zero_weight_counts(r: WeightReading) -> None:
    s = session()
    scanned_all(s)
    fb = s.weight(r)
    assert fb.kind == K.WAITING and not fb.accepted
    assert s.state == PackState.WEIGHING


def test_weight_within_tolerance_packs_the_order() -> None:
    s = session()
    scanned_all(s)
    fb = s.weight(reading(EXPECTED_G + 40, stable=True))  # 5 % of 1010 g is 50 g
    assert fb.kind == K.PACKED and s.state == PackState.LABEL
    (packed,) = fb.events
    assert isinstance(packed, OrderPacked)
    assert packed.order_number == ORDER and packed.operator_badge == "PK-1"
    (parcel,) = packed.parcels
    assert (parcel.parcel_no, parcel.carton_code, parcel.weight_g, parcel.expected_weight_g) == (
        1,
        "BOX-M",
        EXPECTED_G + 40,
        EXPECTED_G,
    )
    assert parcel.items == {"MUG-1": 2, "SOCK-1": 1}
    assert packed.pack_seconds > 0 and packed.weight_override_by is None


def test_weight_mismatch_blocks_the_label_until_a_good_weight() -> None:
    s = session()
    scanned_all(s)
    fb = s.weight(reading(EXPECTED_G - 351, stable=True))  # a mug missing
    assert fb.kind == K.WEIGHT_MISMATCH and not fb.accepted and "lighter" in fb.message
    assert s.state == PackState.WEIGHT_MISMATCH
    assert exceptions(fb.events) == [ExceptionKind.WEIGHT_MISMATCH]
    again = s.weight(reading(EXPECTED_G + 500, stable=True))
    assert again.kind == K.WEIGHT_MISMATCH and again.events == ()  # one exception per parcel
    assert s.labels_settled({1: ("X", "Y")}, []).kind == K.NOT_ALLOWED  # no label while blocked
    fb = s.weight(reading(EXPECTED_G, stable=True))
    assert fb.kind == K.PACKED


def test_tolerance_has_a_floor_in_grams() -> None:
    tol = WeightTolerance(pct=1, min_g=30)
    assert tol.allowed_g(1000) == 30 and tol.allowed_g(10_000) == 100


def test_supervisor_badge_overrides_a_weight_mismatch() -> None:
    s = session()
    scanned_all(s)
    s.weight(reading(EXPECTED_G + 300, stable=True))
    fb = s.scan("PK-2")  # a packer's badge
    assert fb.kind == K.NOT_ALLOWED and "supervisor" in fb.message and s.state == PackState.WEIGHT_MISMATCH
    assert s.override_weight("PK-2").kind == K.NOT_ALLOWED
    fb = s.scan("SV-1")
    assert fb.kind == K.PACKED
    (packed,) = fb.events
    assert isinstance(packed, OrderPacked)
    assert packed.weight_override_by == "SV-1" and packed.parcels[0].weight_g == EXPECTED_G + 300


def test_override_without_a_mismatch_is_refused() -> None:
    s = session()
    scanned_all(s)
    assert s.override_weight("SV-1").kind == K.NOT_ALLOWED


def test_choosing_another_carton_changes_the_expected_weight() -> None:
    s = session()
    scanned_all(s)
    s.weight(reading(EXPECTED_G + 200, stable=True))  # the packer used the bigger box
    fb = s.scan("BOX-L")
    assert fb.kind == K.CARTON_CHOSEN and s.state == PackState.WEIGHING
    assert s.current is not None and s.expected_weight_g(s.current) == EXPECTED_G + 200
    assert s.weight(reading(EXPECTED_G + 200, stable=True)).kind == K.PACKED


def test_carton_cannot_be_chosen_while_scanning_and_unknown_cartons_are_refused() -> None:
    s = session()
    s.scan(ORDER)
    assert s.scan("BOX-L").kind == K.NOT_ALLOWED
    scanned_all(session())
    s2 = session()
    scanned_all(s2)
    assert s2.choose_carton("CRATE").kind == K.UNKNOWN_CODE


def test_when_no_carton_fits_the_packer_must_choose_one_before_weighing() -> None:
    s = session(PackOrder(ORDER, "leased", {"LAMP-1": 4}))
    s.scan(ORDER)
    for _ in range(4):
        s.scan(LAMP.barcodes[0])
    assert s.current is not None and s.current.carton_code is None
    assert s.weight(reading(5420, stable=True)).kind == K.NOT_ALLOWED
    s.choose_carton("BOX-L")
    assert s.weight(reading(4 * 1250 + 420, stable=True)).kind == K.PACKED


# ---------------------------------------------------------------- parcels


def test_multi_parcel_order_weighs_each_parcel_and_reports_them_all() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    fb = s.scan("CMD:CLOSE_PARCEL")
    assert fb.kind == K.PARCEL_CLOSED and s.state == PackState.WEIGHING
    fb = s.weight(reading(350 + 220, stable=True))
    assert fb.kind == K.WEIGHT_OK and s.state == PackState.SCANNING and "parcel 2" in fb.message
    s.weight(reading(0, stable=True))  # parcel 1 comes off the scale
    s.scan(gtin(1))
    s.scan(gtin(2))
    fb = s.weight(reading(350 + 90 + 220, stable=True))
    (packed,) = fb.events
    assert isinstance(packed, OrderPacked)
    assert [(p.parcel_no, p.items) for p in packed.parcels] == [(1, {"MUG-1": 1}), (2, {"MUG-1": 1, "SOCK-1": 1})]


def test_an_empty_parcel_cannot_be_closed() -> None:
    s = session()
    s.scan(ORDER)
    assert s.close_parcel().kind == K.NOT_ALLOWED
    assert session().close_parcel().kind == K.NOT_ALLOWED


def test_item_scan_into_a_closed_parcel_is_refused() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    s.close_parcel()
    assert s.scan(gtin(1)).kind == K.NOT_ALLOWED
    assert s.scanned() == {"MUG-1": 1}


# ---------------------------------------------------------------- exceptions


def test_short_pick_records_every_missing_unit_and_holds_the_order() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    fb = s.scan("CMD:SHORT_PICK")
    assert fb.kind == K.EXCEPTION and fb.tone == Tone.ALERT and s.state == PackState.HELD
    got = [(e.kind, e.sku, e.quantity) for e in fb.events if isinstance(e, PackExceptionRaised)]
    assert got == [(ExceptionKind.SHORT_PICK, "MUG-1", 1), (ExceptionKind.SHORT_PICK, "SOCK-1", 1)]


def test_short_pick_is_refused_when_nothing_is_missing_or_no_order_is_open() -> None:
    s = session()
    assert s.short_pick().kind == K.NOT_ALLOWED
    scanned_all(s)
    assert s.short_pick().kind == K.NOT_ALLOWED and s.state == PackState.WEIGHING


def test_damaged_records_the_last_scanned_item_and_holds_the_order() -> None:
    s = session()
    s.scan(ORDER)
    assert s.damaged().kind == K.NOT_ALLOWED  # nothing scanned yet: which item?
    s.scan(gtin(2))
    fb = s.scan("CMD:DAMAGED")
    assert fb.kind == K.EXCEPTION and s.state == PackState.HELD
    (e,) = fb.events
    assert isinstance(e, PackExceptionRaised) and (e.kind, e.sku, e.quantity) == (ExceptionKind.DAMAGED, "SOCK-1", 1)
    assert session().damaged("MUG-1").kind == K.NOT_ALLOWED  # no order open


# ---------------------------------------------------------------- label, slip, done


def test_printed_labels_become_events_and_the_slip_then_done() -> None:
    s = session()
    scanned_all(s)
    s.weight(reading(EXPECTED_G, stable=True))
    fb = s.labels_settled({1: ("DEMO", "TRK1")}, [])
    assert fb.kind == K.LABEL_PRINTED and s.state == PackState.SLIP
    (e,) = fb.events
    assert isinstance(e, LabelPrinted) and (e.order_number, e.parcel_no, e.tracking_number) == (ORDER, 1, "TRK1")
    assert s.scan("CMD:SLIP_DONE").kind == K.DONE and s.state == PackState.DONE


def test_offline_label_leaves_the_parcel_packed_label_pending() -> None:
    s = session()
    scanned_all(s)
    s.weight(reading(EXPECTED_G, stable=True))
    fb = s.labels_settled({}, [1])
    assert fb.kind == K.LABEL_PENDING and fb.events == () and "label pending" in fb.message
    assert s.parcels[0].label == "pending" and s.state == PackState.SLIP


def test_label_and_slip_steps_are_refused_out_of_turn() -> None:
    s = session()
    assert s.labels_settled({}, [1]).kind == K.NOT_ALLOWED
    assert s.slip_printed().kind == K.NOT_ALLOWED


def test_next_order_scan_at_the_slip_step_starts_the_next_order() -> None:
    s = session(PackOrder(ORDER, "leased", {"SOCK-1": 1}), PackOrder("PB000002", "leased", {"SOCK-1": 1}))
    s.scan(ORDER)
    s.scan(SOCKS.barcodes[0])
    s.weight(reading(90 + 25, stable=True))
    s.labels_settled({1: ("DEMO", "T")}, [])
    assert s.scan("PB000002").kind == K.ORDER_STARTED


def test_parcel_one_left_on_the_scale_is_not_taken_as_parcel_twos_weight() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    s.scan("CMD:CLOSE_PARCEL")
    parcel_1 = reading(350 + 220, stable=True)
    assert s.weight(parcel_1).kind == K.WEIGHT_OK
    s.scan(gtin(1))
    s.scan("CMD:CLOSE_PARCEL")  # parcel 2 (another mug in BOX-M) weighs the same as parcel 1
    assert s.state == PackState.WEIGHING
    fb = s.weight(parcel_1)  # ... and parcel 1 is still on the scale
    assert fb.kind == K.WAITING and not fb.accepted and "Take the last parcel off the scale" in fb.message
    assert s.state == PackState.WEIGHING and s.current is not None and s.current.weight_g is None
    assert s.weight(reading(3, stable=False)).kind == K.WAITING  # lifted off: near zero, still moving
    assert s.weight(reading(350 + 220, stable=True)).kind == K.WEIGHT_OK  # parcel 2 put on and settled


def test_the_previous_orders_parcel_on_the_scale_does_not_count_for_the_next_order() -> None:
    s = session(PackOrder(ORDER, "leased", {"SOCK-1": 1}), PackOrder("PB000002", "leased", {"SOCK-1": 1}))
    s.scan(ORDER)
    s.scan(SOCKS.barcodes[0])
    assert s.weight(reading(90 + 25, stable=True)).kind == K.PACKED
    s.labels_settled({1: ("DEMO", "T")}, [])
    s.scan("PB000002")
    s.weight(reading(90 + 25, stable=True))  # order 1's parcel, still there, streams while scanning
    s.scan(SOCKS.barcodes[0])  # the last item closes order 2's parcel
    assert s.weight(reading(90 + 25, stable=True)).kind == K.WAITING
    s.weight(reading(0, stable=True))
    assert s.weight(reading(90 + 25, stable=True)).kind == K.PACKED


def test_a_weight_mismatch_can_be_weighed_again_without_emptying_the_scale() -> None:
    s = session()
    scanned_all(s)
    assert s.weight(reading(EXPECTED_G - 351, stable=True)).kind == K.WEIGHT_MISMATCH
    assert s.weight(reading(EXPECTED_G, stable=True)).kind == K.PACKED  # the missing mug put in, same parcel


# ---------------------------------------------------------------- resume


def test_a_parcel_still_on_the_scale_after_a_restart_still_blocks_the_next_weight() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    s.scan("CMD:CLOSE_PARCEL")
    s.weight(reading(350 + 220, stable=True))
    s.scan(gtin(1))
    s.scan("CMD:CLOSE_PARCEL")
    fresh = session()
    fresh.restore(s.snapshot())
    assert fresh.weight(reading(350 + 220, stable=True)).kind == K.WAITING


def test_a_restored_snapshot_resumes_exactly_where_the_packer_was() -> None:
    s = session()
    s.scan(ORDER)
    s.scan(gtin(1))
    saved = s.snapshot()
    fresh = session()
    fresh.restore(saved)
    assert fresh.snapshot() == saved
    assert fresh.scan(MUG.barcodes[0]).kind == K.RIGHT
    assert fresh.scan(gtin(2)).kind == K.RIGHT
    assert fresh.state == PackState.WEIGHING and fresh.operator_badge == "PK-1"


def test_an_order_stopped_by_the_hub_at_the_label_step_is_put_aside_without_a_label() -> None:
    s = session()
    scanned_all(s)
    s.weight(reading(EXPECTED_G, stable=True))
    fb = s.labels_settled({}, [], stopped_reason="order cancelled")
    assert fb.kind == K.CANCELLED and s.state == PackState.HELD
    assert exceptions(fb.events) == [ExceptionKind.CANCELLED_ORDER]
    assert not any(isinstance(e, LabelPrinted) for e in fb.events)
