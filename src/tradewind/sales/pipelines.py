"""Writes (and the reads the settings need) of pipelines (销售流程), their stages, stage tasks and the
close reasons. PIPELINE_MANAGE for every write; every member may read. Audited.

Invariants kept here:
- exactly one default pipeline per workspace (a partial unique constraint allows at most one; no
  write removes the default without naming another, and the default cannot be archived);
- every pipeline ends with exactly one won stage followed by one lost stage, and keeps at least one
  open stage before them: the closed stages cannot be added, deleted or moved;
- a stage is deleted only when no opportunity is or ever was in it (its stage history counts).
Writes that change a pipeline's stages lock the pipeline row first, so two admins editing one
pipeline at once queue up instead of breaking the order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tradewind.core.errors import Conflict, ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm

from .choices import DEFAULT_STAGES, CloseKind, GateMode
from .errors import PipelineError
from .models import CloseReason, Opportunity, Pipeline, Stage, StageChange, StageTask
from .pipeline_templates import BY_KEY, DEFAULT_TEMPLATE
from .services import pipeline_default

PIPELINE_FIELDS = ["name", "description", "gate", "stale_days", "is_active", "is_default"]
STAGE_FIELDS = ["key", "name", "probability", "expected_days", "stale_days", "is_won", "is_lost"]
TASK_FIELDS = ["title", "is_required"]
REASON_FIELDS = ["kind", "label", "is_active"]
MAX_DAYS = 3650


# ---------------------------------------------------------------------------------------- reads
def pipelines_of(workspace: Workspace, *, include_archived: bool = True) -> list[Pipeline]:
    """The workspace's pipelines in order, stages and their tasks prefetched (3 queries); the
    default pipeline is created on first use, as everywhere else."""
    pipeline_default(workspace)
    qs = Pipeline.objects.filter(workspace=workspace)
    if not include_archived:
        qs = qs.filter(is_active=True)
    stages = Stage.objects.order_by("position", "id").prefetch_related(
        Prefetch("tasks", queryset=StageTask.objects.order_by("position", "id"))
    )
    return list(qs.order_by("position", "id").prefetch_related(Prefetch("stages", queryset=stages)))


def stage_usage(stages: Iterable[Stage]) -> dict[int, int]:
    """Stage id -> how many opportunities are in it now (open or closed), in one query."""
    ids = [s.pk for s in stages]
    rows = (
        Opportunity.objects.filter(stage_id__in=ids)
        .values("stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["stage_id"]: r["n"] for r in rows}


def stage_opportunity_count(stage: Stage) -> int:
    """Opportunities that are, or ever were, in the stage (current stage or its history)."""
    in_history = StageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).values(
        "opportunity_id"
    )
    return (
        Opportunity.objects.filter(Q(stage=stage) | Q(pk__in=in_history))
        .values("pk")
        .distinct()
        .count()
    )


def close_reasons_all(workspace: Workspace, kind: str) -> list[CloseReason]:
    """Every reason of a kind, inactive ones too, after the defaults are seeded on first use by
    sales.closing.close_reasons (when that module is installed)."""
    if kind not in CloseKind.values:
        raise _invalid(PipelineError.UNKNOWN_KIND, "kind", _("Choose lost or invalid."))
    try:
        from .closing import close_reasons
    except ImportError:  # pragma: no cover - the closing module ships with the same issue
        pass
    else:
        close_reasons(workspace, kind)
    return list(
        CloseReason.objects.filter(workspace=workspace, kind=kind).order_by("position", "id")
    )


# -------------------------------------------------------------------------------------- helpers
def _invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


def _text(value: Any, *, field: str, max_length: int, code: str, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise _invalid(code, field, _("This field is required."))
    if len(text) > max_length:
        raise _invalid(code, field, _("At most %(n)s characters.") % {"n": max_length})
    return text


def _number(value: Any, *, field: str, low: int, high: int, optional: bool) -> int | None:
    if value in (None, ""):
        if optional:
            return None
        raise _invalid(PipelineError.BAD_VALUE, field, _("This field is required."))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid(PipelineError.BAD_VALUE, field, _("Enter a whole number.")) from None
    if not low <= number <= high:
        raise _invalid(
            PipelineError.BAD_VALUE,
            field,
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
        )
    return number


def _gate(value: Any) -> str:
    if value not in GateMode.values:
        raise _invalid(
            PipelineError.BAD_VALUE,
            "gate",
            _("Choose one of: %(values)s.") % {"values": ", ".join(GateMode.values)},
        )
    return str(value)


def _lock_pipeline(actor: Actor, pipeline: Pipeline) -> Pipeline:
    return Pipeline.objects.select_for_update().get(pk=pipeline.pk, workspace=actor.workspace)


def _new_order(current: list[int], ids: Iterable[Any]) -> list[int]:
    """`ids` as a permutation of `current`, or a coded refusal."""
    try:
        order = [int(i) for i in ids]
    except (TypeError, ValueError):
        order = []
    if len(order) != len(current) or set(order) != set(current):
        raise _invalid(
            PipelineError.BAD_ORDER,
            "ids",
            _("Send every item of the list exactly once, in the new order."),
        )
    return order


def _moved(current: list[int], pk: int, direction: str) -> list[int]:
    """`current` with `pk` moved one place up or down (unchanged at either end)."""
    if direction not in ("up", "down"):
        raise _invalid(PipelineError.BAD_ORDER, "direction", _("Move up or down."))
    order = list(current)
    index = order.index(pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order


def _apply_order(model: Any, rows: list[Any], order: list[int], start: int = 0) -> bool:
    """Writes positions start, start+1, … in `order`; True when anything moved."""
    by_pk = {r.pk: r for r in rows}
    changed = False
    for number, pk in enumerate(order, start=start):
        row = by_pk[pk]
        if row.position != number:
            model.objects.filter(pk=pk).update(position=number)
            row.position = number
            changed = True
    return changed


def _record(actor: Actor, verb: str, target: Any, changes: dict, action: str = "") -> None:
    audit.record(actor=actor, verb=verb, target=target, changes=changes, action=action)


# ------------------------------------------------------------------------------------ pipelines
@transaction.atomic
def pipeline_create(
    *,
    actor: Actor,
    name: str,
    template: str = DEFAULT_TEMPLATE,
    description: str = "",
    gate: str | None = None,
    stale_days: int | None = None,
) -> Pipeline:
    """A new pipeline after the others, its stages and stage tasks copied from `template`
    (pipeline_templates.TEMPLATES); never the default (set_default names one)."""
    require(actor, Perm.PIPELINE_MANAGE)
    tpl = BY_KEY.get(template or "")
    if tpl is None:
        raise _invalid(PipelineError.UNKNOWN_TEMPLATE, "template", _("Choose a template."))
    name = _text(
        name, field="name", max_length=120, code=PipelineError.NAME_REQUIRED, required=True
    )
    description = _text(
        description, field="description", max_length=300, code=ErrorCode.INVALID, required=False
    )
    gate = _gate(gate) if gate else tpl.gate
    stale = int(
        _number(
            tpl.stale_days if stale_days in (None, "") else stale_days,
            field="stale_days",
            low=1,
            high=MAX_DAYS,
            optional=False,
        )
        or tpl.stale_days
    )
    pipeline_default(actor.workspace)  # the workspace keeps its default: this one is not it
    siblings = Pipeline.objects.select_for_update().filter(workspace=actor.workspace)
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    now = timezone.now()
    pipeline = Pipeline.objects.create(
        workspace=actor.workspace,
        name=name,
        description=description,
        gate=gate,
        stale_days=stale,
        position=position,
        is_default=False,
        created_at=now,
        updated_at=now,
    )
    closed = [(k, p, won, lost) for k, _l, p, won, lost in DEFAULT_STAGES if won or lost]
    stages = [
        Stage(
            pipeline=pipeline,
            key=s.key,
            name="" if s.key else str(s.name or ""),
            position=i,
            probability=s.probability,
            expected_days=s.expected_days,
        )
        for i, s in enumerate(tpl.stages)
    ] + [
        Stage(pipeline=pipeline, key=key, position=len(tpl.stages) + i, probability=p,
              is_won=won, is_lost=lost)
        for i, (key, p, won, lost) in enumerate(closed)
    ]  # fmt: skip
    for stage in stages:
        stage.save()
    StageTask.objects.bulk_create(
        StageTask(stage=stage, title=str(t.title), is_required=t.required, position=j)
        for stage, s in zip(stages, tpl.stages, strict=False)
        for j, t in enumerate(s.tasks)
    )
    values = audit.snapshot(pipeline, PIPELINE_FIELDS)
    changes: dict[str, Any] = {k: [None, v] for k, v in values.items() if v not in (None, "")}
    changes["template"] = [None, tpl.key]
    changes["stages"] = [None, [s.label for s in stages]]
    _record(actor, AuditVerb.CREATE, pipeline, changes)
    emit("pipeline.created", workspace_id=actor.workspace.pk, pipeline_id=pipeline.pk)
    return pipeline


@transaction.atomic
def pipeline_update(
    *, actor: Actor, pipeline: Pipeline, expected_version: int | None = None, **changes: Any
) -> Pipeline:
    """Rename, describe, set the gate or the stale days, archive (is_active=False; refused for
    the default) or restore. A stale `expected_version` answers 409."""
    require(actor, Perm.PIPELINE_MANAGE)
    unknown = set(changes) - {"name", "description", "gate", "stale_days", "is_active"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _lock_pipeline(actor, pipeline)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this pipeline meanwhile. Reload and try again."),
        )
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        cleaned["name"] = _text(
            changes["name"], field="name", max_length=120, code=PipelineError.NAME_REQUIRED,
            required=True,
        )  # fmt: skip
    if "description" in changes:
        cleaned["description"] = _text(
            changes["description"], field="description", max_length=300, code=ErrorCode.INVALID,
            required=False,
        )  # fmt: skip
    if "gate" in changes:
        cleaned["gate"] = _gate(changes["gate"])
    if "stale_days" in changes:
        cleaned["stale_days"] = _number(
            changes["stale_days"], field="stale_days", low=1, high=MAX_DAYS, optional=False
        )
    if "is_active" in changes:
        cleaned["is_active"] = bool(changes["is_active"])
        if not cleaned["is_active"] and current.is_default:
            raise Conflict(
                PipelineError.DEFAULT_ARCHIVED,
                _(
                    "The default pipeline cannot be archived: make another pipeline the default first."
                ),
            )
    diff = audit.apply_changes(current, cleaned, PIPELINE_FIELDS)
    if diff:
        audit.save_update(actor=actor, target=current, changes=diff)
        emit("pipeline.updated", workspace_id=actor.workspace.pk, pipeline_id=current.pk)
    return current


@transaction.atomic
def pipeline_set_default(*, actor: Actor, pipeline: Pipeline) -> Pipeline:
    """Makes `pipeline` the workspace's one default (new opportunities go there unless another is
    chosen). The workspace's pipelines are locked so two concurrent switches queue up."""
    require(actor, Perm.PIPELINE_MANAGE)
    pipeline_default(actor.workspace)
    rows = list(
        Pipeline.objects.select_for_update().filter(workspace=actor.workspace).order_by("pk")
    )
    target = next((p for p in rows if p.pk == pipeline.pk), None)
    if target is None:
        raise ValueError("pipeline of another workspace")
    if not target.is_active:
        raise Conflict(
            PipelineError.DEFAULT_ARCHIVED,
            _("An archived pipeline cannot be the default: restore it first."),
        )
    if target.is_default:
        return target
    for old in rows:
        if old.is_default:  # cleared first: the constraint allows one default at any moment
            old.is_default = False
            audit.save_update(actor=actor, target=old, changes={"is_default": [True, False]})
    target.is_default = True
    audit.save_update(actor=actor, target=target, changes={"is_default": [False, True]})
    emit("pipeline.updated", workspace_id=actor.workspace.pk, pipeline_id=target.pk)
    return target


