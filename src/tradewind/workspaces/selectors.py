from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ActorKind, AuditVerb
from .models import ApiToken, AuditEvent, Membership, Team, User, Workspace


def members_of(member: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace_id=member.workspace_id)
        .select_related("user", "team")
        .order_by("-is_active", "user__full_name", "user__email")
    )


def active_members_of(member: Membership) -> list[Membership]:
    """Who may own a record, for an owner picker."""
    return list(members_of(member).filter(is_active=True))


def active_member_choices(member: Membership) -> list[tuple[int, str]]:
    """(user id, name) of active_members_of, in its order, without building the models: a list page
    that only prints the names saves ~2 ms a request (docs/performance.md, session 5)."""
    rows = (
        Membership.objects.filter(workspace_id=member.workspace_id, is_active=True)
        .order_by("user__full_name", "user__email")
        .values_list("user_id", "user__full_name", "user__email")
    )
    return [(user_id, full_name or email) for user_id, full_name, email in rows]


def member_get(member: Membership, pk: int) -> Membership:
    return get_object_or_404(members_of(member), pk=pk)


def teams_of(member: Membership) -> list[Team]:
    return list(
        Team.objects.filter(workspace_id=member.workspace_id)
        .select_related("manager")
        .order_by("path")
    )


def team_get(member: Membership, pk: int) -> Team:
    return get_object_or_404(Team.objects.filter(workspace_id=member.workspace_id), pk=pk)


def tokens_of(member: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(
        workspace_id=member.workspace_id, user_id=member.user_id
    ).order_by("-created_at")


def token_get(member: Membership, pk: int) -> ApiToken:
    return get_object_or_404(tokens_of(member), pk=pk)


@dataclass
class HistoryRow:
    created_at: Any
    actor_display: str
    verb_display: str
    action_display: str
    rows: list[tuple[str, Any, Any]]


def history_for(
    *,
    target: Any,
    labels: dict[str, Any] | None = None,
    user_fields: tuple[str, ...] = (),
    value_labels: dict[str, dict[str, Any]] | None = None,
    limit: int = 50,
) -> list[HistoryRow]:
    """The audit trail of one record the caller has already fetched through visible_to()."""
    from .audit import target_type

    events = (
        AuditEvent.objects.filter(
            workspace_id=target.pk if isinstance(target, Workspace) else target.workspace_id,
            target_type=target_type(target),
            target_id=target.pk,
        )
        .select_related("actor_user")
        .order_by("-id")[:limit]
    )
    events = list(events)
    labels = {**model_labels(target), **FACT_LABELS, **(labels or {})}
    user_ids = {
        v
        for e in events
        for k, pair in e.changes.items()
        if k in user_fields and isinstance(pair, list)
        for v in pair
        if isinstance(v, int)
    }
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    verbs = dict(AuditVerb.choices)
    kinds = dict(ActorKind.choices)
    result = []
    for event in events:
        if event.actor_user is not None:
            actor = str(event.actor_user)
            if event.actor_kind == ActorKind.TOKEN:
                actor = _("%(user)s via API token") % {"user": actor}
        else:
            actor = event.actor_label or str(kinds.get(event.actor_kind, event.actor_kind))
        rows = [
            (
                str(labels.get(k, k)),
                *(
                    # Only scalar values have labels; a list (tags) is shown as itself.
                    ((value_labels or {}).get(k, {}).get(value) if _hashable(value) else None)
                    or _display(target, k, value, names if k in user_fields else None)
                    for value in v[:2]
                ),
            )
            for k, v in event.changes.items()
            if isinstance(v, list)
        ]
        result.append(
            HistoryRow(
                created_at=event.created_at,
                actor_display=actor,
                verb_display=str(verbs.get(event.verb, event.verb)),
                action_display=str(ACTION_LABELS.get(event.action, event.action)),
                rows=rows,
            )
        )
    return result


def model_labels(target: Any) -> dict[str, Any]:
    return {f.name: f.verbose_name for f in target._meta.get_fields() if hasattr(f, "verbose_name")}


FACT_LABELS: dict[str, Any] = {
    "tokens_revoked": gettext_lazy("API tokens revoked"),
    "sessions_ended": gettext_lazy("sessions ended"),
    "reason": gettext_lazy("reason"),
}


def _display(target: Any, field_name: str, value: Any, names: dict[int, str] | None) -> Any:
    """A stored value as a person reads it: a user's name, a choice's label."""
    try:
        field = target._meta.get_field(field_name)
    except Exception:  # changes may name facts that are not fields (e.g. tokens_revoked)
        field = None
    if field is not None and getattr(field, "choices", None) and value is not None:
        return dict(field.flatchoices).get(value, value)
    return _fmt(value, names)


def _fmt(value: Any, names: dict[int, str] | None = None) -> Any:
    if names is not None and isinstance(value, int):
        return names.get(value, value)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value


ACTION_LABELS: dict[str, Any] = {
    "deactivated": gettext_lazy("deactivated"),
    "reactivated": gettext_lazy("reactivated"),
    "revoked": gettext_lazy("revoked"),
    "invitation_accepted": gettext_lazy("accepted the invitation"),
    "claimed": gettext_lazy("claimed from the lead pool"),
    "released": gettext_lazy("released to the lead pool"),
}


def _hashable(value: Any) -> bool:
    return not isinstance(value, list | dict)
