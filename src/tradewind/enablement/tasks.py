"""Periodic work of enablement: the managers' daily-report digest (a schedule,
workspaces/schedules.py). Every hour; once the workspace's clock has passed DIGEST_HOUR, each
manager gets the day's digest once (the notification key makes later ticks send nothing)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule
from tradewind.workspaces.timezones import zone

from .daily_selectors import DIGEST_HOUR, daily_digest


@schedule(
    "enablement.daily_digest",
    label=_("Daily reports: the team digest for managers"),
    cron=crontab(minute="50"),
    daily_at=DIGEST_HOUR,
)
def daily_report_digest(*, workspace: Workspace, now: dt.datetime) -> int:
    local = now.astimezone(zone(workspace.time_zone))
    if local.hour < DIGEST_HOUR:
        return 0
    return daily_digest(workspace=workspace, day=local.date())
