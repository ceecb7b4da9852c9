"""Writes of plan templates and their steps (Perm.PLAN_MANAGE): create, change, delete, and the
steps' add, change, delete and order. Audited on the plan.

Invariants kept here: a plan always has at least one step (created with its steps, its last step
cannot be deleted); a step that repeats until the plan is stopped comes last (nothing after it
could ever start). Changing a template never touches running plans: a run works on the copy of
the steps it took when it started (docs/step-plans.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.customers.pool_choices import CustomerStage
from tradewind.sales.models import Stage
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .choices import Advance, AppliesTo, Executor, OffsetFrom, StepAction, StepEvent
from .errors import PlanError
from .models import Plan, PlanRun, PlanStep

NAME_MAX = 120
TITLE_MAX = 200
TEXT_MAX = 5000
MAX_DAYS = 3650
MAX_HOURS = 24 * 31
MAX_STEPS = 50
PLAN_FIELDS = ["name", "description", "applies_to", "is_active"]
STEP_FIELDS = [
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
UNSET: Any = object()
Errors = dict[str, list[Any]]


def _invalid(errors: Errors) -> ServiceError:
    return ServiceError(PlanError.INVALID, _("Please correct the marked fields."), fields=errors)


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


# --- checking input -------------------------------------------------------------------------------


def _number(
    value: Any, field: str, errors: Errors, *, low: int, high: int, optional: bool = False
) -> int | None:
    if value in (None, ""):
        if optional:
            return None
        value = 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return None
    if number < 0:
        errors[field] = [_("Offsets and counts cannot be negative.")]
    elif number < low or number > high:
        errors[field] = [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
    return number


def _choice(value: Any, values: list[str], field: str, errors: Errors, default: str = "") -> str:
    text = str(value if value not in (None, "") else default)
    if text not in values:
        errors[field] = [_("Choose one of the offered values.")]
    return text


def _member_user(workspace: Workspace, value: Any, field: str, errors: Errors) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not Membership.objects.filter(workspace=workspace, user_id=pk, is_active=True).exists():
        errors[field] = [_("Choose an active member of this workspace.")]
        return None
    return pk


def email_template_model() -> Any:
    from .engine import model_available

    return model_available("mailing.EmailTemplate")


def template_record_types(applies_to: str) -> list[str]:
    """The e-mail templates a plan's records fit: any record, their own kind, and for an
    opportunity its customer's."""
    kinds = ["any", applies_to]
    if applies_to == AppliesTo.OPPORTUNITY:
        kinds.append(AppliesTo.CUSTOMER)
    return kinds


def _email_template(
    workspace: Workspace, applies_to: str, value: Any, field: str, errors: Errors
) -> int | None:
    model = email_template_model()
    if model is None:
        errors[field] = [_("E-mail templates are not available yet.")]
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    found = model.objects.filter(
        workspace=workspace, pk=pk, record_type__in=template_record_types(applies_to)
    )
    if not found.exists():
        errors[field] = [_("Choose an e-mail template of this workspace that fits these records.")]
        return None
    return pk


def _event_stage(workspace: Workspace, value: Any, field: str, errors: Errors) -> Stage | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    stage = Stage.objects.filter(pk=pk, pipeline__workspace=workspace).first()
    if stage is None:
        errors[field] = [_("Choose a stage of one of your pipelines.")]
    return stage


