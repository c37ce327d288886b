"""Runs the hub's jobs on schedule, each scheduled run exactly once however many hub processes run.

APScheduler 3 (``BackgroundScheduler``) does the timing in every process: interval and cron
triggers, a thread pool, one instance per job at a time, coalescing of missed runs. Every process
computes the same scheduled times (interval triggers are anchored on a fixed epoch), and a run is
claimed by inserting its (job, scheduled time) row into ``job_runs``, whose unique constraint lets
exactly one process win on SQLite and on PostgreSQL alike. The winner keeps the row's lease fresh
while it runs; a run whose process died (lease lapsed) or that raised is taken over by any process
after a back-off, up to ``max_attempts``. APScheduler 3's own SQLAlchemyJobStore is not used: its
documentation says a job store must not be shared by several schedulers, which is the point here.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.hub.database import unit_of_work
from app.hub.services.clock import now
from app.hub.sync_models import JobRun

log = logging.getLogger("packbench.hub.jobs")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    schedule: str  # for people: "every 30 s", "daily at 18:00 Europe/London"
    func: Callable[[], str]  # does the work, returns the outcome in a line

    def lookback(self) -> timedelta:
        if isinstance(self.trigger, IntervalTrigger):
            interval: timedelta = self.trigger.interval
            return 2 * interval
        return timedelta(days=2)


def every(seconds: float) -> IntervalTrigger:
    return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC)


def latest_fire(spec: JobSpec, at: datetime) -> datetime | None:
    """The scheduled time this run belongs to: the trigger's last fire time at or before ``at``."""
    t = spec.trigger.get_next_fire_time(None, at - spec.lookback())
    last = None
    while t is not None and t <= at:
        last = t
        t = spec.trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return last.astimezone(UTC).replace(microsecond=0) if last else None


def next_fire(spec: JobSpec, at: datetime) -> datetime | None:
    t = spec.trigger.get_next_fire_time(None, at)
    return t.astimezone(UTC) if t else None