@transaction.atomic
def pipeline_reorder(*, actor: Actor, ids: Iterable[Any]) -> list[Pipeline]:
    """Puts the workspace's pipelines (archived ones too) in the order of `ids`."""
    require(actor, Perm.PIPELINE_MANAGE)
    rows = list(
        Pipeline.objects.select_for_update()
        .filter(workspace=actor.workspace)
        .order_by("position", "id")
    )
    order = _new_order([p.pk for p in rows], ids)
    before = {p.pk: p.position for p in rows}
    _apply_order(Pipeline, rows, order, start=1)
    for row in rows:
        if before[row.pk] != row.position:
            _record(actor, AuditVerb.UPDATE, row, {"position": [before[row.pk], row.position]})
    emit("pipeline.reordered", workspace_id=actor.workspace.pk)
    return sorted(rows, key=lambda p: p.position)


def pipeline_move(*, actor: Actor, pipeline: Pipeline, direction: str) -> list[Pipeline]:
    current = list(
        Pipeline.objects.filter(workspace=actor.workspace)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    return pipeline_reorder(actor=actor, ids=_moved(current, pipeline.pk, direction))


# --------------------------------------------------------------------------------------- stages
def _stage_values(data: dict[str, Any], stage: Stage | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in data:
        keyed = bool(stage and stage.key)  # a default stage falls back to its translated label
        cleaned["name"] = _text(
            data["name"], field="name", max_length=80, code=PipelineError.NAME_REQUIRED,
            required=not keyed,
        )  # fmt: skip
    if "probability" in data:
        cleaned["probability"] = _number(
            data["probability"], field="probability", low=0, high=100, optional=False
        )
    for name in ("expected_days", "stale_days"):
        if name in data:
            cleaned[name] = _number(data[name], field=name, low=1, high=MAX_DAYS, optional=True)
    return cleaned


def _stages(pipeline: Pipeline) -> tuple[list[Stage], list[Stage]]:
    """(open stages, [won, lost]) in order."""
    rows = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    open_rows = [s for s in rows if not s.is_closed]
    closed = sorted((s for s in rows if s.is_closed), key=lambda s: (not s.is_won, s.pk))
    return open_rows, closed


@transaction.atomic
def stage_create(
    *,
    actor: Actor,
    pipeline: Pipeline,
    name: str,
    probability: Any = 0,
    expected_days: Any = None,
    stale_days: Any = None,
) -> Stage:
    """An open stage after the pipeline's other open stages (Won and Lost stay last)."""
    require(actor, Perm.PIPELINE_MANAGE)
    locked = _lock_pipeline(actor, pipeline)
    cleaned = _stage_values(
        {
            "name": name,
            "probability": probability,
            "expected_days": expected_days,
            "stale_days": stale_days,
        },
        None,
    )
    open_rows, closed = _stages(locked)
    stage = Stage.objects.create(pipeline=locked, position=len(open_rows), **cleaned)
    _apply_order(Stage, closed, [s.pk for s in closed], start=len(open_rows) + 1)
    values = audit.snapshot(stage, STAGE_FIELDS)
    changes = {k: [None, v] for k, v in values.items() if v not in (None, "", False)}
    _record(actor, AuditVerb.CREATE, stage, {"pipeline": [None, locked.pk], **changes})
    emit("stage.created", workspace_id=actor.workspace.pk, pipeline_id=locked.pk, stage_id=stage.pk)
    return stage


@transaction.atomic
def stage_update(*, actor: Actor, stage: Stage, **changes: Any) -> Stage:
    """Rename (a default stage's blank name shows its translated label again), default win
    probability 0–100, expected days and stale-days override. The won and lost stages may only be
    renamed: their probability stays 100 and 0."""
    require(actor, Perm.PIPELINE_MANAGE)
    unknown = set(changes) - {"name", "probability", "expected_days", "stale_days"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _lock_pipeline(actor, stage.pipeline)
    current = Stage.objects.get(pk=stage.pk)
    cleaned = _stage_values(changes, current)
    if current.is_closed:
        fixed = {k for k, v in cleaned.items() if k != "name" and v != getattr(current, k)}
        if fixed:
            raise _invalid(
                PipelineError.STAGE_FIXED,
                sorted(fixed)[0],
                _("The won and lost stages can only be renamed."),
            )
    diff = audit.apply_changes(current, cleaned, STAGE_FIELDS)
    if diff:
        current.save()
        _record(actor, AuditVerb.UPDATE, current, diff)
        emit(
            "stage.updated",
            workspace_id=actor.workspace.pk,
            pipeline_id=current.pipeline_id,
            stage_id=current.pk,
        )
    return current


@transaction.atomic
def stage_reorder(*, actor: Actor, pipeline: Pipeline, ids: Iterable[Any]) -> list[Stage]:
    """Orders the open stages as `ids` (the won and lost stages may be sent too, but only last:
    they never move)."""
    require(actor, Perm.PIPELINE_MANAGE)
    locked = _lock_pipeline(actor, pipeline)
    open_rows, closed = _stages(locked)
    closed_ids = [s.pk for s in closed]
    sent = [str(i) for i in ids]
    if sent[-len(closed_ids) :] == [str(i) for i in closed_ids]:
        sent = sent[: -len(closed_ids)]
    if any(str(i) in sent for i in closed_ids):
        raise _invalid(
            PipelineError.STAGE_FIXED, "ids", _("The won and lost stages always come last.")
        )
    before = [s.pk for s in open_rows]
    order = _new_order(before, sent)
    if order != before:
        _apply_order(Stage, open_rows, order)
        _apply_order(Stage, closed, closed_ids, start=len(order))
        _record(actor, AuditVerb.UPDATE, locked, {"stages": [before, order]}, "stages_reordered")
        emit("pipeline.updated", workspace_id=actor.workspace.pk, pipeline_id=locked.pk)
    by_pk = {s.pk: s for s in open_rows}
    return [by_pk[pk] for pk in order] + closed


def stage_move(*, actor: Actor, stage: Stage, direction: str) -> list[Stage]:
    require(actor, Perm.PIPELINE_MANAGE)
    if stage.is_closed:
        raise _invalid(
            PipelineError.STAGE_FIXED, "ids", _("The won and lost stages always come last.")
        )
    open_rows, _closed = _stages(stage.pipeline)
    order = _moved([s.pk for s in open_rows], stage.pk, direction)
    return stage_reorder(actor=actor, pipeline=stage.pipeline, ids=order)


@transaction.atomic
def stage_delete(*, actor: Actor, stage: Stage) -> None:
    """Deletes an open stage no opportunity is or ever was in (its tasks and their ticks go with
    it). The won and lost stages and a pipeline's last open stage stay."""
    require(actor, Perm.PIPELINE_MANAGE)
    locked = _lock_pipeline(actor, stage.pipeline)
    current = Stage.objects.get(pk=stage.pk)
    if current.is_closed:
        raise Conflict(
            PipelineError.STAGE_FIXED,
            _("The won and lost stages cannot be deleted: every pipeline ends with them."),
        )
    open_rows, closed = _stages(locked)
    if len(open_rows) <= 1:
        raise Conflict(
            PipelineError.STAGE_FIXED,
            _("A pipeline needs at least one open stage: add another before deleting this one."),
        )
    used = stage_opportunity_count(current)
    if used:
        raise Conflict(
            PipelineError.STAGE_IN_USE,
            ngettext(
                "%(n)s opportunity is or was in this stage, so it cannot be deleted. "
                "Rename it instead.",
                "%(n)s opportunities are or were in this stage, so it cannot be deleted. "
                "Rename it instead.",
                used,
            )
            % {"n": used},
        )
    tasks = list(current.tasks.values_list("title", flat=True))
    _record(
        actor,
        AuditVerb.DELETE,
        current,
        {"pipeline": [locked.pk, None], "name": [current.label, None], "tasks": [tasks, None]},
    )
    pk = current.pk
    current.delete()
    remaining = [s for s in open_rows if s.pk != pk]
    _apply_order(Stage, remaining, [s.pk for s in remaining])
    _apply_order(Stage, closed, [s.pk for s in closed], start=len(remaining))
    emit("stage.deleted", workspace_id=actor.workspace.pk, pipeline_id=locked.pk, stage_id=pk)


# ---------------------------------------------------------------------------------- stage tasks
def _title(value: Any) -> str:
    return _text(
        value, field="title", max_length=200, code=PipelineError.TASK_TITLE_REQUIRED, required=True
    )


@transaction.atomic
def stage_task_create(
    *, actor: Actor, stage: Stage, title: str, is_required: bool = True
) -> StageTask:
    """A checklist item at the end of an open stage's list."""
    require(actor, Perm.PIPELINE_MANAGE)
    _lock_pipeline(actor, stage.pipeline)
    if stage.is_closed:
        raise _invalid(
            PipelineError.STAGE_FIXED, "stage", _("The won and lost stages have no tasks.")
        )
    title = _title(title)
    position = (StageTask.objects.filter(stage=stage).aggregate(m=Max("position"))["m"] or 0) + 1
    task = StageTask.objects.create(
        stage=stage, title=title, is_required=bool(is_required), position=position
    )
    _record(
        actor,
        AuditVerb.CREATE,
        task,
        {
            "stage": [None, stage.pk],
            "title": [None, title],
            "is_required": [None, task.is_required],
        },
    )
    emit("stage_task.created", workspace_id=actor.workspace.pk, stage_id=stage.pk, task_id=task.pk)
    return task


@transaction.atomic
def stage_task_update(
    *, actor: Actor, task: StageTask, title: str | None = None, is_required: bool | None = None
) -> StageTask:
    require(actor, Perm.PIPELINE_MANAGE)
    _lock_pipeline(actor, task.stage.pipeline)
    current = StageTask.objects.get(pk=task.pk)
    cleaned: dict[str, Any] = {}
    if title is not None:
        cleaned["title"] = _title(title)
    if is_required is not None:
        cleaned["is_required"] = bool(is_required)
    diff = audit.apply_changes(current, cleaned, TASK_FIELDS)
    if diff:
        current.save()
        _record(actor, AuditVerb.UPDATE, current, diff)
        emit("stage_task.updated", workspace_id=actor.workspace.pk, task_id=current.pk)
    return current


@transaction.atomic
def stage_task_reorder(*, actor: Actor, stage: Stage, ids: Iterable[Any]) -> list[StageTask]:
    require(actor, Perm.PIPELINE_MANAGE)
    _lock_pipeline(actor, stage.pipeline)
    rows = list(StageTask.objects.filter(stage=stage).order_by("position", "id"))
    before = [t.pk for t in rows]
    order = _new_order(before, ids)
    if order != before:
        _apply_order(StageTask, rows, order, start=1)
        _record(actor, AuditVerb.UPDATE, stage, {"tasks": [before, order]}, "tasks_reordered")
        emit("stage.updated", workspace_id=actor.workspace.pk, stage_id=stage.pk)
    return sorted(rows, key=lambda t: t.position)


def stage_task_move(*, actor: Actor, task: StageTask, direction: str) -> list[StageTask]:
    require(actor, Perm.PIPELINE_MANAGE)
    current = list(
        StageTask.objects.filter(stage_id=task.stage_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    order = _moved(current, task.pk, direction)
    return stage_task_reorder(actor=actor, stage=task.stage, ids=order)


def stage_task_ticks(task: StageTask) -> int:
    """How many opportunities ticked the task (they lose the tick when it is deleted)."""
    from .models import StageTaskCheck

    return StageTaskCheck.objects.filter(task=task).count()


@transaction.atomic
def stage_task_delete(*, actor: Actor, task: StageTask) -> int:
    """Deletes the task and its ticks on opportunities; returns how many ticks went with it."""
    require(actor, Perm.PIPELINE_MANAGE)
    _lock_pipeline(actor, task.stage.pipeline)
    current = StageTask.objects.get(pk=task.pk)
    ticks = stage_task_ticks(current)
    _record(
        actor,
        AuditVerb.DELETE,
        current,
        {"stage": [current.stage_id, None], "title": [current.title, None], "ticks": [ticks, 0]},
    )
    pk, stage_id = current.pk, current.stage_id
    current.delete()
    emit("stage_task.deleted", workspace_id=actor.workspace.pk, stage_id=stage_id, task_id=pk)
    return ticks


# -------------------------------------------------------------------------------- close reasons
def _label(value: Any) -> str:
    return _text(
        value, field="label", max_length=120, code=PipelineError.REASON_LABEL_REQUIRED,
        required=True,
    )  # fmt: skip


def _taken() -> Conflict:
    return Conflict(
        PipelineError.REASON_TAKEN,
        _("Please correct the marked fields."),
        fields={"label": [_("This reason is already on the list.")]},
    )


@transaction.atomic
def close_reason_create(*, actor: Actor, kind: str, label: str) -> CloseReason:
    """A reason at the end of the lost (输单) or invalid (无效) list."""
    require(actor, Perm.PIPELINE_MANAGE)
    existing = close_reasons_all(actor.workspace, kind)
    label = _label(label)
    if any(r.label.casefold() == label.casefold() for r in existing):
        raise _taken()
    position = max((r.position for r in existing), default=0) + 1
    try:
        with transaction.atomic():
            reason = CloseReason.objects.create(
                workspace=actor.workspace, kind=kind, label=label, position=position
            )
    except IntegrityError:  # the same label added concurrently
        raise _taken() from None
    _record(actor, AuditVerb.CREATE, reason, {"kind": [None, kind], "label": [None, label]})
    emit("close_reason.created", workspace_id=actor.workspace.pk, reason_id=reason.pk)
    return reason


@transaction.atomic
def close_reason_update(
    *, actor: Actor, reason: CloseReason, label: str | None = None, is_active: bool | None = None
) -> CloseReason:
    """Rename, deactivate (closed opportunities keep it; new closings cannot pick it) or
    reactivate."""
    require(actor, Perm.PIPELINE_MANAGE)
    current = CloseReason.objects.select_for_update().get(pk=reason.pk, workspace=actor.workspace)
    cleaned: dict[str, Any] = {}
    if label is not None:
        cleaned["label"] = _label(label)
        clash = CloseReason.objects.filter(
            workspace=actor.workspace, kind=current.kind, label__iexact=cleaned["label"]
        ).exclude(pk=current.pk)
        if clash.exists():
            raise _taken()
    if is_active is not None:
        cleaned["is_active"] = bool(is_active)
    diff = audit.apply_changes(current, cleaned, REASON_FIELDS)
    if diff:
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise _taken() from None
        _record(actor, AuditVerb.UPDATE, current, diff)
        emit("close_reason.updated", workspace_id=actor.workspace.pk, reason_id=current.pk)
    return current


@transaction.atomic
def close_reason_reorder(*, actor: Actor, kind: str, ids: Iterable[Any]) -> list[CloseReason]:
    require(actor, Perm.PIPELINE_MANAGE)
    close_reasons_all(actor.workspace, kind)
    rows = list(
        CloseReason.objects.select_for_update()
        .filter(workspace=actor.workspace, kind=kind)
        .order_by("position", "id")
    )
    before = [r.pk for r in rows]
    order = _new_order(before, ids)
    if order != before:
        before_pos = {r.pk: r.position for r in rows}
        _apply_order(CloseReason, rows, order, start=1)
        for row in rows:
            if before_pos[row.pk] != row.position:
                _record(
                    actor, AuditVerb.UPDATE, row, {"position": [before_pos[row.pk], row.position]}
                )
        emit("close_reason.reordered", workspace_id=actor.workspace.pk, kind=kind)
    return sorted(rows, key=lambda r: r.position)


def close_reason_move(*, actor: Actor, reason: CloseReason, direction: str) -> list[CloseReason]:
    require(actor, Perm.PIPELINE_MANAGE)
    current = [r.pk for r in close_reasons_all(actor.workspace, reason.kind)]
    order = _moved(current, reason.pk, direction)
    return close_reason_reorder(actor=actor, kind=reason.kind, ids=order)