def clean_step(
    workspace: Workspace, applies_to: str, data: dict[str, Any], prefix: str = ""
) -> tuple[dict[str, Any], Errors]:
    """A step's fields from loose input (page form or API), and the errors keyed by field (with
    `prefix`, e.g. "steps.2.")."""
    errors: Errors = {}
    out: dict[str, Any] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Say what the step is.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    instructions = str(data.get("instructions") or "").strip()
    if len(instructions) > TEXT_MAX:
        errors["instructions"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    out.update(title=title, instructions=instructions)
    out["offset_days"] = _number(
        data.get("offset_days"), "offset_days", errors, low=0, high=MAX_DAYS
    )
    out["offset_hours"] = _number(
        data.get("offset_hours"), "offset_hours", errors, low=0, high=MAX_HOURS
    )
    out["offset_from"] = _choice(
        data.get("offset_from"), OffsetFrom.values, "offset_from", errors, OffsetFrom.PREVIOUS
    )
    out["workdays_only"] = bool(data.get("workdays_only"))
    executor = _choice(data.get("executor"), Executor.values, "executor", errors, Executor.OWNER)
    out["executor"] = executor
    out["executor_user_id"] = None
    if executor == Executor.USER:
        out["executor_user_id"] = _member_user(
            workspace, data.get("executor_user_id"), "executor_user_id", errors
        )
    action = _choice(data.get("action"), StepAction.values, "action", errors, StepAction.TASK)
    out["action"] = action
    out["email_template_id"] = None
    if action == StepAction.EMAIL:
        out["email_template_id"] = _email_template(
            workspace, applies_to, data.get("email_template_id"), "email_template_id", errors
        )
    advance = _choice(data.get("advance"), Advance.values, "advance", errors, Advance.EVENT)
    out["advance"] = advance
    out.update(event="", event_stage=None, event_customer_stage="")
    if advance == Advance.EVENT:
        event = _choice(data.get("event"), StepEvent.values, "event", errors)
        out["event"] = event
        if event == StepEvent.TASK_DONE and action != StepAction.TASK:
            errors["event"] = [_("Only a step that creates a task can wait for its task.")]
        elif event == StepEvent.OPPORTUNITY_STAGE:
            if applies_to != AppliesTo.OPPORTUNITY:
                errors["event"] = [_("Only a plan for opportunities can wait for a stage.")]
            else:
                out["event_stage"] = _event_stage(
                    workspace, data.get("event_stage_id"), "event_stage_id", errors
                )
        elif event == StepEvent.CUSTOMER_STAGE:
            out["event_customer_stage"] = _choice(
                data.get("event_customer_stage"),
                CustomerStage.values,
                "event_customer_stage",
                errors,
            )
    every = _number(
        data.get("repeat_every_days"),
        "repeat_every_days",
        errors,
        low=1,
        high=MAX_DAYS,
        optional=True,
    )
    count = _number(
        data.get("repeat_count"), "repeat_count", errors, low=1, high=1000, optional=True
    )
    if every is None and count not in (None, 1):
        errors["repeat_count"] = [_("Say every how many days the step repeats.")]
    out["repeat_every_days"] = every
    out["repeat_count"] = count if every else None
    return out, {f"{prefix}{k}": v for k, v in errors.items()}


def _plan_fields(data: dict[str, Any], errors: Errors, *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or data.get("name", UNSET) is not UNSET:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("Give the plan a name.")]
        elif len(name) > NAME_MAX:
            errors["name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX}]
        out["name"] = name
    if not partial or data.get("description", UNSET) is not UNSET:
        description = str(data.get("description") or "").strip()
        if len(description) > TEXT_MAX:
            errors["description"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
        out["description"] = description
    if data.get("is_active", UNSET) is not UNSET:
        out["is_active"] = bool(data.get("is_active"))
    return out


def _endless_last(steps: list[Any]) -> None:
    for step in steps[:-1]:
        if step.repeat_every_days and step.repeat_count is None:
            raise ServiceError(
                PlanError.ENDLESS_NOT_LAST,
                _(
                    "A step that repeats until the plan is stopped must be the last step: "
                    "the steps after it would never start."
                ),
                fields={"repeat_count": [_("Say how many times, or make it the last step.")]},
            )


# --- plans ----------------------------------------------------------------------------------------


def _lock(actor: Actor, plan: Plan) -> Plan:
    locked = Plan.objects.select_for_update().filter(pk=plan.pk, workspace=actor.workspace).first()
    if locked is None:
        raise _not_found()
    return locked


def _touch(actor: Actor, plan: Plan, changes: dict[str, Any], action: str = "") -> None:
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=plan, changes=changes, action=action)
    emit("plan.updated", workspace_id=actor.workspace.pk, plan_id=plan.pk)


def _steps(plan: Plan) -> list[PlanStep]:
    return list(PlanStep.objects.filter(plan=plan).order_by("position", "id"))


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    name: str,
    applies_to: str,
    steps: Iterable[dict[str, Any]],
    description: str = "",
    is_active: bool = True,
) -> Plan:
    """A plan template with its steps in order (at least one). Nothing is saved on bad input."""
    require(actor, Perm.PLAN_MANAGE)
    errors: Errors = {}
    fields = _plan_fields(
        {"name": name, "description": description, "is_active": is_active}, errors, partial=False
    )
    kind = _choice(applies_to, AppliesTo.values, "applies_to", errors)
    cleaned = []
    rows = list(steps or [])
    if not rows:
        errors["steps"] = [_("A plan needs at least one step.")]
    elif len(rows) > MAX_STEPS:
        errors["steps"] = [_("At most %(n)s steps.") % {"n": MAX_STEPS}]
    for index, row in enumerate(rows[:MAX_STEPS]):
        step, step_errors = clean_step(actor.workspace, kind, dict(row), prefix=f"steps.{index}.")
        errors.update(step_errors)
        cleaned.append(step)
    if errors:
        code = PlanError.NO_STEPS if list(errors) == ["steps"] and not rows else PlanError.INVALID
        raise ServiceError(code, _("Please correct the marked fields."), fields=errors)
    _endless_last([PlanStep(**s) for s in cleaned])
    now = timezone.now()
    plan = Plan.objects.create(
        workspace=actor.workspace,
        applies_to=kind,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    PlanStep.objects.bulk_create(
        [PlanStep(plan=plan, position=i, **s) for i, s in enumerate(cleaned)]
    )
    changes = {
        k: [None, v] for k, v in audit.snapshot(plan, PLAN_FIELDS).items() if v not in ("", None)
    }
    changes["steps"] = [None, [s["title"] for s in cleaned]]
    audit.record(actor=actor, verb=AuditVerb.CREATE, target=plan, changes=changes)
    emit("plan.created", workspace_id=actor.workspace.pk, plan_id=plan.pk)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: Plan,
    version: int | None = None,
    name: Any = UNSET,
    description: Any = UNSET,
    is_active: Any = UNSET,
) -> Plan:
    """Rename, describe, switch on or off. What a plan applies to is fixed once created."""
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, plan)
    if version is not None and int(version) != current.version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone changed this plan meanwhile. Reload it and try again."),
        )
    errors: Errors = {}
    cleaned = _plan_fields(
        {"name": name, "description": description, "is_active": is_active}, errors, partial=True
    )
    if errors:
        raise _invalid(errors)
    changes = audit.apply_changes(current, cleaned, PLAN_FIELDS)
    if changes:
        audit.save_update(actor=actor, target=current, changes=changes)
        emit("plan.updated", workspace_id=actor.workspace.pk, plan_id=current.pk)
    return current


