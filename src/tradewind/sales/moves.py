"""Stage moves (推进销售阶段) and the stage-task gate. The one transition function for an open
opportunity's stage: the form, the board's drag and the API all call `opportunity_move`.

The gate: moving *forward* passes every stage from the current one up to (not including) the
target; a required task of a passed stage that is not ticked is missing. The pipeline's `gate`
decides: "block" refuses the move listing what is missing (nothing is written), "warn" moves and
returns the missing titles as warnings, "off" moves silently. Moving backwards is never gated.

Concurrency: the row is locked (SELECT … FOR UPDATE) before the current stage is read, so two
moves of one card run one after the other and each history row's from_stage is the previous row's
to_stage. With `expected_version`, the second of two moves made from the same view is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .choices import GateMode, OpportunityStatus, StageChangeKind
from .errors import OpportunityError
from .models import Opportunity, Stage, StageTask, StageTaskCheck
from .services import check_open, check_version, lock_opportunity, record_stage_change


@dataclass
class MoveResult:
    opportunity: Opportunity
    warnings: list[str] = field(default_factory=list)


def _order(stage: Stage) -> tuple[int, int]:
    return (stage.position, stage.pk)


def passed_stages(opportunity: Opportunity, up_to_stage: Stage) -> list[Stage]:
    """The open stages a move from the opportunity's stage to `up_to_stage` passes: the current
    one and every one skipped, in order; [] for a move backwards or to the same stage. A move to
    a closed stage (won) passes every open stage from the current one on."""
    current = opportunity.stage
    stages = list(Stage.objects.filter(pipeline_id=opportunity.pipeline_id))
    start = _order(current)
    if up_to_stage.is_closed:
        return [s for s in sorted(stages, key=_order) if not s.is_closed and _order(s) >= start]
    end = _order(up_to_stage)
    if end <= start:
        return []
    return [s for s in sorted(stages, key=_order) if not s.is_closed and start <= _order(s) < end]


def missing_required_tasks(opportunity: Opportunity, up_to_stage: Stage) -> list[StageTask]:
    """The required, unticked tasks of the stages a move to `up_to_stage` passes, in stage order
    (each with its `stage` loaded). A pure read: the pages use it to warn before a move."""
    passed = passed_stages(opportunity, up_to_stage)
    if not passed:
        return []
    order = {s.pk: i for i, s in enumerate(passed)}
    done = StageTaskCheck.objects.filter(opportunity_id=opportunity.pk).values("task_id")
    tasks = list(
        StageTask.objects.filter(stage_id__in=order, is_required=True)
        .exclude(pk__in=done)
        .select_related("stage")
    )
    tasks.sort(key=lambda t: (order[t.stage_id], t.position, t.pk))
    return tasks


def gate_error(missing: list[StageTask]) -> ServiceError:
    """The refusal of a blocked move: the message lists "stage: task, task; stage: task"."""
    by_stage: dict[int, list[StageTask]] = {}
    for task in missing:
        by_stage.setdefault(task.stage_id, []).append(task)
    listed = "; ".join(
        f"{tasks[0].stage.label}: {', '.join(t.title for t in tasks)}"
        for tasks in by_stage.values()
    )
    return ServiceError(
        OpportunityError.STAGE_TASKS_MISSING,
        _("Finish the required stage tasks first — %(tasks)s.") % {"tasks": listed},
        fields={"stage": [t.title for t in missing]},
    )


def check_gate(opportunity: Opportunity, target: Stage) -> list[str]:
    """Apply the pipeline's gate to a move to `target`: raises when blocked, else returns the
    warnings (missing task titles) for "warn" and [] for "off"."""
    gate = opportunity.pipeline.gate
    if gate == GateMode.OFF:
        return []
    missing = missing_required_tasks(opportunity, target)
    if not missing:
        return []
    if gate == GateMode.BLOCK:
        raise gate_error(missing)
    return [t.title for t in missing]


def _target_stage(opportunity: Opportunity, stage_id: int) -> Stage:
    try:
        pk = int(stage_id)
    except (TypeError, ValueError):
        pk = 0
    target = Stage.objects.filter(pk=pk, pipeline_id=opportunity.pipeline_id).first()
    if target is None:
        raise ServiceError(
            OpportunityError.UNKNOWN_STAGE,
            _("Choose a stage of this opportunity’s pipeline."),
            fields={"stage": [_("Choose a stage of this opportunity’s pipeline.")]},
        )
    if target.is_closed:
        raise ServiceError(
            OpportunityError.USE_CLOSE,
            _("Close the opportunity as won or lost instead: closing asks for the details."),
            fields={"stage": [_("Use Close to win or lose an opportunity.")]},
        )
    return target


@transaction.atomic
def opportunity_move(
    *, actor: Actor, opportunity_id: int, stage_id: int, expected_version: int | None = None
) -> MoveResult:
    """Move an open opportunity to another open stage of its pipeline, under the pipeline's gate.
    Writes a StageChange with the seconds spent in the stage left, restarts the stage clock,
    counts as activity (clears the stale flag) and bumps the version. Same stage: a no-op."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    current = lock_opportunity(actor, opportunity_id)
    check_version(current, expected_version)
    check_open(current)
    target = _target_stage(current, stage_id)
    if target.pk == current.stage_id:
        return MoveResult(current, [])
    warnings = check_gate(current, target)
    now = timezone.now()
    previous = current.stage
    change = record_stage_change(
        actor=actor,
        opportunity=current,
        kind=StageChangeKind.MOVE,
        from_stage=previous,
        to_stage=target,
        from_status=OpportunityStatus.OPEN,
        to_status=OpportunityStatus.OPEN,
        now=now,
    )
    current.stage = target
    current.stage_entered_at = now
    current.last_activity_at = now
    current.stale_since = None
    current.version += 1
    current.updated_at = now
    current.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "last_activity_at",
            "stale_since",
            "version",
            "updated_at",
        ]
    )
    changes: dict[str, list] = {"stage": [previous.label, target.label]}
    if warnings:
        changes["warnings"] = [None, warnings]
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="stage_moved", target=current, changes=changes
    )
    emit(
        "opportunity.stage_changed",
        workspace_id=current.workspace_id,
        opportunity_id=current.pk,
        from_stage_id=previous.pk,
        to_stage_id=target.pk,
        seconds_in_from_stage=change.seconds_in_from_stage,
    )
    return MoveResult(current, warnings)


