"""A print spool: jobs that failed before reaching the printer stay pending and are retried; jobs
that reached it but were not confirmed are held and settled by asking the printer, never resent.
"""

from __future__ import annotations

import enum
import threading
import uuid
from dataclasses import dataclass, field

from app.devices.errors import DeviceError
from app.devices.printers.base import LabelPrinter, StatusPrinter


class JobState(enum.StrEnum):
    PENDING = "pending"  # not (yet) in the printer: retry sends it
    HELD = "held"  # in the printer, not confirmed: retry asks the printer, never resends
    PRINTED = "printed"


@dataclass
class PrintJob:
    data: bytes
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: JobState = JobState.PENDING
    error: str = ""
    attempts: int = 0


class PrintSpool:
    """Jobs for one printer. Thread-safe: the bench calls it from its printing worker."""

    def __init__(self, printer: LabelPrinter) -> None:
        self.printer = printer
        self.jobs: list[PrintJob] = []
        self._lock = threading.Lock()

    def submit(self, data: bytes, job_id: str | None = None) -> PrintJob:
        """Queue ``data`` and try to print it now. A job id already known is not printed again
        (one still pending, i.e. never sent, is tried again now)."""
        with self._lock:
            for job in self.jobs:
                if job_id is not None and job.id == job_id:
                    if job.state is JobState.PENDING:
                        self._attempt(job)
                    return job
            job = PrintJob(data) if job_id is None else PrintJob(data, id=job_id)
            self.jobs.append(job)
            self._attempt(job)
            return job

    def retry(self) -> list[PrintJob]:
        """Settle held jobs and resend pending ones, oldest first. Returns the jobs still not printed."""
        with self._lock:
            for job in self.jobs:
                if job.state is JobState.HELD:
                    if isinstance(self.printer, StatusPrinter) and self.printer.is_idle():
                        job.state, job.error = JobState.PRINTED, ""
                elif job.state is JobState.PENDING:
                    self._attempt(job)
            return [j for j in self.jobs if j.state is not JobState.PRINTED]

    def mark_printed(self, job: PrintJob) -> None:
        """The packer saw the held label come out."""
        with self._lock:
            job.state, job.error = JobState.PRINTED, ""

    def release(self, job: PrintJob) -> None:
        """The packer confirmed a held label never printed: make it pending so retry sends it."""
        with self._lock:
            if job.state is JobState.HELD:
                job.state = JobState.PENDING

    def forget(self, job: PrintJob) -> None:
        """Drop a settled job (its outcome is kept elsewhere, e.g. the bench's store)."""
        with self._lock:
            if job in self.jobs:
                self.jobs.remove(job)

    def _attempt(self, job: PrintJob) -> None:
        job.attempts += 1
        try:
            self.printer.send(job.data)
        except DeviceError as exc:
            job.error = str(exc)
            job.state = JobState.PENDING if exc.retry_safe else JobState.HELD
            return
        job.state, job.error = JobState.PRINTED, ""
