"""Reads of the activities app: a record's timeline and a member's own follow-ups."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tradewind.workspaces.audit import target_type as type_of
from tradewind.workspaces.models import Membership, WorkspaceModel

from .models import FollowUp

TIMELINE_LIMIT = 50


def timeline_for(target: WorkspaceModel, *, limit: int = TIMELINE_LIMIT) -> list[FollowUp]:
    """The follow-ups of one record, newest first. The caller fetched `target` through
    visible_to(): whoever may see the record sees its follow-ups, whoever recorded them."""
    return list(
        FollowUp.objects.filter(
            workspace_id=target.workspace_id, target_type=type_of(target), target_id=target.pk
        )
        .select_related("owner")
        .order_by("-happened_at", "-id")[:limit]
    )


def followups_of_target(target: WorkspaceModel) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        workspace_id=target.workspace_id, target_type=type_of(target), target_id=target.pk
    )


def my_followups(
    member: Membership,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    target_type: str | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups the member recorded (a daily report's "what I did"), newest first."""
    qs = FollowUp.objects.visible_to(member).filter(owner_id=member.user_id)
    if since is not None:
        qs = qs.filter(happened_at__gte=since)
    if until is not None:
        qs = qs.filter(happened_at__lt=until)
    if target_type:
        qs = qs.filter(target_type=target_type)
    return qs.order_by("-happened_at", "-id")