@transaction.atomic
def stage_task_set(*, actor: Actor, opportunity_id: int, task_id: int, done: bool) -> Opportunity:
    """Tick (or untick) one task of a stage of the opportunity's pipeline. Ticking counts as
    activity; it does not bump the version (an open edit form stays valid)."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    current = lock_opportunity(actor, opportunity_id)
    check_open(current)
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        pk = 0
    task = StageTask.objects.filter(pk=pk, stage__pipeline_id=current.pipeline_id).first()
    if task is None:
        raise ServiceError(
            OpportunityError.UNKNOWN_TASK,
            _("This task is not part of the opportunity’s sales process."),
            fields={"task": [_("Choose a task of this pipeline.")]},
        )
    existing = StageTaskCheck.objects.filter(opportunity=current, task=task).first()
    now = timezone.now()
    if bool(done) == (existing is not None):
        return current
    if done:
        StageTaskCheck.objects.create(
            opportunity=current, task=task, done_by_id=actor.user_id, done_at=now
        )
    else:
        assert existing is not None
        existing.delete()
    Opportunity.objects.filter(pk=current.pk).update(last_activity_at=now, stale_since=None)
    current.last_activity_at, current.stale_since = now, None
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="stage_task_done" if done else "stage_task_undone",
        target=current,
        changes={"task": [None, task.title] if done else [task.title, None]},
    )
    emit(
        "opportunity.stage_task_set",
        workspace_id=current.workspace_id,
        opportunity_id=current.pk,
        task_id=task.pk,
        done=bool(done),
    )
    return current
