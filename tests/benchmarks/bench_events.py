"""Bench event ingest on PostgreSQL: ``POST /api/v1/events`` batches, exactly once.

Benches lease their orders, then post one ``OrderPacked`` event per order in batches; every batch
is then posted a second time (a replayed outbox) and must come back ``duplicate`` with nothing
changed. The baseline is the same number of raw single-row INSERTs of the same rows (one
statement, one commit each) from the same number of concurrent writers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from typing import Any

from tests.benchmarks.common import (
    Row,
    hub_processes,
    json_ok,
    libpq_url,
    ms,
    percentile,
    pg_database,
    rate,
    seed_queued_orders,
    seed_scene,
    utcnow,
)

BENCHES = 8
ORDERS = 4_000
EVENTS_PER_POST = 50


def packed_event(number: str) -> dict[str, Any]:
    from app.domain.events import OrderPacked, Parcel

    parcel = Parcel(parcel_no=1, carton_code="BOX-M", weight_g=700, expected_weight_g=690)
    return OrderPacked(order_number=number, parcels=(parcel,), operator_badge="", pack_seconds=31.5).to_wire()


def raw_inserts(url: str, events: list[dict[str, Any]]) -> float:
    """Seconds for ``BENCHES`` writers to INSERT ``events`` one row and one commit at a time."""
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_events (LIKE applied_events INCLUDING ALL)")
    share = [events[i::BENCHES] for i in range(BENCHES)]
    ready = threading.Barrier(BENCHES + 1)
    go = threading.Event()
    sql = (
        "INSERT INTO raw_events (event_id, type, station_id, operator_id, operator_badge, occurred_at, applied_at,"
        " payload) VALUES (%s, %s, NULL, NULL, %s, %s, %s, %s)"
    )

    def writer(mine: list[dict[str, Any]]) -> None:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            ready.wait()
            go.wait()
            for ev in mine:
                payload = json.dumps(ev["payload"])
                conn.execute(sql, (ev["event_id"], ev["type"], "", ev["occurred_at"], utcnow(), payload))

    threads = [threading.Thread(target=writer, args=(s,), daemon=True) for s in share]
    for t in threads:
        t.start()
    ready.wait()
    t0 = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SELECT count(*) FROM raw_events").fetchone()
    if not row or row[0] != len(events):
        raise RuntimeError(f"raw inserts stored {row} rows, expected {len(events)}")
    return seconds


def post_all(
    base: str, tokens: list[str], batches: list[list[list[dict[str, Any]]]], latencies: list[float] | None = None
) -> tuple[float, Counter[str]]:
    """Each bench posts its batches one after another, all benches at once; (seconds, outcome counts).
    Each post's round trip (seconds) is appended to ``latencies``."""
    import httpx

    outcomes: Counter[str] = Counter()
    lat = latencies if latencies is not None else []

    async def bench(i: int, start: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
            await client.get("/health")
            await start.wait()
            for batch in batches[i]:
                t0 = time.perf_counter()
                resp = await client.post("/api/v1/events", json={"events": batch})
                lat.append(time.perf_counter() - t0)
                results = json_ok(resp)["results"]
                outcomes.update(r["status"] for r in results)

    async def main() -> float:
        start = asyncio.Event()
        tasks = [asyncio.create_task(bench(i, start)) for i in range(len(tokens))]
        await asyncio.sleep(0.5)
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - t0

    return asyncio.run(main()), outcomes


def lease_everything(base: str, tokens: list[str]) -> list[list[str]]:
    import httpx

    numbers: list[list[str]] = []
    for token in tokens:
        mine: list[str] = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            while len(mine) < ORDERS // len(tokens):
                body = {"batch_size": min(100, ORDERS // len(tokens) - len(mine)), "lease_seconds": 3600}
                got = [o["number"] for o in json_ok(client.post("/api/v1/queue/leases", json=body))["orders"]]
                if not got:
                    break
                mine.extend(got)
        numbers.append(mine)
    return numbers


def store_counts(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        applied = conn.execute("SELECT count(*) FROM applied_events").fetchone()
        packed = conn.execute("SELECT count(*) FROM orders WHERE status = 'packed'").fetchone()
    return int(applied[0]) if applied else -1, int(packed[0]) if packed else -1


def run() -> list[Row]:
    with pg_database("packbench_bm_events") as url:
        scene = seed_scene(url, stations=BENCHES)
        seed_queued_orders(url, scene, ORDERS)
        with hub_processes(url, 1) as (base,):
            numbers = lease_everything(base, scene.tokens)
            events = [[packed_event(n) for n in mine] for mine in numbers]
            batches = [[evs[k : k + EVENTS_PER_POST] for k in range(0, len(evs), EVENTS_PER_POST)] for evs in events]
            total = sum(len(e) for e in events)
            latencies: list[float] = []
            first_s, first = post_all(base, scene.tokens, batches, latencies)
            applied_after_first = store_counts(url)
            again_s, again = post_all(base, scene.tokens, batches)
            applied_after_again = store_counts(url)
        raw_s = raw_inserts(url, [e for evs in events for e in evs])

    hub_rate = rate(total, first_s)
    raw_rate = rate(total, raw_s)
    share = hub_rate / raw_rate if raw_rate else 0.0
    exactly_once = (
        first == Counter({"applied": total})
        and again == Counter({"duplicate": total})
        and applied_after_first == (total, total)
        and applied_after_again == (total, total)
    )
    note = (
        f"{total:,} OrderPacked events from {BENCHES} benches in posts of {EVENTS_PER_POST}; first pass {dict(first)},"
        f" replay {dict(again)} at {rate(total, again_s):,.0f} events/s; store: {applied_after_again[0]:,} applied,"
        f" {applied_after_again[1]:,} orders packed"
    )
    return [
        Row(
            "event ingest (POST /api/v1/events), exactly once",
            f"{hub_rate:,.0f} events/s = {share:.0%} of raw inserts; per post of {EVENTS_PER_POST}:"
            f" p50 {ms(percentile(latencies, 50))}, p99 {ms(percentile(latencies, 99))}",
            baseline=f"raw single-row INSERT + commit, {BENCHES} writers: {raw_rate:,.0f} rows/s",
            target=">= 50% of raw inserts, every event applied exactly once",
            met=share >= 0.5 and exactly_once,
            note=note + ("" if exactly_once else "; EXACTLY-ONCE VIOLATED"),
        )
    ]
