"""Reads of tasks: one task, "My day" (overdue, today, upcoming), a record's tasks, and the
"has a task due that day" check the nightly recycling of leads and customers uses.

A task is due on a day when its window [due_start, due_end) overlaps that day; an exact task
(start = end) when its moment falls in the day. Overdue: the window has ended (exact: the moment
passed). Days are the member's local days (their zone, else the workspace's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tradewind.workspaces.audit import target_type as type_of
from tradewind.workspaces.models import Membership, WorkspaceModel
from tradewind.workspaces.timezones import effective_zone

from .fuzzy_due import midnight
from .models_tasks import Task
from .targets import TargetRef, target_refs
from .task_choices import TaskStatus

LIST_LIMIT = 100
UPCOMING_LIMIT = 50
PANEL_DONE_LIMIT = 5


def due_between(start: dt.datetime, end: dt.datetime) -> Q:
    """Tasks whose due window overlaps [start, end)."""
    return Q(due_start__lt=end) & (Q(due_end__gt=start) | Q(due_start__gte=start))


def open_task_due(
    *, workspace_id: int, target_type: str, start: dt.datetime, end: dt.datetime | None = None
) -> Exists:
    """For a queryset of records of `target_type`: "has an open task due in [start, end)" (with
    no end: due from `start` on, i.e. not overdue by then). Used as `.exclude(open_task_due(…))`
    by the nightly recycling of leads and customers."""
    due = due_between(start, end) if end is not None else Q(due_end__gte=start)
    return Exists(
        Task.objects.filter(
            workspace_id=workspace_id,
            target_type=target_type,
            target_id=OuterRef("pk"),
            status=TaskStatus.OPEN,
        ).filter(due)
    )


def task_get(*, member: Membership, pk: int) -> Task:
    """404 for a task outside the member's sight: no existence leak."""
    return get_object_or_404(
        Task.objects.visible_to(member).select_related("assignee", "created_by"), pk=pk
    )


@dataclass
class MyDay:
    today: dt.date
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    refs: dict[tuple[str, int], TargetRef] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.upcoming)


def _open_of(member: Membership) -> QuerySet[Task]:
    return (
        Task.objects.visible_to(member)
        .filter(assignee_id=member.user_id, status=TaskStatus.OPEN)
        .select_related("created_by")
    )


def day_bounds(member: Membership, now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime]:
    tz = effective_zone(member.workspace, member.user)
    today = now.astimezone(tz).date()
    return today, midnight(today, tz), midnight(today + dt.timedelta(days=1), tz)


def my_day(member: Membership, *, now: dt.datetime | None = None) -> MyDay:
    """The member's open tasks: overdue (oldest first), due today (soonest end first), upcoming
    (soonest start first, the next 50)."""
    now = now or timezone.now()
    today, _start, tomorrow = day_bounds(member, now)
    mine = _open_of(member)
    order = ("due_end", "due_start", "id")
    result = MyDay(
        today=today,
        overdue=list(mine.filter(due_end__lt=now).order_by(*order)[:LIST_LIMIT]),
        due_today=list(
            mine.filter(due_end__gte=now, due_start__lt=tomorrow).order_by(*order)[:LIST_LIMIT]
        ),
        upcoming=list(
            mine.filter(due_start__gte=tomorrow).order_by("due_start", "id")[:UPCOMING_LIMIT]
        ),
    )
    tasks = result.overdue + result.due_today + result.upcoming
    result.refs = target_refs(member, [(t.target_type, t.target_id) for t in tasks])
    return result


def my_day_counts(member: Membership, *, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    _today, _start, tomorrow = day_bounds(member, now)
    mine = _open_of(member).order_by()
    return {
        "overdue": mine.filter(due_end__lt=now).count(),
        "today": mine.filter(due_end__gte=now, due_start__lt=tomorrow).count(),
    }


@dataclass
class RecordTasks:
    open: list[Task]
    done: list[Task]


def tasks_of(target: WorkspaceModel) -> RecordTasks:
    """A record's open tasks (soonest first) and its latest closed ones. The caller fetched the
    record through visible_to(): whoever sees the record sees the work planned on it."""
    qs = Task.objects.filter(
        workspace_id=target.workspace_id, target_type=type_of(target), target_id=target.pk
    ).select_related("assignee")
    return RecordTasks(
        open=list(qs.filter(status=TaskStatus.OPEN).order_by("due_end", "id")[:LIST_LIMIT]),
        done=list(
            qs.exclude(status=TaskStatus.OPEN).order_by("-updated_at", "-id")[:PANEL_DONE_LIMIT]
        ),
    )


def tasks_list(
    member: Membership,
    *,
    when: str = "",
    assignee_id: int | None = None,
    status: str = TaskStatus.OPEN,
    target: WorkspaceModel | None = None,
    now: dt.datetime | None = None,
    limit: int = LIST_LIMIT,
) -> list[Task]:
    """The API list: tasks the member may see, filtered."""
    now = now or timezone.now()
    qs = Task.objects.visible_to(member).select_related("assignee")
    if target is not None:
        qs = qs.filter(target_type=type_of(target), target_id=target.pk)
    else:
        qs = qs.filter(assignee_id=assignee_id or member.user_id)
    if status:
        qs = qs.filter(status=status)
    _today, _start, tomorrow = day_bounds(member, now)
    if when == "overdue":
        qs = qs.filter(due_end__lt=now)
    elif when == "today":
        qs = qs.filter(due_end__gte=now, due_start__lt=tomorrow)
    elif when == "upcoming":
        qs = qs.filter(due_start__gte=tomorrow)
    return list(qs.order_by("due_end", "id")[:limit])
