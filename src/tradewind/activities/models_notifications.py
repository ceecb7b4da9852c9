"""Per-user notification preferences and the record of daily digests (activities/notification_prefs.py,
activities/digests.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailMode(models.TextChoices):
    OFF = "off", _("No e-mail")
    INSTANT = "instant", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")


class NotificationPreference(models.Model):
    """How one user wants one kind of notification in one workspace. Only choices that differ from
    the kind's defaults are stored: a kind added later starts at its defaults for everybody."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=64)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.CharField(
        _("e-mail"), max_length=8, choices=EmailMode.choices, default=EmailMode.OFF
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "kind"], name="notification_pref_unique"
            )
        ]
        indexes = [
            # The digest finds who wants one without reading everybody's preferences.
            models.Index(
                fields=["workspace", "user"],
                condition=models.Q(email="digest"),
                name="notification_pref_digest_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.in_app}/{self.email}"


class NotificationDigest(models.Model):
    """One daily digest decision for one user: written once per workspace-local day, in the same
    transaction as the keyed job that sends it, so a second run of the schedule finds it and stops.
    `up_to_id` is the newest notification the decision looked at: the next digest starts after it."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on_date = models.DateField()
    up_to_id = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    job_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification digest")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "on_date"], name="notification_digest_unique_day"
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "user", "-on_date"], name="notification_digest_last_idx"
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.on_date} for {self.user_id}: {self.count}"
