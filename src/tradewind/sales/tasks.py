"""Background work of the sales app (huey): the daily stale check.

One hourly schedule ("sales.daily", workspaces/schedules.py): for each workspace, once its local clock has passed 02:00, the stale
check (sales/stale.py) runs once per workspace-local day through `workspaces/daily_jobs.py`. The
run is recorded in `CustomerJobRun` (job "opportunity_stale") in the same transaction as its work:
the sales app has no job-run table of its own and the data model is fixed for this issue; the
customers app's table is the generic (workspace, job, day) record the runner needs. That record
is what makes a second run the same day change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.customers.models_pool import CustomerJobRun
from tradewind.workspaces.daily_jobs import run_once_a_day
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule

from .stale import opportunities_stale_check

RUN_HOUR = 2  # 02:00 workspace time, after the customer and lead jobs

JOBS: dict[str, Callable[..., object]] = {"opportunity_stale": opportunities_stale_check}


def daily_jobs_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, dict]:
    """Run the sales jobs not yet run today in this workspace (after RUN_HOUR local time)."""
    return run_once_a_day(
        workspace=workspace, jobs=JOBS, run_model=CustomerJobRun, run_hour=RUN_HOUR, now=now
    )


@schedule(
    "sales.daily",
    label=_("Stale opportunities: alert the owners"),
    cron=crontab(minute="25"),
    daily_at=RUN_HOUR,
)
def opportunity_daily_jobs(*, workspace: Workspace, now: dt.datetime) -> dict[str, dict]:
    return daily_jobs_run(workspace=workspace, now=now)