@transaction.atomic
def plan_delete(*, actor: Actor, plan: Plan) -> None:
    """Only a plan that never ran (its runs are history); switch it off instead."""
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, plan)
    if PlanRun.objects.filter(plan=current).exists():
        raise Conflict(
            PlanError.IN_USE,
            _("This plan has been started on records, so it stays. Switch it off instead."),
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={k: [v, None] for k, v in audit.snapshot(current, PLAN_FIELDS).items()},
    )
    pk = current.pk
    current.delete()
    emit("plan.deleted", workspace_id=actor.workspace.pk, plan_id=pk)


# --- steps ----------------------------------------------------------------------------------------


def _step_text(step: PlanStep) -> dict[str, Any]:
    return audit.snapshot(step, STEP_FIELDS)


@transaction.atomic
def plan_step_create(*, actor: Actor, plan: Plan, **data: Any) -> PlanStep:
    """A new last step."""
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, plan)
    steps = _steps(current)
    if len(steps) >= MAX_STEPS:
        raise _invalid({"steps": [_("At most %(n)s steps.") % {"n": MAX_STEPS}]})
    cleaned, errors = clean_step(actor.workspace, current.applies_to, data)
    if errors:
        raise _invalid(errors)
    position = (PlanStep.objects.filter(plan=current).aggregate(m=Max("position"))["m"] or 0) + 1
    step = PlanStep(plan=current, position=position if steps else 0, **cleaned)
    _endless_last([*steps, step])
    step.save()
    _touch(actor, current, {"step_added": [None, _step_text(step)]}, "step_added")
    return step