class Runner:
    """Schedules ``specs`` in this process; ``start``/``shutdown``. ``run_due``/``retry_due`` are what
    the scheduler calls (tests call them directly)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        specs: Sequence[JobSpec],
        *,
        lease_s: float = 60.0,
        max_attempts: int = 3,
        retry_every_s: float = 5.0,
        retry_backoff_s: float = 5.0,
        owner: str | None = None,
        on_run: Callable[[str, datetime, int, str], None] | None = None,
    ) -> None:
        self.factory = factory
        self.specs = {s.name: s for s in specs}
        self.lease = timedelta(seconds=lease_s)
        self.max_attempts = max_attempts
        self.retry_every_s = retry_every_s
        self.retry_backoff = timedelta(seconds=retry_backoff_s)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.on_run = on_run
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        sched = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            executors={"default": {"type": "threadpool", "max_workers": max(4, len(self.specs) + 1)}},
        )
        for spec in self.specs.values():
            sched.add_job(self.run_due, trigger=spec.trigger, args=[spec.name], id=spec.name, name=spec.name)
        sched.add_job(self.retry_due, trigger=every(self.retry_every_s), id="_retry", name="_retry")
        sched.start()
        self.scheduler = sched

    def shutdown(self, wait: bool = True) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=wait)
            self.scheduler = None

    def run_due(self, name: str) -> bool:
        """Claim and run the run of ``name`` due now; False when another process has it."""
        spec = self.specs[name]
        at = now()
        slot = latest_fire(spec, at)
        if slot is None:
            return False
        try:
            with unit_of_work(self.factory) as session:
                row = JobRun(
                    job=name,
                    scheduled_for=slot,
                    status="running",
                    attempts=1,
                    owner=self.owner,
                    started_at=at,
                    lease_until=at + self.lease,
                    outcome="",
                )
                session.add(row)
                session.flush()
                run_id = row.id
        except IntegrityError:
            return False
        self._execute(run_id, spec, slot, 1)
        return True

    def retry_due(self) -> int:
        """Take over runs whose process died (lease lapsed) or that failed and are due again."""
        at = now()
        taken: list[tuple[int, str, datetime, int]] = []
        with unit_of_work(self.factory) as session:
            q = select(JobRun.id).where(JobRun.status.in_(("running", "retry")), JobRun.lease_until < at)
            for run_id in list(session.scalars(q.limit(20))):
                won = session.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id, JobRun.lease_until < at, JobRun.status.in_(("running", "retry")))
                    .values(
                        status="running", owner=self.owner, attempts=JobRun.attempts + 1, lease_until=at + self.lease
                    )
                    .returning(JobRun.job, JobRun.scheduled_for, JobRun.attempts)
                ).first()
                if won is None:
                    continue
                job, slot, attempts = won
                if job not in self.specs or attempts > self.max_attempts:
                    session.execute(
                        update(JobRun)
                        .where(JobRun.id == run_id)
                        .values(status="failed", finished_at=at, outcome=f"gave up after {attempts - 1} attempts")
                    )
                    continue
                taken.append((run_id, job, slot, attempts))
        for run_id, job, slot, attempts in taken:
            self._execute(run_id, self.specs[job], slot, attempts)
        return len(taken)

    def _execute(self, run_id: int, spec: JobSpec, slot: datetime, attempt: int) -> None:
        if self.on_run is not None:
            self.on_run(spec.name, slot, attempt, self.owner)
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(run_id, stop), daemon=True)
        beat.start()
        try:
            outcome, status = spec.func(), "done"
        except Exception as exc:  # a job's failure is recorded and retried, never kills the scheduler
            log.exception("job %s (%s) failed", spec.name, slot.isoformat())
            outcome, status = f"{type(exc).__name__}: {exc}", "retry"
        finally:
            stop.set()
            beat.join()
        at = now()
        with unit_of_work(self.factory) as session:
            values: dict[str, Any] = {"status": status, "outcome": outcome[:2000]}
            if status == "done":
                values["finished_at"] = at
            else:
                values["lease_until"] = at + self.retry_backoff * attempt
                if attempt >= self.max_attempts:
                    values |= {"status": "failed", "finished_at": at}
            session.execute(update(JobRun).where(JobRun.id == run_id, JobRun.owner == self.owner).values(**values))

    def _heartbeat(self, run_id: int, stop: threading.Event) -> None:
        while not stop.wait(self.lease.total_seconds() / 3):
            with unit_of_work(self.factory) as session:
                session.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id, JobRun.owner == self.owner, JobRun.status == "running")
                    .values(lease_until=now() + self.lease)
                )


def status(session: Session, specs: Sequence[JobSpec]) -> list[dict[str, Any]]:
    """Every job as ``{name, schedule, last_run_at, next_run_at, last_outcome, failures}``; failures
    counts the runs that failed (after every attempt) since the job's last good run."""
    at = now()
    out = []
    for spec in specs:
        last = session.scalar(
            select(JobRun).where(JobRun.job == spec.name).order_by(JobRun.scheduled_for.desc()).limit(1)
        )
        last_ok = session.scalar(
            select(func.max(JobRun.scheduled_for)).where(JobRun.job == spec.name, JobRun.status == "done")
        )
        failed = select(func.count(JobRun.id)).where(JobRun.job == spec.name, JobRun.status == "failed")
        if last_ok is not None:
            failed = failed.where(JobRun.scheduled_for > last_ok)
        nxt = next_fire(spec, at)
        out.append(
            {
                "name": spec.name,
                "schedule": spec.schedule,
                "last_run_at": last.started_at.isoformat() if last else None,
                "next_run_at": nxt.isoformat() if nxt else None,
                "last_outcome": f"{last.status}: {last.outcome}".rstrip(": ") if last else None,
                "failures": int(session.scalar(failed) or 0),
            }
        )
    return out
