"""A sign-in storm on SQLite while another bench leases: every lease is answered, every guess is
refused (401, or 429 once locked), every failure is logged. The latency figures (idle against under
the storm) are measured by ``tests/benchmarks/bench_signin.py``, not asserted here."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.hub.signin_models import SignInFailure
from tests.benchmarks.bench_signin import StormResult, lease_loop, storm
from tests.hub.conftest import Hub, LiveServer


def test_a_storm_of_wrong_pins_never_stops_another_bench_leasing(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "hub.sqlite"
    shutil.copy(sqlite_template, path)
    with LiveServer(f"sqlite:///{path}") as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        hub = Hub(client, server.engine)
        bench = hub.scene(orders=3)["Authorization"].removeprefix("Bearer ")
        guessers = [[hub.station(f"GUESS-{i}-{k}", "WH1")["Authorization"][7:] for k in range(3)] for i in range(4)]
        result = StormResult()
        stop = threading.Event()
        threads = storm(server.base_url, guessers, stop, result, spray=True)
        try:
            lease_loop(server.base_url, bench, 15, result)  # raises on any answer but 2xx
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert len(result.lease_seconds) == 15 and sum(result.lease_orders.values()) == 15
        assert result.attempts > 0 and set(result.answers) <= {401, 429}
        with hub.factory() as s:
            logged = s.scalar(select(func.count(SignInFailure.id)))
        assert logged == result.answers[401]
