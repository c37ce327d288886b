"""An event batch is one transaction with a savepoint per event: what one event does never leaks into another.

A rejected event in the middle of a batch leaves the rest applied; two copies of one batch racing each
other apply every event once; stock after a mixed batch is exactly the sum of its moves.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update

from app.domain.events import ExceptionKind, LabelPrinted, PackExceptionRaised
from app.hub import models as m
from app.hub.app import create_app
from app.hub.database import make_engine, unit_of_work
from app.hub.services import auth
from app.hub.services import events as event_service
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post, stock_row


def count(hub: Hub, model: type[m.Base], *where: Any) -> int:
    with hub.factory() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_poison_event_in_the_middle_of_a_batch_rolls_back_alone_and_the_rest_apply(hub: Hub) -> None:
    station = hub.scene(orders=5)
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    hub.ok("POST", f"/api/v1/orders/{numbers[2]}/cancel", json={"reason": "customer changed mind"})
    # numbers[3] already has a parcel 1 in the store: its pack collides with it on the unique key when
    # the batch writes its parcels, after every rule passed (the case a savepoint exists for).
    with hub.factory.begin() as s:
        order_id = s.scalar(select(m.Order.id).where(m.Order.number == numbers[3]))
        s.execute(insert(m.Parcel).values(order_id=order_id, parcel_no=1, carton_code="BOX-M", weight_g=1, items={}))
    poison = packed_event(numbers[0])
    poison["payload"]["parcels"][0]["weight_g"] = 10**17
    batch = [packed_event(numbers[0]), poison, *(packed_event(n) for n in numbers[1:])]
    results = post(hub, station, batch)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected", "rejected", "applied"]
    assert "weight_g" in results[1]["reason"]
    assert "cancelled" in results[3]["reason"]
    assert "constraint" in results[4]["reason"]
    applied = {numbers[0], numbers[1], numbers[4]}
    assert count(hub, m.Order, m.Order.number.in_(applied), m.Order.status == "packed") == 3
    assert count(hub, m.Order, m.Order.number == numbers[3], m.Order.status == "leased") == 1  # untouched
    rejected_ids = [batch[i]["event_id"] for i in (1, 3, 4)]
    assert count(hub, m.AppliedEvent, m.AppliedEvent.event_id.in_(rejected_ids)) == 0  # free for a retry
    assert count(hub, m.AppliedEvent) == 3


def test_stock_after_a_mixed_batch_is_the_sum_of_its_moves(hub: Hub) -> None:
    station = hub.scene(orders=4, units=50)  # each order: A x1, B x2
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    before = stock_row(hub, "A"), stock_row(hub, "B")
    assert before == ((50, 4), (50, 8))
    first = packed_event(numbers[0])
    batch = [
        first,
        PackExceptionRaised(order_number=numbers[1], kind=ExceptionKind.WRONG_ITEM, sku="C", quantity=1).to_wire(),
        packed_event(numbers[1]),
        packed_event("PB9999999"),  # unknown order: rejected, consumes nothing
        first,  # the same event again in the same batch: duplicate, consumes nothing
        packed_event(numbers[2]),
        LabelPrinted(order_number=numbers[0], parcel_no=1, tracking_number="1Z1", carrier="ups").to_wire(),
    ]
    results = post(hub, station, batch)
    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "applied",
        "rejected",
        "duplicate",
        "applied",
        "applied",
    ]
    packed = 3  # numbers[0..2]
    assert (stock_row(hub, "A"), stock_row(hub, "B")) == ((50 - packed, 4 - packed), (50 - 2 * packed, 8 - 2 * packed))
    assert count(hub, m.Order, m.Order.number == numbers[0], m.Order.status == "shipped") == 1
    again = post(hub, station, batch)  # a replayed outbox changes nothing
    assert Counter(r["status"] for r in again) == {"duplicate": 6, "rejected": 1}
    assert (stock_row(hub, "A"), stock_row(hub, "B")) == ((47, 1), (44, 2))


@pytest.fixture
def pg_hub(pg_hub_url: str) -> Iterator[Hub]:
    engine = make_engine(pg_hub_url)
    with TestClient(create_app(engine)) as client:
        yield Hub(client, engine)
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("second_copy", ["same order", "reversed"])
def test_two_copies_of_a_batch_racing_apply_each_event_once(pg_hub: Hub, second_copy: str) -> None:
    hub = pg_hub
    orders = 40
    station = hub.scene(orders=orders, units=500)
    numbers = [o["number"] for o in hub.lease(station, batch_size=orders)["orders"]]
    batch = [packed_event(n) for n in numbers]
    copies = [batch, batch if second_copy == "same order" else list(reversed(batch))]
    with unit_of_work(hub.factory) as s:
        principal, _ = auth.authenticate(s, station["Authorization"].removeprefix("Bearer "))
    answers: list[list[event_service.EventResult]] = [[], []]
    start = threading.Barrier(2)

    def send(k: int) -> None:
        start.wait()
        answers[k] = event_service.apply_batch(hub.factory, principal, copies[k])

    threads = [threading.Thread(target=send, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    per_event: dict[str, list[str]] = {}
    for answer in answers:
        assert len(answer) == orders
        for r in answer:
            per_event.setdefault(r.event_id, []).append(r.status.value)
    assert all(sorted(s) == ["applied", "duplicate"] for s in per_event.values()), per_event
    assert count(hub, m.AppliedEvent) == orders
    assert count(hub, m.Parcel) == orders
    assert count(hub, m.OrderStatusChange, m.OrderStatusChange.status == "packed") == orders
    assert stock_row(hub, "A") == (500 - orders, 0) and stock_row(hub, "B") == (500 - 2 * orders, 0)


def test_a_batch_whose_summed_stock_does_not_fit_is_applied_as_if_event_by_event(hub: Hub) -> None:
    station = hub.scene(orders=2, units=50)  # each order: A x1, B x2
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    with hub.factory.begin() as s:  # only one A is still reserved: the batch's sum (2) does not fit
        a_id = s.scalar(select(m.Product.id).where(m.Product.sku == "A"))
        s.execute(update(m.StockLevel).where(m.StockLevel.product_id == a_id).values(reserved=1))
    results = post(hub, station, [packed_event(n) for n in numbers])
    assert [r["status"] for r in results] == ["applied", "applied"]
    # The first pack takes the one reserved A, the second finds none reserved and leaves A alone,
    # exactly as two batches of one would; B (4 reserved) goes down by 4.
    assert stock_row(hub, "A") == (49, 0) and stock_row(hub, "B") == (46, 0)
    assert count(hub, m.AppliedEvent) == 2
