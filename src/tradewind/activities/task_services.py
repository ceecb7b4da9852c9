"""Writes of tasks (下步事务): create, edit, complete (the next occurrence of a series), reopen,
cancel, delete, and the reminder sweep.

Who may change a task: its assignee and its creator (Perm.TASK_EDIT), or a member whose data scope
covers the assignee (Perm.TASK_MANAGE, managers and owners). Outside the member's sight it is 404.
The due window is resolved in the assignee's time zone (activities/fuzzy_due.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, User, Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import effective_zone

from . import fuzzy_due
from .errors_tasks import TaskError
from .models_tasks import Task
from .notifications import notify
from .targets import target_get
from .task_choices import DueKind, Recurrence, TaskPriority, TaskStatus

TITLE_MAX: int = Task._meta.get_field("title").max_length or 200
NOTES_MAX = 5000
REMINDER_BATCH = 500
UNSET: Any = object()

AUDIT_FIELDS = [
    "title",
    "notes",
    "assignee",
    "target_type",
    "target_id",
    "priority",
    "due_kind",
    "due_start",
    "due_end",
    "workdays_only",
    "status",
    "recurrence",
    "remind_at",
]


def _invalid(errors: dict[str, list[str]]) -> ServiceError:
    return ServiceError(TaskError.INVALID, _("Please correct the marked fields."), fields=errors)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # read in the active (the user's) zone
    return value


def _assignee(actor: Actor, assignee_id: Any, errors: dict[str, list[str]]) -> User | None:
    if assignee_id in (None, ""):
        if actor.user is None:
            errors["assignee"] = [_("Choose who does it.")]
        return actor.user
    try:
        pk = int(getattr(assignee_id, "pk", assignee_id))
    except (TypeError, ValueError):
        pk = 0
    member = (
        Membership.objects.filter(workspace=actor.workspace, user_id=pk, is_active=True)
        .select_related("user")
        .first()
    )
    if member is None:
        errors["assignee"] = [_("The assignee must be an active member of this workspace.")]
        return None
    return member.user


def _window(
    *,
    due_kind: str,
    due_at: dt.datetime | None,
    workdays_only: bool,
    assignee: User | None,
    actor: Actor,
    now: dt.datetime,
    errors: dict[str, list[str]],
) -> fuzzy_due.Window | None:
    if due_kind not in DueKind.values:
        errors["due_kind"] = [_("Choose when it is due.")]
        return None
    if due_kind == DueKind.EXACT and due_at is None:
        errors["due_at"] = [_("Enter the due time.")]
        return None
    tz = effective_zone(actor.workspace, assignee)
    return fuzzy_due.resolve(
        due_kind, now=now, tz=tz, workdays_only=workdays_only, at=_aware(due_at)
    )


def _text(title: str, notes: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    title = (title or "").strip()
    notes = (notes or "").strip()
    if not title:
        errors["title"] = [_("Say what is to be done.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("At most %(n)s characters.") % {"n": NOTES_MAX}]
    return title, notes


def _choice(value: str, values: list[str], field: str, errors: dict[str, list[str]]) -> str:
    value = str(value or "")
    if value not in values:
        errors[field] = [_("Choose one of the offered values.")]
    return value


def _series(task: Task, tz_of: User | None, actor: Actor) -> None:
    """Where a recurring series stands: its nominal start and, monthly, its day of the month."""
    if task.recurrence:
        task.recur_from = task.due_start
        local = task.due_start.astimezone(effective_zone(actor.workspace, tz_of))
        task.recur_day = local.day if task.recurrence == Recurrence.MONTHLY else None
    else:
        task.recur_from = None
        task.recur_day = None


def _notify_assigned(actor: Actor, task: Task) -> None:
    if actor.user_id == task.assignee_id:
        return
    notify(
        workspace=actor.workspace,
        user_ids=[task.assignee_id],
        kind="task.assigned",
        params={"title": task.title, "by": str(actor.user or actor.label)},
        url=reverse("tasks:edit", args=[task.pk]),
    )


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    title: str,
    due_kind: str,
    due_at: dt.datetime | None = None,
    workdays_only: bool = False,
    assignee_id: Any = None,
    target_type: str = "",
    target_id: Any = None,
    priority: str = TaskPriority.NORMAL,
    recurrence: str = "",
    remind_at: dt.datetime | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Task:
    """A task for the assignee (the actor when none is given), on a record the actor may see."""
    require(actor, Perm.TASK_EDIT)
    now = now or timezone.now()
    target_type = str(target_type or "")
    if target_type or target_id not in (None, ""):
        target = target_get(
            member=actor.member,
            workspace=actor.workspace,
            target_type=target_type,
            target_id=target_id,
        )
        target_id = target.pk
    else:
        target_id = None
    errors: dict[str, list[str]] = {}
    title, notes = _text(title, notes, errors)
    priority = _choice(priority or TaskPriority.NORMAL, TaskPriority.values, "priority", errors)
    recurrence = _choice(recurrence, Recurrence.values, "recurrence", errors)
    assignee = _assignee(actor, assignee_id, errors)
    window = _window(
        due_kind=due_kind,
        due_at=due_at,
        workdays_only=workdays_only,
        assignee=assignee,
        actor=actor,
        now=now,
        errors=errors,
    )
    if errors or assignee is None or window is None:
        raise _invalid(errors or {"assignee": [_("Choose who does it.")]})
    task = Task(
        workspace=actor.workspace,
        title=title,
        notes=notes,
        assignee=assignee,
        created_by_id=actor.user_id,
        target_type=target_type,
        target_id=target_id,
        priority=priority,
        due_kind=due_kind,
        due_start=window.start,
        due_end=window.end,
        workdays_only=bool(workdays_only),
        recurrence=recurrence,
        remind_at=_aware(remind_at),
        created_at=now,
        updated_at=now,
    )
    _series(task, assignee, actor)
    task.save()
    audit.record_create(actor=actor, target=task, fields=AUDIT_FIELDS)
    _notify_assigned(actor, task)
    emit(
        "task.created",
        workspace_id=actor.workspace.pk,
        task_id=task.pk,
        assignee_id=task.assignee_id,
        target_type=task.target_type,
        target_id=task.target_id,
    )
    return task


def _may_change(actor: Actor, task: Task) -> None:
    """The assignee and the creator need TASK_EDIT; anybody else (who sees the task through
    their data scope) needs TASK_MANAGE."""
    if task.workspace_id != actor.workspace.pk:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if actor.member is None:
        return
    if actor.user_id in (task.assignee_id, task.created_by_id):
        require(actor, Perm.TASK_EDIT)
    else:
        require(actor, Perm.TASK_MANAGE)


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def _check_version(task: Task, version: int | None) -> None:
    if version is not None and int(version) != task.version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone changed this task meanwhile. Reload it and try again."),
        )


@transaction.atomic
def task_update(
    *,
    actor: Actor,
    task: Task,
    version: int | None = None,
    title: Any = UNSET,
    notes: Any = UNSET,
    assignee_id: Any = UNSET,
    priority: Any = UNSET,
    due_kind: Any = UNSET,
    due_at: Any = UNSET,
    workdays_only: Any = UNSET,
    recurrence: Any = UNSET,
    remind_at: Any = UNSET,
    now: dt.datetime | None = None,
) -> Task:
    """Change what is given. A new due (kind, time or working-days flag) is resolved again from
    now; a new reminder time is sent again."""
    _may_change(actor, task)
    task = _lock(task)
    _check_version(task, version)
    if not task.is_open:
        raise Conflict(TaskError.CLOSED, _("This task is closed; reopen it to change it."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if title is not UNSET or notes is not UNSET:
        new_title, new_notes = _text(
            task.title if title is UNSET else title,
            task.notes if notes is UNSET else notes,
            errors,
        )
        cleaned.update(title=new_title, notes=new_notes)
    if priority is not UNSET:
        cleaned["priority"] = _choice(priority, TaskPriority.values, "priority", errors)
    if recurrence is not UNSET:
        cleaned["recurrence"] = _choice(recurrence, Recurrence.values, "recurrence", errors)
    assignee = task.assignee
    if assignee_id is not UNSET:
        assignee = _assignee(actor, assignee_id, errors) if assignee_id not in (None, "") else None
        if assignee is None and "assignee" not in errors:
            errors["assignee"] = [_("Choose who does it.")]
        cleaned["assignee"] = assignee
    if due_kind is not UNSET or due_at is not UNSET or workdays_only is not UNSET:
        kind = task.due_kind if due_kind is UNSET else str(due_kind or "")
        flag = task.workdays_only if workdays_only is UNSET else bool(workdays_only)
        at = (task.due_start if kind == DueKind.EXACT else None) if due_at is UNSET else due_at
        window = _window(
            due_kind=kind,
            due_at=at,
            workdays_only=flag,
            assignee=assignee,
            actor=actor,
            now=now,
            errors=errors,
        )
        if window is not None:
            cleaned.update(
                due_kind=kind, workdays_only=flag, due_start=window.start, due_end=window.end
            )
    if remind_at is not UNSET:
        cleaned["remind_at"] = _aware(remind_at)
    if errors:
        raise _invalid(errors)
    changes = audit.apply_changes(task, cleaned, AUDIT_FIELDS)
    if not changes:
        return task
    if "remind_at" in changes:
        task.reminded_at = None
    if {"recurrence", "due_start"} & changes.keys():
        _series(task, task.assignee, actor)
    audit.save_update(actor=actor, target=task, changes=changes)
    if "assignee" in changes:
        _notify_assigned(actor, task)
    emit("task.updated", workspace_id=actor.workspace.pk, task_id=task.pk, fields=list(changes))
    return task


def _transition(actor: Actor, task: Task, to: str, *, now: dt.datetime, action: str) -> Task:
    before = task.status
    task.status = to
    task.done_at = now if to == TaskStatus.DONE else None
    task.version += 1
    task.updated_at = now
    task.save(update_fields=["status", "done_at", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action=action,
        target=task,
        changes={"status": [before, to]},
    )
    emit(f"task.{action}", workspace_id=actor.workspace.pk, task_id=task.pk)
    return task


def _next_of(actor: Actor, task: Task, now: dt.datetime) -> Task:
    tz = effective_zone(actor.workspace, task.assignee)
    occurrence = fuzzy_due.next_occurrence(
        window=fuzzy_due.Window(task.due_start, task.due_end),
        nominal=task.recur_from or task.due_start,
        kind=task.due_kind,
        recurrence=task.recurrence,
        tz=tz,
        workdays_only=task.workdays_only,
        anchor_day=task.recur_day,
        after=now,
    )
    shift = occurrence.window.start - task.due_start
    following = Task.objects.create(
        workspace=task.workspace,
        title=task.title,
        notes=task.notes,
        assignee_id=task.assignee_id,
        created_by_id=task.created_by_id,
        target_type=task.target_type,
        target_id=task.target_id,
        priority=task.priority,
        due_kind=task.due_kind,
        due_start=occurrence.window.start,
        due_end=occurrence.window.end,
        workdays_only=task.workdays_only,
        recurrence=task.recurrence,
        recur_from=occurrence.nominal,
        recur_day=task.recur_day,
        previous=task,
        remind_at=task.remind_at + shift if task.remind_at else None,
        created_at=now,
        updated_at=now,
    )
    audit.record_create(actor=actor, target=following, fields=AUDIT_FIELDS)
    emit("task.created", workspace_id=actor.workspace.pk, task_id=following.pk, recurred=True)
    return following


@transaction.atomic
def task_complete(
    *, actor: Actor, task: Task, now: dt.datetime | None = None
) -> tuple[Task, Task | None]:
    """Mark an open task done; a recurring one gets its next occurrence (returned second)."""
    _may_change(actor, task)
    task = _lock(task)
    if not task.is_open:
        raise Conflict(TaskError.NOT_OPEN, _("Only an open task can be completed."))
    now = now or timezone.now()
    _transition(actor, task, TaskStatus.DONE, now=now, action="completed")
    following = _next_of(actor, task, now) if task.recurrence else None
    return task, following


@transaction.atomic
def task_reopen(*, actor: Actor, task: Task, now: dt.datetime | None = None) -> Task:
    """A done or cancelled task is open again (a series' next occurrence, if any, stays)."""
    _may_change(actor, task)
    task = _lock(task)
    if task.is_open:
        raise Conflict(TaskError.ALREADY_OPEN, _("This task is already open."))
    return _transition(actor, task, TaskStatus.OPEN, now=now or timezone.now(), action="reopened")


@transaction.atomic
def task_cancel(*, actor: Actor, task: Task, now: dt.datetime | None = None) -> Task:
    _may_change(actor, task)
    task = _lock(task)
    if not task.is_open:
        raise Conflict(TaskError.NOT_OPEN, _("Only an open task can be cancelled."))
    return _transition(
        actor, task, TaskStatus.CANCELLED, now=now or timezone.now(), action="cancelled"
    )


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    """Gone for good; the audit trail keeps what it was."""
    _may_change(actor, task)
    task = _lock(task)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=task,
        changes={k: [v, None] for k, v in audit.snapshot(task, AUDIT_FIELDS).items()},
    )
    pk = task.pk
    task.delete()
    emit("task.deleted", workspace_id=actor.workspace.pk, task_id=pk)


