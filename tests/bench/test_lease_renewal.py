"""Honest leases at the bench: two benches, short leases (30 s, the hub's minimum), a slow packer.

The hub's clock and the bench's renewal clock are moved forward together (no sleeping): a bench
whose lease ran out and whose order another bench took learns it on renewal and refuses every
further scan on that order; a pack in progress keeps its lease alive. In neither case is a pack
event rejected for "leased by another bench" (the packer never did work the hub then refused).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bench.compose import open_bench
from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback
from app.bench.feedback import FeedbackKind as K
from app.bench.hub_client import HubRefused
from app.bench.labels import LocalFallbackLabels
from app.bench.packing import PackState
from app.demo.embedded_hub import EmbeddedHub
from app.devices.weights import reading
from app.hub import models as m
from app.hub.database import make_engine, make_session_factory, unit_of_work
from app.hub.services import auth
from tests.bench.test_engine_with_hub import RecordingPrinter, hub_count
from tests.fakes.hub_clock import HubClock

LEASE_S = 30
TwoBenches = tuple[BenchEngine, BenchEngine, str, list[str]]


class Clocks:
    """The hub's clock and both benches' renewal clocks, moved on together."""

    def __init__(self, hub: HubClock) -> None:
        self.hub = hub
        self.t = 1000.0

    def monotonic(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
        self.hub.advance(seconds)


@pytest.fixture
def clocks() -> Iterator[Clocks]:
    with HubClock() as hub:
        yield Clocks(hub)


def enrolment_code(hub: EmbeddedHub, station: str) -> str:
    engine = make_engine(hub.db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return auth.create_enrolment_code(session, station, "WH-LDS")
    finally:
        engine.dispose()


def bench_at(hub: EmbeddedHub, folder: Path, code: str, clocks: Clocks) -> BenchEngine:
    e = open_bench(
        folder,
        hub_url=hub.url,
        printer=RecordingPrinter(),
        lease_seconds=LEASE_S,
        labels=LocalFallbackLabels(folder.name),
        enrol_code=code,
    )
    e.syncer.clock = clocks.monotonic
    e.sign_in("PK-1001", "1111")
    return e


def barcodes(e: BenchEngine, number: str) -> list[str]:
    order = e.store.order(number)
    assert order is not None
    out = []
    for sku, qty in sorted(order.lines.items()):
        product = e.store.product(sku)
        assert product is not None
        out += [product.barcodes[0]] * qty
    return out


def weigh(e: BenchEngine) -> Feedback:
    """Weigh the closed parcel at its expected weight (in the biggest carton when none was suggested)."""
    parcel = e.pack.current
    assert parcel is not None
    if parcel.carton_code is None:
        biggest = max(e.store.cartons(), key=lambda c: c.inner.length_mm * c.inner.width_mm * c.inner.height_mm)
        assert e.pack_command("CARTON", code=biggest.code).accepted
    return e.weigh(reading(e.pack.expected_weight_g(parcel), stable=True))


def multi_unit_order(e: BenchEngine) -> str:
    return next(o.number for o in e.orders_to_pack() if sum(o.lines.values()) >= 2)


def rejected_for_another_bench(*benches: BenchEngine) -> list[dict[str, object]]:
    return [
        ev
        for e in benches
        for ev in e.store.outbox_events()
        if ev["outbox_status"] == "rejected" and "another bench" in str(ev["reason"])
    ]


@pytest.fixture
def two_benches(demo_hub: EmbeddedHub, tmp_path: Path, clocks: Clocks) -> Iterator[TwoBenches]:
    """BENCH-1 (``a``) has leased the queue and started packing a multi-unit order; BENCH-2 (``b``) waits.
    Yields both, the order's number and the codes its packer scans."""
    a = bench_at(demo_hub, tmp_path / "BENCH-1", demo_hub.enrolment_code, clocks)
    b = bench_at(demo_hub, tmp_path / "BENCH-2", enrolment_code(demo_hub, "BENCH-2"), clocks)
    a.lease(30)
    number = multi_unit_order(a)
    assert a.scan(number).kind == K.ORDER_STARTED
    yield a, b, number, barcodes(a, number)
    a.close()
    b.close()


