"""The tasks and comments panels of a record's page (lead, customer, …):
`{% record_tasks lead member as tasks %}` and `{% record_comments lead member as talk %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tradewind.workspaces.permissions import Perm

from ..task_selectors import tasks_of
from ..timeline_sources import timeline_items
from ..views_comments import panel_context

register = template.Library()


@register.simple_tag
def record_tasks(target: Any, member: Any) -> dict[str, Any]:
    """The record's open tasks and latest closed ones; the caller fetched the record through
    visible_to(), so whoever sees the record sees the work planned on it."""
    found = tasks_of(target)
    may_edit, may_manage = member.has(Perm.TASK_EDIT), member.has(Perm.TASK_MANAGE)
    for task in found.open + found.done:
        mine = member.user_id in (task.assignee_id, task.created_by_id)
        task.can_change = (mine and may_edit) or may_manage
    kind = getattr(target, "AUDIT_TYPE", "")
    return {
        "open": found.open,
        "done": found.done,
        "can_add": member.has(Perm.TASK_EDIT),
        "add_url": f"{reverse('tasks:create')}?target_type={kind}&target_id={target.pk}",
        "user_id": member.user_id,
        "can_manage": member.has(Perm.TASK_MANAGE),
    }


@register.simple_tag
def record_comments(target: Any, member: Any) -> dict[str, Any]:
    return panel_context(member, target)


@register.simple_tag
def task_ref(refs: dict, task: Any) -> Any:
    """The related record of a task as the reader may see it (None: no name, no link)."""
    if not task.target_type or task.target_id is None:
        return None
    return refs.get((task.target_type, task.target_id))


@register.simple_tag
def timeline_merge(followups: Any, target: Any = None) -> list:
    """A record's follow-ups merged with the registered timeline sources (activities/
    timeline_sources.py); without a target, the follow-ups alone."""
    return timeline_items(target or None, followups or [])
