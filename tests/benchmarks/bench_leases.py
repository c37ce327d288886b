"""Pick-queue leases under 50 concurrent benches on PostgreSQL.

Three phases over the same database, each draining the same queue of 5,000 orders:

1. *bare*: 50 threads each with its own psycopg connection run the hub's own queue query
   (``SELECT … ORDER BY … LIMIT n FOR UPDATE SKIP LOCKED``), mark the rows leased and commit;
2. *one hub*: 50 benches lease over HTTP from one ``packbench hub serve`` process;
3. *two hubs*: the same 50 benches spread over two hub processes on the one database.

Every phase counts each order handed out; an order handed out twice is a double lease.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

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
)

BENCHES = 50
BATCH = 10
ORDERS = 5_000
PHASE_SECONDS = 30.0  # a phase ends when the queue is empty, or after this long

QUEUE_SQL = """
SELECT id FROM orders
WHERE location_id = %(loc)s
  AND (status = 'queued' OR (status = 'leased' AND lease_expires_at < now()))
ORDER BY priority DESC, ship_by ASC NULLS LAST, id
LIMIT %(n)s
FOR UPDATE SKIP LOCKED
"""
MARK_SQL = """
UPDATE orders SET status = 'leased', lease_expires_at = now() + interval '10 minutes', updated_at = now()
WHERE id = ANY(%(ids)s)
"""


@dataclass
class PhaseResult:
    handed_out: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def orders(self) -> int:
        return sum(self.handed_out.values())

    @property
    def doubles(self) -> int:
        return sum(1 for c in self.handed_out.values() if c > 1)

    @property
    def rate(self) -> float:
        return rate(self.orders, self.seconds)


def reset_queue(url: str) -> None:
    """Every order back in the queue, leases and their history gone, statistics fresh."""
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("UPDATE orders SET status = 'queued', lease_id = NULL, lease_expires_at = NULL")
        conn.execute("DELETE FROM order_status_history WHERE status = 'leased'")
        conn.execute("DELETE FROM leases")
        conn.execute("VACUUM ANALYZE")


def bare_loop(url: str, location_id: int) -> PhaseResult:
    import psycopg

    result = PhaseResult()
    lock = threading.Lock()
    ready = threading.Barrier(BENCHES + 1)
    go = threading.Event()
    stop_at = [0.0]

    def worker() -> None:
        got: list[str] = []
        lat: list[float] = []
        with psycopg.connect(libpq_url(url)) as conn:
            ready.wait()
            go.wait()
            while time.perf_counter() < stop_at[0]:
                t0 = time.perf_counter()
                with conn.transaction():
                    ids = [r[0] for r in conn.execute(QUEUE_SQL, {"loc": location_id, "n": BATCH}).fetchall()]
                    if ids:
                        conn.execute(MARK_SQL, {"ids": ids})
                lat.append(time.perf_counter() - t0)
                if not ids:
                    break
                got.extend(str(i) for i in ids)
        with lock:
            result.handed_out.update(got)
            result.latencies.extend(lat)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(BENCHES)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = time.perf_counter()
    stop_at[0] = t0 + PHASE_SECONDS
    go.set()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    return result


def hub_phase(bases: list[str], tokens: list[str]) -> PhaseResult:
    """``len(tokens)`` benches leasing over HTTP, bench i talking to hub ``i % len(bases)``."""
    import httpx

    result = PhaseResult()

    async def bench(i: int, start: asyncio.Event, stop_at: list[float]) -> None:
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        body = {"batch_size": BATCH, "lease_seconds": 600}
        async with httpx.AsyncClient(base_url=bases[i % len(bases)], headers=headers, timeout=60) as client:
            await client.get("/health")  # open the connection before the clock starts
            await start.wait()
            while time.perf_counter() < stop_at[0]:
                t0 = time.perf_counter()
                resp = await client.post("/api/v1/queue/leases", json=body)
                result.latencies.append(time.perf_counter() - t0)
                if resp.status_code != 200:
                    result.errors.append(f"{resp.status_code}: {resp.text[:200]}")
                    return
                numbers = [o["number"] for o in json_ok(resp)["orders"]]
                if not numbers:
                    return
                result.handed_out.update(numbers)

    async def main() -> None:
        start = asyncio.Event()
        stop_at = [0.0]
        tasks = [asyncio.create_task(bench(i, start, stop_at)) for i in range(len(tokens))]
        await asyncio.sleep(1.0)  # every bench connected and waiting
        t0 = time.perf_counter()
        stop_at[0] = t0 + PHASE_SECONDS
        start.set()
        await asyncio.gather(*tasks)
        result.seconds = time.perf_counter() - t0

    asyncio.run(main())
    return result


def leased_in_store(url: str) -> int:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SELECT count(*) FROM orders WHERE status = 'leased'").fetchone()
        return int(row[0]) if row else 0


def run() -> list[Row]:
    with pg_database("packbench_bm_lease") as url:
        scene = seed_scene(url, stations=BENCHES)
        seed_queued_orders(url, scene, ORDERS)

        reset_queue(url)
        bare = bare_loop(url, scene.location_id)
        bare_stored = leased_in_store(url)

        reset_queue(url)
        with hub_processes(url, 1) as bases:
            one = hub_phase(bases, scene.tokens)
        one_stored = leased_in_store(url)

        reset_queue(url)
        with hub_processes(url, 2) as bases:
            two = hub_phase(bases, scene.tokens)
        two_stored = leased_in_store(url)

    def lat(p: PhaseResult) -> str:
        return f"p50 {ms(percentile(p.latencies, 50))}, p99 {ms(percentile(p.latencies, 99))}"

    base_line = f"bare SKIP LOCKED loop {bare.rate:,.0f} orders/s ({lat(bare)}, {bare.doubles} double)"
    rows = []
    for name, phase, stored in (
        (f"lease: 1 hub, {BENCHES} benches, batch {BATCH}", one, one_stored),
        (f"lease: 2 hubs, {BENCHES} benches, batch {BATCH}", two, two_stored),
    ):
        share = phase.rate / bare.rate if bare.rate else 0.0
        doubles_ok = phase.doubles == 0 and stored == phase.orders and not phase.errors
        note = f"{phase.orders:,} orders in {phase.seconds:.1f} s; {phase.doubles} double leases"
        note += f"; store says {stored:,} leased"
        if phase.errors:
            note += f"; {len(phase.errors)} errors, first: {phase.errors[0]}"
        rows.append(
            Row(
                name,
                f"{phase.rate:,.0f} orders/s = {share:.0%} of bare; {lat(phase)}",
                baseline=base_line,
                target=">= 50% of bare, 0 double leases",
                met=share >= 0.5 and doubles_ok,
                note=note,
            )
        )
    if bare_stored != bare.orders or bare.doubles:
        rows[0].note += f"; bare loop: {bare.doubles} doubles, store {bare_stored} vs {bare.orders}"
    return rows
