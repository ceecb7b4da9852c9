"""Writes of the activities app. The caller fetched the target through visible_to() and checked
the permission its app asks for editing it (pass `perm` to have it checked here too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.permissions import Perm

from .choices import Channel, FollowUpResult
from .errors import FollowUpError
from .models import FollowUp

SUMMARY_MAX = 5000
FEEDBACK_MAX = 5000
NEXT_ACTION_MAX: int = FollowUp._meta.get_field("next_action").max_length or 500
# Clocks drift; a follow-up "a minute from now" is a follow-up now.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

AUDIT_FIELDS = [
    "target_type",
    "target_id",
    "owner",
    "happened_at",
    "channel",
    "summary",
    "feedback",
    "next_action",
    "next_due_at",
    "result",
]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # read in the active (user's) zone
    return value


def _clean(
    *,
    channel: str,
    summary: str,
    happened_at: dt.datetime,
    feedback: str,
    next_action: str,
    next_due_at: dt.datetime | None,
    result: str,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    channel = str(channel or "")
    result = str(result or "")
    summary = (summary or "").strip()
    feedback = (feedback or "").strip()
    next_action = (next_action or "").strip()
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel.")]
    if result not in FollowUpResult.values:
        errors["result"] = [_("Choose a result.")]
    if not summary:
        errors["summary"] = [_("Say what was said.")]
    for name, value, limit in (
        ("summary", summary, SUMMARY_MAX),
        ("feedback", feedback, FEEDBACK_MAX),
        ("next_action", next_action, NEXT_ACTION_MAX),
    ):
        if len(value) > limit:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
    if happened_at > timezone.now() + FUTURE_TOLERANCE:
        errors["happened_at"] = [_("A follow-up cannot happen in the future.")]
    if next_due_at is not None and next_due_at < happened_at:
        errors["next_due_at"] = [_("The next follow-up cannot be due before this one happened.")]
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return {
        "channel": channel,
        "summary": summary,
        "happened_at": happened_at,
        "feedback": feedback,
        "next_action": next_action,
        "next_due_at": next_due_at,
        "result": result,
    }


@transaction.atomic
def followup_record(
    *,
    actor: Actor,
    target: WorkspaceModel,
    channel: str,
    summary: str,
    happened_at: dt.datetime | None = None,
    feedback: str = "",
    next_action: str = "",
    next_due_at: dt.datetime | None = None,
    result: str,
    perm: Perm | None = None,
) -> FollowUp:
    """Record one follow-up on `target`, by the acting member (a system actor records it in the
    name of the target's owner). Audited on the follow-up; emits `followup.recorded` after commit."""
    if perm is not None:
        require(actor, perm)
    if target.pk is None or target.workspace_id != actor.workspace.pk:
        raise NotFound(FollowUpError.WRONG_WORKSPACE, _("Not found."))
    owner_id = actor.user_id or getattr(target, "owner_id", None)
    if owner_id is None:
        raise ServiceError(
            FollowUpError.NO_OWNER,
            _("A follow-up needs the person who did it; this record has no owner."),
        )
    data = _clean(
        channel=channel,
        summary=summary,
        happened_at=_aware(happened_at) or timezone.now(),
        feedback=feedback,
        next_action=next_action,
        next_due_at=_aware(next_due_at),
        result=result,
    )
    now = timezone.now()
    followup = FollowUp.objects.create(
        workspace=actor.workspace,
        target_type=audit.target_type(target),
        target_id=target.pk,
        owner_id=owner_id,
        created_at=now,
        updated_at=now,
        **data,
    )
    audit.record_create(actor=actor, target=followup, fields=AUDIT_FIELDS)
    emit(
        "followup.recorded",
        workspace_id=actor.workspace.pk,
        followup_id=followup.pk,
        target_type=followup.target_type,
        target_id=followup.target_id,
        owner_id=owner_id,
        channel=followup.channel,
        result=followup.result,
    )
    return followup
