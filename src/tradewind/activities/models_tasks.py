"""Task (下步事务, a next step with an exact or fuzzy due window) and Comment (with @mentions).

Both point at their record generically (target_type = the record's audit type, target_id), like
FollowUp: activities may not import the apps whose records they hang on (activities/targets.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.querysets import WorkspaceQuerySet

from .task_choices import DueKind, Recurrence, TaskPriority, TaskStatus

if TYPE_CHECKING:
    from tradewind.workspaces.models import Membership


class TaskQuerySet(WorkspaceQuerySet):
    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        """The assignee's data scope decides (a manager sees the team's tasks), and whoever created
        a task keeps seeing it after handing it to a colleague."""
        base = super().visible_to(member)
        if member is None or not member.is_active or not member.user.is_active:
            return base
        return base | self.filter(workspace_id=member.workspace_id, created_by_id=member.user_id)


class Task(WorkspaceModel):
    AUDIT_TYPE = "task"
    SCOPE_OWNER_FIELD = "assignee"
    POOL_VISIBLE = False

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The related record ("" and None: a to-do of its own).
    target_type = models.CharField(_("record type"), max_length=64, blank=True)
    target_id = models.BigIntegerField(_("record"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    # The due window [due_start, due_end), resolved in the assignee's zone when it was set; an
    # exact due time has due_start == due_end.
    due_kind = models.CharField(_("due"), max_length=16, choices=DueKind.choices)
    due_start = models.DateTimeField(_("due from"))
    due_end = models.DateTimeField(_("due by"))
    workdays_only = models.BooleanField(_("working days only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    recurrence = models.CharField(
        _("repeat"), max_length=8, choices=Recurrence.choices, default="", blank=True
    )
    # Where the series would fall before skipping non-working days, and a monthly series' day of
    # the month, so the next occurrence does not drift.
    recur_from = models.DateTimeField(null=True, blank=True, editable=False)
    recur_day = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    remind_at = models.DateTimeField(_("remind me at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        indexes = [
            models.Index(
                fields=["workspace", "assignee", "status", "due_end"], name="task_assignee_due_idx"
            ),
            models.Index(
                fields=["workspace", "target_type", "target_id", "status"],
                name="task_target_idx",
            ),
            models.Index(
                fields=["remind_at"],
                condition=models.Q(reminded_at__isnull=True, status="open"),
                name="task_remind_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_exact(self) -> bool:
        return self.due_kind == DueKind.EXACT


class Comment(WorkspaceModel):
    AUDIT_TYPE = "comment"
    # Read through the record it hangs on (whoever sees the record sees its comments); the
    # author's scope only decides who may change it.
    SCOPE_OWNER_FIELD = "author"
    POOL_VISIBLE = False

    target_type = models.CharField(_("record type"), max_length=64)
    target_id = models.BigIntegerField(_("record"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    mentions = models.JSONField(_("mentioned"), default=list, blank=True)  # user ids
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id", "-id"], name="comment_target_idx"
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]
