"""Periodic work of the e-mail app: fetching new mail of the accounts that poll IMAP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.schedules import schedule

POLL_MINUTES = 5


@schedule(
    "mailing.imap_poll",
    label=_("Fetch new e-mail (IMAP)"),
    cron=crontab(minute=f"*/{POLL_MINUTES}"),
    atomic=False,  # talks to mail servers: no transaction held over the network
)
def imap_poll(*, workspace: Any, now: dt.datetime) -> dict[str, int]:
    from .inbound import poll_due_accounts

    return poll_due_accounts(workspace_id=workspace.pk)
