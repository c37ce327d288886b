"""Picking against the real hub as a separate process: a batch picked with the hub stopped (and the bench
restarted mid-batch) is applied exactly once when the hub is back, and its tote is packed at another bench."""

from __future__ import annotations

from pathlib import Path

from app.bench.compose import open_bench
from app.bench.feedback import FeedbackKind as K
from app.bench.picking import PickState
from tests.bench.conftest import HubProcess
from tests.bench.picker import pick_all


def test_a_batch_picked_offline_drains_exactly_once_and_its_tote_opens_at_another_bench(
    hub_process: tuple[HubProcess, str], tmp_path: Path
) -> None:
    hub, code = hub_process
    e = open_bench(tmp_path / "picker", hub_url=hub.url)
    e.enrol(code)
    e.sign_in("PK-1001", "1111")
    assert e.picking.lease_batch("cluster", max_orders=3, totes=3).kind == K.BATCH_STARTED
    orders = [o["number"] for o in e.picking.session.orders]
    hub.stop()
    pick_all(e, stop_after=1, tote_prefix="TOTE-OFF")
    e.close()
    e = open_bench(tmp_path / "picker")  # restarted mid-batch, still offline: the batch is in its store
    assert e.picking.session.state == PickState.AT_BIN
    pick_all(e, tote_prefix="TOTE-OFF")
    written = [ev for ev in e.store.outbox_events() if ev["type"] in ("tote_assigned", "pick_confirmed")]
    assert e.store.outbox_depth() == len(written) and len(written) >= 3 + 3
    hub.start()
    e.sync_now()
    counts = e.store.outbox_counts()
    assert counts.get("applied") == len(written) and not counts.get("rejected") and not e.store.outbox_depth()
    again = e.client.post_events([{k: w[k] for k in ("event_id", "type", "occurred_at", "payload")} for w in written])
    assert {r["status"] for r in again} == {"duplicate"}
    supervisor = e.client.sign_in("SV-1001", "3333")["token"]
    report = e.client.call("GET", "/reports/picking", token=supervisor)
    units = sum(w["payload"]["quantity"] for w in written if w["type"] == "pick_confirmed")
    assert sum(p["units"] for p in report["pickers"]) == units
    admin = e.client.sign_in("AD-1001", "4444")["token"]
    other_code = e.client.call(
        "POST", "/admin/enrolment-codes", token=admin, json={"station_name": "BENCH-9", "location": "WH-LDS"}
    )["code"]
    e.close()
    packer = open_bench(tmp_path / "packer", hub_url=hub.url)
    packer.enrol(other_code)
    fb = packer.scan("TOTE-OFF1")
    assert fb.kind == K.ORDER_STARTED and packer.pack.order_number == orders[0]
    assert packer.picking.picked_for(orders[0]) == packer.pack.order.lines  # type: ignore[union-attr]
    packer.close()
