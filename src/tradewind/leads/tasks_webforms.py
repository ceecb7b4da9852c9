"""Web form overflow: every hour, submissions kept over a form's daily budget on an earlier day
(workspace time) become leads within the new day's budget. Idempotent: each submission leaves
the overflow state in the transaction that makes its lead, and a form's budget for the day counts
what was already accepted, so a second run the same hour finds nothing more to take."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.schedules import schedule

from .webforms import webforms_process_overflow_due


@schedule(
    "leads.webform_overflow",
    label=_("Web forms: submissions over the daily budget become leads"),
    cron=crontab(minute="7"),
    per_workspace=False,  # one pass over the forms that hold overflow, whatever their workspace
    atomic=False,  # each form is its own transaction (leads/webforms.py)
)
def webforms_overflow_hourly(*, now: dt.datetime) -> dict[str, int]:
    # Without `now`: the function reads today from the clock in each form's workspace zone.
    done = webforms_process_overflow_due()
    return {
        "forms": len(done),
        "accepted": sum(c.get("accepted", 0) for c in done.values()),
        "rejected": sum(c.get("rejected", 0) for c in done.values()),
    }
