"""``hub serve`` runs the jobs in its own process on SQLite; ``hub jobs`` and ``GET /api/v1/admin/jobs``
show them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import free_port
from tests.hub.test_cli import packbench, stop, wait_healthy

pytestmark = pytest.mark.slow


def test_serve_on_sqlite_runs_the_jobs_itself_and_lists_them(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    assert packbench("hub", "migrate", "--db", db).returncode == 0
    added = packbench(
        "hub", "add-operator", "--db", db, "--name", "Sam", "--badge", "S1", "--pin", "4321", "--role", "supervisor"
    )
    assert added.returncode == 0, added.stderr
    token = packbench("hub", "token", "--db", db, "--badge", "S1", "--pin", "4321").stdout.strip()
    port = free_port()
    cmd = [sys.executable, "-m", "app", "hub", "serve", "--db", db, "--port", str(port), "--jobs-period", "1"]
    proc = subprocess.Popen(
        [*cmd, "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        deadline = time.monotonic() + 30
        while True:
            jobs = httpx.get(url + "/api/v1/admin/jobs", headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
            sweep = next(j for j in jobs if j["name"] == "lease-sweep")
            finished = sweep["last_run_at"] and sweep["last_outcome"] != "running"  # a run starts as "running"
            if finished or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert sweep["last_outcome"] == "done: 0 orders back in the queue" and sweep["schedule"] == "every 1 s"
    finally:
        stop(proc)
    listed = packbench("hub", "jobs", "--db", db, "--period", "1")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["job", "schedule", "last"]
    sweep_line = next(ln for ln in lines if ln.startswith("lease-sweep"))
    assert "every 1 s" in sweep_line and "done: 0 orders back in the queue" in sweep_line
    assert any(ln.startswith("manifest ") and "daily at 18:00 UTC" in ln for ln in lines)