def step_get(*, actor: Actor, plan: Plan, step_id: Any) -> PlanStep:
    try:
        pk = int(step_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    step = PlanStep.objects.filter(pk=pk, plan=plan, plan__workspace=actor.workspace).first()
    if step is None:
        raise _not_found()
    return step


@transaction.atomic
def plan_step_update(*, actor: Actor, step: PlanStep, **data: Any) -> PlanStep:
    """Change what is sent; the step is checked as a whole again."""
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, step.plan)
    row = PlanStep.objects.select_for_update().get(pk=step.pk)
    merged = {
        **{f: getattr(row, f) for f in STEP_FIELDS if f not in ("executor_user", "event_stage")},
        "executor_user_id": row.executor_user_id,
        "event_stage_id": row.event_stage_id,
        **data,
    }
    cleaned, errors = clean_step(actor.workspace, current.applies_to, merged)
    if errors:
        raise _invalid(errors)
    changes = audit.apply_changes(row, cleaned, STEP_FIELDS)
    if changes:
        _endless_last([row if s.pk == row.pk else s for s in _steps(current)])
        row.save()
        _touch(actor, current, {"step": [None, row.title], **changes}, "step_changed")
    return row


@transaction.atomic
def plan_step_delete(*, actor: Actor, step: PlanStep) -> None:
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, step.plan)
    steps = _steps(current)
    if len(steps) <= 1:
        raise ServiceError(
            PlanError.NO_STEPS,
            _("A plan needs at least one step: add another before deleting this one."),
        )
    rest = [s for s in steps if s.pk != step.pk]
    _endless_last(rest)
    PlanStep.objects.filter(pk=step.pk).delete()
    _renumber(rest)
    _touch(actor, current, {"step_deleted": [step.title, None]}, "step_deleted")


def _renumber(steps: list[PlanStep]) -> None:
    for index, step in enumerate(steps):
        if step.position != index:
            step.position = index
            PlanStep.objects.filter(pk=step.pk).update(position=index)


@transaction.atomic
def plan_steps_reorder(*, actor: Actor, plan: Plan, ids: Iterable[Any]) -> list[PlanStep]:
    """The steps in the order of `ids` (each step once)."""
    require(actor, Perm.PLAN_MANAGE)
    current = _lock(actor, plan)
    steps = _steps(current)
    by_pk = {str(s.pk): s for s in steps}
    sent = [str(i) for i in ids]
    if sorted(sent) != sorted(by_pk):
        raise _invalid({"ids": [_("Send every step of the plan once.")]})
    ordered = [by_pk[i] for i in sent]
    before = [s.pk for s in steps]
    if [s.pk for s in ordered] != before:
        _endless_last(ordered)
        _renumber(ordered)
        _touch(actor, current, {"steps": [before, [s.pk for s in ordered]]}, "steps_reordered")
    return ordered


def plan_step_move(*, actor: Actor, step: PlanStep, direction: str) -> list[PlanStep]:
    """One place up or down (the keyboard's way of reordering)."""
    require(actor, Perm.PLAN_MANAGE)
    ids = [s.pk for s in _steps(step.plan)]
    index = ids.index(step.pk)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else index
    if direction not in ("up", "down"):
        raise _invalid({"direction": [_("Choose up or down.")]})
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return plan_steps_reorder(actor=actor, plan=step.plan, ids=ids)
