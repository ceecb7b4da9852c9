"""Huey's side of the durable jobs (workspaces/jobs.py): the doorbell task and the sweeper."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models_jobs import IdempotencyRecord, Job, JobState, ScheduleRun

SWEEP_SECONDS = 50  # a sweep ends before the next minute's sweep starts
KEEP_DONE_DAYS = 30
# Schedule runs are written every tick (every minute for the task reminders): the page shows the
# last run and the last failure, so a week of history is plenty.
KEEP_SCHEDULE_RUN_DAYS = 7


@db_task(retries=0)
def run_job(job_id: int) -> None:
    from .jobs import job_run_now

    job_run_now(job_id)


@db_periodic_task(crontab(minute="*"))
def jobs_sweep() -> int:
    """Runs what is due: retries whose time came, jobs whose ring was lost, jobs of a killed worker
    (their lease ran out)."""
    from .jobs import jobs_work

    return jobs_work(once=True, seconds=SWEEP_SECONDS)


@db_periodic_task(crontab(minute="50", hour="3"))
def jobs_prune() -> None:
    now = timezone.now()
    Job.objects.filter(
        state__in=[JobState.DONE, JobState.CANCELLED],
        finished_at__lt=now - dt.timedelta(days=KEEP_DONE_DAYS),
    ).delete()
    IdempotencyRecord.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
    ScheduleRun.objects.filter(
        started_at__lt=now - dt.timedelta(days=KEEP_SCHEDULE_RUN_DAYS)
    ).delete()
