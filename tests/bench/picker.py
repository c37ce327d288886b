"""A test picker: walks a pick batch through the pick controller as a picker does (bins, units, totes)."""

from __future__ import annotations

from app.bench.engine import BenchEngine
from app.bench.feedback import FeedbackKind as K
from app.bench.picking import PickState


def pick_all(e: BenchEngine, *, stop_after: int | None = None, tote_prefix: str = "TOTE-000") -> int:
    """Totes on the cart, then every stop (or ``stop_after`` of them); returns how many stops were done."""
    s = e.picking.session
    done = 0
    while s.state == PickState.TOTES:
        assert e.picking.scan(f"{tote_prefix}{s.next_slot()}").kind == K.TOTE_ASSIGNED
    while s.state != PickState.DONE and (stop_after is None or done < stop_after):
        stop = s.current
        assert stop is not None
        assert e.picking.scan(stop.bin).kind == K.BIN_CONFIRMED
        if stop.left > 1:
            e.picking.scan(str(stop.left))
        assert e.picking.scan(stop.barcode or stop.sku).kind == K.UNIT_PICKED
        assert e.picking.scan(s.tote_for(stop)).kind in (K.STOP_DONE, K.BATCH_DONE)
        done += 1
    return done
