"""FollowUp (跟进记录): one contact with a record's people — when, how, what was said, what next."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel

from .choices import Channel, FollowUpResult


class FollowUp(WorkspaceModel):
    AUDIT_TYPE = "followup"
    SCOPE_OWNER_FIELD = "owner"

    # The record followed up: its audit type ("lead", later "customer", …) and id. Generic on
    # purpose: activities may not import the apps that use it.
    target_type = models.CharField(_("record type"), max_length=64)
    target_id = models.BigIntegerField(_("record"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    summary = models.TextField(_("what was said"))
    feedback = models.TextField(_("customer feedback / objection"), blank=True)
    next_action = models.CharField(_("next step"), max_length=500, blank=True)
    next_due_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=FollowUpResult.choices)

    class Meta:
        verbose_name = _("follow-up")
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id", "-happened_at"],
                name="followup_target_idx",
            ),
            models.Index(fields=["workspace", "owner", "-happened_at"], name="followup_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type} #{self.target_id} · {self.channel} {self.happened_at:%Y-%m-%d}"


class Notification(models.Model):
    """An in-app message to one user (activities/notifications.py). Stored as a kind and its
    parameters and rendered when read, in the reader's language. `key` makes a message idempotent:
    one row per (workspace, user, key) when the key is not blank."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "key"],
                condition=~models.Q(key=""),
                name="notification_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "user", "-id"], name="notification_user_idx"),
            models.Index(
                fields=["workspace", "user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}"


from .models_notifications import (  # noqa: E402,F401
    NotificationDigest,
    NotificationPreference,
)
from .models_tasks import Comment, Task  # noqa: E402,F401
