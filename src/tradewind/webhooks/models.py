"""Webhook endpoints, the deliveries made to them and each attempt of a delivery.

A delivery is one event for one endpoint: its body (the exact bytes signed and sent) and its
event id (`msg_…`, the `webhook-id` header) never change, so retries and replays are the same
message to the receiver. Attempts are the log: time, status code, duration, a response excerpt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel


class WebhookEndpoint(WorkspaceModel):
    AUDIT_TYPE = "webhook_endpoint"
    SCOPE_OWNER_FIELD = None  # workspace configuration: pages and API ask for WEBHOOK_MANAGE

    url = models.CharField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=300, blank=True)
    event_types = models.JSONField(_("events"), default=list, blank=True)
    # The signing secret ("whsec_" + base64). Kept readable because every message is signed
    # with it; never returned by a list or detail page or API after it was shown once.
    secret = models.CharField(max_length=100)
    # After a rotation, messages are signed with both secrets for a while so the receiver can
    # switch without rejecting anything.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        indexes = [models.Index(fields=["workspace", "is_active"], name="webhook_ep_ws_idx")]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (endpoint disabled)")


class DeliverySource(models.TextChoices):
    EVENT = "event", _("Event")
    RULE = "rule", _("Workflow rule")
    TEST = "test", _("Test")


class WebhookDelivery(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(_("event"), max_length=64)
    source = models.CharField(max_length=8, choices=DeliverySource.choices)
    body = models.TextField()
    state = models.CharField(
        _("state"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_uniq")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhook_dl_ep_idx"),
            models.Index(fields=["endpoint", "state", "-id"], name="webhook_dl_state_idx"),
            models.Index(fields=["endpoint", "event_type", "-id"], name="webhook_dl_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class AttemptTrigger(models.TextChoices):
    AUTO = "auto", _("Automatic")
    REPLAY = "replay", _("Replay")


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    trigger = models.CharField(max_length=8, choices=AttemptTrigger.choices)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    address = models.CharField(max_length=64, blank=True)
    response_excerpt = models.TextField(blank=True)  # at most 1 KB of the response body
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "-id"], name="webhook_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSettings(models.Model):
    """Per-workspace webhook settings, created on first use."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    allow_private_targets = models.BooleanField(_("allow private network targets"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    AUDIT_TYPE = "webhook_settings"

    def __str__(self) -> str:
        return f"webhook settings {self.workspace_id}"
