"""Background work of the activities app, on the schedules (workspaces/schedules.py).

Task logic lives in task_services.py / task_selectors.py; here only the periodic work."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.schedules import schedule

from .task_services import task_reminders_send

log = logging.getLogger(__name__)


@schedule(
    "activities.task_reminders",
    label=_("Task reminders: notify the assignees"),
    cron=crontab(minute="*"),
    # One pass over every workspace: the sender locks batches of due tasks (skipping rows another
    # consumer holds) and stamps `reminded_at`, so a second run sends nothing more.
    per_workspace=False,
    atomic=False,
)
def task_reminders(*, now: dt.datetime | None = None) -> int:
    """Every minute: send the task reminders that are due, each exactly once."""
    sent = task_reminders_send(now=now)
    if sent:
        log.info("sent %s task reminders", sent)
    return sent


# Older callers ran the huey task's body with `call_local()`.
task_reminders.call_local = task_reminders  # type: ignore[attr-defined]
