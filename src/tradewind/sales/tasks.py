"""Background work of the sales app (huey): the daily stale check.

One hourly periodic task: for each workspace, once its local clock has passed 02:00, the stale
check (sales/stale.py) runs once per workspace-local day through `workspaces/daily_jobs.py`. The
run is recorded in `CustomerJobRun` (job "opportunity_stale") in the same transaction as its work:
the sales app has no job-run table of its own and the data model is fixed for this issue; the
customers app's table is the generic (workspace, job, day) record the runner needs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tradewind.customers.models_pool import CustomerJobRun
from tradewind.workspaces.daily_jobs import run_once_a_day
from tradewind.workspaces.models import Workspace

from .stale import opportunities_stale_check

log = logging.getLogger(__name__)
RUN_HOUR = 2  # 02:00 workspace time, after the customer and lead jobs

JOBS: dict[str, Callable[..., object]] = {"opportunity_stale": opportunities_stale_check}


def daily_jobs_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, dict]:
    """Run the sales jobs not yet run today in this workspace (after RUN_HOUR local time)."""
    return run_once_a_day(
        workspace=workspace, jobs=JOBS, run_model=CustomerJobRun, run_hour=RUN_HOUR, now=now
    )


@db_periodic_task(crontab(minute="25"))
def opportunity_daily_jobs() -> None:
    for workspace in Workspace.objects.order_by("pk"):
        try:
            daily_jobs_run(workspace=workspace)
        except Exception:  # one workspace's failure must not stop the others
            log.exception("daily opportunity jobs failed for workspace %s", workspace.pk)
