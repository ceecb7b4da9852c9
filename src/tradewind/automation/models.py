"""Workflow rules (工作流规则) and the log of their runs.

A rule belongs to one workspace and one record type; its trigger, conditions and actions are data
(validated by automation/definition.py, run by automation/rules_engine.py). Every time a trigger
fires, one RuleRun row records what happened, whatever the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Workspace, WorkspaceModel

from .choices import RecordType, RunOutcome, TriggerKind

DEFAULT_MAX_RUNS_PER_HOUR = 100


class WorkflowRule(WorkspaceModel):
    AUDIT_TYPE = "workflow_rule"
    SCOPE_OWNER_FIELD = None  # workspace configuration: pages and API ask for AUTOMATION_MANAGE

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    record_type = models.CharField(_("record type"), max_length=16, choices=RecordType.choices)
    is_active = models.BooleanField(_("active"), default=False)
    trigger = models.CharField(_("trigger"), max_length=16, choices=TriggerKind.choices)
    # field_changed: the field; time: the date field.
    trigger_field = models.CharField(_("trigger field"), max_length=64, blank=True)
    # status_changed: only when it changes to this value ("" = any value).
    trigger_value = models.CharField(_("changed to"), max_length=64, blank=True)
    # time: days after the date (negative: before it).
    offset_days = models.SmallIntegerField(_("days after the date"), default=0)
    # Any-of groups of all-of comparisons: [[{"field", "op", "value"}, ...], ...]; [] = always.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # Ordered: [{"type": ..., parameters...}, ...]
    actions = models.JSONField(_("actions"), default=list, blank=True)
    max_runs_per_hour = models.PositiveIntegerField(
        _("most runs per hour"), default=DEFAULT_MAX_RUNS_PER_HOUR
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("workflow rule")
        indexes = [
            models.Index(
                fields=["workspace", "is_active", "record_type"], name="wfrule_ws_active_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One firing of a rule for one record: queued by an event or the time scan, then run by a
    durable job. `run_key` is unique, so the same firing is never queued twice."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(WorkflowRule, on_delete=models.CASCADE, related_name="runs")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    record_label = models.CharField(max_length=250, blank=True)
    event = models.CharField(_("event"), max_length=64)  # "lead.updated", … or "time"
    event_data = models.JSONField(default=dict, blank=True)  # fields, new value, date
    run_key = models.CharField(max_length=200, unique=True)
    chain = models.JSONField(default=list, blank=True)  # rules whose actions caused the event
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=RunOutcome.choices, default=RunOutcome.QUEUED
    )
    conditions_result = models.JSONField(default=list, blank=True)
    actions_result = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("rule run")
        indexes = [
            models.Index(fields=["rule", "-id"], name="rulerun_rule_idx"),
            models.Index(fields=["rule", "created_at"], name="rulerun_rule_created_idx"),
            models.Index(fields=["rule", "outcome", "finished_at"], name="rulerun_rate_idx"),
            models.Index(fields=["created_at"], name="rulerun_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.record_type}:{self.record_id} {self.outcome}"
