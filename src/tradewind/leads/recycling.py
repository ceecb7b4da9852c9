"""Pool recycling (线索回收): leads nobody followed up in time go back to the pool at night.

Rules (docs/leads-scoring-recycling.md):
- `LeadPolicy.recycle_after_days` gives the days by grade ("" = no grade); 0 = never.
- Only leads with an owner in status new, contacting or to-reactivate are recycled. Qualified
  leads are close to conversion and stay; dormant leads are parked on purpose.
- A lead is idle since the latest of: its last follow-up (`last_activity_at`), its last status
  change, the moment its current owner got it (the latest audit row that changed `owner`: create,
  claim, assignment, edit) and its creation. Days are workspace-local calendar days: idle since
  any time on day X, a lead with a limit of N days is recycled on day X + N.
- A lead whose next follow-up is due on the recycling day is skipped (the rep planned to work it
  that day), and so is one with an open task due that day (its window overlaps the day,
  `activities.task_selectors.open_task_due`).

`recycle_candidates` is the one selector behind the preview page, the API, the warnings and the
job, so the preview says exactly what the job will do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.notifications import notify_each
from tradewind.activities.task_selectors import open_task_due
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.daily_jobs import day_start, local_date
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import AuditEvent, Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .choices import LeadStatus
from .models import Lead, LeadClaim, LeadPolicy, default_recycle_days

RECYCLED_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.TO_REACTIVATE)
CHUNK = 1000
PREVIEW_LIMIT = 500
RELEASE_REASON = "recycled"


@dataclass(frozen=True)
class Candidate:
    lead: Lead
    grade: str
    limit_days: int
    idle_days: int
    idle_since: dt.datetime

    @property
    def reason(self) -> str:
        grade = self.grade or _("no grade")
        return _(
            "No follow-up for %(days)s days; grade %(grade)s goes back to the pool after "
            "%(limit)s days."
        ) % {"days": self.idle_days, "grade": grade, "limit": self.limit_days}


def recycle_days(policy: LeadPolicy) -> dict[str, int]:
    table: dict[str, Any] = {**default_recycle_days(), **(policy.recycle_after_days or {})}
    days = {}
    for key, value in table.items():
        try:
            days[str(key)] = max(int(value), 0)
        except (TypeError, ValueError):
            days[str(key)] = 0
    return days


def with_idle_since(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    owner_since = (
        AuditEvent.objects.filter(
            workspace_id=OuterRef("workspace_id"),
            target_type=Lead.AUDIT_TYPE,
            target_id=OuterRef("pk"),
            changes__has_key="owner",
        )
        .order_by("-id")
        .values("created_at")[:1]
    )
    return qs.annotate(
        idle_since=Greatest(
            Coalesce("last_activity_at", "created_at"),
            Coalesce("status_changed_at", "created_at"),
            Coalesce(Subquery(owner_since), "created_at"),
        )
    )


def _candidates_qs(
    workspace: Workspace, on_date: dt.date, policy: LeadPolicy
) -> QuerySet[Lead] | None:
    by_grade = Q()
    any_rule = False
    for grade, days in recycle_days(policy).items():
        if days > 0:
            cutoff = day_start(on_date - dt.timedelta(days=days - 1), workspace)
            by_grade |= Q(grade=grade, idle_since__lt=cutoff)
            any_rule = True
    if not any_rule:
        return None
    due_that_day = Q(
        next_due_at__gte=day_start(on_date, workspace),
        next_due_at__lt=day_start(on_date + dt.timedelta(days=1), workspace),
    )
    task_due = open_task_due(
        workspace_id=workspace.pk,
        target_type=Lead.AUDIT_TYPE,
        start=day_start(on_date, workspace),
        end=day_start(on_date + dt.timedelta(days=1), workspace),
    )
    qs = (
        Lead.objects.filter(workspace=workspace, owner__isnull=False, status__in=RECYCLED_STATUSES)
        .exclude(due_that_day)
        .exclude(task_due)
    )
    return with_idle_since(qs).filter(by_grade)


def _candidate(lead: Lead, days: dict[str, int], on_date: dt.date, ws: Workspace) -> Candidate:
    since = lead.idle_since  # type: ignore[attr-defined]
    return Candidate(
        lead=lead,
        grade=lead.grade,
        limit_days=days.get(lead.grade, 0),
        idle_days=(on_date - local_date(since, ws)).days,
        idle_since=since,
    )


def recycle_candidates(
    *,
    workspace: Workspace,
    on_date: dt.date,
    member: Membership | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """The leads the job would recycle on `on_date`, oldest idle first, with why. With a member:
    only what they may see, and only their own leads unless they may assign leads."""
    policy = LeadPolicy.for_workspace(workspace)
    qs = _candidates_qs(workspace, on_date, policy)
    if qs is None:
        return []
    if member is not None:
        qs = qs.filter(pk__in=Lead.objects.visible_to(member).values("pk"))
        if not member.has(Perm.LEAD_ASSIGN):
            qs = qs.filter(owner_id=member.user_id)
    qs = qs.select_related("owner").order_by("idle_since", "id")
    if limit is not None:
        qs = qs[:limit]
    days = recycle_days(policy)
    return [_candidate(lead, days, on_date, workspace) for lead in qs]


def next_run_date(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    """The day of the next nightly run: today until today's run is recorded, then tomorrow."""
    from .models_scoring import LeadJobRun

    today = local_date(now or timezone.now(), workspace)
    done = LeadJobRun.objects.filter(workspace=workspace, job="recycle", on_date=today).exists()
    return today + dt.timedelta(days=1) if done else today


