"""Writes of step plan runs: start a plan on a customer or an opportunity, pause, resume, stop;
the periodic scan of due steps and the settling of runs an event may have moved.

Who may: Perm.PLAN_RUN on a record the member sees (anything else about the record is 404).
The template's steps are copied into the run when it starts (engine.py tells how a run moves).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.targets import target_get
from tradewind.activities.task_choices import TaskStatus
from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from . import engine
from .choices import AppliesTo, RunState, StepState
from .errors import PlanError
from .models import CONFIG_FIELDS, Plan, PlanRun, PlanRunStep

log = logging.getLogger(__name__)


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def _already_running() -> Conflict:
    return Conflict(
        PlanError.ALREADY_RUNNING,
        _("This plan is already running on this record. Stop it before starting it again."),
    )


def _target(actor: Actor, target: models.Model) -> tuple[str, models.Model]:
    """The record as the actor may see it (a system actor: anything in its workspace)."""
    kind = getattr(target, "AUDIT_TYPE", "")
    if kind not in AppliesTo.values:
        raise ServiceError(
            PlanError.WRONG_TARGET,
            _("Step plans run on customers and opportunities."),
            fields={"target_type": [_("Choose a customer or an opportunity.")]},
        )
    record = target_get(
        member=actor.member, workspace=actor.workspace, target_type=kind, target_id=target.pk
    )
    return kind, record


@transaction.atomic
def plan_start(
    *, actor: Actor, plan_id: int, target: models.Model, now: dt.datetime | None = None
) -> PlanRun:
    """Start a plan template on a customer or an opportunity the actor sees (Perm.PLAN_RUN).

    The plan's steps are copied into the run; the first step becomes current at once (its due time
    counted from now, its executor resolved, its task created for a task step). One running run of
    a plan per record: a second start answers 409 `plan_already_running`. A plan that is switched
    off, has no steps or applies to the other record type answers 422 with its code; a plan or a
    record the actor may not see answers 404. Audited, emits `plan_run.started`."""
    require(actor, Perm.PLAN_RUN)
    now = now or timezone.now()
    try:
        pk = int(plan_id)
    except (TypeError, ValueError):
        pk = 0
    plan = Plan.objects.filter(workspace=actor.workspace, pk=pk).first()
    if plan is None:
        raise _not_found()
    kind, record = _target(actor, target)
    if plan.applies_to != kind:
        raise ServiceError(
            PlanError.WRONG_TARGET,
            _("This plan is for %(kind)s records.")
            % {"kind": AppliesTo(plan.applies_to).label.lower()},
            fields={"plan_id": [_("Choose a plan for this kind of record.")]},
        )
    if not plan.is_active:
        raise ServiceError(
            PlanError.INACTIVE,
            _("This plan is switched off."),
            fields={"plan_id": [_("Choose an active plan.")]},
        )
    steps = list(plan.steps.order_by("position", "id"))
    if not steps:
        raise ServiceError(PlanError.NO_STEPS, _("This plan has no steps yet."))
    running = PlanRun.objects.filter(plan=plan, state__in=[RunState.ACTIVE, RunState.PAUSED])
    if running.filter(**{kind: record}).exists():
        raise _already_running()
    try:
        with transaction.atomic():
            run = PlanRun.objects.create(
                workspace=actor.workspace,
                plan=plan,
                plan_name=plan.name,
                state=RunState.ACTIVE,
                started_by_id=actor.user_id,
                started_at=now,
                step_count=len(steps),
                created_at=now,
                updated_at=now,
                **{kind: record},
            )
    except IntegrityError:
        raise _already_running() from None
    PlanRunStep.objects.bulk_create(
        [
            PlanRunStep(
                run=run,
                position=index,
                occurrence=1,
                source_step=step,
                **{f: getattr(step, f) for f in CONFIG_FIELDS},
            )
            for index, step in enumerate(steps)
        ]
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=run,
        changes={"plan": [None, plan.name], kind: [None, str(record)]},
    )
    run = engine.lock_run(run.pk)  # type: ignore[assignment]
    first = PlanRunStep.objects.get(run=run, position=0, occurrence=1)
    engine.activate(run, first, now, due=engine.first_due(run, first, now))
    emit(
        "plan_run.started",
        workspace_id=actor.workspace.pk,
        plan_run_id=run.pk,
        plan_id=plan.pk,
        target_type=kind,
        target_id=record.pk,
    )
    engine.settle(run, now)
    return run


def run_get(*, actor: Actor, run_id: Any) -> PlanRun:
    """A run the actor sees through its record (system actors: their workspace)."""
    try:
        pk = int(run_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    if actor.member is not None:
        qs = PlanRun.objects.visible_to(actor.member)
    else:
        qs = PlanRun.objects.filter(workspace=actor.workspace)
    if not qs.filter(pk=pk).exists():
        raise _not_found()
    run = engine.lock_run(pk)
    if run is None:
        raise _not_found()
    return run


def _transition(actor: Actor, run: PlanRun, to: str, action: str, now: dt.datetime) -> None:
    before = run.state
    run.state = to
    run.version += 1
    run.updated_at = now
    fields = ["state", "version", "updated_at"]
    if to == RunState.PAUSED:
        run.paused_at = now
        fields.append("paused_at")
    elif to == RunState.ACTIVE:
        run.paused_at = None
        fields.append("paused_at")
    else:
        run.ended_at = now
        run.current_position = None
        fields += ["ended_at", "current_position"]
    run.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action=action,
        target=run,
        changes={"state": [before, to]},
    )
    emit(f"plan_run.{action}", workspace_id=run.workspace_id, plan_run_id=run.pk)


@transaction.atomic
def plan_run_pause(*, actor: Actor, run_id: int, now: dt.datetime | None = None) -> PlanRun:
    """Nothing fires while paused: no due action, no time step, no event step."""
    require(actor, Perm.PLAN_RUN)
    run = run_get(actor=actor, run_id=run_id)
    if run.state != RunState.ACTIVE:
        raise Conflict(PlanError.NOT_RUNNING, _("Only an active plan can be paused."))
    _transition(actor, run, RunState.PAUSED, "paused", now or timezone.now())
    return run


@transaction.atomic
def plan_run_resume(*, actor: Actor, run_id: int, now: dt.datetime | None = None) -> PlanRun:
    """Active again; what came due meanwhile is carried out now, and an event that happened
    meanwhile (a task completed, a stage reached) counts."""
    require(actor, Perm.PLAN_RUN)
    run = run_get(actor=actor, run_id=run_id)
    if run.state != RunState.PAUSED:
        raise Conflict(PlanError.NOT_RUNNING, _("Only a paused plan can be resumed."))
    now = now or timezone.now()
    _transition(actor, run, RunState.ACTIVE, "resumed", now)
    engine.settle(run, now)
    return run


@transaction.atomic
def plan_run_stop(*, actor: Actor, run_id: int, now: dt.datetime | None = None) -> PlanRun:
    """Ends the run for good: its current and later steps are cancelled, and so are the open
    tasks they made (a stopped plan leaves no work behind)."""
    require(actor, Perm.PLAN_RUN)
    run = run_get(actor=actor, run_id=run_id)
    if not run.is_running:
        raise Conflict(PlanError.NOT_RUNNING, _("This plan has already ended."))
    now = now or timezone.now()
    open_steps = PlanRunStep.objects.filter(
        run=run, state__in=[StepState.PENDING, StepState.ACTIVE]
    )
    task_ids = [t for t in open_steps.values_list("task_id", flat=True) if t]
    open_steps.update(state=StepState.CANCELLED)
    _transition(actor, run, RunState.STOPPED, "stopped", now)
    from tradewind.activities.models_tasks import Task
    from tradewind.activities.task_services import task_cancel

    plan_actor = engine.plan_actor(run)
    for task in Task.objects.filter(pk__in=task_ids, status=TaskStatus.OPEN):
        task_cancel(actor=plan_actor, task=task, now=now)
    return run


# --- background: the scan of due steps, and runs an event may have moved ------------------------


def runs_settle(run_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Settle each run in its own transaction (one failing run must not hold up the others);
    returns how many steps were completed."""
    completed = 0
    for run_id in run_ids:
        try:
            with transaction.atomic():
                run = engine.lock_run(run_id)
                if run is not None and run.state == RunState.ACTIVE:
                    completed += engine.settle(run, now or timezone.now())
        except Exception:
            log.exception("step plan run %s could not be settled", run_id)
    return completed


def plan_steps_run_due(*, now: dt.datetime | None = None, workspace_id: int | None = None) -> int:
    """The periodic scan: every active run with something due now is settled. Running it twice
    changes nothing more (each action is claimed by a conditional UPDATE, each step completed by
    another). Returns how many steps were completed."""
    now = now or timezone.now()
    return runs_settle(engine.due_run_ids(now=now, workspace_id=workspace_id), now=now)
