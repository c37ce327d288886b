"""The hub CLI as a real process: serve migrates a fresh SQLite file itself; PostgreSQL needs migrate first."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import free_port


def packbench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_healthy(proc: subprocess.Popen[str], url: str) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hub exited early: {proc.stdout.read() if proc.stdout else ''}")
        try:
            r = httpx.get(url + "/health", timeout=2)
            if r.status_code == 200:
                body: dict[str, str] = r.json()
                return body
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("hub never answered /health")


def serve(db: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "hub", "serve", "--db", db, "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_serve_on_a_fresh_sqlite_file_migrates_itself_and_answers(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new' / 'hub.sqlite'}"
    proc, url = serve(db)
    try:
        assert wait_healthy(proc, url)["status"] == "ok"
        doc = httpx.get(url + "/openapi.json", timeout=5).json()
        assert "/api/v1/queue/leases" in doc["paths"]
        assert httpx.get(url + "/api/v1/products", timeout=5).status_code == 401
    finally:
        stop(proc)


def test_seed_demo_prints_a_working_enrolment_code_and_operators(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    out = packbench("hub", "seed-demo", "--db", db, "--orders", "200")
    assert out.returncode == 0, out.stderr
    assert "50 products" in out.stdout and "200 orders" in out.stdout
    code = next(
        line.split("enrolment code ")[1].strip() for line in out.stdout.splitlines() if "enrolment code" in line
    )
    for role in ("packer", "receiver", "supervisor", "admin"):
        assert role in out.stdout
    proc, url = serve(db)
    try:
        wait_healthy(proc, url)
        enrolled = httpx.post(url + "/api/v1/enrol", json={"code": code}, timeout=10)
        assert enrolled.status_code == 200
        token = enrolled.json()["token"]
        lease = httpx.post(
            url + "/api/v1/queue/leases",
            headers={"Authorization": f"Bearer {token}"},
            json={"batch_size": 5, "lease_seconds": 300},
            timeout=10,
        )
        assert lease.status_code == 200 and len(lease.json()["orders"]) == 5
    finally:
        stop(proc)


def test_enroll_station_and_add_operator_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'admin.sqlite'}"
    assert packbench("hub", "migrate", "--db", db).returncode == 0
    bad = packbench("hub", "enroll-station", "B1", "--location", "NOWHERE", "--db", db)
    assert bad.returncode == 2 and "unknown location" in bad.stderr
    op = packbench(
        "hub", "add-operator", "--name", "Kim", "--badge", "PK-9", "--pin", "2468", "--role", "packer", "--db", db
    )
    assert op.returncode == 0 and "PK-9" in op.stdout
    weak = packbench(
        "hub", "add-operator", "--name", "Lee", "--badge", "PK-8", "--pin", "12", "--role", "packer", "--db", db
    )
    assert weak.returncode == 2 and "PIN" in weak.stderr


@pytest.mark.postgres
def test_serve_on_postgresql_wants_migrate_first_then_answers(pg_url: str) -> None:
    # A database of its own, so the schema state is known: empty.
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    name = f"{url.database}_cli"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = url.set(database=name).render_as_string(hide_password=False)
    try:
        refused = packbench("hub", "serve", "--db", db, "--port", str(free_port()))
        assert refused.returncode != 0 and "packbench hub migrate" in refused.stderr
        migrated = packbench("hub", "migrate", "--db", db)
        assert migrated.returncode == 0 and "schema at 0" in migrated.stdout  # at head, whatever its number
        proc, base = serve(db)
        try:
            assert wait_healthy(proc, base)["status"] == "ok"
        finally:
            stop(proc)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
