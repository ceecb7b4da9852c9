"""Background work of the activities app (huey autodiscovers this module).

Task logic lives in task_services.py / task_selectors.py; here only the periodic jobs."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .task_services import task_reminders_send

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def task_reminders() -> int:
    """Every minute: send the task reminders that are due, each exactly once."""
    sent = task_reminders_send()
    if sent:
        log.info("sent %s task reminders", sent)
    return sent
