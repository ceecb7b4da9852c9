"""Background work of the customers app, on the schedules (workspaces/schedules.py).

- "customers.daily" (hourly): for each workspace, once its local clock has passed 01:00, each job
  (recycle today's customers, then warn owners about the coming runs) runs once per
  workspace-local day, recorded in `CustomerJobRun` in the same transaction as its work
  (`workspaces/daily_jobs.py`, shared with the leads' jobs): a second run changes nothing.
- "customers.followups_due": once a day after REMIND_HOUR each owner gets one notification naming
  their customers whose next follow-up is today or overdue; idempotent by the notification key
  `customer.followups_due:<day>`. Lost and invalid customers and the pool are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.activities.notifications import KINDS, Kind, notify_each
from tradewind.workspaces.daily_jobs import day_bounds, run_once_a_day
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.schedules import schedule
from tradewind.workspaces.timezones import zone

from .models import Customer
from .models_pool import CustomerJobRun
from .pool_choices import CustomerStage
from .recycling import customers_recycle, recycle_warnings

RUN_HOUR = 1  # 01:00 workspace time
REMIND_HOUR = 8  # 08:00 workspace time
NAMES_SHOWN = 20

JOBS: dict[str, Callable[..., object]] = {
    "recycle": customers_recycle,
    "recycle_warnings": recycle_warnings,
}

KINDS.setdefault(
    "customer.followups_due",
    Kind(
        _("Customer follow-ups due"),
        _("%(today)s due today, %(overdue)s overdue: %(codes)s"),
        "bi-telephone-outbound",
    ),
)


def daily_jobs_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, dict]:
    """Run the customer jobs not yet run today in this workspace (after RUN_HOUR local time)."""
    return run_once_a_day(
        workspace=workspace, jobs=JOBS, run_model=CustomerJobRun, run_hour=RUN_HOUR, now=now
    )


@schedule(
    "customers.daily",
    label=_("Customer pool: recycling and recycling warnings"),
    cron=crontab(minute="15"),
    daily_at=RUN_HOUR,
)
def customer_daily_jobs(*, workspace: Workspace, now: dt.datetime) -> dict[str, dict]:
    return daily_jobs_run(workspace=workspace, now=now)


@schedule(
    "customers.followups_due",
    label=_("Customer follow-ups due today and overdue: a reminder to each owner"),
    cron=crontab(minute="20"),
    daily_at=REMIND_HOUR,
)
def followups_remind(*, workspace: Workspace, now: dt.datetime) -> dict[str, int]:
    local = now.astimezone(zone(workspace.time_zone))
    if local.hour < REMIND_HOUR:
        return {"owners": 0}
    today = local.date()
    start, end = day_bounds(workspace, today)
    due = Customer.objects.filter(
        workspace=workspace, owner__isnull=False, next_followup_at__lt=end
    ).exclude(stage__in=[CustomerStage.LOST, CustomerStage.INVALID])
    active = set(
        Membership.objects.filter(workspace=workspace, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    counts = {
        row["owner_id"]: row
        for row in due.values("owner_id").annotate(
            today=Count("id", filter=Q(next_followup_at__gte=start)),
            overdue=Count("id", filter=Q(next_followup_at__lt=start)),
        )
        if row["owner_id"] in active
    }
    items = []
    for owner_id in sorted(counts):
        names = [
            f"{code} {name}"
            for code, name in due.filter(owner_id=owner_id)
            .order_by("next_followup_at", "id")
            .values_list("code", "name")[:NAMES_SHOWN]
        ]
        params = {
            "today": counts[owner_id]["today"],
            "overdue": counts[owner_id]["overdue"],
            "codes": names,
        }
        url = reverse("customers:list") + ("?due=overdue" if params["overdue"] else "?due=today")
        items.append((owner_id, params, url))
    notify_each(
        workspace=workspace,
        items=items,
        kind="customer.followups_due",
        key=f"customer.followups_due:{today}",
    )
    return {"owners": len(items)}