def test_an_order_taken_by_another_bench_after_a_slow_packers_lease_ran_out_is_stopped_before_more_scans(
    demo_hub: EmbeddedHub, two_benches: TwoBenches, clocks: Clocks
) -> None:
    a, b, number, codes = two_benches
    assert a.scan(codes[0]).kind == K.RIGHT
    clocks.advance(LEASE_S + 1)  # the packer is slow and the bench could not renew: the lease ran out
    assert b.lease(30) >= 1 and b.store.order(number) is not None  # the other bench took the order

    fb = a.scan(codes[1])  # the next scan renews first and learns the order is lost

    assert fb.kind == K.LOST and not fb.accepted
    assert "BENCH-2" in fb.message and "no longer this bench's" in fb.message
    assert sum(a.pack.scanned().values()) == 1  # the refused scan counted nothing
    assert a.scan(codes[1]).kind == K.LOST  # and every further scan on it is refused
    notice = a.stop_notice()
    assert notice is not None and notice.kind == K.LOST  # what the pack screen's banner shows
    assert number not in [o.number for o in a.orders_to_pack()]
    assert a.scan("CMD:CANCEL").kind == K.EXCEPTION and a.pack.state == PackState.HELD
    a.sync_now()
    assert not [ev for ev in a.store.outbox_events() if ev.get("order_number") == number]

    # the bench that has it packs it, and the hub takes it
    assert b.scan(number).kind == K.ORDER_STARTED
    for code in barcodes(b, number):
        assert b.scan(code).accepted
        if b.pack.state == PackState.WEIGHING:
            weigh(b)
    b.sync_now()
    assert hub_count(demo_hub, m.Order, m.Order.number == number, m.Order.status.in_(("packed", "shipped"))) == 1
    assert rejected_for_another_bench(a, b) == []


def test_a_slow_pack_in_progress_keeps_its_lease_alive(
    demo_hub: EmbeddedHub, two_benches: TwoBenches, clocks: Clocks
) -> None:
    a, b, number, codes = two_benches
    for code in codes:
        clocks.advance(LEASE_S * 0.6)  # 18 s per item: the whole pack takes longer than the lease
        b.lease(30)
        assert b.store.order(number) is None  # the other bench never gets it
        fb = a.scan(code)
        assert fb.accepted, fb.message
        if a.pack.state == PackState.WEIGHING and a.pack.outstanding():
            weigh(a)
    clocks.advance(LEASE_S * 0.6)
    b.lease(30)
    assert weigh(a).kind in (K.LABEL_PRINTED, K.LABEL_PENDING)
    a.sync_now()
    assert b.store.order(number) is None
    assert hub_count(demo_hub, m.Order, m.Order.number == number, m.Order.status.in_(("packed", "shipped"))) == 1
    assert rejected_for_another_bench(a, b) == []


def test_a_lease_the_hub_no_longer_knows_stops_its_open_orders_but_a_refused_token_does_not(
    two_benches: TwoBenches, clocks: Clocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b, number, codes = two_benches

    def refuse(status: int, why: str) -> None:
        def renew(_lease_id: str, _seconds: int) -> dict[str, object]:
            raise HubRefused(status, why)

        monkeypatch.setattr(a.client, "renew", renew)

    clocks.advance(LEASE_S / 3)
    refuse(401, "token missing, unknown or expired")
    assert a.scan(codes[0]).kind == K.RIGHT  # not lost: the status says why the renewal failed
    assert "token" in a.status.state.last_error
    clocks.advance(LEASE_S / 3)
    refuse(404, "unknown lease")
    fb = a.scan(codes[1])
    assert fb.kind == K.LOST and "unknown lease" in fb.message
    assert number in a.status.state.stopped_orders
