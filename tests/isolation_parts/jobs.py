"""The job log in the isolation walk: a failed job (retry would queue it) and a queued one (cancel
would cancel it) of workspace A. Jobs belong to the workspace, not to a person: only the other
workspace is an outsider for the API's job_id (members without the permission get 403 for every
id, tested in tests/workspaces/test_jobs_admin.py)."""

from __future__ import annotations

from tradewind.workspaces.models_jobs import Job, JobState, ScheduleRun

ROUTES = {
    "settings:job_detail": "job",
    "settings:job_retry": "job",
    "settings:job_cancel": "queued_job",
}
API = {"job_id": "job"}
WORKSPACE_WIDE = {"job_id"}


def objects(world) -> dict:
    dead, _new = Job.objects.get_or_create(
        workspace=world.ws,
        kind="jobs.probe",
        key="walker-dead",
        defaults={
            "state": JobState.DEAD,
            "attempts": 3,
            "max_attempts": 3,
            "last_error": "ALPHA-EAST-SECRET failure",
            "payload": {"note": "ALPHA-EAST-SECRET"},
        },
    )
    queued, _new = Job.objects.get_or_create(
        workspace=world.ws,
        kind="jobs.probe",
        key="walker-queued",
        defaults={"state": JobState.QUEUED, "payload": {"seconds": 0}},
    )
    return {"job": dead, "queued_job": queued}


def state(world) -> tuple:
    return (
        list(
            Job.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "state", "attempts", "run_after")
        ),
        ScheduleRun.objects.filter(workspace=world.ws).count(),
    )
