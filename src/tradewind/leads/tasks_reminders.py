"""Lead reminders on the schedules (workspaces/schedules.py).

- "leads.followups_due": once a day after REMIND_HOUR (workspace time) each owner gets one
  notification naming their open leads whose next follow-up (the cadence's `next_due_at`) is
  today or overdue. Idempotent by the notification key `lead.followups_due:<day>`: a second run the
  same day inserts nothing.
- "leads.sla": an A lead nobody contacted within the first-contact SLA (leads.followups,
  24 hours) tells its owner and the manager of the owner's team — or, for a lead in the pool, the
  workspace's owners and managers — once: the key `lead.sla:<lead>` allows one row per person and
  lead, so every later run changes nothing. Only leads whose SLA ran out in the last
  SLA_LOOKBACK are looked at, so switching the check on does not flood people with old leads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.activities.notifications import KINDS, Kind, notify, notify_each
from tradewind.workspaces.choices import Role
from tradewind.workspaces.daily_jobs import day_bounds
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.schedules import schedule
from tradewind.workspaces.timezones import zone

from .choices import OPEN_STATUSES
from .followups import SLA_FIRST_CONTACT, sla_breached_q
from .models import Lead

REMIND_HOUR = 8  # 08:00 workspace time: the list is there when the day starts
CODES_SHOWN = 20
SLA_LOOKBACK = dt.timedelta(days=7)

KINDS.setdefault(
    "lead.followups_due",
    Kind(
        _("Lead follow-ups due"),
        _("%(today)s due today, %(overdue)s overdue: %(codes)s"),
        "bi-telephone-outbound",
    ),
)
KINDS.setdefault(
    "lead.sla_breached",
    Kind(
        _("First contact overdue"),
        _("%(code)s %(company)s was not contacted within %(hours)s hours of arriving."),
        "bi-stopwatch",
    ),
)


def _active_user_ids(workspace: Workspace) -> set[int]:
    return set(
        Membership.objects.filter(workspace=workspace, is_active=True).values_list(
            "user_id", flat=True
        )
    )


@schedule(
    "leads.followups_due",
    label=_("Lead follow-ups due today and overdue: a reminder to each owner"),
    cron=crontab(minute="20"),
    daily_at=REMIND_HOUR,
)
def followups_remind(*, workspace: Workspace, now: dt.datetime) -> dict[str, int]:
    local = now.astimezone(zone(workspace.time_zone))
    if local.hour < REMIND_HOUR:
        return {"owners": 0}
    today = local.date()
    start, end = day_bounds(workspace, today)
    due = Lead.objects.filter(
        workspace=workspace,
        status__in=OPEN_STATUSES,
        owner__isnull=False,
        next_due_at__lt=end,
    )
    active = _active_user_ids(workspace)
    counts = {
        row["owner_id"]: row
        for row in due.values("owner_id").annotate(
            today=Count("id", filter=Q(next_due_at__gte=start)),
            overdue=Count("id", filter=Q(next_due_at__lt=start)),
        )
        if row["owner_id"] in active
    }
    items = []
    for owner_id in sorted(counts):
        codes = list(
            due.filter(owner_id=owner_id)
            .order_by("next_due_at", "id")
            .values_list("code", flat=True)[:CODES_SHOWN]
        )
        params = {
            "today": counts[owner_id]["today"],
            "overdue": counts[owner_id]["overdue"],
            "codes": codes,
        }
        items.append((owner_id, params, reverse("leads:my_followups")))
    notify_each(
        workspace=workspace,
        items=items,
        kind="lead.followups_due",
        key=f"lead.followups_due:{today}",
    )
    return {"owners": len(items)}


def _sla_recipients(workspace: Workspace, leads: list[Lead]) -> dict[int, set[int]]:
    """Lead id -> who hears about it: the owner and their team's manager; for a pool lead the
    workspace's owners and managers. Inactive members are left out."""
    active = _active_user_ids(workspace)
    owner_ids = {lead.owner_id for lead in leads if lead.owner_id}
    managers = dict(
        Membership.objects.filter(workspace=workspace, user_id__in=owner_ids).values_list(
            "user_id", "team__manager_id"
        )
    )
    heads = set(
        Membership.objects.filter(
            workspace=workspace, is_active=True, role__in=[Role.OWNER, Role.MANAGER]
        ).values_list("user_id", flat=True)
    )
    out: dict[int, set[int]] = defaultdict(set)
    for lead in leads:
        if lead.owner_id:
            people = {lead.owner_id, managers.get(lead.owner_id)}
            out[lead.pk] = {p for p in people if p is not None} & active
        else:
            out[lead.pk] = set(heads)
    return out


@schedule(
    "leads.sla",
    label=_("First-contact SLA: A leads not contacted within 24 hours"),
    cron=crontab(minute="*/15"),
)
def sla_check(*, workspace: Workspace, now: dt.datetime) -> dict[str, int]:
    leads = list(
        Lead.objects.filter(workspace=workspace)
        .filter(sla_breached_q(now), created_at__gte=now - SLA_FIRST_CONTACT - SLA_LOOKBACK)
        .only("pk", "code", "company_name", "owner_id")
        .order_by("created_at", "id")
    )
    hours = int(SLA_FIRST_CONTACT.total_seconds() // 3600)
    recipients = _sla_recipients(workspace, leads)
    for lead in leads:
        notify(
            workspace=workspace,
            user_ids=recipients[lead.pk],
            kind="lead.sla_breached",
            params={"code": lead.code, "company": lead.company_name, "hours": hours},
            url=reverse("leads:detail", args=[lead.pk]),
            key=f"lead.sla:{lead.pk}",
        )
    return {"leads": len(leads)}
