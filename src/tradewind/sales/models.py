"""Pipelines, stages and opportunities (商机). Minimal for lead conversion; the board and stage
moves come with the opportunities issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.models_custom_fields import custom_column

from .choices import STAGE_LABELS, OpportunityStatus


class Pipeline(WorkspaceModel):
    """Configuration: the whole workspace sees every pipeline."""

    AUDIT_TYPE = "pipeline"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    is_default = models.BooleanField(_("default pipeline"), default=False)

    class Meta:
        verbose_name = _("pipeline")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(is_default=True),
                name="pipeline_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(
        max_length=40, blank=True
    )  # a default stage's key, translated on display
    name = models.CharField(_("name"), max_length=80, blank=True)  # a workspace's own stage
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)

    class Meta:
        verbose_name = _("stage")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(STAGE_LABELS.get(self.key, self.key))

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Opportunity(WorkspaceModel):
    AUDIT_TYPE = "opportunity"

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("expected amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    need = models.TextField(_("need"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    custom = custom_column()  # custom field values (workspaces/custom_fields.py)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="opportunity_unique_code")
        ]
        indexes = [
            models.Index(fields=["workspace", "owner", "status"], name="opp_ws_owner_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="opp_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
