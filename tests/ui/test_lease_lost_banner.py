"""The pack screen says at once when the order in hand was taken by another bench (its lease ran out)."""

from __future__ import annotations

from app.bench.feedback import FeedbackKind as K
from app.bench.hub_client import HubClient
from tests.bench.test_lease_renewal import enrolment_code
from tests.fakes.hub_clock import HubClock
from tests.ui.conftest import Bench
from tests.ui.test_bench_app import pack_scans, start_first_order


def test_an_order_in_hand_lost_to_another_bench_shows_a_red_banner_and_refuses_its_scans(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    number = start_first_order(bench)
    bench.engine.stop()  # the bench loses the hub for longer than its lease
    with HubClock() as clock:
        clock.advance(bench.engine.syncer.lease_seconds + 1)
        other = HubClient(bench.hub.url)
        other.token = other.enrol(enrolment_code(bench.hub, "BENCH-2"))["token"]
        taken = [o["number"] for o in other.lease(40, 600)["orders"]]
        assert number in taken
        bench.engine.start()  # back: the sync thread's renewal hears the order is lost
        bench.qtbot.waitUntil(lambda: "no longer this bench's" in screen.banner.text(), timeout=15000)
        assert screen.banner.colour == "wrong" and "BENCH-2" in screen.banner.text()
        fb = bench.scan_and_wait(pack_scans(bench)[0])
        assert fb.kind == K.LOST and not fb.accepted
        assert [r[3] for r in screen.lines.rows] == [0] * screen.lines.rowCount()
        other.close()
