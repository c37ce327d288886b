"""``packbench hub serve --workers N``: N uvicorn worker processes on one port over one store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.bench.hub_client import HubClient
from app.hub import demo
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
from tests.hub.conftest import free_port
from tests.hub.test_cli import packbench, wait_healthy


def test_workers_below_one_is_refused_in_one_line(tmp_path: Path) -> None:
    done = packbench("hub", "serve", "--db", f"sqlite:///{tmp_path / 'hub.sqlite'}", "--workers", "0")
    assert done.returncode != 0
    assert done.stderr.strip() == "error: --workers must be at least 1"


@pytest.mark.slow
def test_two_worker_processes_serve_one_store_and_lease_disjoint_orders(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    migrate(db)
    engine = make_engine(db)
    with unit_of_work(make_session_factory(engine)) as s:
        code = demo.seed(s, orders=20).enrolment_code
    engine.dispose()
    port = free_port()
    cmd = [sys.executable, "-m", "app", "hub", "serve", "--db", db, "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        client = HubClient(url)
        client.token = client.enrol(code)["token"]
        leased: list[str] = []
        for _ in range(10):  # new connections each time: the kernel spreads them over both workers
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {client.token}"}) as http:
                body = {"batch_size": 2, "lease_seconds": 600}
                leased += [o["number"] for o in http.post("/api/v1/queue/leases", json=body).json()["orders"]]
        client.close()
        assert len(leased) == 20 and len(set(leased)) == 20
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert out.count("Started server process") == 2, out
