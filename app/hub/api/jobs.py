"""``GET /api/v1/admin/jobs``: every job the hub runs, its schedule, last and next run, outcome."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.hub.api.deps import DB, SUPERVISION, allow
from app.hub.api.shipping import config
from app.hub.jobs import runner, tasks
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["jobs"])


class JobOut(BaseModel):
    name: str
    schedule: str
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_outcome: str | None
    failures: int


def job_specs(request: Request) -> list[runner.JobSpec]:
    """The app's jobs: ``app.state.jobs`` when the process runs them (``hub serve``), else the same
    definitions built from the configuration (a hub whose jobs run in ``hub worker`` processes)."""
    specs: list[runner.JobSpec] | None = getattr(request.app.state, "jobs", None)
    if specs is None:
        specs = tasks.specs(request.app.state.session_factory, config(request), tasks.JobSettings.from_env())
        request.app.state.jobs = specs
    return specs


@router.get("/admin/jobs", response_model=list[JobOut], **allow(*SUPERVISION, scope=Scope.NONE))
def list_jobs(request: Request, session: DB) -> list[JobOut]:
    return [JobOut.model_validate(row) for row in runner.status(session, job_specs(request))]
