"""The pick controller through the real engine and store against a fake of the picking contract:
offline picking drained exactly once, a restart mid-batch, totes opened at the pack bench (online, offline
from this bench's own cache, batch-mode sorting) and the pack verification policy."""

from __future__ import annotations

from pathlib import Path

from app.bench.compose import open_bench
from app.bench.engine import BenchEngine
from app.bench.feedback import FeedbackKind as K
from app.bench.hub_client import HubClient
from app.bench.packing import PackState
from app.bench.picking import PickState
from tests.bench.picker import pick_all
from tests.fakes.pick_hub import PRODUCTS, FakePickHub

MUG, SOCK = PRODUCTS["MUG-01"]["barcode"], PRODUCTS["SOCK-01"]["barcode"]
ORDERS = [("PB0000001", {"MUG-01": 3}), ("PB0000002", {"SOCK-01": 1, "MUG-01": 1})]


def engine_for(hub: FakePickHub, folder: Path) -> BenchEngine:
    e = open_bench(folder, client=HubClient("http://hub.test", transport=hub.transport()))
    if not e.enrolled:
        e.enrol("CODE")
    return e


def picked(folder: Path, mode: str = "cluster", *, verification: str = "every_unit") -> tuple[FakePickHub, BenchEngine]:
    """A bench that leased a batch from the fake hub, picked all of it and pushed its events."""
    hub = FakePickHub(ORDERS, mode=mode)
    e = engine_for(hub, folder)
    e.pack_verification = verification
    e.picking.lease_batch()
    pick_all(e)
    e.sync_now()
    return hub, e


def test_a_batch_picked_with_the_hub_stopped_survives_a_restart_and_is_applied_exactly_once(tmp_path: Path) -> None:
    hub = FakePickHub(ORDERS)
    e = engine_for(hub, tmp_path)
    assert e.picking.lease_batch().kind == K.BATCH_STARTED
    hub.stopped = True
    pick_all(e, stop_after=1)
    e.close()
    e = engine_for(hub, tmp_path)  # the bench restarts mid-batch: the batch is in its store
    assert e.picking.session.state == PickState.AT_BIN
    pick_all(e)
    assert e.picking.session.state == PickState.DONE and hub.applied == {}
    written = [ev for ev in e.store.outbox_events() if ev["type"] in ("tote_assigned", "pick_confirmed")]
    assert len(written) == 2 + 3 and e.store.outbox_depth() == 5
    hub.stopped = False
    e.sync_now()
    again = e.client.post_events([{k: w[k] for k in ("event_id", "type", "payload")} for w in written])
    assert {r["status"] for r in again} == {"duplicate"}  # sent again after a lost answer: not applied twice
    e.sync_now()
    assert sorted(hub.applied) == sorted(w["event_id"] for w in written)
    assert sum(p["quantity"] for p in hub.applied_of("pick_confirmed")) == 5
    assert e.store.outbox_depth() == 0
    e.close()


def test_a_tote_scanned_at_the_pack_bench_is_claimed_and_opens_its_order_with_the_pick_shown(tmp_path: Path) -> None:
    hub, e = picked(tmp_path)
    fb = e.scan("TOTE-0001")
    assert fb.kind == K.ORDER_STARTED and "scan every unit" in fb.message
    assert hub.claims == ["TOTE-0001"] and e.pack.order_number == "PB0000001"
    assert e.picking.picked_for("PB0000001") == {"MUG-01": 3}
    assert e.pack.outstanding() == {"MUG-01": 3}  # every_unit: the packer scans all three
    e.close()


def test_one_of_each_trusts_the_pick_and_the_packer_scans_one_unit_per_line(tmp_path: Path) -> None:
    _hub, e = picked(tmp_path, verification="one_of_each")
    fb = e.scan("TOTE-0001")
    assert "one of each" in fb.message and e.pack.outstanding() == {"MUG-01": 1}
    assert e.scan(MUG).kind == K.RIGHT
    assert e.pack.state == PackState.WEIGHING and e.pack.scanned() == {"MUG-01": 3}
    e.close()


def test_a_tote_opened_with_one_of_each_keeps_the_trusted_pick_and_its_view_after_a_restart(tmp_path: Path) -> None:
    hub, e = picked(tmp_path, verification="one_of_each")
    e.scan("TOTE-0001")
    assert e.pack_view().picked == {"MUG-01": 3}  # the pack screen's Picked column comes with its view
    e.close()
    again = engine_for(hub, tmp_path)  # the trusted counts were written with the step that opened the order
    assert again.pack.order_number == "PB0000001" and again.pack.outstanding() == {"MUG-01": 1}
    again.close()


def test_offline_the_bench_that_picked_a_tote_opens_it_from_its_own_cache_and_another_tote_is_refused(
    tmp_path: Path,
) -> None:
    hub = FakePickHub(ORDERS)
    e = engine_for(hub, tmp_path)
    e.picking.lease_batch()
    hub.stopped = True
    pick_all(e)
    fb = e.scan("TOTE-0002")
    assert fb.kind == K.ORDER_STARTED and e.pack.order_number == "PB0000002"
    assert e.pack.outstanding() == {"SOCK-01": 1, "MUG-01": 1}
    e.pack_command("CANCEL")
    e.close()
    other = engine_for(FakePickHub(ORDERS), tmp_path / "other")
    other.client.token = "t"
    other.picking.client = HubClient("http://hub.test", transport=hub.transport())
    refused = other.scan("TOTE-0001")
    assert (refused.kind, refused.accepted) == (K.NOT_FOUND, False)
    other.close()


def test_a_batch_mode_tote_is_sorted_at_the_pack_bench_unit_by_unit(tmp_path: Path) -> None:
    _hub, e = picked(tmp_path, "batch")
    start = e.scan("TOTE-0001")
    assert start.kind == K.ORDER_STARTED and "2 order(s)" in start.message
    told = [e.scan(code).message for code in (MUG, MUG, MUG, SOCK)]
    assert "order PB0000001 complete" in told[2] and "place 2" in told[3]
    assert "order PB0000002 complete" in e.scan(MUG).message  # the 4th mug goes to order 2
    assert e.picking.sorting.active is False
    assert e.scan(MUG).kind != K.SORTED  # nothing left to sort: the pack session has it
    assert e.scan("PB0000001").kind == K.ORDER_STARTED
    e.close()


def test_the_pick_lease_is_renewed_a_third_of_the_way_through_and_not_before(tmp_path: Path) -> None:
    hub = FakePickHub(ORDERS)
    e = engine_for(hub, tmp_path)
    now = [0.0]
    e.picking.clock = lambda: now[0]
    e.picking._renewed_at = 0.0
    e.picking.lease_batch()
    calls: list[str] = []
    real = e.picking.client.renew
    e.picking.client.renew = lambda lease_id, s: calls.append(lease_id) or real(lease_id, s)  # type: ignore[method-assign,func-returns-value]
    e.picking.renew_if_due()
    now[0] = e.picking.lease_seconds / 3 + 1
    e.picking.renew_if_due()
    assert calls == ["pick-lease-1"]
    e.close()
