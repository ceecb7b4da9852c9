"""Background work of the customers app (huey): the nightly pool jobs.

One hourly periodic task: for each workspace, once its local clock has passed 01:00, each job
(recycle today's customers, then warn owners about the coming runs) runs once per workspace-local
day, recorded in `CustomerJobRun` in the same transaction as its work
(`workspaces/daily_jobs.py`, shared with the leads' jobs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tradewind.workspaces.daily_jobs import run_once_a_day
from tradewind.workspaces.models import Workspace

from .models_pool import CustomerJobRun
from .recycling import customers_recycle, recycle_warnings

log = logging.getLogger(__name__)
RUN_HOUR = 1  # 01:00 workspace time

JOBS: dict[str, Callable[..., object]] = {
    "recycle": customers_recycle,
    "recycle_warnings": recycle_warnings,
}


def daily_jobs_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, dict]:
    """Run the customer jobs not yet run today in this workspace (after RUN_HOUR local time)."""
    return run_once_a_day(
        workspace=workspace, jobs=JOBS, run_model=CustomerJobRun, run_hour=RUN_HOUR, now=now
    )


@db_periodic_task(crontab(minute="15"))
def customer_daily_jobs() -> None:
    for workspace in Workspace.objects.order_by("pk"):
        try:
            daily_jobs_run(workspace=workspace)
        except Exception:  # one workspace's failure must not stop the others
            log.exception("daily customer jobs failed for workspace %s", workspace.pk)
