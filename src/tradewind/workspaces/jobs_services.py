"""What an admin may do with the job log and the schedules (Perm.AUTOMATION_MANAGE): retry a
failed or cancelled job, cancel a queued one, check the worker, run a schedule now.

Every change is a conditional UPDATE on the job's state, so a worker taking the job at the same
moment and an admin's click cannot both win; the loser gets a coded 409 and nothing changes.
A job of another workspace (or of no workspace: system work) answers 404.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError

from . import audit
from .access import require
from .actors import Actor
from .choices import AuditVerb
from .events import emit
from .jobs import job_enqueue, ring
from .jobs_builtin import PROBE, SCHEDULE_RUN
from .models_jobs import Job, JobState
from .permissions import Perm
from .schedules import get_schedule

RETRYABLE = (JobState.DEAD, JobState.CANCELLED)


class JobError(StrEnum):
    NOT_RETRYABLE = "job_not_retryable"
    NOT_CANCELLABLE = "job_not_cancellable"
    SCHEDULE_UNKNOWN = "schedule_unknown"
    SCHEDULE_NOT_PER_WORKSPACE = "schedule_not_per_workspace"


def _job(actor: Actor, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, workspace=actor.workspace).first()
    if job is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return job


@transaction.atomic
def job_retry(*, actor: Actor, job_id: int) -> Job:
    """A failed (dead) or cancelled job is queued again now with its attempts reset."""
    require(actor, Perm.AUTOMATION_MANAGE)
    job = _job(actor, job_id)
    before = job.state
    changed = Job.objects.filter(pk=job.pk, state__in=RETRYABLE).update(
        state=JobState.QUEUED,
        attempts=0,
        run_after=timezone.now(),
        lease_until=None,
        lease_owner="",
        finished_at=None,
    )
    if not changed:
        raise Conflict(
            JobError.NOT_RETRYABLE, _("Only a failed or cancelled job can be run again.")
        )
    job.refresh_from_db()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="job_retried",
        target=job,
        changes={"state": [before, job.state]},
    )
    emit("job.retried", workspace_id=actor.workspace.pk, job_id=job.pk, kind=job.kind)
    pk = job.pk
    transaction.on_commit(lambda: ring(pk))
    return job


@transaction.atomic
def job_cancel(*, actor: Actor, job_id: int) -> Job:
    """A queued job (waiting to run or waiting for its retry) will not run."""
    require(actor, Perm.AUTOMATION_MANAGE)
    job = _job(actor, job_id)
    changed = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, finished_at=timezone.now(), lease_until=None
    )
    if not changed:
        raise Conflict(JobError.NOT_CANCELLABLE, _("Only a queued job can be cancelled."))
    job.refresh_from_db()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="job_cancelled",
        target=job,
        changes={"state": [JobState.QUEUED, job.state]},
    )
    emit("job.cancelled", workspace_id=actor.workspace.pk, job_id=job.pk, kind=job.kind)
    return job


@transaction.atomic
def worker_check(*, actor: Actor) -> Job:
    """Queue the probe job: when the worker runs it, an audit row "checked the background worker"
    appears and the job is done — the admin sees the worker is alive."""
    require(actor, Perm.AUTOMATION_MANAGE)
    return job_enqueue(kind=PROBE, workspace=actor.workspace, payload={"seconds": 0})


@transaction.atomic
def schedule_run_now(*, actor: Actor, name: str) -> Job:
    """Queue one run of a schedule for the actor's workspace as a job. Clicking twice within a
    minute queues one job (the key holds the minute)."""
    require(actor, Perm.AUTOMATION_MANAGE)
    item = get_schedule(name)
    if item is None:
        raise ServiceError(
            JobError.SCHEDULE_UNKNOWN,
            _("There is no such schedule."),
            fields={"name": [_("There is no such schedule.")]},
        )
    if not item.per_workspace:
        raise ServiceError(
            JobError.SCHEDULE_NOT_PER_WORKSPACE,
            _("This schedule runs for all workspaces together and cannot be started from here."),
        )
    minute = timezone.now().strftime("%Y%m%d%H%M")
    job = job_enqueue(
        kind=SCHEDULE_RUN,
        workspace=actor.workspace,
        payload={"name": name},
        key=f"{actor.workspace.pk}:{name}:{minute}",
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="schedule_run_now",
        target=job,
        changes={"schedule": [None, name]},
    )
    return job
