"""Daily reports (销售日报): one per rep per workspace-local day, a draft until submitted, then a
frozen snapshot; managers comment on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Workspace, WorkspaceModel

from .choices import ReportStatus


class DailyReport(WorkspaceModel):
    AUDIT_TYPE = "daily_report"
    # The rep's data scope decides who reads it: the rep, and managers whose scope covers the rep.
    SCOPE_OWNER_FIELD = "rep"
    POOL_VISIBLE = False

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The day's figures and tomorrow's plan as generated (daily.py `figures_for`): refreshed while
    # a draft, frozen when submitted so the report reads the same later.
    figures = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily report")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "rep", "day"], name="daily_report_unique")
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="daily_report_day_idx")]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.day}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class DailyReportComment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("daily report comment")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