# --- bulk writes shared with reactivation ---------------------------------------------------------


def audit_rows(
    actor: Actor, verb: str, action: str, rows: list[tuple[Lead, dict[str, Any]]]
) -> None:
    """One append-only audit row per lead, inserted together."""
    audit.record_many(
        actor=actor,
        verb=verb,
        action=action,
        target_type=Lead.AUDIT_TYPE,
        rows=[(lead.pk, str(lead), changes) for lead, changes in rows],
    )


def notify_owners(
    workspace: Workspace, by_owner: dict[int, list[Lead]], kind: str, key: str = ""
) -> None:
    """One notification per owner naming their leads; it opens the first lead (or the list)."""
    items = []
    for owner_id, leads in sorted(by_owner.items()):
        url = (
            reverse("leads:detail", args=[leads[0].pk])
            if len(leads) == 1
            else reverse("leads:list")
        )
        items.append((owner_id, {"codes": [lead.code for lead in leads]}, url))
    notify_each(workspace=workspace, items=items, kind=kind, key=key)


# --- the job --------------------------------------------------------------------------------------


def leads_recycle(*, workspace: Workspace, now: dt.datetime | None = None) -> list[int]:
    """Put every lead that is due for recycling today back in the pool; returns their ids.
    Each chunk is one transaction: the candidates are locked, the owner cleared, the claim
    stints closed with reason "recycled", one audit row per lead, one notice per owner."""
    now = now or timezone.now()
    on_date = local_date(now, workspace)
    actor = Actor.system(workspace, label="recycling")
    policy = LeadPolicy.for_workspace(workspace)
    days = recycle_days(policy)
    done: list[int] = []
    while True:
        with transaction.atomic():
            qs = _candidates_qs(workspace, on_date, policy)
            if qs is None:
                return done
            chunk = list(qs.select_for_update(of=("self",)).order_by("id")[:CHUNK])
            if not chunk:
                return done
            ids = [lead.pk for lead in chunk]
            changed = Lead.objects.filter(
                pk__in=ids, workspace=workspace, owner__isnull=False
            ).update(owner=None, version=F("version") + 1, updated_at=now)
            if changed != len(ids):  # pragma: no cover - the rows are locked
                raise RuntimeError("recycling lost its lock")
            LeadClaim.objects.filter(
                workspace=workspace, lead_id__in=ids, released_at__isnull=True
            ).update(released_at=now, release_reason=RELEASE_REASON)
            by_owner: dict[int, list[Lead]] = defaultdict(list)
            rows = []
            for lead in chunk:
                c = _candidate(lead, days, on_date, workspace)
                by_owner[lead.owner_id].append(lead)  # type: ignore[index]
                rows.append(
                    (
                        lead,
                        {
                            "owner": [lead.owner_id, None],
                            "reason": [None, RELEASE_REASON],
                            "idle_days": [None, c.idle_days],
                            "limit_days": [None, c.limit_days],
                        },
                    )
                )
            audit_rows(actor, AuditVerb.ACTION, "recycled", rows)
            notify_owners(workspace, by_owner, "lead.recycled")
            for lead in chunk:
                emit(
                    "lead.recycled",
                    workspace_id=workspace.pk,
                    lead_id=lead.pk,
                    user_id=lead.owner_id,
                )
            done.extend(ids)


def recycle_warnings(*, workspace: Workspace, now: dt.datetime | None = None) -> int:
    """Tell each owner which of their leads tomorrow's run will recycle unless they act today.
    One notification per owner and day (idempotent); returns how many owners were told."""
    now = now or timezone.now()
    tomorrow = local_date(now, workspace) + dt.timedelta(days=1)
    by_owner: dict[int, list[Lead]] = defaultdict(list)
    for c in recycle_candidates(workspace=workspace, on_date=tomorrow):
        by_owner[c.lead.owner_id].append(c.lead)  # type: ignore[index]
    with transaction.atomic():
        notify_owners(
            workspace, by_owner, "lead.recycle_warning", key=f"recycle_warning:{tomorrow}"
        )
    return len(by_owner)
