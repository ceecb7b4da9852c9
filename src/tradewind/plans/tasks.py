"""Background work of step plans, on the schedules (workspaces/schedules.py): the scan of due
steps. The event side (a task completed, a stage reached) runs as durable jobs (listeners.py)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.schedules import schedule

from .services import plan_steps_run_due

log = logging.getLogger(__name__)


@schedule(
    "plans.steps_due",
    label=_("Step plans: carry out the steps that came due"),
    cron=crontab(minute="*"),
    # One pass over every workspace: one indexed query finds the runs with something due; each run
    # is settled in its own transaction with its row locked, and every action and completion is a
    # conditional UPDATE, so a second pass changes nothing more.
    per_workspace=False,
    atomic=False,
)
def plan_steps_due(*, now: dt.datetime | None = None) -> int:
    """Every minute: carry out the plan steps that came due, each once."""
    completed = plan_steps_run_due(now=now)
    if completed:
        log.info("completed %s step plan steps", completed)
    return completed
