"""Background work of quotes (huey): the hourly expiry sweep. A sent quote whose validity date
has passed (in the workspace's zone) becomes expired through quote_transition; the pages and the
API already show it expired before the sweep runs (selectors.effective_status)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tradewind.workspaces.models import Workspace

log = logging.getLogger(__name__)


def quotes_expire_all() -> int:
    from .quotes import quote_expire_due

    count = 0
    for workspace in Workspace.objects.order_by("pk"):
        try:
            count += quote_expire_due(workspace=workspace)
        except Exception:  # one workspace's failure must not stop the others
            log.exception("quote expiry failed for workspace %s", workspace.pk)
    return count


@db_periodic_task(crontab(minute="40"))
def quote_expiry() -> None:
    quotes_expire_all()
