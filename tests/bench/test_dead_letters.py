"""Dead letters: an event the hub rejects is parked on the bench and never holds up the events behind it.

Real Syncer, real hub (uvicorn on a thread with the demo data), the bench's own SQLite outbox.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.bench.outbox import outbox
from app.bench.sync import BenchRefused
from app.demo.embedded_hub import EmbeddedHub
from app.domain.events import ExceptionKind, PackExceptionRaised
from app.hub import models as m
from tests.bench.test_engine_with_hub import bench, hub_count


def test_a_rejected_event_at_the_outbox_head_is_parked_and_everything_behind_it_drains(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    e = bench(demo_hub, tmp_path)
    e.lease(3)
    first, second, third = (o.number for o in e.orders_to_pack()[:3])
    # The head of the outbox: an event the hub cannot store (a quantity no integer column holds; SQLite's
    # driver used to fail the whole batch on it with a 500)…
    poison = PackExceptionRaised(order_number=first, kind=ExceptionKind.WRONG_ITEM, sku="A", quantity=2**70)
    e.store.record(None, None, [poison])
    # …and a corrupted row that is not an event object at all (the hub refuses the whole batch for it).
    with e.store.engine.begin() as conn:
        conn.execute(
            insert(outbox).values(
                event_id=str(uuid.uuid4()),
                type="pack_exception",
                order_number=first,
                body=json.dumps(["not", "an", "event"]),
                created_at=datetime.now(UTC).isoformat(),
                status="pending",
                reason="",
                attempts=0,
            )
        )
    # Behind them, what a packer did next: a damaged item (puts the order on hold at the hub), a wrong item.
    behind = [
        PackExceptionRaised(order_number=second, kind=ExceptionKind.DAMAGED, sku="x", quantity=1),
        PackExceptionRaised(order_number=third, kind=ExceptionKind.WRONG_ITEM),
    ]
    e.store.record(None, None, behind)
    e.sync_now()

    counts = e.store.outbox_counts()
    assert counts.get("pending", 0) == 0 and counts["rejected"] == 2
    assert hub_count(demo_hub, m.Order, m.Order.number == second, m.Order.status == "on_hold") == 1
    assert hub_count(demo_hub, m.AppliedEvent, m.AppliedEvent.event_id.in_([b.event_id for b in behind])) == 2
    letters = e.store.dead_letters()
    assert letters[0].event_id == poison.event_id
    assert "payload.quantity must be between 0 and" in letters[0].reason
    assert letters[1].reason.startswith("hub refused it")
    assert e.status.state.dead_letters == 2 and e.status.state.online

    # A supervisor retries the first (sent again, refused again: still parked) and discards the second.
    assert e.store.retry_dead_letter(poison.event_id)
    assert e.store.outbox_depth() == 1
    e.sync_now()
    again = e.store.dead_letters()
    assert again[0].event_id == poison.event_id and again[0].attempts == 2
    assert e.store.discard_dead_letter(letters[1].event_id)
    assert not e.store.discard_dead_letter(letters[1].event_id)  # only a dead letter can be discarded
    e.sync_now()
    assert e.status.state.dead_letters == 1 and e.store.outbox_counts()["discarded"] == 1
    assert hub_count(demo_hub, m.AppliedEvent, m.AppliedEvent.event_id == poison.event_id) == 0
    e.close()


def test_a_bench_whose_token_the_hub_refuses_is_shown_refused_not_offline(
    demo_hub: EmbeddedHub, tmp_path: Path
) -> None:
    e = bench(demo_hub, tmp_path)
    e.lease(1)
    number = e.orders_to_pack()[0].number
    e.store.record(None, None, [PackExceptionRaised(order_number=number, kind=ExceptionKind.WRONG_ITEM)])
    e.client.token = "revoked-" + uuid.uuid4().hex
    with pytest.raises(BenchRefused) as refused:
        e.sync_now()
    assert refused.value.status == 401
    state = e.status.state
    assert "refused this bench" in state.refused and "re-enrol" in state.refused
    assert e.store.outbox_depth() == 1 and state.dead_letters == 0  # kept, not rejected, not lost
    e.close()
