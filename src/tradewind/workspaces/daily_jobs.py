"""Workspace-local days and the once-a-day runner shared by the nightly jobs of every app.

Days are calendar days in the workspace's time zone. A periodic task (hourly) calls
`run_once_a_day` for each workspace: once the local clock has passed `run_hour`, each job runs once
per workspace-local day, and the run is recorded in the app's job-run table (unique workspace + job
+ day) in the same transaction as the job's work, so a crash retries next hour and two consumers
never both run it. Used by `leads/tasks.py` (LeadJobRun) and `customers/tasks.py` (CustomerJobRun).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .timezones import zone

if TYPE_CHECKING:
    from .models import Workspace


def local_date(moment: dt.datetime, workspace: Workspace) -> dt.date:
    return moment.astimezone(zone(workspace.time_zone)).date()


def day_start(day: dt.date, workspace: Workspace) -> dt.datetime:
    """Midnight at the start of `day` in the workspace's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone(workspace.time_zone))


def day_bounds(workspace: Workspace, day: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A workspace-local day (today by default) as an aware [start, end) interval."""
    day = day or local_date(timezone.now(), workspace)
    return day_start(day, workspace), day_start(day + dt.timedelta(days=1), workspace)


def _summary(result: object) -> dict:
    if isinstance(result, list):
        return {"count": len(result)}
    return {"count": result}


def run_once_a_day(
    *,
    workspace: Workspace,
    jobs: dict[str, Callable[..., Any]],
    run_model: type[models.Model],
    run_hour: int = 1,
    now: dt.datetime | None = None,
) -> dict[str, dict]:
    """Run the jobs not yet run today in this workspace (once it is past `run_hour` local time).
    `run_model` has workspace, job, on_date, ran_at, result and a unique (workspace, job, on_date)."""
    now = now or timezone.now()
    today = local_date(now, workspace)
    if now.astimezone(zone(workspace.time_zone)).hour < run_hour:
        return {}
    manager = run_model._default_manager
    ran: dict[str, dict] = {}
    for job, func in jobs.items():
        if manager.filter(workspace=workspace, job=job, on_date=today).exists():
            continue
        try:
            with transaction.atomic():
                result = _summary(func(workspace=workspace, now=now))
                manager.create(
                    workspace=workspace, job=job, on_date=today, ran_at=now, result=result
                )
        except IntegrityError:
            continue  # another consumer ran it meanwhile; its work stands, ours rolled back
        ran[job] = result
    return ran
