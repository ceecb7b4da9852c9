"""Background work of quotes, on the schedules (workspaces/schedules.py): the hourly expiry sweep.
A sent quote whose validity date has passed (in the workspace's zone) becomes expired through
quote_transition; the pages and the API already show it expired before the sweep runs
(selectors.effective_status). Idempotent: an expired quote is no longer "sent", so a second run
finds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule, schedule_run


@schedule(
    "orders.quote_expiry", label=_("Quotes past their validity: expire"), cron=crontab(minute="40")
)
def quote_expiry(*, workspace: Workspace, now: dt.datetime) -> int:
    from .quotes import quote_expire_due

    return quote_expire_due(workspace=workspace, today=local_date(now, workspace))


def quotes_expire_all() -> int:
    """Every workspace now (tests and scripts); returns how many quotes expired."""
    return sum(r.result.get("count", 0) for r in schedule_run("orders.quote_expiry") if r.ok)
