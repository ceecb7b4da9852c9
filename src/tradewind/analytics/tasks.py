"""Background work of analytics: the repurchase / churn reminders (复购流失预警), a schedule
("analytics.churn", workspaces/schedules.py).

Every hour, for each workspace whose local clock has passed RUN_HOUR, the customers likely to
reorder soon and those at churn risk (analytics/churn.py, whole workspace) each get one in-app
notification to their owner (pool customers have none and are skipped).

Idempotent by the notification key `<kind>:<customer>:<last purchase day>`: running the job again
the same day — or any later day — sends nothing new until the customer's situation changes: a new
purchase starts a new cycle (new key), and moving from "reorder soon" to "churn risk" is a second,
different warning. So an owner hears about each customer at most once per status per purchase
cycle instead of every morning."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.activities.notifications import notify_each
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.schedules import schedule
from tradewind.workspaces.timezones import zone

from . import churn

RUN_HOUR = 8  # 08:00 workspace time: the reminder is there when the day starts

KIND_OF = {churn.SOON: "customer.reorder_soon", churn.RISK: "customer.churn_risk"}


def churn_remind(*, workspace: Workspace, today: dt.date | None = None) -> int:
    """Notify the owners of this workspace's customers likely to reorder soon or at churn risk.
    Returns how many notifications were asked for (repeats by key are skipped by the insert)."""
    sent = 0
    for row in churn.workspace_warnings(workspace, today=today):
        owner_id = row.customer.owner_id
        kind = KIND_OF.get(row.status.key)
        if owner_id is None or kind is None:
            continue
        sent += notify_each(
            workspace=workspace,
            items=[
                (
                    owner_id,
                    {
                        "customer": row.customer.name,
                        "interval": str(row.average_interval),
                        "days": row.days_since,
                        "last": row.last_order.isoformat(),
                    },
                    reverse("customers:detail", args=[row.customer.pk]),
                )
            ],
            kind=kind,
            key=f"{kind}:{row.customer.pk}:{row.last_order.isoformat()}",
        )
    return sent


@schedule(
    "analytics.churn",
    label=_("Reorder and churn warnings: tell the owners"),
    cron=crontab(minute="35"),
    daily_at=RUN_HOUR,
)
def churn_reminders(*, workspace: Workspace, now: dt.datetime) -> int:
    local = now.astimezone(zone(workspace.time_zone))
    if local.hour < RUN_HOUR:
        return 0
    return churn_remind(workspace=workspace, today=local.date())


def churn_remind_all(now: dt.datetime | None = None) -> int:
    """Every workspace at once (tests and scripts): the schedule's run, summed."""
    from tradewind.workspaces.schedules import schedule_run

    runs = schedule_run("analytics.churn", now=now or timezone.now())
    return sum(r.result.get("count", 0) for r in runs if r.ok)
