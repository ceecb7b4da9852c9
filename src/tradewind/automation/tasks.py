"""Periodic work of workflow rules, registered with the schedules (workspaces/schedules.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule

from .time_triggers import rule_runs_prune, rules_time_scan


@schedule(
    "automation.time_rules", label=_("Time-triggered workflow rules"), cron=crontab(minute="15")
)
def time_rules(*, workspace: Workspace, now: dt.datetime) -> dict[str, Any]:
    return rules_time_scan(workspace=workspace, now=now)


@schedule(
    "automation.prune_runs",
    label=_("Prune the workflow rule run log"),
    cron=crontab(minute="40", hour="3"),
    per_workspace=False,
)
def prune_runs(*, now: dt.datetime) -> int:
    return rule_runs_prune(now=now)
