"""Pipelines (销售流程) with stages and stage tasks, opportunities (商机) with product lines, team
members, stage history and closing reasons. Products live in models_products.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Workspace, WorkspaceModel
from tradewind.workspaces.models_custom_fields import custom_column

from .choices import (
    STAGE_LABELS,
    CloseKind,
    ForecastCategory,
    GateMode,
    Incoterm,
    OpportunitySource,
    OpportunityStatus,
    StageChangeKind,
    TeamRole,
)
from .models_products import Product, ProductPrice

__all__ = [
    "CloseReason",
    "Opportunity",
    "OpportunityLine",
    "OpportunityMember",
    "Pipeline",
    "Product",
    "ProductPrice",
    "Stage",
    "StageChange",
    "StageTask",
    "StageTaskCheck",
]


class Pipeline(WorkspaceModel):
    """Configuration: the whole workspace sees every pipeline."""

    AUDIT_TYPE = "pipeline"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, db_default=0)
    gate = models.CharField(
        _("when required stage tasks are not done"),
        max_length=5,
        choices=GateMode.choices,
        default=GateMode.WARN,
        db_default=GateMode.WARN,
    )
    # Days without activity or stage change before an opportunity is flagged stale; a stage may
    # override it (Stage.stale_days).
    stale_days = models.PositiveSmallIntegerField(
        _("stale after (days)"), default=30, db_default=30
    )

    class Meta:
        verbose_name = _("pipeline")
        ordering = ["position", "id"]
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
    expected_days = models.PositiveSmallIntegerField(
        _("expected days in stage"), null=True, blank=True
    )
    stale_days = models.PositiveSmallIntegerField(
        _("stale after (days)"), null=True, blank=True
    )  # None: the pipeline's stale_days

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


class StageTask(models.Model):
    """A checklist item of a stage (阶段任务); required ones gate moving past the stage."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    is_required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("stage task")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class CloseReason(models.Model):
    """A workspace's list of reasons for losing (输单) or invalidating (无效) an opportunity."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=CloseKind.choices)
    label = models.CharField(_("reason"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("close reason")
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "label"], name="close_reason_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


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
    contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("contacts"), blank=True, related_name="+"
    )  # further contacts besides the main `contact`
    source = models.CharField(
        _("source"), max_length=16, choices=OpportunitySource.choices, blank=True, db_default=""
    )
    incoterm = models.CharField(
        _("Incoterm"), max_length=3, choices=Incoterm.choices, blank=True, db_default=""
    )
    named_place = models.CharField(_("named place"), max_length=120, blank=True, db_default="")
    # True: `amount` is the sum of the lines (sales/amounts.py); False: entered by hand.
    amount_from_lines = models.BooleanField(_("amount from lines"), default=False, db_default=False)
    # The amount in the workspace's base currency at the rate of `fx_date` (None: no rate known).
    base_amount = models.DecimalField(
        _("amount in base currency"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    fx_date = models.DateField(null=True, blank=True)
    # None: the stage's default probability.
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), null=True, blank=True)
    competitors = models.CharField(_("competitors"), max_length=300, blank=True, db_default="")
    next_step = models.CharField(_("next step"), max_length=300, blank=True, db_default="")
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        db_default=ForecastCategory.PIPELINE,
    )
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_reason = models.ForeignKey(
        CloseReason,
        verbose_name=_("close reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_competitor = models.CharField(
        _("won by competitor"), max_length=200, blank=True, db_default=""
    )
    close_note = models.TextField(_("closing note"), blank=True, db_default="")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="opportunity_unique_code")
        ]
        indexes = [
            models.Index(fields=["workspace", "owner", "status"], name="opp_ws_owner_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="opp_customer_idx"),
            models.Index(fields=["workspace", "status", "stage"], name="opp_ws_status_stage_idx"),
            # The list's default order (newest first), with and without the status filter.
            models.Index(fields=["workspace", "-created_at", "-id"], name="opp_ws_created_idx"),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"],
                name="opp_ws_status_created_idx",
            ),
            models.Index(
                fields=["workspace", "status", "expected_close_date"],
                name="opp_ws_status_close_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def scope_shared(cls, member: object) -> models.Q:
        """Team members and the customer's owner see the opportunity outside their data scope."""
        user_id = member.user_id  # type: ignore[attr-defined]
        return models.Q(
            models.Exists(
                OpportunityMember.objects.filter(
                    opportunity_id=models.OuterRef("pk"), user_id=user_id
                )
            )
        ) | models.Q(customer__owner_id=user_id)

    @property
    def effective_probability(self) -> int:
        return self.probability if self.probability is not None else self.stage.probability


class OpportunityLine(models.Model):
    """A product line in the opportunity's currency; `amount` is kept by sales/amounts.py."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    specs_note = models.TextField(_("specs note"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("opportunity line")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description or str(self.product_id or "")


class OpportunityMember(models.Model):
    """A colleague on the opportunity's team besides its owner; they see the opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("team member")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="opp_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"


class StageChange(models.Model):
    """One row per stage change (and creation, closing, reopening): the stage history with the
    time spent in the stage left. Each row's from_stage is the previous row's to_stage."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    kind = models.CharField(max_length=8, choices=StageChangeKind.choices)
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    seconds_in_from_stage = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "changed_at"], name="stage_change_opp_idx"),
            models.Index(fields=["workspace", "changed_at"], name="stage_change_ws_idx"),
            # The funnels' median time in stage: count and read the middle exit of a stage
            # without touching the table (analytics.funnels.median_days_in_stage).
            models.Index(
                fields=["workspace", "from_stage", "seconds_in_from_stage", "changed_at"],
                name="stage_change_median_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} -> {self.to_stage_id}"


class StageTaskCheck(models.Model):
    """A stage task ticked done on one opportunity."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="task_checks"
    )
    task = models.ForeignKey(StageTask, on_delete=models.CASCADE, related_name="+")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "task"], name="stage_task_check_unique")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.task_id}"
