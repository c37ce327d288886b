"""The engine against a real hub (uvicorn on a thread, demo data): sync, cancellations, labels, returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bench.compose import open_bench
from app.bench.engine import BenchEngine
from app.bench.feedback import FeedbackKind as K
from app.bench.hub_client import HubClient, HubOffline
from app.bench.packing import PackState
from app.bench.sync import SyncState
from app.demo.embedded_hub import EmbeddedHub, free_port
from app.devices.weights import reading
from app.domain.returns import Condition, Disposition
from app.hub import models as m
from app.hub.database import make_engine


class RecordingPrinter:
    def __init__(self) -> None:
        self.jobs: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.jobs.append(data)


def bench(hub: EmbeddedHub, folder: Path, **kw: object) -> BenchEngine:
    """An enrolled bench with the supervisor known and the packer signed in; labels from the hub unless
    ``labels=`` says otherwise (``"local-fallback"``: a bench-made label, for hubs without carriers)."""
    e = open_bench(folder, hub_url=hub.url, printer=RecordingPrinter(), enrol_code=hub.enrolment_code, **kw)  # type: ignore[arg-type]
    e.sign_in("SV-1001", "3333")
    e.sign_in("PK-1001", "1111")
    return e


def pack_all_items(e: BenchEngine, number: str) -> None:
    assert e.scan(number).kind == K.ORDER_STARTED
    for sku, qty in sorted(e.pack.outstanding().items()):
        product = e.store.product(sku)
        assert product is not None
        for _ in range(qty):
            assert e.scan(product.barcodes[0]).accepted
            if e.pack.state == PackState.WEIGHING and e.pack.outstanding():
                e.weigh(reading(e.pack.expected_weight_g(e.pack.current), stable=True))  # type: ignore[arg-type]


def weigh_ok(e: BenchEngine) -> object:
    assert e.pack.current is not None
    return e.weigh(reading(e.pack.expected_weight_g(e.pack.current), stable=True))


def supervisor_token(e: BenchEngine) -> str:
    return e.sign_in("SV-1001", "3333").token


def hub_count(hub: EmbeddedHub, model: type[m.Base], *where: object) -> int:
    engine = make_engine(hub.db_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_enrolment_token_is_kept_in_the_data_folder(demo_hub: EmbeddedHub, tmp_path: Path) -> None:
    e = bench(demo_hub, tmp_path)
    e.close()
    again = open_bench(tmp_path)  # no URL, no code: both come from the data folder
    assert again.enrolled and again.station_name == "BENCH-1" and again.location == "WH-LDS"
    assert again.lease(5) == 5
    again.close()


def test_packed_order_reaches_the_hub_once_with_its_label(demo_hub: EmbeddedHub, tmp_path: Path) -> None:
    e = bench(demo_hub, tmp_path, labels="local-fallback")
    e.lease(3)
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)
    fb = weigh_ok(e)
    assert fb.kind == K.LABEL_PRINTED, fb  # type: ignore[attr-defined]
    assert e.printer.jobs and e.printer.jobs[0].startswith(b"^XA")  # type: ignore[attr-defined]
    e.sync_now()
    assert e.store.outbox_depth() == 0
    assert hub_count(demo_hub, m.Order, m.Order.number == number, m.Order.status == "shipped") == 1
    events = e.store.outbox_events()
    e.store.engine.dispose()
    # a resend of every event (a lost answer) changes nothing at the hub
    results = e.client.post_events(
        [{k: v for k, v in ev.items() if k not in ("outbox_status", "reason")} for ev in events]
    )
    assert {r["status"] for r in results} == {"duplicate"}
    assert hub_count(demo_hub, m.Parcel, m.Parcel.order_id.isnot(None)) == 1
    e.close()


def test_a_cancelled_leased_order_cannot_be_started_once_the_bench_has_synced(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    e = bench(demo_hub, tmp_path)
    e.lease(3)
    number = e.orders_to_pack()[0].number
    e.client.cancel_order(supervisor_token(e), number, "customer cancelled")
    e.sync_now()
    fb = e.scan(number)
    assert fb.kind == K.CANCELLED and not fb.accepted
    assert number not in [o.number for o in e.orders_to_pack()]
    e.close()


def test_an_order_cancelled_mid_pack_is_stopped_before_its_label_prints(demo_hub: EmbeddedHub, tmp_path: Path) -> None:
    e = bench(demo_hub, tmp_path, labels="local-fallback")
    e.lease(3)
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)  # every item scanned: the parcel waits on the scale
    e.client.cancel_order(supervisor_token(e), number, "customer cancelled")
    e.sync_now()
    fb = weigh_ok(e)
    assert fb.kind == K.CANCELLED  # type: ignore[attr-defined]
    assert e.printer.jobs == []  # type: ignore[attr-defined]
    e.scan("CMD:CANCEL")
    e.sync_now()
    assert hub_count(demo_hub, m.Order, m.Order.number == number, m.Order.status == "cancelled") == 1
    assert hub_count(demo_hub, m.Parcel) == 0
    e.close()


def test_cancellation_pulled_during_the_label_step_voids_the_label(demo_hub: EmbeddedHub, tmp_path: Path) -> None:
    e = bench(demo_hub, tmp_path, labels="local-fallback")
    e.lease(3)
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)
    e.client.cancel_order(supervisor_token(e), number, "customer cancelled")  # the bench has not synced yet
    fb = weigh_ok(e)  # the label step renews the lease first and learns of it
    assert fb.kind == K.CANCELLED  # type: ignore[attr-defined]
    assert e.printer.jobs == [] and e.store.pending_labels() == []  # type: ignore[attr-defined]
    e.close()


def test_offline_packing_leaves_labels_pending_and_prints_them_when_the_hub_is_back(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    e = bench(demo_hub, tmp_path, labels="local-fallback")
    e.lease(3)
    seen: list[SyncState] = []
    e.status.subscribe(seen.append)
    hub_client = e.client
    e.client = e.syncer.client = HubClient(f"http://127.0.0.1:{free_port()}", hub_client.token)  # the hub is gone
    number = e.orders_to_pack()[0].number
    pack_all_items(e, number)
    fb = weigh_ok(e)
    assert fb.kind == K.LABEL_PENDING and "label pending" in fb.message  # type: ignore[attr-defined]
    with pytest.raises(HubOffline):
        e.sync_now()
    assert seen[-1].online is False and seen[-1].outbox_depth >= 1
    assert e.printer.jobs == []  # type: ignore[attr-defined]
    e.client = e.syncer.client = hub_client  # back online
    e.sync_now()  # pushes OrderPacked, then prints the waiting label
    e.sync_now()  # and pushes its LabelPrinted
    assert len(e.printer.jobs) == 1 and e.store.outbox_depth() == 0  # type: ignore[attr-defined]
    assert e.status.state.online is True and e.status.state.outbox_depth == 0
    assert hub_count(demo_hub, m.Order, m.Order.number == number, m.Order.status == "shipped") == 1
    e.close()


def test_returned_units_are_restocked_once_and_only_when_disposed_as_restock(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    e = bench(demo_hub, tmp_path, labels="local-fallback")
    e.lease(3)
    order = e.orders_to_pack()[0]
    pack_all_items(e, order.number)
    weigh_ok(e)
    e.sync_now()
    sku, qty = sorted(order.lines.items())[0]
    sup = supervisor_token(e)
    rma = e.client.create_rma(sup, order.number, {sku: qty}, "RT-TEST-1")
    e.sign_in("RC-1001", "2222")

    def on_hand() -> int:
        engine = make_engine(demo_hub.db_url)
        with engine.connect() as conn:
            n = conn.scalar(
                select(m.StockLevel.on_hand)
                .join(m.Product, m.Product.id == m.StockLevel.product_id)
                .join(m.Location, m.Location.id == m.StockLevel.location_id)
                .where(m.Product.sku == sku, m.Location.code == "WH-LDS")
            )
        engine.dispose()
        return int(n or 0)

    before = on_hand()
    assert e.return_scan("RT-TEST-1").kind == K.RETURN_STARTED  # by the return label's tracking number
    barcode = e.store.product(sku).barcodes[0]  # type: ignore[union-attr]
    for i in range(qty):
        e.return_scan(barcode)
        e.return_grade(Condition.NEW if i == 0 else Condition.DAMAGED)
        e.return_dispose(Disposition.RESTOCK if i == 0 else Disposition.SCRAP)
    assert e.return_finish().kind == K.RECEIVED
    e.sync_now()
    assert on_hand() == before + 1
    (ev,) = [x for x in e.store.outbox_events() if x["type"] == "return_received"]
    again = e.client.post_events([{k: v for k, v in ev.items() if k not in ("outbox_status", "reason")}])
    assert again[0]["status"] == "duplicate" and on_hand() == before + 1
    assert e.return_lookup(rma["number"]).kind == (K.NOT_ALLOWED if qty == 1 else K.RETURN_STARTED)
    e.close()
