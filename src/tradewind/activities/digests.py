"""The daily notification digest: once per workspace-local day, after DIGEST_HOUR, each user with
any kind set to "daily digest" gets one e-mail listing their unread notifications of those kinds
that arrived since their last digest (at most a week back), in their language. Nothing unread, no
e-mail.

Idempotent: the decision for a (workspace, user, day) is a `NotificationDigest` row, unique per
day, written in the same transaction as the keyed job that sends the e-mail. A second run of the
schedule the same day finds the row and does nothing; two runs racing collide on the unique row
and the loser's transaction rolls back with its job. The row keeps the newest notification id it
looked at, so the next digest starts after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.jobs import job_enqueue, job_type
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.models_jobs import Job
from tradewind.workspaces.schedules import schedule
from tradewind.workspaces.timezones import zone

from .models import Notification
from .models_notifications import EmailMode, NotificationDigest, NotificationPreference
from .notification_mail import absolute, reader, recipient, rendered_with_link, send
from .notifications import KINDS

DIGEST_HOUR = 7  # workspace-local: the digest is there when the day starts
MAX_ITEMS = 50  # listed in one e-mail; the rest is counted ("and 12 more")
MAX_IDS = 500  # kept in the job: a backlog beyond this is left to the notifications page
LOOKBACK = dt.timedelta(days=7)  # a first digest (or one after a long pause) looks back this far
KEEP_DAYS = 60  # digest decisions older than this are pruned
JOB_DIGEST = "activities.notify_digest"


def digest_kinds(workspace_id: int) -> dict[int, set[str]]:
    """user id -> the kinds that user gets in the digest (stored choices over kind defaults)."""
    by_default = {code for code, info in KINDS.items() if info.default_email == EmailMode.DIGEST}
    stored = NotificationPreference.objects.filter(workspace_id=workspace_id)
    if not by_default:
        # The usual case: only users who chose a digest somewhere (partial index on email).
        stored = stored.filter(email=EmailMode.DIGEST)
    kinds: dict[int, set[str]] = {}
    overridden: dict[int, set[str]] = {}
    for user_id, kind, email in stored.values_list("user_id", "kind", "email"):
        overridden.setdefault(user_id, set()).add(kind)
        if email == EmailMode.DIGEST:
            kinds.setdefault(user_id, set()).add(kind)
    if by_default:
        members = Membership.objects.filter(workspace_id=workspace_id, is_active=True)
        for user_id in members.values_list("user_id", flat=True):
            kinds.setdefault(user_id, set()).update(by_default - overridden.get(user_id, set()))
    return {user_id: found for user_id, found in kinds.items() if found}


def digests_run(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, int]:
    """Decide today's digests for this workspace (after DIGEST_HOUR local time) and queue them."""
    now = now or timezone.now()
    local = now.astimezone(zone(workspace.time_zone))
    if local.hour < DIGEST_HOUR:
        return {"queued": 0, "empty": 0}
    today = local.date()
    wanted = digest_kinds(workspace.pk)
    done = set(
        NotificationDigest.objects.filter(
            workspace=workspace, on_date=today, user_id__in=list(wanted)
        ).values_list("user_id", flat=True)
    )
    active = set(
        Membership.objects.filter(
            workspace=workspace, is_active=True, user_id__in=list(wanted)
        ).values_list("user_id", flat=True)
    )
    todo = sorted(u for u in wanted if u not in done and u in active)
    last = dict(
        NotificationDigest.objects.filter(workspace=workspace, user_id__in=todo)
        .values("user_id")
        .annotate(up_to=Max("up_to_id"))
        .values_list("user_id", "up_to")
    )
    queued = empty = 0
    for user_id in todo:
        if _decide(workspace, user_id, wanted[user_id], last.get(user_id, 0), today, now):
            queued += 1
        else:
            empty += 1
    NotificationDigest.objects.filter(
        workspace=workspace, on_date__lt=today - dt.timedelta(days=KEEP_DAYS)
    ).delete()
    return {"queued": queued, "empty": empty}


def _decide(
    workspace: Workspace,
    user_id: int,
    kinds: set[str],
    after_id: int,
    today: dt.date,
    now: dt.datetime,
) -> bool:
    mine = Notification.objects.filter(workspace=workspace, user_id=user_id, pk__gt=after_id)
    up_to = mine.aggregate(m=Max("pk"))["m"] or after_id
    ids = list(
        mine.filter(kind__in=sorted(kinds), read_at__isnull=True, created_at__gte=now - LOOKBACK)
        .order_by("-pk")
        .values_list("pk", flat=True)[:MAX_IDS]
    )
    try:
        with transaction.atomic():
            job = None
            if ids:
                job = job_enqueue(
                    kind=JOB_DIGEST,
                    workspace=workspace,
                    key=f"{workspace.pk}:{user_id}:{today.isoformat()}",
                    payload={"user_id": user_id, "notification_ids": ids, "day": today.isoformat()},
                )
            NotificationDigest.objects.create(
                workspace=workspace,
                user_id=user_id,
                on_date=today,
                up_to_id=up_to,
                count=len(ids),
                job_id=job.pk if job else None,
                created_at=now,
            )
    except IntegrityError:
        return False  # another run decided this day meanwhile; its decision stands
    return bool(ids)


@schedule(
    "activities.notification_digest",
    label=_("Daily notification digests"),
    cron=crontab(minute="*/15"),
    daily_at=DIGEST_HOUR,
)
def notification_digests(*, workspace: Workspace, now: dt.datetime) -> dict[str, int]:
    return digests_run(workspace=workspace, now=now)


@job_type(JOB_DIGEST, label=_("Notification digest e-mail"), atomic=False, max_attempts=8)
def send_digest(job: Job) -> dict[str, Any]:
    """Lists the notifications decided on that are still unread when the e-mail goes out."""
    payload = job.payload
    rcpt = recipient(job.workspace_id, int(payload["user_id"]))
    if rcpt is None:
        return {"skipped": "no active member with an address"}
    rows = list(
        Notification.objects.filter(
            workspace_id=rcpt.workspace.pk,
            user_id=rcpt.user.pk,
            pk__in=payload.get("notification_ids") or [],
            read_at__isnull=True,
        ).order_by("-pk")
    )
    if not rows:
        return {"skipped": "read meanwhile"}
    with reader(rcpt):
        entries = [rendered_with_link(row) for row in rows[:MAX_ITEMS]]
        send(
            rcpt=rcpt,
            job=job,
            template="activities/email/digest",
            context={
                "entries": entries,
                "total": len(rows),
                "more": max(len(rows) - MAX_ITEMS, 0),
                "list_url": absolute(reverse("activities:notifications")),
            },
        )
    return {"to": rcpt.user.email, "items": len(rows), "language": rcpt.language}
