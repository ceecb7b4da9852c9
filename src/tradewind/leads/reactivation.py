"""Dormant leads come back (待激活): after `LeadPolicy.reactivate_after_days` in status dormant, the
daily job moves them to "to reactivate" (the automatic edge of the status table in
leads/status.py), makes them due today and tells their owners. Ownerless ones simply show up in the
pool again as "to reactivate". 0 days = never.

Dormant since = the last status change (`status_changed_at`, set by every move), or creation.
Days are workspace-local calendar days, like recycling: dormant on day X, back on day X + N.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace

from .choices import LeadStatus
from .models import Lead, LeadPolicy
from .recycling import audit_rows, day_start, local_date, notify_owners
from .status import move_for

CHUNK = 1000

_MOVE = move_for(LeadStatus.DORMANT, LeadStatus.TO_REACTIVATE)
assert _MOVE is not None and _MOVE.automatic, "the status table must allow dormant -> to_reactivate"


def dormant_due(*, workspace: Workspace, on_date: dt.date) -> QuerySet[Lead] | None:
    days = LeadPolicy.for_workspace(workspace).reactivate_after_days
    if days <= 0:
        return None
    cutoff = day_start(on_date - dt.timedelta(days=days - 1), workspace)
    return (
        Lead.objects.filter(workspace=workspace, status=LeadStatus.DORMANT)
        .annotate(dormant_since=Coalesce("status_changed_at", "created_at"))
        .filter(dormant_since__lt=cutoff)
    )


def leads_reactivate_dormant(*, workspace: Workspace, now: dt.datetime | None = None) -> list[int]:
    """Move every dormant lead that has rested long enough to "to reactivate"; returns their ids.
    Chunked; each chunk is one transaction with one audit row per lead."""
    now = now or timezone.now()
    on_date = local_date(now, workspace)
    actor = Actor.system(workspace, label="reactivation")
    done: list[int] = []
    while True:
        with transaction.atomic():
            qs = dormant_due(workspace=workspace, on_date=on_date)
            if qs is None:
                return done
            chunk = list(qs.select_for_update(of=("self",)).order_by("id")[:CHUNK])
            if not chunk:
                return done
            ids = [lead.pk for lead in chunk]
            Lead.objects.filter(pk__in=ids, status=LeadStatus.DORMANT).update(
                status=LeadStatus.TO_REACTIVATE,
                status_changed_at=now,
                next_due_at=now,
                version=F("version") + 1,
                updated_at=now,
            )
            audit_rows(
                actor,
                AuditVerb.TRANSITION,
                "",
                [
                    (lead, {"status": [LeadStatus.DORMANT.value, LeadStatus.TO_REACTIVATE.value]})
                    for lead in chunk
                ],
            )
            by_owner: dict[int, list[Lead]] = defaultdict(list)
            for lead in chunk:
                if lead.owner_id is not None:
                    by_owner[lead.owner_id].append(lead)
                emit(
                    "lead.status_changed",
                    workspace_id=workspace.pk,
                    lead_id=lead.pk,
                    from_status=LeadStatus.DORMANT.value,
                    to_status=LeadStatus.TO_REACTIVATE.value,
                    invalid_reason="",
                )
            notify_owners(workspace, by_owner, "lead.to_reactivate")
            done.extend(ids)
