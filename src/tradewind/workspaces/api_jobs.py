"""The job log and the schedules in the API (Perm.AUTOMATION_MANAGE), mounted at /api/v1:
GET /jobs (filters, keyset pages), GET /jobs/{job_id}, POST /jobs/{job_id}/retry and /cancel,
POST /jobs/check, GET /schedules, POST /schedules/run. Another workspace's job answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut

from . import jobs_selectors as selectors
from . import jobs_services as services
from .access import require
from .models_jobs import Job, JobState
from .permissions import Perm

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    attempts: int
    max_attempts: int
    created_at: dt.datetime
    run_after: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class JobDetailOut(JobOut):
    payload: dict[str, Any]
    result: dict[str, Any]
    last_error: str
    key: str
    lease_owner: str
    lease_until: dt.datetime | None


class JobCountsOut(Schema):
    queued: int
    running: int
    done: int
    dead: int
    cancelled: int


class ScheduleRunOut(Schema):
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ok: bool
    result: dict[str, Any] | None = Field(None, description="Left out for shared schedules")
    error: str | None = Field(None, description="Left out for shared schedules")


class ScheduleOut(Schema):
    name: str
    label: str
    when: str
    per_workspace: bool = Field(description="False: one run for all workspaces (no run now)")
    last_run: ScheduleRunOut | None
    last_failure: ScheduleRunOut | None


class ScheduleRunIn(Schema):
    name: str = ""


def _job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": selectors.kind_label(job.kind),
        "state": job.state,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "created_at": job.created_at,
        "run_after": job.run_after,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _job_detail_out(job: Job) -> dict[str, Any]:
    return {
        **_job_out(job),
        "payload": job.payload or {},
        "result": job.result or {},
        "last_error": job.last_error,
        "key": job.key,
        "lease_owner": job.lease_owner,
        "lease_until": job.lease_until,
    }


@router.get(
    "/jobs",
    response={200: PageOut[JobOut], **READ_ERRORS, 403: ERRORS[403]},
    summary="List the workspace's background jobs, newest first",
)
def jobs_api(
    request: HttpRequest,
    state: str = Query("", description="queued, running, done, dead or cancelled"),  # type: ignore[type-arg]
    kind: str = "",
    cursor: str | None = Query(None, description="next_cursor of the previous page"),  # type: ignore[type-arg]
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    require(request.actor, Perm.AUTOMATION_MANAGE)  # type: ignore[attr-defined]
    page = selectors.jobs_page(
        request.member,  # type: ignore[attr-defined]
        state=state if state in JobState.values else "",
        kind=kind,
        before=cursor,
        limit=limit,
    )
    return {
        "items": [_job_out(j) for j in page.items],
        "next_cursor": str(page.next_before) if page.next_before else None,
        "prev_cursor": None,
    }


@router.get("/jobs/counts", response={200: JobCountsOut, **READ_ERRORS, 403: ERRORS[403]})
def job_counts_api(request: HttpRequest) -> dict[str, int]:
    require(request.actor, Perm.AUTOMATION_MANAGE)  # type: ignore[attr-defined]
    return selectors.job_counts(request.member)  # type: ignore[attr-defined]


@router.post("/jobs/check", response={201: JobDetailOut, **ERRORS})
def worker_check_api(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    job = services.worker_check(actor=request.actor)  # type: ignore[attr-defined]
    job.refresh_from_db()
    return 201, _job_detail_out(job)


@router.get("/jobs/{job_id}", response={200: JobDetailOut, **READ_ERRORS, 403: ERRORS[403]})
def job_api(request: HttpRequest, job_id: int) -> dict[str, Any]:
    require(request.actor, Perm.AUTOMATION_MANAGE)  # type: ignore[attr-defined]
    return _job_detail_out(selectors.job_get(request.member, job_id))  # type: ignore[attr-defined]


@router.post("/jobs/{job_id}/retry", response={200: JobDetailOut, **ERRORS})
def job_retry_api(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = services.job_retry(actor=request.actor, job_id=job_id)  # type: ignore[attr-defined]
    job.refresh_from_db()
    return _job_detail_out(job)


@router.post("/jobs/{job_id}/cancel", response={200: JobDetailOut, **ERRORS})
def job_cancel_api(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = services.job_cancel(actor=request.actor, job_id=job_id)  # type: ignore[attr-defined]
    return _job_detail_out(job)


def _run_out(run: Any, shared: bool) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "ok": run.ok,
        "result": None if shared else run.result,
        "error": None if shared else run.error,
    }


@router.get("/schedules", response={200: list[ScheduleOut], **READ_ERRORS, 403: ERRORS[403]})
def schedules_api(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.actor, Perm.AUTOMATION_MANAGE)  # type: ignore[attr-defined]
    return [
        {
            "name": row.schedule.name,
            "label": str(row.schedule.label),
            "when": row.schedule.when,
            "per_workspace": row.schedule.per_workspace,
            "last_run": _run_out(row.last, row.shared),
            "last_failure": _run_out(row.last_failure, row.shared),
        }
        for row in selectors.schedules_overview(request.member)  # type: ignore[attr-defined]
    ]


@router.post(
    "/schedules/run",
    response={202: JobDetailOut, **ERRORS},
    summary="Queue one run of a schedule for this workspace (a job)",
)
def schedule_run_api(request: HttpRequest, payload: ScheduleRunIn) -> tuple[int, dict[str, Any]]:
    job = services.schedule_run_now(actor=request.actor, name=payload.name)  # type: ignore[attr-defined]
    job.refresh_from_db()
    return 202, _job_detail_out(job)
