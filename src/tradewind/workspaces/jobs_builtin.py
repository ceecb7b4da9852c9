"""The job kinds of the job machinery itself: the worker probe and "run a schedule now".

Imported by workspaces.wiring.connect() at start-up, so every process that runs jobs (huey's
consumer, `tradewind jobs work`, the web process in tests) knows them.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import audit
from .actors import Actor
from .choices import ActorKind, AuditVerb
from .jobs import job_type
from .models_jobs import Job
from .selectors import ACTION_LABELS

PROBE = "jobs.probe"
SCHEDULE_RUN = "schedules.run"
PROBE_LEASE_SECONDS = 5  # short, so a killed probe is taken over soon (tests/reliability)
PROBE_MAX_SECONDS = 120

ACTION_LABELS.setdefault("worker_probe", _("checked the background worker"))
ACTION_LABELS.setdefault("job_retried", _("queued a job again"))
ACTION_LABELS.setdefault("job_cancelled", _("cancelled a job"))
ACTION_LABELS.setdefault("schedule_run_now", _("ran a schedule now"))


def _seconds(value: Any) -> float:
    try:
        return min(max(float(value), 0.0), PROBE_MAX_SECONDS)
    except (TypeError, ValueError):
        return 0.0


@job_type(PROBE, label=_("Worker check"), lease_seconds=PROBE_LEASE_SECONDS, max_attempts=3)
def probe(job: Job) -> dict[str, Any]:
    """Sleep `seconds` (plus `hang_first_attempt` on the first attempt only: a worker that stalls),
    then write one audit row. Atomic: a worker killed while sleeping leaves no row, and the next
    worker's run writes exactly one."""
    payload = job.payload or {}
    wait = _seconds(payload.get("seconds", 0))
    if job.attempts <= 1:
        wait += _seconds(payload.get("hang_first_attempt", 0))
    if wait:
        time.sleep(wait)
    if job.workspace is not None:
        actor = Actor.system(
            job.workspace, label=str(_("Background worker")), kind=ActorKind.SYSTEM
        )
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="worker_probe",
            target=job,
            changes={"attempt": [None, job.attempts], "worker": [None, job.lease_owner]},
        )
    return {"worker": job.lease_owner, "attempt": job.attempts}


@job_type(SCHEDULE_RUN, label=_("Schedule run"), atomic=False, max_attempts=1, lease_seconds=1800)
def run_schedule(job: Job) -> dict[str, Any]:
    """One schedule for the job's workspace (the schedules page's "run now"). The schedule keeps
    its own transactions (schedules.schedule_run); an error row fails the job so the job log
    shows it."""
    from .schedules import schedule_run

    name = str((job.payload or {}).get("name", ""))
    runs = schedule_run(name, workspace=job.workspace)
    failed = [r for r in runs if not r.ok]
    if failed:
        raise RuntimeError(failed[0].error or "schedule failed")
    return {"schedule": name, "runs": [r.pk for r in runs]}
