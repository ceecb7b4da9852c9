"""Step plans over the API (/api/v1/plans): plan templates and their steps (Perm.PLAN_MANAGE to
change, PLAN_RUN or PLAN_MANAGE to read), and runs on customers and opportunities (Perm.PLAN_RUN,
on records the caller sees; a run outside the caller's sight answers 404 whatever the verb).

Input schemas are loose on purpose: the services answer a wrong value with a coded, translated
field error (422) and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.activities.targets import target_get
from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.errors import ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import editing, selectors, services
from .choices import AppliesTo
from .errors import PlanError
from .models import Plan, PlanRun

router = Router(tags=["step plans"])


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined]


class PlanStepOut(Schema):
    id: int
    position: int
    title: str
    instructions: str
    offset_days: int
    offset_hours: int
    offset_from: str
    workdays_only: bool
    executor: str
    executor_user_id: int | None
    action: str
    email_template_id: int | None
    advance: str
    event: str
    event_stage_id: int | None
    event_customer_stage: str
    repeat_every_days: int | None
    repeat_count: int | None


class StepPlanOut(Schema):
    id: int
    name: str
    description: str
    applies_to: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    steps: list[PlanStepOut]

    @staticmethod
    def resolve_steps(obj: Plan) -> list:
        return list(obj.steps.all())


class PlanStepIn(Schema):
    title: str = ""
    instructions: str = ""
    offset_days: int | None = Field(0, description="Days after the base (not negative)")
    offset_hours: int | None = Field(0, description="Hours after the days (not negative)")
    offset_from: str = Field("previous", description="start (the plan start) or previous")
    workdays_only: bool = Field(False, description="Count working days (mainland China)")
    executor: str = Field("owner", description="owner, user, manager or creator")
    executor_user_id: int | None = Field(None, description="For executor=user")
    action: str = Field("task", description="task, email or notify")
    email_template_id: int | None = Field(None, description="For action=email")
    advance: str = Field("event", description="time or event")
    event: str = Field(
        "", description="task_done, followup, opportunity_stage or customer_stage (advance=event)"
    )
    event_stage_id: int | None = Field(None, description="For event=opportunity_stage")
    event_customer_stage: str = Field("", description="For event=customer_stage")
    repeat_every_days: int | None = Field(None, description="Recurring: every N days")
    repeat_count: int | None = Field(
        None, description="Recurring: how many times (empty: until the plan is stopped)"
    )


class PlanStepPatch(Schema):
    title: str | None = None
    instructions: str | None = None
    offset_days: int | None = None
    offset_hours: int | None = None
    offset_from: str | None = None
    workdays_only: bool | None = None
    executor: str | None = None
    executor_user_id: int | None = None
    action: str | None = None
    email_template_id: int | None = None
    advance: str | None = None
    event: str | None = None
    event_stage_id: int | None = None
    event_customer_stage: str | None = None
    repeat_every_days: int | None = None
    repeat_count: int | None = None


class StepPlanIn(Schema):
    name: str = ""
    applies_to: str = Field("", description="customer or opportunity (fixed once created)")
    description: str = ""
    is_active: bool = True
    steps: list[PlanStepIn] = Field(default_factory=list, description="At least one, in order")


class StepPlanPatch(Schema):
    version: int | None = Field(None, description="The version you read (optimistic locking)")
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None


class StepMoveIn(Schema):
    direction: str = Field("", description="up or down")


class StepOrderIn(Schema):
    ids: list[int] = Field(default_factory=list, description="Every step id of the plan, in order")


class PlanRunStepOut(Schema):
    id: int
    position: int
    occurrence: int
    title: str
    instructions: str
    state: str
    due_at: dt.datetime | None
    activated_at: dt.datetime | None
    done_at: dt.datetime | None
    executor: str
    assignee_id: int | None
    action: str
    action_done_at: dt.datetime | None
    action_error: str
    task_id: int | None
    advance: str
    event: str
    repeat_every_days: int | None
    repeat_count: int | None


class PlanRunOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    target_type: str
    target_id: int
    state: str
    started_by_id: int | None
    started_at: dt.datetime
    paused_at: dt.datetime | None
    ended_at: dt.datetime | None
    current_position: int | None
    version: int
    steps: list[PlanRunStepOut]

    @staticmethod
    def resolve_steps(obj: PlanRun) -> list:
        return list(obj.steps.all())


class PlanRunIn(Schema):
    plan_id: int | None = None
    target_type: str = Field("", description="customer or opportunity")
    target_id: int | None = None


class PlanRunListIn(Schema):
    target_type: str = Field("", description="With target_id: that record's runs")
    target_id: int | None = None
    state: str = Field("", description="active, paused, completed or stopped")


class StepPlanListIn(Schema):
    applies_to: str = Field("", description="customer or opportunity")
    active: bool | None = Field(None, description="true: only plans that can start")


# --- runs (before /{plan_id}, whose parameter would otherwise take "runs") -------------------


@router.get(
    "/runs",
    response={200: list[PlanRunOut], **READ_ERRORS},
    summary="Step plan runs: a record's, or the latest you see",
    description="At most 100, newest first. A record you may not see answers 404.",
)
def run_list(request: HttpRequest, params: Query[PlanRunListIn]) -> list:
    target = None
    if params.target_type or params.target_id is not None:
        target = target_get(
            member=_member(request),
            workspace=_member(request).workspace,
            target_type=params.target_type,
            target_id=params.target_id,
        )
    return selectors.runs_list(_member(request), target=target, state=params.state)


@router.post(
    "/runs",
    response={201: PlanRunOut, **ERRORS},
    summary="Start a plan on a customer or an opportunity",
    description=(
        "The plan's steps are copied into the run (later template edits do not change it); the "
        "first step becomes current at once. One running run of a plan per record: 409 "
        "`plan_already_running`. 422 `plan_inactive`, `plan_wrong_target`, `plan_no_steps`."
    ),
)
def run_start(request: HttpRequest, payload: PlanRunIn) -> Status:
    require(_actor(request), Perm.PLAN_RUN)
    if payload.target_type not in AppliesTo.values:
        raise ServiceError(
            PlanError.WRONG_TARGET,
            _("Step plans run on customers and opportunities."),
            fields={"target_type": [_("Choose a customer or an opportunity.")]},
        )
    target = target_get(
        member=_member(request),
        workspace=_member(request).workspace,
        target_type=payload.target_type,
        target_id=payload.target_id,
    )
    run = services.plan_start(actor=_actor(request), plan_id=payload.plan_id or 0, target=target)
    return Status(201, selectors.run_get(_member(request), run.pk))


@router.get("/runs/{plan_run_id}", response={200: PlanRunOut, **READ_ERRORS}, summary="One run")
def run_read(request: HttpRequest, plan_run_id: int) -> PlanRun:
    return selectors.run_get(_member(request), plan_run_id)


def _run_action(request: HttpRequest, plan_run_id: int, action: Any) -> PlanRun:
    require(_actor(request), Perm.PLAN_RUN)
    selectors.run_get(_member(request), plan_run_id)
    action(actor=_actor(request), run_id=plan_run_id)
    return selectors.run_get(_member(request), plan_run_id)


@router.post(
    "/runs/{plan_run_id}/pause",
    response={200: PlanRunOut, **ERRORS},
    summary="Pause a run (nothing fires until it is resumed)",
)
def run_pause(request: HttpRequest, plan_run_id: int) -> PlanRun:
    return _run_action(request, plan_run_id, services.plan_run_pause)


@router.post(
    "/runs/{plan_run_id}/resume",
    response={200: PlanRunOut, **ERRORS},
    summary="Resume a paused run (what came due meanwhile is carried out now)",
)
def run_resume(request: HttpRequest, plan_run_id: int) -> PlanRun:
    return _run_action(request, plan_run_id, services.plan_run_resume)


@router.post(
    "/runs/{plan_run_id}/stop",
    response={200: PlanRunOut, **ERRORS},
    summary="Stop a run for good (its open steps and their open tasks are cancelled)",
)
def run_stop(request: HttpRequest, plan_run_id: int) -> PlanRun:
    return _run_action(request, plan_run_id, services.plan_run_stop)


# --- plan templates -------------------------------------------------------------------------------


@router.get(
    "", response={200: list[StepPlanOut], **READ_ERRORS}, summary="Plan templates with their steps"
)
def plan_list(request: HttpRequest, params: Query[StepPlanListIn]) -> list:
    selectors.require_plan_reader(_member(request))
    return selectors.plans_of(
        _member(request), applies_to=params.applies_to, active_only=bool(params.active)
    )


@router.post(
    "",
    response={201: StepPlanOut, **ERRORS},
    summary="Create a plan template with its steps",
    description="Nothing is saved when a field is wrong (422 with the field errors).",
)
def plan_create(request: HttpRequest, payload: StepPlanIn) -> Status:
    data = payload.dict()
    plan = editing.plan_create(actor=_actor(request), **data)
    return Status(201, selectors.plan_get(_member(request), plan.pk))


@router.get("/{plan_id}", response={200: StepPlanOut, **READ_ERRORS}, summary="One plan template")
def plan_read(request: HttpRequest, plan_id: int) -> Plan:
    selectors.require_plan_reader(_member(request))
    return selectors.plan_get(_member(request), plan_id)


@router.patch(
    "/{plan_id}",
    response={200: StepPlanOut, **ERRORS},
    summary="Change a plan template (name, description, active)",
    description="Running plans keep the steps they started with. A stale `version` answers 409.",
)
def plan_update(request: HttpRequest, plan_id: int, payload: StepPlanPatch) -> Plan:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    editing.plan_update(actor=_actor(request), plan=plan, **data)
    return selectors.plan_get(_member(request), plan_id)


@router.delete(
    "/{plan_id}",
    response={204: None, **ERRORS},
    summary="Delete a plan template that never ran",
    description="A plan that has runs answers 409 `plan_in_use`: switch it off instead.",
)
def plan_delete(request: HttpRequest, plan_id: int) -> Status:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    editing.plan_delete(actor=_actor(request), plan=plan)
    return Status(204, None)


@router.post(
    "/{plan_id}/steps", response={201: PlanStepOut, **ERRORS}, summary="Add a step at the end"
)
def step_create(request: HttpRequest, plan_id: int, payload: PlanStepIn) -> Status:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    step = editing.plan_step_create(actor=_actor(request), plan=plan, **payload.dict())
    return Status(201, step)


@router.put(
    "/{plan_id}/steps/order",
    response={200: list[PlanStepOut], **ERRORS},
    summary="Reorder the steps (every step id once)",
)
def step_order(request: HttpRequest, plan_id: int, payload: StepOrderIn) -> list:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    return editing.plan_steps_reorder(actor=_actor(request), plan=plan, ids=payload.ids)


@router.patch(
    "/{plan_id}/steps/{plan_step_id}",
    response={200: PlanStepOut, **ERRORS},
    summary="Change a step (only the fields sent)",
)
def step_update(
    request: HttpRequest, plan_id: int, plan_step_id: int, payload: PlanStepPatch
) -> Any:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    step = editing.step_get(actor=_actor(request), plan=plan, step_id=plan_step_id)
    return editing.plan_step_update(
        actor=_actor(request), step=step, **payload.dict(exclude_unset=True)
    )


@router.delete(
    "/{plan_id}/steps/{plan_step_id}",
    response={204: None, **ERRORS},
    summary="Delete a step (a plan keeps at least one)",
)
def step_delete(request: HttpRequest, plan_id: int, plan_step_id: int) -> Status:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    step = editing.step_get(actor=_actor(request), plan=plan, step_id=plan_step_id)
    editing.plan_step_delete(actor=_actor(request), step=step)
    return Status(204, None)


@router.post(
    "/{plan_id}/steps/{plan_step_id}/move",
    response={200: list[PlanStepOut], **ERRORS},
    summary="Move a step one place up or down",
)
def step_move(request: HttpRequest, plan_id: int, plan_step_id: int, payload: StepMoveIn) -> list:
    require(_actor(request), Perm.PLAN_MANAGE)
    plan = selectors.plan_get(_member(request), plan_id)
    step = editing.step_get(actor=_actor(request), plan=plan, step_id=plan_step_id)
    return editing.plan_step_move(actor=_actor(request), step=step, direction=payload.direction)
