"""``packbench hub worker`` (run the jobs without the API) and ``packbench hub jobs`` (list them)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from datetime import datetime
from typing import Any

FAULT = "PACKBENCH_JOB_FAULT"  # "<job>:hang": that job's runs hang (fault tests kill the process mid-run)


def build(url: str, period: float | None, lease: float) -> tuple[Any, Any, list[Any]]:
    from app.hub.cli import _session_factory
    from app.hub.jobs import runner, tasks
    from app.hub.services import shipping

    factory = _session_factory(url)
    cfg = shipping.from_env(factory)
    specs = tasks.specs(factory, cfg, tasks.JobSettings.from_env(period_s=period))
    fault = os.environ.get(FAULT, "")
    if fault.endswith(":hang"):
        specs = [_hanging(s) if s.name == fault.removesuffix(":hang") else s for s in specs]

    said_lock = threading.Lock()

    def said(name: str, slot: datetime, attempt: int, owner: str) -> None:
        with said_lock:  # jobs due at the same second say so from several threads: one whole line each
            sys.stdout.write(f"run {name} {slot.isoformat()} attempt {attempt} by {owner}\n")
            sys.stdout.flush()

    retry = min(5.0, lease / 3)
    job_runner = runner.Runner(factory, specs, lease_s=lease, retry_every_s=retry, retry_backoff_s=retry, on_run=said)
    return cfg, job_runner, specs


def _hanging(spec: Any) -> Any:
    from app.hub.jobs.runner import JobSpec

    def hang() -> str:
        while True:
            time.sleep(1)

    return JobSpec(spec.name, spec.trigger, spec.schedule, hang)


def cmd_worker(args: argparse.Namespace) -> int:
    from app.hub.cli import _db, _ensure_schema, _redact

    url = _db(args)
    _ensure_schema(url)
    _cfg, job_runner, specs = build(url, args.period, args.lease)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    job_runner.start()
    print(f"packbench hub worker {job_runner.owner}: {len(specs)} jobs on {_redact(url)}", flush=True)
    stop.wait()
    job_runner.shutdown(wait=False)
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    from app.hub.cli import _db, _ensure_schema, _session_factory
    from app.hub.database import unit_of_work
    from app.hub.jobs import runner, tasks
    from app.hub.services import shipping

    url = _db(args)
    _ensure_schema(url)
    factory = _session_factory(url)
    specs = tasks.specs(factory, shipping.from_env(factory), tasks.JobSettings.from_env(period_s=args.period))
    with unit_of_work(factory) as session:
        rows = runner.status(session, specs)
    print(f"{'job':<22} {'schedule':<30} {'last run':<26} {'next run':<26} {'failures':>8}  last outcome")
    for r in rows:
        print(
            f"{r['name']:<22} {r['schedule']:<30} {r['last_run_at'] or '-':<26} {r['next_run_at'] or '-':<26} "
            f"{r['failures']:>8}  {r['last_outcome'] or '-'}"
        )
    return 0


def register(add: Any) -> None:
    p = add("worker", cmd_worker, "run the hub's scheduled jobs (no HTTP API); any number may run at once")
    p.add_argument("--period", type=float, help="run every interval job this often, in seconds (tests, small sites)")
    p.add_argument("--lease", type=float, default=60.0, help="seconds before a run whose worker died is taken over")
    p = add("jobs", cmd_jobs, "list the hub's jobs: schedule, last and next run, outcome, failures")
    p.add_argument("--period", type=float, help="as given to the workers, for the schedule shown")


def serve_jobs(app: Any, url: str, period: float | None = None) -> Any:
    """Start the jobs inside ``hub serve`` (the app shares their configuration); returns the runner."""
    cfg, job_runner, specs = build(url, period, 60.0)
    app.state.shipping = cfg
    app.state.jobs = specs
    job_runner.start()
    print(f"jobs: {len(specs)} scheduled in this process", file=sys.stderr, flush=True)
    return job_runner
