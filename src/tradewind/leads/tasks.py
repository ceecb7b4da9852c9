"""Background work of the leads app (huey). Other lead features append one import line at the end.

The daily jobs run from one hourly schedule (workspaces/schedules.py, "leads.daily"): for each
workspace, once its local clock has passed RUN_HOUR, each job runs once per workspace-local day.
The run is recorded in `LeadJobRun` (unique per workspace, job and day) in the same transaction as
the job's work, so a crash retries on the next hour and two consumers never both run it: running
the schedule twice changes nothing more. Order: recycle (today), reactivate dormant leads, then
warn owners about tomorrow's recycling. The follow-up reminders and the first-contact SLA check
are in tasks_reminders.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_task

from tradewind.workspaces.daily_jobs import run_once_a_day
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule

from .models_scoring import LeadJobRun
from .reactivation import leads_reactivate_dormant
from .recycling import leads_recycle, recycle_warnings
from .scoring import rescore_all

RUN_HOUR = 1  # 01:00 workspace time

JOBS: dict[str, Callable[..., object]] = {
    "recycle": leads_recycle,
    "reactivate": leads_reactivate_dormant,
    "recycle_warnings": recycle_warnings,
}


def daily_jobs_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, dict]:
    """Run the jobs not yet run today in this workspace (once it is past RUN_HOUR local time)."""
    return run_once_a_day(
        workspace=workspace, jobs=JOBS, run_model=LeadJobRun, run_hour=RUN_HOUR, now=now
    )


@schedule(
    "leads.daily",
    label=_("Lead pool: recycling, dormant leads back, recycling warnings"),
    cron=crontab(minute="5"),
    daily_at=RUN_HOUR,
)
def lead_daily_jobs(*, workspace: Workspace, now: dt.datetime) -> dict[str, dict]:
    return daily_jobs_run(workspace=workspace, now=now)


@db_task(retries=2, retry_delay=60)
def rescore_workspace(workspace_id: int) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return rescore_all(workspace=workspace)


from .tasks_imports import *  # noqa: E402,F403
from .tasks_reminders import followups_remind, sla_check  # noqa: E402,F401
from .tasks_webforms import webforms_overflow_hourly  # noqa: E402,F401
