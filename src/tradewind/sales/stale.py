"""The stale rule (seed 004: no opportunity stays forever in a middle stage).

An open opportunity whose last activity or stage change — max(last_activity_at, stage_entered_at)
— is older than its stage's `stale_days` (else its pipeline's) is flagged: `stale_since` is set,
one audit row is written, and its owner gets one notification naming the newly flagged ones.
A flagged opportunity is not flagged (or notified) again until it is touched: a move, an edit, a
ticked stage task, or an activity on it (a follow-up, a task, a comment — `opportunity_touch`,
called after those commit through the events they emit) clears the flag.

The daily job (sales/tasks.py) runs `opportunities_stale_check` once per workspace-local day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind, notify_each
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Workspace

from .choices import OpportunityStatus
from .models import Opportunity, Stage

CHUNK = 500
NOTIFICATION_KIND = "opportunity.stale"

KINDS.setdefault(
    NOTIFICATION_KIND,
    Kind(
        _("Opportunities without activity"),
        _(
            "No activity or stage change for too long: %(codes)s. Record a follow-up, move them "
            "on, or close them."
        ),
        "bi-hourglass-bottom",
    ),
)


def stale_days_for(opportunity: Opportunity) -> int:
    """The days of quiet after which the opportunity counts as stale: its stage's, else its
    pipeline's."""
    stage = opportunity.stage
    if stage.stale_days is not None:
        return stage.stale_days
    return opportunity.pipeline.stale_days


def _stale_q(cutoff: dt.datetime) -> Q:
    return Q(stage_entered_at__lt=cutoff) & (
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff)
    )


def _list_url(opportunities: list[Opportunity]) -> str:
    try:
        if len(opportunities) == 1:
            return reverse("sales:opportunity_detail", args=[opportunities[0].pk])
        return reverse("sales:list") + "?status=open&stale=1&owner=me"
    except NoReverseMatch:  # the list's route belongs to the pages; fall back to the first
        return reverse("sales:opportunity_detail", args=[opportunities[0].pk])


@transaction.atomic
def opportunities_stale_check(*, workspace: Workspace, now: dt.datetime | None = None) -> int:
    """Flag the open opportunities of the workspace that have gone quiet for longer than their
    stage allows (one indexed query per open stage); notify each owner once. Returns how many
    were flagged now."""
    now = now or timezone.now()
    stages = (
        Stage.objects.filter(pipeline__workspace=workspace)
        .select_related("pipeline")
        .order_by("pipeline_id", "position", "id")
    )
    flagged: list[Opportunity] = []
    for stage in stages:
        if stage.is_closed:
            continue
        days = stage.stale_days if stage.stale_days is not None else stage.pipeline.stale_days
        if not days:
            continue  # 0: this stage never goes stale
        cutoff = now - dt.timedelta(days=days)
        rows = list(
            Opportunity.objects.filter(
                workspace=workspace,
                status=OpportunityStatus.OPEN,
                stage=stage,
                stale_since__isnull=True,
            )
            .filter(_stale_q(cutoff))
            .select_for_update(of=("self",))
            .only("id", "code", "name", "owner_id", "workspace_id")
        )
        flagged.extend(rows)
    if not flagged:
        return 0
    ids = [o.pk for o in flagged]
    for start in range(0, len(ids), CHUNK):
        Opportunity.objects.filter(pk__in=ids[start : start + CHUNK]).update(stale_since=now)
    actor = Actor.system(workspace, label="stale rule")
    audit.record_many(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="stale_flagged",
        target_type=Opportunity.AUDIT_TYPE,
        rows=[(o.pk, str(o), {"stale_since": [None, now.isoformat()]}) for o in flagged],
    )
    by_owner: dict[int, list[Opportunity]] = defaultdict(list)
    for o in flagged:
        if o.owner_id is not None:
            by_owner[o.owner_id].append(o)
    items: list[tuple[int, dict[str, Any], str]] = [
        (owner_id, {"codes": sorted(o.code for o in opps)}, _list_url(opps))
        for owner_id, opps in sorted(by_owner.items())
    ]
    notify_each(workspace=workspace, items=items, kind=NOTIFICATION_KIND)
    return len(flagged)


def opportunity_touch(opportunity_id: int, when: dt.datetime | None = None) -> bool:
    """Record activity on an opportunity at `when` (now): moves last_activity_at forward (an
    activity older than the one recorded changes nothing) and clears the stale flag when the
    activity falls inside the stage's threshold before the flag (a back-dated follow-up from
    long ago does not). Conditional UPDATEs; returns whether it changed the row."""
    when = when or timezone.now()
    changed = (
        Opportunity.objects.filter(pk=opportunity_id)
        .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=when))
        .update(last_activity_at=when)
    )
    if not changed:
        return False
    flagged = (
        Opportunity.objects.filter(pk=opportunity_id, stale_since__isnull=False)
        .select_related("stage", "pipeline")
        .first()
    )
    if (
        flagged is not None
        and flagged.stale_since is not None
        and when >= flagged.stale_since - dt.timedelta(days=stale_days_for(flagged))
    ):
        Opportunity.objects.filter(pk=opportunity_id).update(stale_since=None)
    return True


# --- activity hooks: events emitted by activities after commit --------------------------------------

TOUCHING_EVENTS = ("followup.recorded", "task.created", "task.completed", "comment.added")


def on_activity(name: str, payload: dict[str, Any]) -> None:
    """An activity event: touch the opportunity it is on (if it is on one)."""
    target_type, target_id, when = payload.get("target_type"), payload.get("target_id"), None
    if name == "followup.recorded" and payload.get("followup_id"):
        from tradewind.activities.models import FollowUp

        when = (
            FollowUp.objects.filter(pk=payload["followup_id"])
            .values_list("happened_at", flat=True)
            .first()
        )
        when = min(when, timezone.now()) if when else None
    elif name == "task.completed" and payload.get("task_id"):
        from tradewind.activities.models import Task

        row = Task.objects.filter(pk=payload["task_id"]).values("target_type", "target_id").first()
        if row:
            target_type, target_id = row["target_type"], row["target_id"]
    if target_type != Opportunity.AUDIT_TYPE or not target_id:
        return
    opportunity_touch(int(target_id), when)


def subscribe_activity_hooks() -> None:
    from tradewind.workspaces.events import subscribe

    for name in TOUCHING_EVENTS:
        subscribe(name, on_activity)
