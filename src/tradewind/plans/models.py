"""Step plans (SFA 步骤方案, seed 001): a plan template with ordered steps, and its runs on a
customer or an opportunity.

A run copies the template's steps into its own rows when it starts (`PlanRunStep`), so editing
the template later changes the runs started afterwards and never a running one (docs/step-plans.md).
A recurring step's occurrences are rows of their own: (run, position, occurrence) is unique, which
is what makes "carried out once" a database fact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.querysets import WorkspaceQuerySet

from .choices import (
    Advance,
    AppliesTo,
    Executor,
    OffsetFrom,
    RunState,
    StepAction,
    StepEvent,
    StepState,
)

if TYPE_CHECKING:
    from tradewind.workspaces.models import Membership

__all__ = ["Plan", "PlanRun", "PlanRunStep", "PlanStep"]


class Plan(WorkspaceModel):
    """A plan template (方案): workspace configuration, read by every member who may run plans."""

    AUDIT_TYPE = "plan"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("step plan")
        indexes = [
            models.Index(fields=["workspace", "applies_to", "is_active"], name="plan_ws_idx")
        ]

    def __str__(self) -> str:
        return self.name


class StepConfig(models.Model):
    """What a step is: shared by the template's step and the run's copy of it."""

    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    offset_days = models.PositiveIntegerField(_("after days"), default=0)
    offset_hours = models.PositiveIntegerField(_("and hours"), default=0)
    offset_from = models.CharField(
        _("counted from"), max_length=10, choices=OffsetFrom.choices, default=OffsetFrom.PREVIOUS
    )
    workdays_only = models.BooleanField(_("working days only"), default=False)
    executor = models.CharField(
        _("executor"), max_length=10, choices=Executor.choices, default=Executor.OWNER
    )
    executor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(
        _("action"), max_length=8, choices=StepAction.choices, default=StepAction.TASK
    )
    # The mailing app's EmailTemplate id; a plain number so plans do not depend on its schema.
    email_template_id = models.BigIntegerField(_("e-mail template"), null=True, blank=True)
    advance = models.CharField(
        _("advances"), max_length=8, choices=Advance.choices, default=Advance.EVENT
    )
    event = models.CharField(_("event"), max_length=20, choices=StepEvent.choices, blank=True)
    event_stage = models.ForeignKey(
        "sales.Stage",
        verbose_name=_("opportunity stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event_customer_stage = models.CharField(_("customer stage"), max_length=12, blank=True)
    # Recurring (periodic service, e.g. a visit every 30 days): None = does not repeat.
    repeat_every_days = models.PositiveIntegerField(_("repeat every (days)"), null=True, blank=True)
    # How many times in all (None with repeat_every_days: until the plan is stopped).
    repeat_count = models.PositiveIntegerField(_("times"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.repeat_every_days)

    @property
    def customer_stage_label(self) -> str:
        from tradewind.customers.pool_choices import CustomerStage

        value = self.event_customer_stage
        return str(CustomerStage(value).label) if value in CustomerStage.values else value


CONFIG_FIELDS = [
    "title",
    "instructions",
    "offset_days",
    "offset_hours",
    "offset_from",
    "workdays_only",
    "executor",
    "executor_user",
    "action",
    "email_template_id",
    "advance",
    "event",
    "event_stage",
    "event_customer_stage",
    "repeat_every_days",
    "repeat_count",
]


class PlanStep(StepConfig):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan step")
        ordering = ["position", "id"]


class PlanRunQuerySet(WorkspaceQuerySet):
    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        """A run is seen by whoever sees its record (and may view that kind of record)."""
        from tradewind.customers.models import Customer
        from tradewind.sales.models import Opportunity
        from tradewind.workspaces.permissions import Perm

        if member is None or not member.is_active or not member.user.is_active:
            return self.none()
        condition = Q(pk__in=[])
        if member.has(Perm.CUSTOMER_VIEW):
            condition |= Q(customer__in=Customer.objects.visible_to(member).values("pk"))
        if member.has(Perm.OPPORTUNITY_VIEW):
            condition |= Q(opportunity__in=Opportunity.objects.visible_to(member).values("pk"))
        return self.filter(workspace_id=member.workspace_id).filter(condition)


class PlanRun(WorkspaceModel):
    """One plan running on one record: its state and where it stands."""

    AUDIT_TYPE = "plan_run"
    SCOPE_OWNER_FIELD = None

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="runs")
    plan_name = models.CharField(_("plan"), max_length=120)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.ACTIVE
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    current_position = models.PositiveSmallIntegerField(null=True, blank=True)
    step_count = models.PositiveSmallIntegerField(default=0)

    objects = PlanRunQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("step plan run")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, opportunity__isnull=True)
                | Q(customer__isnull=True, opportunity__isnull=False),
                name="plan_run_one_target",
            ),
            # One running (active or paused) run of a plan per record.
            models.UniqueConstraint(
                fields=["plan", "customer"],
                condition=Q(state__in=["active", "paused"], customer__isnull=False),
                name="plan_run_one_per_customer",
            ),
            models.UniqueConstraint(
                fields=["plan", "opportunity"],
                condition=Q(state__in=["active", "paused"], opportunity__isnull=False),
                name="plan_run_one_per_opportunity",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "state"], name="plan_run_state_idx")]

    def __str__(self) -> str:
        return self.plan_name

    @property
    def target(self) -> models.Model:
        return self.customer if self.customer_id else self.opportunity  # type: ignore[return-value]

    @property
    def target_type(self) -> str:
        return AppliesTo.CUSTOMER if self.customer_id else AppliesTo.OPPORTUNITY

    @property
    def target_id(self) -> int:
        return self.customer_id or self.opportunity_id  # type: ignore[return-value]

    @property
    def is_running(self) -> bool:
        return self.state in (RunState.ACTIVE, RunState.PAUSED)


class PlanRunStep(StepConfig):
    """One occurrence of one step of a run, with the step's settings copied at the start."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    occurrence = models.PositiveSmallIntegerField(default=1)
    source_step = models.ForeignKey(
        PlanStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=StepState.choices, default=StepState.PENDING
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    action_done_at = models.DateTimeField(null=True, blank=True)
    action_error = models.CharField(max_length=500, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        "activities.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("step plan run step")
        ordering = ["position", "occurrence"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position", "occurrence"], name="plan_run_step_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(state="active"), name="plan_run_step_due_idx"
            )
        ]
