"""The bench never writes an event the hub would refuse: what people type and what scales say is capped
with the hub's own limits (``app.domain.limits``) where it comes in."""

from __future__ import annotations

from app.bench.feedback import FeedbackKind as K
from app.bench.packing import PackState
from app.devices.weights import reading
from app.domain import limits
from app.domain.events import PackExceptionRaised, from_wire
from app.domain.returns import Condition, Disposition
from tests.bench.test_pack_session import ORDER, scanned_all, session
from tests.bench.test_return_session import started


def test_a_41_character_restock_bin_is_refused_and_the_item_stays_in_hand() -> None:
    s = started()
    assert s.scan(s.rma.lines[0].barcodes[0]).kind == K.RIGHT  # type: ignore[union-attr]
    s.grade(Condition.NEW)
    fb = s.dispose(Disposition.RESTOCK, "B" * (limits.BIN + 1))
    assert fb.kind == K.NOT_ALLOWED and "at most 40" in fb.message
    assert s.units == [] and s.pending_sku is not None  # nothing recorded, the item still to place
    assert s.dispose(Disposition.RESTOCK, "B" * limits.BIN).kind == K.DISPOSED


def test_a_scale_frame_above_1000_kg_is_not_a_weight_and_a_supervisor_cannot_accept_it() -> None:
    s = session()
    scanned_all(s)
    fb = s.weight(reading(99_999_999_999_000_000, stable=True))  # "S S 99999999999 t" read as grams
    assert fb.kind == K.WAITING and not fb.accepted and not fb.events
    assert s.state == PackState.WEIGHING  # no mismatch raised, so no override to give
    assert s.override_weight("SV-1").kind == K.NOT_ALLOWED


def test_a_long_exception_detail_is_cut_to_what_the_hub_stores() -> None:
    s = session()
    s.scan(ORDER)  # nothing scanned yet: every unit is short
    fb = s.short_pick("x" * 5000 + "\x00")
    shorts = [e for e in fb.events if isinstance(e, PackExceptionRaised)]
    assert shorts  # one per short SKU
    for event in shorts:
        assert len(event.detail) == limits.FREE_TEXT and "\x00" not in event.detail
        assert from_wire(event.to_wire()) == event  # what the bench wrote, the hub reads back unchanged
