"""Web form overflow: every hour, submissions kept over a form's daily budget on an earlier day
(workspace time) become leads within the new day's budget. Idempotent: each submission leaves
the overflow state in the transaction that makes its lead."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .webforms import webforms_process_overflow_due


@db_periodic_task(crontab(minute="7"))
def webforms_overflow_hourly() -> None:
    webforms_process_overflow_due()
