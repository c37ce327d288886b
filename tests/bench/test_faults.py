"""Fault tests, each with real processes: the hub stopped mid-shift, the bench killed with SIGKILL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.bench.conftest import PACKBENCH, ROOT, HubProcess, bench_env

pytestmark = pytest.mark.slow


def shift_cmd(hub: HubProcess, data_dir: Path, orders: int, code: str | None) -> list[str]:
    cmd = [*PACKBENCH, "shift", "--hub", hub.url, "--data-dir", str(data_dir), "--orders", str(orders)]
    cmd += ["--lease-batch", "10", "--returns", "0", "--cancellations", "0", "--labels", "local-fallback"]
    return cmd + (["--enroll", code] if code else [])


def bench_db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'bench.sqlite'}?mode=ro", uri=True, timeout=30)


def bench_scalar(data_dir: Path, sql: str) -> int:
    if not (data_dir / "bench.sqlite").exists():
        return 0
    try:
        with bench_db(data_dir) as conn:
            return int(conn.execute(sql).fetchone()[0] or 0)
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def wait_for(condition: object, what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def mid_scan(data_dir: Path, done_at_least: int = 3) -> bool:
    """True when a few orders are done and the packer is half way through scanning the next one."""
    if bench_scalar(data_dir, "SELECT count(*) FROM orders WHERE progress != 'open'") < done_at_least:
        return False
    with bench_db(data_dir) as conn:
        row = conn.execute("SELECT snapshot FROM sessions WHERE kind = 'pack'").fetchone()
    snap = json.loads(row[0]) if row else {}
    return snap.get("state") == "scanning" and any(p["items"] for p in snap.get("parcels", []))


def hub_db(hub: HubProcess) -> sqlite3.Connection:
    return sqlite3.connect(hub.db_url.removeprefix("sqlite:///"), timeout=30)


def assert_hub_matches_bench(hub: HubProcess, data_dir: Path) -> None:
    """Every event the bench wrote was applied at the hub exactly once; nothing was lost or doubled."""
    with bench_db(data_dir) as b:
        bench_ids = {r[0] for r in b.execute("SELECT event_id FROM outbox")}
        statuses = dict(b.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        packed_here = {r[0] for r in b.execute("SELECT number FROM orders WHERE progress = 'packed'")}
    with hub_db(hub) as h:
        hub_ids = {r[0] for r in h.execute("SELECT event_id FROM applied_events")}
        packed_at_hub = {r[0] for r in h.execute("SELECT number FROM orders WHERE status IN ('packed', 'shipped')")}
        parcels_per_order = h.execute(
            "SELECT max(n) FROM (SELECT count(*) n FROM parcels GROUP BY order_id, parcel_no)"
        )
        doubled = parcels_per_order.fetchone()[0]
    assert statuses.get("pending", 0) == 0 and statuses.get("rejected", 0) == 0, statuses
    assert hub_ids == bench_ids  # nothing lost, nothing the bench did not write
    assert packed_at_hub == packed_here
    assert doubled in (None, 1)  # no parcel recorded twice


def test_bench_packs_on_while_the_hub_is_down_and_the_outbox_drains_when_it_is_back(
    hub_process: tuple[HubProcess, str], tmp_path: Path
) -> None:
    hub, code = hub_process
    data = tmp_path / "bench"
    out = (tmp_path / "shift.out").open("wb")
    shift = subprocess.Popen(shift_cmd(hub, data, 30, code), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: bench_scalar(data, "SELECT count(*) FROM orders") >= 10, "the first lease")
        wait_for(lambda: bench_scalar(data, "SELECT count(*) FROM outbox WHERE status = 'applied'") >= 3, "a push")
        hub.stop()
        depth_at_stop = bench_scalar(data, "SELECT count(*) FROM outbox WHERE status = 'pending'")
        packed_at_stop = bench_scalar(data, "SELECT count(*) FROM orders WHERE progress != 'open'")
        wait_for(
            lambda: bench_scalar(data, "SELECT count(*) FROM orders WHERE progress != 'open'") >= packed_at_stop + 3,
            "packing to go on offline",
        )
        assert bench_scalar(data, "SELECT count(*) FROM outbox WHERE status = 'pending'") > depth_at_stop
        hub.start()
        assert shift.wait(timeout=300) == 0, (tmp_path / "shift.out").read_text()[-3000:]
    finally:
        if shift.poll() is None:
            shift.kill()
        out.close()
    report = json.loads((tmp_path / "shift.out").read_text()[(tmp_path / "shift.out").read_text().index("{") :])
    assert report["balanced"] and report["events_sent"] == report["events_applied"]
    assert report["orders_packed"] + report["orders_put_aside"] == 30
    assert bench_scalar(data, "SELECT count(*) FROM outbox WHERE status = 'pending'") == 0
    assert_hub_matches_bench(hub, data)


def test_bench_killed_mid_pack_and_mid_push_resumes_without_losing_or_doubling_anything(
    hub_process: tuple[HubProcess, str], tmp_path: Path
) -> None:
    hub, code = hub_process
    data = tmp_path / "bench"
    log = (tmp_path / "shift.out").open("ab")

    # 1. SIGKILL while an order is half scanned, a few orders into the shift. The bench kills itself at
    #    that exact point (PACKBENCH_FAULT): polling from outside for a state that lasts milliseconds
    #    missed it on a fast run.
    first = subprocess.run(
        shift_cmd(hub, data, 25, code),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=bench_env(PACKBENCH_FAULT="mid_scan:6"),
        timeout=300,
    )
    assert first.returncode == -signal.SIGKILL
    assert mid_scan(data, done_at_least=1)
    with bench_db(data) as conn:
        (snapshot,) = conn.execute("SELECT snapshot FROM sessions WHERE kind = 'pack'").fetchone()
    in_hand = json.loads(snapshot)
    events_before = bench_scalar(data, "SELECT count(*) FROM outbox")

    # 2. The restarted bench resumes that order; then it kills itself after the hub applied a batch and
    #    before noting it (SIGKILL in the middle of an outbox push).
    second = subprocess.run(
        shift_cmd(hub, data, 25, None),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=bench_env(PACKBENCH_FAULT="after_push:2"),
        timeout=300,
    )
    assert second.returncode == -signal.SIGKILL
    assert bench_scalar(data, "SELECT count(*) FROM outbox") > events_before

    # 3. Restart once more and finish the shift.
    third = subprocess.run(shift_cmd(hub, data, 25, None), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=300)
    log.close()
    assert third.returncode in (0, 1), (tmp_path / "shift.out").read_text()[-3000:]

    assert bench_scalar(data, "SELECT count(*) FROM outbox WHERE status = 'duplicate'") >= 1  # the resent batch
    if in_hand["state"] in ("scanning", "weighing", "weight_mismatch"):
        number = in_hand["order_number"]
        progress = bench_scalar(data, f"SELECT count(*) FROM orders WHERE number = '{number}' AND progress != 'open'")
        assert progress == 1  # the order in hand at the crash was finished after the restart
    assert_hub_matches_bench(hub, data)
