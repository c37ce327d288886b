"""The hub's jobs across real processes on PostgreSQL: ``packbench hub worker`` twice for more than
a minute with every interval job on a 5-second period — each scheduled run executed exactly once
(counted from what every worker says it ran), and a run whose worker is killed -9 mid-run retried by
another worker, once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.hub.database import make_engine, make_session_factory
from app.hub.sync_models import JobRun

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PERIOD = 5
RUN = re.compile(r"^run (\S+) (\S+) attempt (\d+) by (\S+)$")
INTERVAL_JOBS = ("channel-outbox", "tracking-poll", "lease-sweep")


class Worker:
    def __init__(self, url: str, fault: str = "") -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PACKBENCH_SHOPIFY", "PACKBENCH_WOO"))}
        if fault:
            env["PACKBENCH_JOB_FAULT"] = fault
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "hub", "worker", "--db", url, "--period", str(PERIOD), "--lease", "6"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def runs(self) -> list[tuple[str, str, int, str]]:
        return [(m[1], m[2], int(m[3]), m[4]) for ln in list(self.lines) if (m := RUN.match(ln))]

    def wait_for(self, job: str, timeout: float = 30) -> tuple[str, str, int, str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = [r for r in self.runs() if r[0] == job]
            if found:
                return found[0]
            assert self.proc.poll() is None, "\n".join(self.lines)
            time.sleep(0.2)
        raise AssertionError(f"{job} never ran:\n" + "\n".join(self.lines))

    def wait_for_start(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not any(ln.startswith("packbench hub worker") for ln in list(self.lines)):
            assert time.monotonic() < end and self.proc.poll() is None, "\n".join(self.lines)
            time.sleep(0.2)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)


def test_two_workers_for_a_minute_run_every_slot_once_and_retry_a_killed_run(pg_hub_url: str) -> None:
    doomed = Worker(pg_hub_url, fault="tracking-poll:hang")
    a = b = None
    try:
        hung = doomed.wait_for("tracking-poll")  # it hangs in there from now on, keeping its lease fresh
        a, b = Worker(pg_hub_url), Worker(pg_hub_url)
        a.wait_for_start()
        b.wait_for_start()
        both_up = datetime.now(UTC)
        doomed.stop(signal.SIGKILL)  # mid-run: the run's row says running, its lease runs out
        time.sleep(62)
        stopping = datetime.now(UTC)
    finally:
        for w in (a, b):
            if w is not None:
                w.stop()
        doomed.stop(signal.SIGKILL)
    assert a is not None and b is not None
    said = doomed.runs() + a.runs() + b.runs()
    first_attempts = Counter((job, slot) for job, slot, attempt, _ in said if attempt == 1)
    assert max(first_attempts.values()) == 1, "a slot was started twice"
    retried = [(job, slot, attempt) for job, slot, attempt, _owner in said if attempt > 1]
    assert retried == [("tracking-poll", hung[1], 2)], said
    assert a.runs() and b.runs()  # both workers took a share

    engine = make_engine(pg_hub_url)
    with make_session_factory(engine)() as s:
        rows = list(s.scalars(select(JobRun).order_by(JobRun.job, JobRun.scheduled_for)))
    engine.dispose()
    # One row per slot: what the workers said they ran is what was stored.
    assert {(r.job, r.scheduled_for.isoformat()) for r in rows} == set(first_attempts)
    assert all(r.status == "done" for r in rows), [(r.job, r.status, r.outcome) for r in rows if r.status != "done"]
    for job in INTERVAL_JOBS:
        slots = [r.scheduled_for for r in rows if r.job == job and both_up <= r.scheduled_for <= stopping]
        # every 5-second slot while the two workers were up, none missing, none twice, over a minute
        assert slots == [slots[0] + timedelta(seconds=PERIOD * i) for i in range(len(slots))], job
        assert slots[-1] - slots[0] >= timedelta(seconds=55), job
    (taken_over,) = [r for r in rows if r.attempts > 1]
    assert (taken_over.job, taken_over.status, taken_over.owner) != ("tracking-poll", "done", hung[3])
    assert (taken_over.job, taken_over.status) == ("tracking-poll", "done")
    counts = Counter(owner for *_rest, owner in said)
    print(f"\nruns per worker: {dict(counts)}; slots: {len(rows)}; retried: {retried}")
