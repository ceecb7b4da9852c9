"""Forms of the step plan pages; they only parse. The rules (offsets not negative, a chosen user
who is a member, an event that fits the action and the record, an endless step last) are the
services' in editing.py, so the page and the API say the same thing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.customers.pool_choices import CustomerStage
from tradewind.sales.models import Stage
from tradewind.workspaces.models import Membership, Workspace

from .choices import Advance, AppliesTo, Executor, OffsetFrom, StepAction, StepEvent
from .editing import email_template_model, template_record_types
from .models import PlanStep

BLANK = [("", "—")]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    applies_to = forms.ChoiceField(label=_("Runs on"), choices=AppliesTo.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active (can be started)"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # What a plan runs on is fixed once created (its steps' events depend on it).
            del self.fields["applies_to"]


def _stage_choices(workspace: Workspace) -> list[tuple[Any, str]]:
    stages = (
        Stage.objects.filter(pipeline__workspace=workspace, pipeline__is_active=True)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline_id", "position", "id")
    )
    return BLANK + [(s.pk, f"{s.pipeline.name} · {s.label}") for s in stages]


def _member_choices(workspace: Workspace) -> list[tuple[Any, str]]:
    members = (
        Membership.objects.filter(workspace=workspace, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return BLANK + [(m.user_id, m.user.display_name) for m in members]


def _template_choices(workspace: Workspace, applies_to: str) -> list[tuple[Any, str]]:
    model = email_template_model()
    if model is None:
        return BLANK
    rows = model.objects.filter(
        workspace=workspace, is_active=True, record_type__in=template_record_types(applies_to)
    ).order_by("name", "id")
    return BLANK + [(t.pk, t.name) for t in rows]


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=400)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to do and how; they become the task's notes."),
    )
    offset_days = forms.IntegerField(label=_("After days"), initial=0, required=False)
    offset_hours = forms.IntegerField(label=_("And hours"), initial=0, required=False)
    offset_from = forms.ChoiceField(
        label=_("Counted from"), choices=OffsetFrom.choices, initial=OffsetFrom.PREVIOUS
    )
    workdays_only = forms.BooleanField(label=_("Count working days only"), required=False)
    executor = forms.ChoiceField(label=_("Executor"), choices=Executor.choices)
    executor_user_id = forms.TypedChoiceField(
        label=_("Chosen user"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=_("What the step does"), choices=StepAction.choices)
    email_template_id = forms.TypedChoiceField(
        label=_("E-mail template"), required=False, coerce=int, empty_value=None
    )
    advance = forms.ChoiceField(label=_("Done"), choices=Advance.choices, initial=Advance.EVENT)
    event = forms.ChoiceField(
        label=_("Waits for"), choices=BLANK + list(StepEvent.choices), required=False
    )
    event_stage_id = forms.TypedChoiceField(
        label=_("Opportunity stage"), required=False, coerce=int, empty_value=None
    )
    event_customer_stage = forms.ChoiceField(
        label=_("Customer stage"), choices=BLANK + list(CustomerStage.choices), required=False
    )
    repeat_every_days = forms.IntegerField(
        label=_("Repeat every (days)"),
        required=False,
        help_text=_("Periodic service, e.g. a visit every 30 days. Empty: does not repeat."),
    )
    repeat_count = forms.IntegerField(
        label=_("Times in all"),
        required=False,
        help_text=_("Empty: until the plan is stopped (then it must be the last step)."),
    )

    def __init__(self, *args: Any, workspace: Workspace, applies_to: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executor_user_id"].choices = _member_choices(workspace)  # type: ignore[attr-defined]
        self.fields["email_template_id"].choices = _template_choices(workspace, applies_to)  # type: ignore[attr-defined]
        if applies_to == AppliesTo.OPPORTUNITY:
            self.fields["event_stage_id"].choices = _stage_choices(workspace)  # type: ignore[attr-defined]
        else:
            del self.fields["event_stage_id"]
            self.fields["event"].choices = BLANK + [  # type: ignore[attr-defined]
                c for c in StepEvent.choices if c[0] != StepEvent.OPPORTUNITY_STAGE
            ]

    @staticmethod
    def initial_of(step: PlanStep) -> dict[str, Any]:
        return {
            "title": step.title,
            "instructions": step.instructions,
            "offset_days": step.offset_days,
            "offset_hours": step.offset_hours,
            "offset_from": step.offset_from,
            "workdays_only": step.workdays_only,
            "executor": step.executor,
            "executor_user_id": step.executor_user_id,
            "action": step.action,
            "email_template_id": step.email_template_id,
            "advance": step.advance,
            "event": step.event,
            "event_stage_id": step.event_stage_id,
            "event_customer_stage": step.event_customer_stage,
            "repeat_every_days": step.repeat_every_days,
            "repeat_count": step.repeat_count,
        }


class StartForm(forms.Form):
    plan_id = forms.IntegerField(label=_("Plan"))
