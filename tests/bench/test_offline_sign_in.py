"""Offline sign-in with real processes: a bench enrolled and used online, the hub process stopped, the
operator signs out and in again (checked at the bench), packs two orders; the hub restarted, the events
drain once and carry the operator. An operator deactivated meanwhile: the events apply, flagged for a
supervisor, and the bench signs them out and forgets them as soon as the hub answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bench.compose import open_bench
from app.bench.engine import BenchEngine
from app.bench.hub_client import HubOffline
from app.bench.operator_cache import NOT_RECENT, OfflineRefused
from app.devices.weights import reading
from app.hub.database import make_engine, make_session_factory, unit_of_work
from app.hub.services import operator_standing
from tests.bench.conftest import HubProcess
from tests.bench.test_engine_with_hub import RecordingPrinter, pack_all_items, weigh_ok
from tests.bench.test_faults import assert_hub_matches_bench, hub_db, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def online_bench(hub_process: tuple[HubProcess, str], tmp_path: Path) -> Iterator[tuple[HubProcess, BenchEngine]]:
    """A bench enrolled, signed in online (supervisor, then packer), one order packed and drained."""
    hub, code = hub_process
    e = open_bench(
        tmp_path / "bench", hub_url=hub.url, printer=RecordingPrinter(), enrol_code=code, sync_interval_s=0.2
    )
    e.start()
    e.lease(10)
    e.sign_in("SV-1001", "3333")
    e.sign_in("PK-1001", "1111")
    pack_one(e)
    drained(e)
    try:
        yield hub, e
    finally:
        e.close()


def pack_one(e: BenchEngine) -> str:
    number = min(e.orders_to_pack(), key=lambda o: sum(o.lines.values())).number  # one that fits a carton
    pack_all_items(e, number)
    e.weigh(reading(0, stable=True))  # the last parcel is off the scale
    weigh_ok(e)
    with sqlite3.connect(e.store.path) as conn:
        assert conn.execute("SELECT progress FROM orders WHERE number = ?", (number,)).fetchall() == [("packed",)]
    return number


def drained(e: BenchEngine) -> None:
    def empty() -> bool:
        e.syncer.kick()
        return e.store.outbox_depth() == 0

    wait_for(empty, "the outbox to drain", timeout_s=60)


def hub_stopped(hub: HubProcess, e: BenchEngine) -> None:
    hub.stop()
    with pytest.raises(HubOffline):
        e.sync_now()
    wait_for(lambda: e.status.state.online is False, "the bench to see the hub is gone")


def hub_rows(hub: HubProcess, sql: str, *args: object) -> list[tuple[object, ...]]:
    with hub_db(hub) as conn:
        return list(conn.execute(sql, args))


def operator_id(hub: HubProcess, badge: str) -> object:
    return hub_rows(hub, "SELECT id FROM operators WHERE badge = ?", badge)[0][0]


def test_a_recent_operator_signs_in_offline_packs_two_orders_and_the_events_drain_once_with_their_badge(
    online_bench: tuple[HubProcess, BenchEngine],
) -> None:
    hub, e = online_bench
    hub_stopped(hub, e)
    e.sign_out()
    with pytest.raises(OfflineRefused, match="not recognised"):
        e.sign_in("PK-1001", "9999")
    with pytest.raises(OfflineRefused) as unknown:
        e.sign_in("RC-1001", "2222")  # a real operator, but never signed in at this bench
    assert str(unknown.value) == NOT_RECENT
    op = e.sign_in("PK-1001", "1111")
    assert (op.badge, op.role, op.token) == ("PK-1001", "packer", "")  # no hub session while offline
    applied_before = hub_rows(hub, "SELECT count(*) FROM applied_events")[0][0]
    offline_orders = [pack_one(e), pack_one(e)]
    assert e.store.outbox_depth() > 0

    hub.start()
    drained(e)
    assert e.guard.wait(30) and e.guard.checks >= 1
    assert_hub_matches_bench(hub, e.store.path.parent)  # every event applied once: none lost, none doubled
    assert int(hub_rows(hub, "SELECT count(*) FROM applied_events")[0][0]) > int(applied_before)  # type: ignore[arg-type]
    packer = operator_id(hub, "PK-1001")
    for number in offline_orders:
        assert hub_rows(hub, "SELECT packed_operator_id FROM orders WHERE number = ?", number) == [(packer,)]
        assert hub_rows(
            hub, "SELECT count(*) FROM parcels p JOIN orders o ON o.id = p.order_id WHERE o.number = ?", number
        ) == [(1,)]
    assert hub_rows(hub, "SELECT count(*) FROM operator_event_flags") == [(0,)]  # an active operator: no flag
    assert e.operator is not None and e.operator.badge == "PK-1001"  # still signed in, still a packer


def test_an_operator_deactivated_while_the_hub_was_down_is_flagged_signed_out_and_forgotten(
    online_bench: tuple[HubProcess, BenchEngine],
) -> None:
    hub, e = online_bench
    hub_stopped(hub, e)
    e.sign_out()
    e.sign_in("PK-1001", "1111")
    engine = make_engine(hub.db_url)  # an admin deactivates them at the hub meanwhile
    with unit_of_work(make_session_factory(engine)) as session:
        operator_standing.change_operator(session, "PK-1001", active=False)
    engine.dispose()
    number = pack_one(e)

    hub.start()
    drained(e)
    wait_for(lambda: e.operator is None, "the bench to sign the deactivated operator out", timeout_s=60)
    assert e.guard.wait(30)
    assert "PK-1001" not in e.offline.badges() and "SV-1001" in e.offline.badges()
    assert_hub_matches_bench(hub, e.store.path.parent)
    assert hub_rows(hub, "SELECT packed_operator_id FROM orders WHERE number = ?", number) == [
        (operator_id(hub, "PK-1001"),)
    ]  # the work happened, and it was theirs
    flagged = hub_rows(
        hub, "SELECT subject, operator_badge, reason FROM operator_event_flags WHERE type = ?", "order_packed"
    )
    assert flagged == [(number, "PK-1001", "inactive")]
    hub_stopped(hub, e)
    with pytest.raises(OfflineRefused, match="not signed in here recently"):
        e.sign_in("PK-1001", "1111")  # forgotten at the bench: no offline sign-in any more
    hub.start()


def test_the_bench_file_holds_verifiers_but_no_pin(online_bench: tuple[HubProcess, BenchEngine]) -> None:
    _hub, e = online_bench
    with sqlite3.connect(e.store.path) as conn:
        kept = dict(conn.execute("SELECT badge, verifier FROM operator_verifiers"))
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        cells = [str(v) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row]
    assert set(kept) == {"SV-1001", "PK-1001"} and all(v.startswith("$argon2id$") for v in kept.values())
    for pin in ("1111", "3333"):  # the demo PINs are short: look for them as values, not as bytes anywhere
        assert not [c for c in cells if c == pin or f'"{pin}"' in c]
