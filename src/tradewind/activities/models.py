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
