"""ReturnSession driven through every branch with plain values: no database, no Qt, no network."""

from __future__ import annotations

from app.bench.feedback import FeedbackKind as K
from app.bench.model import RmaInfo, RmaLineInfo
from app.bench.receiving import ReturnSession, ReturnState
from app.domain.events import ReturnReceived
from app.domain.returns import Condition, Disposition, ReceivedUnit
from tests.bench.factories import gtin


def rma(number: str = "RMA-0000001", mugs: int = 2, received: int = 0) -> RmaInfo:
    return RmaInfo(
        number=number,
        order_number="PB000001",
        status="open",
        lines=(
            RmaLineInfo("MUG-1", "Mug", mugs, received, (gtin(1),)),
            RmaLineInfo("SOCK-1", "Socks", 1, 0, (gtin(2),)),
        ),
    )


def started() -> ReturnSession:
    s = ReturnSession("WH-LDS", operator_badge="RC-1")
    assert s.begin([rma()]).kind == K.RETURN_STARTED
    return s


def receive_one(s: ReturnSession, code: str, cond: Condition, disp: Disposition | None = None) -> None:
    assert s.scan(code).kind == K.RIGHT
    assert s.grade(cond).kind == K.GRADED
    assert s.dispose(disp or s.suggested_disposition() or Disposition.SCRAP).kind == K.DISPOSED


def test_lookup_that_found_nothing_is_refused() -> None:
    s = ReturnSession("WH-LDS")
    assert s.begin([]).kind == K.NOT_FOUND and s.state == ReturnState.IDLE


def test_a_return_received_in_full_cannot_be_received_again() -> None:
    s = ReturnSession("WH-LDS")
    fb = s.begin([RmaInfo("RMA-0000001", "PB000001", "received", (RmaLineInfo("MUG-1", "Mug", 1, 1),))])
    assert fb.kind == K.NOT_ALLOWED and "already" in fb.message


def test_several_open_returns_ask_for_the_rma_number() -> None:
    s = ReturnSession("WH-LDS")
    fb = s.begin([rma("RMA-0000001"), rma("RMA-0000002")])
    assert s.state == ReturnState.CHOOSING and "RMA-0000002" in fb.message
    assert s.scan("RMA-0000009").kind == K.NOT_FOUND
    assert s.scan("RMA-0000002").kind == K.RETURN_STARTED
    assert s.rma is not None and s.rma.number == "RMA-0000002"


def test_a_new_return_cannot_begin_while_one_is_in_hand() -> None:
    s = started()
    assert s.begin([rma("RMA-0000002")]).kind == K.NOT_ALLOWED
    assert s.scan("PB000002").kind == K.NOT_ALLOWED


def test_item_scan_before_lookup_is_refused() -> None:
    assert ReturnSession("WH-LDS").scan(gtin(1)).kind == K.NOT_ALLOWED


def test_expected_item_is_taken_for_grading() -> None:
    s = started()
    fb = s.scan(gtin(1))
    assert fb.kind == K.RIGHT and fb.sku == "MUG-1" and s.state == ReturnState.GRADING
    assert s.outstanding() == {"MUG-1": 1, "SOCK-1": 1}


def test_item_not_on_the_return_is_refused_and_changes_nothing() -> None:
    s = started()
    before = s.snapshot()
    fb = s.scan(gtin(4))
    assert fb.kind == K.WRONG_ITEM and not fb.accepted
    assert s.snapshot() == before


def test_unreadable_code_is_refused() -> None:
    s = started()
    assert s.scan("5061414000010").kind == K.UNKNOWN_CODE


def test_more_units_than_authorised_are_refused() -> None:
    s = ReturnSession("WH-LDS")
    s.begin([rma(mugs=2, received=1)])  # one mug came back earlier
    receive_one(s, gtin(1), Condition.NEW)
    before = s.snapshot()
    fb = s.scan(gtin(1))
    assert fb.kind == K.OVER_SCAN and s.snapshot() == before


