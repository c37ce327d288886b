"""The hub's jobs in one process, on SQLite and PostgreSQL: each scheduled run claimed once, a run
whose process died taken over, failures retried then given up; and what each job does (incremental
pull, debounced stock push, the channel outbox, lease expiry, capacity roll-over)."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from app.channels.shopify import ShopifyClient
from app.hub import models as m
from app.hub.database import make_engine, make_session_factory, unit_of_work
from app.hub.jobs import outbox, runner, tasks
from app.hub.services import shipping
from app.hub.sync_models import ChannelState, JobRun, OutboxMessage
from tests.carriers.conftest import make_courier
from tests.fakes.server import serve
from tests.fakes.shopify import TOKEN, FakeShopify, shopify_order
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post


class Counter:
    def __init__(self, fail_times: int = 0) -> None:
        self.calls = 0
        self.fail_times = fail_times
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail_times:
                raise RuntimeError(f"boom {self.calls}")
            return f"call {self.calls}"


def spec(func: Any, seconds: float = 3600) -> runner.JobSpec:
    return runner.JobSpec("probe", runner.every(seconds), f"every {seconds} s", func)


def runs(hub: Hub) -> list[JobRun]:
    with hub.factory() as s:
        return list(s.scalars(select(JobRun).order_by(JobRun.scheduled_for)))


def test_two_runners_on_one_store_run_a_scheduled_run_once(hub: Hub) -> None:
    count = Counter()
    a = runner.Runner(hub.factory, [spec(count)], owner="a")
    b = runner.Runner(hub.factory, [spec(count)], owner="b")
    assert [a.run_due("probe"), b.run_due("probe")] == [True, False]
    assert count.calls == 1
    (row,) = runs(hub)
    assert (row.status, row.attempts, row.owner, row.outcome) == ("done", 1, "a", "call 1")


def test_a_run_whose_process_died_is_taken_over_and_retried(hub: Hub) -> None:
    count = Counter()
    slot = runner.latest_fire(spec(count), datetime.now(UTC))
    assert slot is not None
    past = datetime.now(UTC) - timedelta(seconds=5)
    with unit_of_work(hub.factory) as s:  # claimed by a process that died before finishing: lease lapsed
        s.add(
            JobRun(
                job="probe",
                scheduled_for=slot,
                status="running",
                attempts=1,
                owner="dead",
                started_at=past,
                lease_until=past,
                outcome="",
            )
        )
    live = runner.Runner(hub.factory, [spec(count)], owner="live")
    assert live.run_due("probe") is False  # the slot is taken: not run a second time alongside
    assert live.retry_due() == 1 and count.calls == 1
    (row,) = runs(hub)
    assert (row.status, row.attempts, row.owner) == ("done", 2, "live")
    assert live.retry_due() == 0 and count.calls == 1


def test_a_failing_job_is_retried_then_given_up_and_counted_as_a_failure(hub: Hub) -> None:
    count = Counter(fail_times=5)
    job = runner.Runner(hub.factory, [spec(count)], owner="a", max_attempts=3, retry_backoff_s=0)
    assert job.run_due("probe")
    for _ in range(4):
        job.retry_due()
    (row,) = runs(hub)
    assert (row.status, row.attempts, count.calls) == ("failed", 3, 3)
    assert row.outcome == "RuntimeError: boom 3"
    with hub.factory() as s:
        (listed,) = runner.status(s, [spec(count)])
    assert listed["failures"] == 1 and listed["last_outcome"].startswith("failed: RuntimeError")


def test_the_scheduler_runs_each_slot_once_in_one_process(hub: Hub) -> None:
    count = Counter()
    job = runner.Runner(hub.factory, [spec(count, seconds=1)], owner="a")
    job.start()
    try:
        time.sleep(3.5)
    finally:
        job.shutdown()
    done = runs(hub)
    assert 2 <= len(done) <= 5 and count.calls == len(done)
    slots = [r.scheduled_for for r in done]
    assert len(set(slots)) == len(slots)
    assert all((b - a) == timedelta(seconds=1) for a, b in itertools.pairwise(slots))


def test_admin_jobs_lists_every_job_with_schedule_last_and_next_run(hub: Hub) -> None:
    hub.client.app.state.shipping = shipping.ShippingConfig(carriers=[make_courier()])  # type: ignore[union-attr]
    first = hub.ok("GET", "/api/v1/admin/jobs")
    names = [j["name"] for j in first]
    assert names == ["channel-outbox", "tracking-poll", "lease-sweep", "split-wait", "manifest", "capacity-rollover"]
    manifest = first[names.index("manifest")]
    assert manifest["schedule"] == "daily at 18:00 UTC" and manifest["last_run_at"] is None
    assert manifest["next_run_at"].endswith("T18:00:00Z") and manifest["failures"] == 0
    job = runner.Runner(hub.factory, hub.client.app.state.jobs, owner="a")  # type: ignore[union-attr]
    assert job.run_due("lease-sweep")
    sweep = hub.ok("GET", "/api/v1/admin/jobs")[2]
    assert sweep["last_outcome"] == "done: 0 orders back in the queue" and sweep["last_run_at"]
    hub.location("WH1")
    packer = hub.operator(hub.station(location="WH1"), "P-1", "packer")
    assert hub.client.get("/api/v1/admin/jobs", headers=packer).status_code == 403


def test_lease_sweep_returns_expired_leases_to_the_queue_on_time(hub: Hub) -> None:
    station = hub.scene(orders=2)
    leased = [o["number"] for o in hub.lease(station, batch_size=1)["orders"]]
    with unit_of_work(hub.factory) as s:
        s.execute(update(m.Order).where(m.Order.number.in_(leased)).values(lease_expires_at=datetime.now(UTC)))
    assert tasks.sweep_leases(hub.factory) == "1 orders back in the queue"
    order = hub.ok("GET", f"/api/v1/orders/{leased[0]}")
    assert order["status"] == "queued" and order["history"][-1]["note"] == "lease expired"


def shop_scene(hub: Hub, fake: FakeShopify, url: str) -> shipping.ShippingConfig:
    cfg = shipping.ShippingConfig(
        carriers=[make_courier()], channels={"shopify": ShopifyClient(url, TOKEN, sleep=lambda s: None)}
    )
    hub.client.app.state.shipping = cfg  # type: ignore[union-attr]
    hub.location("WH1")
    hub.product("SKU-1")
    hub.carton("BOX-M")
    hub.stock("WH1", "SKU-1", 50)
    return cfg


def test_incremental_pull_keeps_an_updated_since_cursor_per_channel(hub: Hub) -> None:
    fake = FakeShopify(orders=[shopify_order(1), shopify_order(2)])
    with serve(fake.app()) as url:
        cfg = shop_scene(hub, fake, url)
        assert "created 2" in tasks.pull(hub.factory, cfg, "shopify")
        with hub.factory() as s:
            state = s.get(ChannelState, "shopify")
            assert state is not None and state.updated_since == datetime(2026, 11, 20, 10, 2, tzinfo=UTC)
        fake.orders.append(shopify_order(7))
        outcome = tasks.pull(hub.factory, cfg, "shopify")
    assert "created 1" in outcome and "unchanged 1" in outcome  # order 2 is at the cursor itself
    assert fake.calls[-1]["variables"]["query"] == "updated_at:>='2026-11-20T10:02:00Z'"


def test_stock_push_sends_only_when_sellable_stock_changed(hub: Hub) -> None:
    fake = FakeShopify(variants={"SKU-1": "gid://shopify/InventoryItem/1"})
    with serve(fake.app()) as url:
        cfg = shop_scene(hub, fake, url)
        cfg.channels["shopify"].stock_location_id = "gid://shopify/Location/1"  # type: ignore[attr-defined]
        assert tasks.push_stock(hub.factory, cfg, "shopify") == "1 SKUs sent"
        assert tasks.push_stock(hub.factory, cfg, "shopify") == "stock unchanged: nothing sent"
        hub.stock("WH1", "SKU-1", -5)
        assert tasks.push_stock(hub.factory, cfg, "shopify") == "1 SKUs sent"
    assert fake.inventory == {("gid://shopify/InventoryItem/1", "gid://shopify/Location/1"): 45}


def uk_order(n: int) -> dict[str, Any]:
    """A Shopify order to Leeds (the test courier's zone)."""
    node = shopify_order(n)
    node["shippingAddress"] = dict(
        node["shippingAddress"], city="Leeds", provinceCode=None, zip="LS1 1AA", countryCodeV2="GB"
    )
    node["billingAddress"] = {"countryCodeV2": "GB"}
    return node


def test_channel_down_then_back_gets_every_fulfilment_once(hub: Hub) -> None:
    fake = FakeShopify(orders=[uk_order(n) for n in range(4)])
    with serve(fake.app()) as url:
        cfg = shop_scene(hub, fake, url)
        tasks.pull(hub.factory, cfg, "shopify")
        station = hub.station(location="WH1")
        numbers = [o["number"] for o in hub.lease(station)["orders"]]
        assert len(numbers) == 4
        post(hub, station, [packed_event(n) for n in numbers])
        fake.down = True
        body = {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
        for n in numbers:
            r = hub.client.post(f"/api/v1/orders/{n}/parcels/1/label", headers=station, json=body)
            assert r.status_code == 200, r.text
        # Each label tried the shop at once and failed; the outbox job keeps trying while it is down.
        assert outbox.deliver(hub.factory, cfg.channels) == {"sent": 0, "failed": 0}  # back-off not over yet
        for _ in range(3):
            due_now(hub)
            assert outbox.deliver(hub.factory, cfg.channels) == {"sent": 0, "failed": 4}
        fake.down = False
        due_now(hub)
        # The hub restarts meanwhile: a new process (engine) finds the messages in the store.
        restarted = make_engine(hub.engine.url.render_as_string(hide_password=False))
        try:
            fresh = make_session_factory(restarted)
            assert outbox.deliver(fresh, cfg.channels) == {"sent": 4, "failed": 0}
            due_now(hub)
            assert outbox.deliver(fresh, cfg.channels) == {"sent": 0, "failed": 0}
        finally:
            restarted.dispose()
    with hub.factory() as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        tracking = {r.payload["tracking_number"] for r in rows}
    assert [(r.status, r.attempts) for r in rows] == [("sent", 5)] * 4
    assert len(fake.fulfillments) == 4
    assert {f["trackingInfo"]["number"] for f in fake.fulfillments} == tracking and len(tracking) == 4


def due_now(hub: Hub) -> None:
    """The back-off has run out (instead of waiting it out)."""
    with unit_of_work(hub.factory) as s:
        outbox.reset_claims(s)


def test_a_resend_after_a_lost_answer_is_taken_as_sent_not_doubled(hub: Hub) -> None:
    fake = FakeShopify(orders=[uk_order(1)])
    with serve(fake.app()) as url:
        cfg = shop_scene(hub, fake, url)
        tasks.pull(hub.factory, cfg, "shopify")
        station = hub.station(location="WH1")
        (number,) = [o["number"] for o in hub.lease(station)["orders"]]
        post(hub, station, [packed_event(number)])
        fake.down = True
        body = {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
        assert hub.client.post(f"/api/v1/orders/{number}/parcels/1/label", headers=station, json=body).is_success
        fake.down = False
        # The shop took the fulfilment, but the hub died before it recorded the answer.
        fake.fulfillment_status["gid://shopify/FulfillmentOrder/1001"] = "CLOSED"
        due_now(hub)
        assert outbox.deliver(hub.factory, cfg.channels) == {"sent": 1, "failed": 0}
    assert fake.fulfillments == []


def test_capacity_rollover_routes_orders_held_for_yesterdays_capacity(hub: Hub) -> None:
    hub.client.app.state.shipping = cfg = shipping.ShippingConfig(carriers=[make_courier()])  # type: ignore[union-attr]
    hub.location("WH1", daily_capacity=1)
    hub.product("A")
    hub.stock("WH1", "A", 10)
    first, second = (hub.order(f"o{i}", {"A": 1}) for i in range(2))
    assert second["status"] == "on_hold" and "daily capacity of 1 orders reached" in second["hold_reason"]
    assert tasks.roll_capacity(hub.factory, cfg) == "0 of 1 orders held for capacity routed"  # still today
    with unit_of_work(hub.factory) as s:  # midnight passes: the first order was routed yesterday
        s.execute(update(m.OrderStatusChange).values(at=datetime.now(UTC) - timedelta(days=1)))
    assert tasks.roll_capacity(hub.factory, cfg) == "1 of 1 orders held for capacity routed"
    again = hub.ok("GET", f"/api/v1/orders/{second['number']}")
    assert (again["status"], again["location"]) == ("queued", "WH1")
    assert first["status"] == "queued"


def test_end_of_day_manifest_closes_each_carriers_day_once(hub: Hub) -> None:
    hub.client.app.state.shipping = cfg = shipping.ShippingConfig(carriers=[make_courier()])  # type: ignore[union-attr]
    station = hub.scene(orders=1)
    (number,) = [o["number"] for o in hub.lease(station)["orders"]]
    post(hub, station, [packed_event(number)])
    body = {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
    assert hub.client.post(f"/api/v1/orders/{number}/parcels/1/label", headers=station, json=body).is_success
    closed = tasks.close_days(hub.factory, cfg)
    assert closed.startswith("localcourier at WH1: manifest ") and closed.endswith("(1 parcels)")
    assert tasks.close_days(hub.factory, cfg) == "localcourier: no localcourier labels waiting for a manifest"
