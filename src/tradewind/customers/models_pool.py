"""The customer public pool (公海): the workspace's pool policy, claim stints, nightly job runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from .models import Customer
from .pool_choices import DEFAULT_LOST_REASONS


class CustomerPolicy(models.Model):
    """A workspace's pool rules. One row per workspace, created with defaults on first use.
    A day count of 0 switches that rule off."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="customer_policy"
    )
    holding_cap = models.PositiveIntegerField(
        _("most customers one rep may hold (signed ones not counted)"), default=200
    )
    daily_claim_limit = models.PositiveIntegerField(_("claims per rep per day"), default=20)
    recycle_no_followup_days = models.PositiveSmallIntegerField(
        _("back to the pool after days without follow-up"), default=30
    )
    recycle_no_opportunity_days = models.PositiveSmallIntegerField(
        _("back to the pool after days without opportunity activity"), default=90
    )
    recycle_signed = models.BooleanField(_("signed customers are recycled too"), default=False)
    release_cooldown_days = models.PositiveSmallIntegerField(
        _("days before a rep may claim again a customer they released"), default=7
    )
    warn_days_before = models.PositiveSmallIntegerField(
        _("warn the owner this many days before recycling"), default=1
    )
    lost_reasons = models.JSONField(_("reasons a customer is lost"), default=list, blank=True)

    class Meta:
        verbose_name = _("customer pool policy")

    def __str__(self) -> str:
        return f"customer policy of {self.workspace_id}"

    @classmethod
    def for_workspace(cls, workspace: object) -> CustomerPolicy:
        policy, _created = cls.objects.get_or_create(
            workspace=workspace,
            defaults={"lost_reasons": [_gettext(str(r)) for r in DEFAULT_LOST_REASONS]},
        )
        return policy


class CustomerClaim(models.Model):
    """One stint of a rep holding a customer. Opened by a claim from the pool (`claimed_at`), or
    written closed at release time when the holding began elsewhere (creation, assignment:
    `claimed_at` is null). Counts daily claims; the cool-down reads the closed stints."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=200, blank=True)
    recycled = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "user", "claimed_at"], name="custclaim_user_day_idx"),
            models.Index(
                fields=["customer", "user", "-released_at"], name="custclaim_cooldown_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"claim of customer {self.customer_id} by {self.user_id}"


class CustomerJobRun(models.Model):
    """One row per workspace, job and workspace-local day: the hourly task acts once a day."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    job = models.CharField(max_length=32)
    on_date = models.DateField()
    ran_at = models.DateTimeField()
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "job", "on_date"], name="customerjobrun_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.on_date} @ {self.workspace_id}"