def test_scanning_while_an_item_is_being_graded_is_refused() -> None:
    s = started()
    s.scan(gtin(1))
    assert s.scan(gtin(2)).kind == K.NOT_ALLOWED


def test_grading_and_disposing_out_of_turn_is_refused() -> None:
    s = started()
    assert s.grade(Condition.NEW).kind == K.NOT_ALLOWED
    assert s.dispose(Disposition.RESTOCK).kind == K.NOT_ALLOWED


def test_a_damaged_item_cannot_be_restocked() -> None:
    s = started()
    s.scan(gtin(1))
    s.grade(Condition.DAMAGED)
    assert s.suggested_disposition() == Disposition.SCRAP
    fb = s.dispose(Disposition.RESTOCK)
    assert fb.kind == K.NOT_ALLOWED and s.state == ReturnState.DISPOSING
    assert s.dispose(Disposition.REFURBISH).kind == K.DISPOSED


def test_restocked_units_go_to_the_default_bin_unless_one_is_given() -> None:
    s = started()
    receive_one(s, gtin(1), Condition.NEW, Disposition.RESTOCK)
    s.scan(gtin(1))
    s.grade(Condition.OPENED)
    s.dispose(Disposition.RESTOCK, "A-01-02")
    assert [u.bin for u in s.units] == ["RETURNS", "A-01-02"]


def test_finish_reports_every_graded_unit_grouped_in_one_event() -> None:
    s = started()
    receive_one(s, gtin(1), Condition.NEW)  # restock
    receive_one(s, gtin(1), Condition.NEW)  # restock
    receive_one(s, gtin(2), Condition.DEFECTIVE)  # return to vendor
    fb, event = s.finish()
    assert fb.kind == K.RECEIVED and "2 back to stock" in fb.message
    assert isinstance(event, ReturnReceived) and fb.events == (event,)
    assert event.rma_number == "RMA-0000001" and event.location_code == "WH-LDS" and event.operator_badge == "RC-1"
    assert set(event.units) == {
        ReceivedUnit("MUG-1", 2, Condition.NEW, Disposition.RESTOCK, "RETURNS"),
        ReceivedUnit("SOCK-1", 1, Condition.DEFECTIVE, Disposition.RETURN_TO_VENDOR, ""),
    }
    assert s.state == ReturnState.DONE
    assert s.begin([rma("RMA-0000002")]).kind == K.RETURN_STARTED  # the next return


def test_finish_with_nothing_received_or_an_item_in_hand_is_refused() -> None:
    s = started()
    fb, event = s.finish()
    assert fb.kind == K.NOT_ALLOWED and event is None
    s.scan(gtin(1))
    fb, event = s.finish()
    assert fb.kind == K.NOT_ALLOWED and event is None


def test_command_cards_drive_grading_disposition_and_done() -> None:
    s = started()
    s.scan(gtin(2))
    assert s.scan("CMD:OPENED").kind == K.GRADED
    assert s.scan("CMD:QUARANTINE").kind == K.DISPOSED
    fb = s.scan("CMD:DONE")
    assert fb.kind == K.RECEIVED and len(fb.events) == 1
    assert s.scan("CMD:JUMP").kind == K.UNKNOWN_CODE


def test_a_restored_snapshot_resumes_the_return_where_it_was() -> None:
    s = started()
    receive_one(s, gtin(1), Condition.NEW)
    s.scan(gtin(2))
    s.grade(Condition.OPENED)
    saved = s.snapshot()
    fresh = ReturnSession("WH-LDS")
    fresh.restore(saved)
    assert fresh.snapshot() == saved and fresh.state == ReturnState.DISPOSING
    fresh.dispose(Disposition.QUARANTINE)
    _fb, event = fresh.finish()
    assert event is not None and sum(u.quantity for u in event.units) == 2 and event.operator_badge == "RC-1"
