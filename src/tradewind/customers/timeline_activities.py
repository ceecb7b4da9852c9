"""Timeline sources from the activities app: follow-ups, and — once installed — tasks and comments
(read generically by target_type/target_id so this module needs none of their code). Each is one
indexed query per page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from tradewind.activities.models import FollowUp

from .models import Customer
from .timeline import Cursor, Entry, Scope, after, field_names, model_or_none, register

# --- follow-ups ------------------------------------------------------------------------------------


@register("followup", ("followup",))
def followup_source(
    scope: Scope, cursor: Cursor | None, limit: int, kinds: frozenset[str]
) -> list[Entry]:
    customer = scope.customer
    rows = (
        FollowUp.objects.filter(
            workspace_id=customer.workspace_id,
            target_type=Customer.AUDIT_TYPE,
            target_id=customer.pk,
        )
        .filter(after(cursor, "followup", "happened_at"))
        .select_related("owner")
        .order_by("-happened_at", "-id")[:limit]
    )
    return [
        Entry(
            at=f.happened_at,
            source="followup",
            id=f.pk,
            kind="followup",
            title=f"{f.get_channel_display()} · {f.get_result_display()}",
            actor=str(f.owner),
            body=f.summary,
            detail={
                "feedback": f.feedback,
                "next_action": f.next_action,
                "next_due_at": f.next_due_at,
            },
        )
        for f in rows
    ]


# --- tasks and comments (activities, when installed) -----------------------------------------------


def _generic_rows(model: Any, scope: Scope, cursor: Cursor | None, source: str, limit: int) -> Any:
    """Rows of an activities model attached to the customer by (target_type, target_id)."""
    names = field_names(model)
    related = [n for n in ("owner", "assignee", "author", "created_by") if n in names]
    return (
        model.objects.filter(
            workspace_id=scope.customer.workspace_id,
            target_type=Customer.AUDIT_TYPE,
            target_id=scope.customer.pk,
        )
        .filter(after(cursor, source, "created_at"))
        .select_related(*related)
        .order_by("-created_at", "-id")[:limit]
    )


@register("task", ("task",))
def task_source(
    scope: Scope, cursor: Cursor | None, limit: int, kinds: frozenset[str]
) -> list[Entry]:
    model = model_or_none("activities.Task")
    if model is None or not {"target_type", "target_id", "created_at"} <= field_names(model):
        return []
    entries = []
    for task in _generic_rows(model, scope, cursor, "task", limit):
        who = getattr(task, "assignee", None) or getattr(task, "created_by", None)
        entries.append(
            Entry(
                at=task.created_at,
                source="task",
                id=task.pk,
                kind="task",
                title=str(getattr(task, "title", task)),
                actor=str(who or ""),
                body=str(getattr(task, "notes", "") or ""),
                detail={
                    "due": getattr(task, "due_end", None),
                    "done": getattr(task, "done_at", None),
                    "status": getattr(task, "get_status_display", lambda: "")(),
                },
            )
        )
    return entries


@register("comment", ("comment",))
def comment_source(
    scope: Scope, cursor: Cursor | None, limit: int, kinds: frozenset[str]
) -> list[Entry]:
    model = model_or_none("activities.Comment")
    if model is None or not {"target_type", "target_id", "created_at"} <= field_names(model):
        return []
    return [
        Entry(
            at=c.created_at,
            source="comment",
            id=c.pk,
            kind="comment",
            title=str(pgettext_lazy("timeline", "Comment")),
            actor=str(getattr(c, "author", None) or getattr(c, "created_by", None) or ""),
            body=str(getattr(c, "body", "") or getattr(c, "text", "")),
        )
        for c in _generic_rows(model, scope, cursor, "comment", limit)
    ]