# --- reminders ------------------------------------------------------------------------------------


def task_reminders_send(*, now: dt.datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Send every reminder that is due, once: each batch locks its rows (skipping rows another
    consumer holds, on PostgreSQL), stamps `reminded_at` and writes the notifications in the same
    transaction; the notification key (task and reminder time) makes a replay harmless.
    Returns how many reminders were sent."""
    now = now or timezone.now()
    sent = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        with transaction.atomic():
            pending = Task.objects.filter(
                status=TaskStatus.OPEN, reminded_at__isnull=True, remind_at__lte=now
            ).order_by("remind_at", "id")
            rows = list(
                pending.select_for_update(skip_locked=skip_locked).only(
                    "pk", "workspace_id", "assignee_id", "title", "remind_at", "due_kind"
                )[:batch]
            )
            if not rows:
                return sent
            Task.objects.filter(pk__in=[t.pk for t in rows], reminded_at__isnull=True).update(
                reminded_at=now
            )
            workspaces = Workspace.objects.in_bulk({t.workspace_id for t in rows})
            for task in rows:
                notify(
                    workspace=workspaces[task.workspace_id],
                    user_ids=[task.assignee_id],
                    kind="task.reminder",
                    params={"title": task.title},
                    url=reverse("tasks:edit", args=[task.pk]),
                    key=f"task_reminder:{task.pk}:{task.remind_at.isoformat()}",
                )
            sent += len(rows)
