"""Tasks over the API: list (mine, or a record's), create, read, change, complete, reopen,
cancel, delete. A task outside the caller's sight answers 404 whatever the verb."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import task_selectors, task_services
from .models_tasks import Task
from .targets import target_get
from .task_choices import TaskPriority, TaskStatus

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    assignee_id: int
    created_by_id: int | None
    target_type: str
    target_id: int | None
    priority: str
    due_kind: str
    due_start: dt.datetime
    due_end: dt.datetime
    workdays_only: bool
    status: str
    done_at: dt.datetime | None
    recurrence: str
    remind_at: dt.datetime | None
    reminded_at: dt.datetime | None
    previous_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskIn(Schema):
    # Loose on purpose: the service answers a wrong value with a coded, translated field error.
    title: str = ""
    due_kind: str = Field(
        "", description="exact, later_today, tonight, tomorrow, this_week, next_week, next_month"
    )
    due_at: dt.datetime | None = Field(None, description="The time, for due_kind=exact")
    workdays_only: bool = False
    assignee_id: int | None = Field(None, description="Defaults to the caller")
    target_type: str = Field("", description="lead, customer, contact or opportunity")
    target_id: int | None = None
    priority: str = TaskPriority.NORMAL.value
    recurrence: str = Field("", description="'', daily, weekly or monthly")
    remind_at: dt.datetime | None = None
    notes: str = ""


class TaskPatch(Schema):
    version: int | None = Field(None, description="The version you read (optimistic locking)")
    title: str | None = None
    notes: str | None = None
    assignee_id: int | None = None
    priority: str | None = None
    due_kind: str | None = None
    due_at: dt.datetime | None = None
    workdays_only: bool | None = None
    recurrence: str | None = None
    remind_at: dt.datetime | None = None


class CompletedOut(Schema):
    task: TaskOut
    next: TaskOut | None = None


class TaskListIn(Schema):
    when: str = Field("", description="overdue, today, upcoming, or empty for all")
    status: TaskStatus | None = TaskStatus.OPEN
    assignee_id: int | None = Field(None, description="Someone in your scope; default: you")
    target_type: str = ""
    target_id: int | None = None


@router.get(
    "/tasks",
    response={200: list[TaskOut], **READ_ERRORS},
    summary="Tasks: mine (My day), someone's in my scope, or a record's",
    description=(
        "`when`: overdue (the due window has passed), today (due today in your time zone), "
        "upcoming (from tomorrow). With `target_type` and `target_id`: that record's tasks "
        "(404 when you may not see the record). At most 100, soonest due first."
    ),
)
def task_list(request: HttpRequest, params: Query[TaskListIn]) -> list:
    require(request.actor, Perm.TASK_VIEW)
    target = None
    if params.target_type or params.target_id is not None:
        target = target_get(
            member=request.member,
            workspace=request.member.workspace,
            target_type=params.target_type,
            target_id=params.target_id,
        )
    return task_selectors.tasks_list(
        request.member,
        when=params.when,
        assignee_id=params.assignee_id,
        status=params.status.value if params.status else "",
        target=target,  # type: ignore[arg-type]
    )


@router.post(
    "/tasks",
    response={201: TaskOut, **ERRORS},
    summary="Create a task",
    description=(
        "Fuzzy due kinds are resolved in the assignee's time zone to the window "
        "[due_start, due_end); `workdays_only` skips weekends and mainland-China holidays "
        "(make-up workdays count). See docs/tasks-comments.md for the exact windows."
    ),
)
def task_create(request: HttpRequest, payload: TaskIn) -> Status:
    task = task_services.task_create(actor=request.actor, **payload.dict())
    return Status(201, task)


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS}, summary="One task")
def task_read(request: HttpRequest, task_id: int) -> Task:
    return task_selectors.task_get(member=request.member, pk=task_id)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    summary="Change a task",
    description=(
        "Only the fields sent change. A new due kind, time or working-days flag is resolved "
        "again from now; a new reminder time is sent again. A stale `version` answers 409."
    ),
)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    require(request.actor, Perm.TASK_EDIT)
    task = task_selectors.task_get(member=request.member, pk=task_id)
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    return task_services.task_update(actor=request.actor, task=task, version=version, **data)


@router.post(
    "/tasks/{task_id}/complete",
    response={200: CompletedOut, **ERRORS},
    summary="Mark a task done",
    description="A recurring task gets its next occurrence, returned as `next`.",
)
def task_complete(request: HttpRequest, task_id: int) -> dict:
    require(request.actor, Perm.TASK_EDIT)
    task = task_selectors.task_get(member=request.member, pk=task_id)
    done, following = task_services.task_complete(actor=request.actor, task=task)
    return {"task": done, "next": following}


@router.post("/tasks/{task_id}/reopen", response={200: TaskOut, **ERRORS}, summary="Reopen a task")
def task_reopen(request: HttpRequest, task_id: int) -> Task:
    require(request.actor, Perm.TASK_EDIT)
    task = task_selectors.task_get(member=request.member, pk=task_id)
    return task_services.task_reopen(actor=request.actor, task=task)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS}, summary="Cancel a task")
def task_cancel(request: HttpRequest, task_id: int) -> Task:
    require(request.actor, Perm.TASK_EDIT)
    task = task_selectors.task_get(member=request.member, pk=task_id)
    return task_services.task_cancel(actor=request.actor, task=task)


@router.delete("/tasks/{task_id}", response={204: None, **ERRORS}, summary="Delete a task")
def task_delete(request: HttpRequest, task_id: int) -> Status:
    require(request.actor, Perm.TASK_EDIT)
    task = task_selectors.task_get(member=request.member, pk=task_id)
    task_services.task_delete(actor=request.actor, task=task)
    return Status(204, None)
