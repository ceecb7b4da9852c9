"""Scoring rules (线索评分) and the record of the daily lead jobs (recycling, reactivation, warnings).

A rule gives points (negative allowed) when one fact about a lead holds; the lead's score is the
sum over the workspace's active rules (leads/scoring.py). Which fact reads which of the value
columns is written on `ScoringFact`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel


class ScoringFact(models.TextChoices):
    SOURCE_IS = "source_is", _("Source is")
    COMPANY_SIZE_IS = "company_size_is", _("Company size is")
    COUNTRY_IN = "country_in", _("Country/region is one of")
    INDUSTRY_CONTAINS = "industry_contains", _("Industry contains")
    BUDGET_AT_LEAST = "budget_at_least", _("Budget (upper end) at least")
    TITLE_DECISION_MAKER = "title_decision_maker", _("Title looks like a decision maker")
    HAS_REPLIED = "has_replied", _("Has replied to a follow-up")
    HAS_EMAIL = "has_email", _("Has an e-mail address")
    HAS_PHONE = "has_phone", _("Has a phone number")
    HAS_WEBSITE = "has_website", _("Has a website")
    NEED_LONGER_THAN = "need_longer_than", _("Need described in more than N characters")


# Which value a fact reads: "text" (a code or a comma-separated list), "money" (amount + currency),
# "number" (N) or nothing.
FACT_VALUE: dict[str, str] = {
    ScoringFact.SOURCE_IS: "text",
    ScoringFact.COMPANY_SIZE_IS: "text",
    ScoringFact.COUNTRY_IN: "text",
    ScoringFact.INDUSTRY_CONTAINS: "text",
    ScoringFact.BUDGET_AT_LEAST: "money",
    ScoringFact.TITLE_DECISION_MAKER: "text",
    ScoringFact.HAS_REPLIED: "",
    ScoringFact.HAS_EMAIL: "",
    ScoringFact.HAS_PHONE: "",
    ScoringFact.HAS_WEBSITE: "",
    ScoringFact.NEED_LONGER_THAN: "number",
}


class ScoringRule(WorkspaceModel):
    """Workspace configuration, read by every member (no owner)."""

    AUDIT_TYPE = "scoring_rule"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    fact = models.CharField(_("fact"), max_length=32, choices=ScoringFact.choices)
    value = models.CharField(
        _("value"),
        max_length=500,
        blank=True,
        help_text=_("A code, or several separated by commas (keywords, countries, industries)."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    points = models.IntegerField(_("points"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("scoring rule")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "position"], name="scoringrule_ws_idx")]

    def __str__(self) -> str:
        return self.name

    def values(self) -> list[str]:
        """The comma-separated value as a clean list (full-width commas and 、 count too).
        Parsed once per value: scoring asks for it once per rule per lead."""
        cached = self.__dict__.get("_parsed")
        if cached is None or cached[0] != self.value:
            text = self.value.replace("，", ",").replace("、", ",")
            cached = (self.value, [part.strip() for part in text.split(",") if part.strip()])
            self.__dict__["_parsed"] = cached
        return cached[1]


class LeadJobRun(models.Model):
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
                fields=["workspace", "job", "on_date"], name="leadjobrun_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.on_date} @ {self.workspace_id}"
