"""The weight gate on the real window: a parcel left on the simulated scale (pty, SICS bytes) is never taken
as the next parcel's weight; the packer is told to take it off."""

from __future__ import annotations

from app.bench.feedback import FeedbackKind as K
from app.bench.packing import PackState
from tests.ui.conftest import Bench


def _order_with_two_of_a_kind(bench: Bench) -> tuple[str, str]:
    """(order number, barcode of a product it needs at least twice, that fits a carton) from the leased queue."""
    for order in bench.engine.orders_to_pack():
        for sku, qty in order.lines.items():
            product = bench.engine.store.product(sku)
            if qty >= 2 and product is not None and not product.name.startswith("Yoga mat"):  # no carton fits a mat
                return order.number, product.barcodes[0]
    raise AssertionError("the demo queue has no order with two of one product")


def close_parcel(bench: Bench) -> None:
    """CMD:CLOSE_PARCEL, answered PARCEL_CLOSED (the scale's zero reading may be answered right after it)."""
    screen = bench.window.pack
    n = len(screen.history)
    bench.scan("CMD:CLOSE_PARCEL")
    bench.qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    assert screen.history[n].kind == K.PARCEL_CLOSED, screen.history[n].message


def test_parcel_one_left_on_the_scale_does_not_weigh_parcel_two(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    bench.qtbot.waitUntil(lambda: getattr(screen.last_reading, "grams", None) == 0, timeout=15000)
    number, code = _order_with_two_of_a_kind(bench)
    assert bench.scan_and_wait(number).kind == K.ORDER_STARTED
    assert bench.scan_and_wait(code).kind == K.RIGHT
    close_parcel(bench)
    parcel_1 = bench.engine.pack.current
    assert parcel_1 is not None
    weight_1 = bench.engine.pack.expected_weight_g(parcel_1)
    bench.scale_sim.set_weight(weight_1)
    fb = bench.wait_kind(screen, K.WEIGHT_OK, K.WEIGHT_MISMATCH, K.NOT_ALLOWED)
    assert fb.kind == K.WEIGHT_OK, (fb.kind, fb.message, [h.message for h in screen.history])
    # Parcel 1 stays on the scale. Parcel 2 holds the same product in the same carton: the same weight.
    assert bench.scan_and_wait(code).kind in (K.RIGHT,)
    if bench.engine.pack.state == PackState.SCANNING:
        close_parcel(bench)
    parcel_2 = bench.engine.pack.current
    assert parcel_2 is not None and parcel_2.parcel_no == 2
    assert bench.engine.pack.expected_weight_g(parcel_2) == weight_1
    fb = bench.wait_kind(screen, K.WAITING)
    assert "Take the last parcel off the scale" in fb.message
    assert "Take the last parcel off the scale" in screen.banner.text()
    assert "Take the last parcel off the scale" in screen.state_label.text()
    bench.qtbot.wait(1500)  # the stale weight keeps streaming: it still does not count
    assert bench.engine.pack.state == PackState.WEIGHING and parcel_2.weight_g is None
    assert bench.printer_sim.printed == []
    bench.scale_sim.set_weight(0)  # parcel 1 off
    bench.qtbot.waitUntil(lambda: bench.engine.pack.scale_cleared, timeout=15000)
    # The engine knows first (its thread); the screen says so when that answer reaches the GUI thread.
    bench.qtbot.waitUntil(lambda: "Put the parcel on the scale" in screen.state_label.text(), timeout=5000)
    bench.scale_sim.set_weight(weight_1 + 2)  # parcel 2 on
    bench.qtbot.waitUntil(lambda: bench.engine.pack.state != PackState.WEIGHING, timeout=15000)
    assert parcel_2.weight_g == weight_1 + 2 or bench.engine.pack.parcels[1].weight_g == weight_1 + 2
