"""The analytics app's own rows: per-workspace report settings, goals and commission rules.

Everything else the reports show is computed live from the other apps' records."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tradewind.workspaces.models import Team, Workspace, WorkspaceModel

__all__ = [
    "AnalyticsSettings",
    "CommissionRule",
    "CommissionTier",
    "Goal",
    "GoalMetric",
    "GoalPeriod",
    "Stretch",
]


class AnalyticsSettings(models.Model):
    """Report settings of one workspace, created on first use (settings_store.analytics_settings)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    rfm_window_days = models.PositiveIntegerField(_("RFM window (days)"), default=365)
    rfm_recency_days = models.PositiveIntegerField(
        _("recency baseline (days)"), null=True, blank=True
    )  # None: the workspace average
    rfm_frequency = models.DecimalField(
        _("frequency baseline"), max_digits=10, decimal_places=2, null=True, blank=True
    )  # None: the workspace average
    rfm_monetary = models.DecimalField(
        _("monetary baseline"), max_digits=18, decimal_places=2, null=True, blank=True
    )  # None: the workspace average
    reorder_soon_ratio = models.DecimalField(
        _("likely to reorder from ratio"), max_digits=5, decimal_places=2, default=Decimal("0.8")
    )
    churn_risk_ratio = models.DecimalField(
        _("churn risk from ratio"), max_digits=5, decimal_places=2, default=Decimal("1.5")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report settings")

    def __str__(self) -> str:
        return f"analytics settings of workspace {self.workspace_id}"


class GoalMetric(models.TextChoices):
    WON_AMOUNT = "won_amount", pgettext_lazy("goal metric", "Won amount")
    PAYMENTS_RECEIVED = "payments_received", pgettext_lazy("goal metric", "Payments received")
    NEW_CUSTOMERS = "new_customers", pgettext_lazy("goal metric", "New customers")
    QUALIFIED_LEADS = "qualified_leads", pgettext_lazy("goal metric", "Qualified leads")
    FOLLOW_UPS = "follow_ups", pgettext_lazy("goal metric", "Follow-ups")


class GoalPeriod(models.TextChoices):
    MONTH = "month", pgettext_lazy("goal period", "Month")
    QUARTER = "quarter", pgettext_lazy("goal period", "Quarter")
    YEAR = "year", pgettext_lazy("goal period", "Year")


class Stretch(models.IntegerChoices):
    NONE = 1, pgettext_lazy("goal stretch", "No stretch")
    DOUBLE = 2, pgettext_lazy("goal stretch", "2× stretch")
    QUADRUPLE = 4, pgettext_lazy("goal stretch", "4× stretch")


class Goal(WorkspaceModel):
    """A target on one metric for one period (month, quarter or year starting on `period_start`)
    and one level: the whole workspace (no team, no rep), a team, or a rep. `stretch` multiplies
    the target into the stretch target (the 2×/4× method); completion is shown against both."""

    AUDIT_TYPE = "goal"
    SCOPE_OWNER_FIELD = "rep"
    POOL_VISIBLE = True  # workspace and team goals are read by every member

    metric = models.CharField(_("metric"), max_length=24, choices=GoalMetric.choices)
    period = models.CharField(_("period"), max_length=8, choices=GoalPeriod.choices)
    period_start = models.DateField(_("period start"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    stretch = models.PositiveSmallIntegerField(
        _("stretch"), choices=Stretch.choices, default=Stretch.NONE
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("goal")
        ordering = ["period_start", "metric", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(rep__isnull=True), name="goal_one_level"
            ),
            models.UniqueConstraint(
                fields=["workspace", "metric", "period", "period_start"],
                condition=Q(team__isnull=True, rep__isnull=True),
                name="goal_unique_workspace",
            ),
            models.UniqueConstraint(
                fields=["workspace", "metric", "period", "period_start", "team"],
                condition=Q(team__isnull=False),
                name="goal_unique_team",
            ),
            models.UniqueConstraint(
                fields=["workspace", "metric", "period", "period_start", "rep"],
                condition=Q(rep__isnull=False),
                name="goal_unique_rep",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "period", "period_start"], name="goal_period_idx")
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_metric_display()} {self.period_start:%Y-%m} ({self.get_period_display()})"
        )

    @property
    def stretch_target(self) -> Decimal:
        return self.target * self.stretch


class CommissionRule(WorkspaceModel):
    """Commission on payments received for one rep or one team (and, by default, its sub-teams).

    `rate` is the percentage paid when the rule has no tiers, or when the rep has no goal to
    measure completion against. With tiers, the tier with the highest `from_completion` not above
    the rep's completion of their monthly goal on `goal_metric` gives the rate."""

    AUDIT_TYPE = "commission_rule"
    SCOPE_OWNER_FIELD = "rep"
    POOL_VISIBLE = True  # team rules are read by every member

    name = models.CharField(_("name"), max_length=120)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    include_subteams = models.BooleanField(_("include sub-teams"), default=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)
    goal_metric = models.CharField(
        _("tiers measure the goal"),
        max_length=24,
        choices=GoalMetric.choices,
        default=GoalMetric.PAYMENTS_RECEIVED,
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("commission rule")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=True) & Q(rep__isnull=False))
                | (Q(team__isnull=False) & Q(rep__isnull=True)),
                name="commission_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionTier(models.Model):
    rule = models.ForeignKey(CommissionRule, on_delete=models.CASCADE, related_name="tiers")
    from_completion = models.DecimalField(_("from completion (%)"), max_digits=7, decimal_places=2)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("commission tier")
        ordering = ["rule", "from_completion"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "from_completion"], name="commission_tier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"≥ {self.from_completion}% → {self.rate}%"
