"""Pipelines API (/pipelines: pipelines with their stages and stage tasks) and close reasons
(/close-reasons). Every member may list them; writes need PIPELINE_MANAGE and call the audited
services of pipelines.py. Routes with an id answer 404 to a member without PIPELINE_MANAGE, like
the other settings APIs (custom fields, follow-up nodes): the list shows everything there is to
read, so an id route says nothing more; routes without an id answer 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.permissions import Perm

from . import pipelines as services
from .choices import CloseKind
from .models import CloseReason, Pipeline, Stage, StageTask
from .pipeline_templates import DEFAULT_TEMPLATE, TEMPLATES

router = Router(tags=["pipelines"])
reasons_router = Router(tags=["pipelines"])


class StageTaskOut(Schema):
    id: int
    title: str
    is_required: bool
    position: int


class StageOut(Schema):
    id: int
    key: str = Field(description="A default stage's key (its label is translated); empty otherwise")
    name: str = Field(description="The workspace's own name; empty: the key's translated label")
    label: str
    position: int
    probability: int
    expected_days: int | None
    stale_days: int | None = Field(description="None: the pipeline's stale_days")
    is_won: bool
    is_lost: bool
    tasks: list[StageTaskOut]

    @staticmethod
    def resolve_tasks(obj: Stage) -> list[StageTask]:
        return list(obj.tasks.all())


class PipelineOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    is_active: bool
    position: int
    gate: str = Field(description="off, warn or block")
    stale_days: int
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[Stage]:
        return list(obj.stages.all())


class TemplateOut(Schema):
    key: str
    name: str
    description: str
    gate: str
    stale_days: int
    stages: list[str]


class PipelineIn(Schema):
    name: str = Field("", max_length=120)
    template: str = Field(DEFAULT_TEMPLATE, description="A key of GET /pipelines/templates")
    description: str = Field("", max_length=300)
    gate: str | None = Field(None, description="off, warn or block; default: the template's")
    stale_days: int | None = None


class PipelinePatch(Schema):
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=300)
    gate: str | None = None
    stale_days: int | None = None
    is_active: bool | None = Field(None, description="false archives (refused for the default)")
    is_default: bool | None = Field(None, description="true makes it the one default pipeline")
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class ReorderIn(Schema):
    ids: list[int] = Field(default_factory=list, description="Every id once, in the new order")


class PipelineStageIn(Schema):
    name: str = Field("", max_length=80)
    probability: int = 0
    expected_days: int | None = None
    stale_days: int | None = None


class StagePatch(Schema):
    name: str | None = Field(None, max_length=80)
    probability: int | None = None
    expected_days: int | None = None
    stale_days: int | None = None


class StageTaskIn(Schema):
    title: str = Field("", max_length=200)
    is_required: bool = True


class StageTaskPatch(Schema):
    title: str | None = Field(None, max_length=200)
    is_required: bool | None = None


class CloseReasonOut(Schema):
    id: int
    kind: str
    label: str
    position: int
    is_active: bool


class CloseReasonIn(Schema):
    kind: str = Field(CloseKind.LOST, description="lost or invalid")
    label: str = Field("", max_length=120)


class CloseReasonPatch(Schema):
    label: str | None = Field(None, max_length=120)
    is_active: bool | None = None


class ReasonReorderIn(Schema):
    kind: str = CloseKind.LOST
    ids: list[int] = Field(default_factory=list)


def _manager(request: HttpRequest) -> None:
    if not request.member.has(Perm.PIPELINE_MANAGE):
        raise Http404


def _pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    _manager(request)
    found = Pipeline.objects.visible_to(request.member).filter(pk=pipeline_id).first()
    if found is None:
        raise Http404
    return found


def _stage(request: HttpRequest, stage_id: int) -> Stage:
    _manager(request)
    found = (
        Stage.objects.select_related("pipeline")
        .filter(pk=stage_id, pipeline__workspace=request.workspace)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _task(request: HttpRequest, stage_task_id: int) -> StageTask:
    _manager(request)
    found = (
        StageTask.objects.select_related("stage__pipeline")
        .filter(pk=stage_task_id, stage__pipeline__workspace=request.workspace)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _out(request: HttpRequest, pipeline_id: int) -> Pipeline:
    return next(p for p in services.pipelines_of(request.workspace) if p.pk == pipeline_id)


def _stage_out(stage_id: int) -> Stage:
    return Stage.objects.prefetch_related("tasks").get(pk=stage_id)


# ------------------------------------------------------------------------------------ pipelines
@router.get("", response={200: list[PipelineOut], **READ_ERRORS})
def pipeline_list(request: HttpRequest, include_archived: bool = True) -> list[Pipeline]:
    """Every pipeline in order with its stages and their tasks; every member may read them."""
    return services.pipelines_of(request.workspace, include_archived=include_archived)


@router.get("/templates", response={200: list[TemplateOut], **READ_ERRORS})
def template_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The templates a new pipeline can start from (seed 004's sales processes)."""
    from .choices import STAGE_LABELS

    return [
        {
            "key": t.key,
            "name": str(t.name),
            "description": str(t.description),
            "gate": t.gate,
            "stale_days": t.stale_days,
            "stages": [str(s.name) if s.name else str(STAGE_LABELS[s.key]) for s in t.stages]
            + [str(STAGE_LABELS["won"]), str(STAGE_LABELS["lost"])],
        }
        for t in TEMPLATES
    ]


@router.post("", response={201: PipelineOut, **ERRORS})
def pipeline_create(request: HttpRequest, payload: PipelineIn) -> Status:
    pipeline = services.pipeline_create(actor=request.actor, **payload.dict())
    return Status(201, _out(request, pipeline.pk))


@router.post("/reorder", response={200: list[PipelineOut], **ERRORS})
def pipeline_reorder(request: HttpRequest, payload: ReorderIn) -> list[Pipeline]:
    services.pipeline_reorder(actor=request.actor, ids=payload.ids)
    return services.pipelines_of(request.workspace)


@router.patch("/{pipeline_id}", response={200: PipelineOut, **ERRORS})
def pipeline_update(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Pipeline:
    """Rename, describe, gate, stale days, archive/restore (is_active) and make default."""
    pipeline = _pipeline(request, pipeline_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    make_default = data.pop("is_default", None)
    changes = {k: v for k, v in data.items() if v is not None}
    if changes or version is not None:
        pipeline = services.pipeline_update(
            actor=request.actor, pipeline=pipeline, expected_version=version, **changes
        )
    if make_default:
        services.pipeline_set_default(actor=request.actor, pipeline=pipeline)
    return _out(request, pipeline.pk)


# --------------------------------------------------------------------------------------- stages
@router.post("/{pipeline_id}/stages", response={201: StageOut, **ERRORS})
def stage_create(request: HttpRequest, pipeline_id: int, payload: PipelineStageIn) -> Status:
    pipeline = _pipeline(request, pipeline_id)
    stage = services.stage_create(actor=request.actor, pipeline=pipeline, **payload.dict())
    return Status(201, _stage_out(stage.pk))


@router.post("/{pipeline_id}/stages/reorder", response={200: PipelineOut, **ERRORS})
def stage_reorder(request: HttpRequest, pipeline_id: int, payload: ReorderIn) -> Pipeline:
    """The open stages in their new order (Won and Lost stay last; they may be sent last)."""
    pipeline = _pipeline(request, pipeline_id)
    services.stage_reorder(actor=request.actor, pipeline=pipeline, ids=payload.ids)
    return _out(request, pipeline.pk)


@router.patch("/stages/{stage_id}", response={200: StageOut, **ERRORS})
def stage_update(request: HttpRequest, stage_id: int, payload: StagePatch) -> Stage:
    """Send only what changes; expected_days or stale_days null clears it."""
    stage = _stage(request, stage_id)
    data = payload.dict(exclude_unset=True)
    for name in ("name", "probability"):
        if data.get(name, "") is None:
            data.pop(name)
    services.stage_update(actor=request.actor, stage=stage, **data)
    return _stage_out(stage.pk)


@router.delete("/stages/{stage_id}", response={204: None, **ERRORS})
def stage_delete(request: HttpRequest, stage_id: int) -> Status:
    """Refused (409, stage_in_use) when an opportunity is or was in the stage."""
    services.stage_delete(actor=request.actor, stage=_stage(request, stage_id))
    return Status(204, None)


# ---------------------------------------------------------------------------------- stage tasks
@router.post("/stages/{stage_id}/tasks", response={201: StageTaskOut, **ERRORS})
def stage_task_create(request: HttpRequest, stage_id: int, payload: StageTaskIn) -> Status:
    stage = _stage(request, stage_id)
    return Status(
        201, services.stage_task_create(actor=request.actor, stage=stage, **payload.dict())
    )


@router.post("/stages/{stage_id}/tasks/reorder", response={200: StageOut, **ERRORS})
def stage_task_reorder(request: HttpRequest, stage_id: int, payload: ReorderIn) -> Stage:
    stage = _stage(request, stage_id)
    services.stage_task_reorder(actor=request.actor, stage=stage, ids=payload.ids)
    return _stage_out(stage.pk)


@router.patch("/tasks/{stage_task_id}", response={200: StageTaskOut, **ERRORS})
def stage_task_update(
    request: HttpRequest, stage_task_id: int, payload: StageTaskPatch
) -> StageTask:
    task = _task(request, stage_task_id)
    return services.stage_task_update(actor=request.actor, task=task, **payload.dict())


@router.delete("/tasks/{stage_task_id}", response={204: None, **ERRORS})
def stage_task_delete(request: HttpRequest, stage_task_id: int) -> Status:
    """Deletes the task and its ticks on opportunities."""
    services.stage_task_delete(actor=request.actor, task=_task(request, stage_task_id))
    return Status(204, None)


# -------------------------------------------------------------------------------- close reasons
def _reason(request: HttpRequest, close_reason_id: int) -> CloseReason:
    _manager(request)
    found = CloseReason.objects.filter(pk=close_reason_id, workspace=request.workspace).first()
    if found is None:
        raise Http404
    return found


@reasons_router.get("", response={200: list[CloseReasonOut], **READ_ERRORS})
def reason_list(
    request: HttpRequest, kind: str = "", include_inactive: bool = False
) -> list[CloseReason]:
    """The lost and invalid reasons in order (defaults seeded on first use); kind filters."""
    kinds = [kind] if kind else list(CloseKind.values)
    rows = [r for k in kinds for r in services.close_reasons_all(request.workspace, k)]
    return [r for r in rows if include_inactive or r.is_active]


@reasons_router.post("", response={201: CloseReasonOut, **ERRORS})
def reason_create(request: HttpRequest, payload: CloseReasonIn) -> Status:
    return Status(201, services.close_reason_create(actor=request.actor, **payload.dict()))


@reasons_router.post("/reorder", response={200: list[CloseReasonOut], **ERRORS})
def reason_reorder(request: HttpRequest, payload: ReasonReorderIn) -> list[CloseReason]:
    return services.close_reason_reorder(actor=request.actor, kind=payload.kind, ids=payload.ids)


@reasons_router.patch("/{close_reason_id}", response={200: CloseReasonOut, **ERRORS})
def reason_update(
    request: HttpRequest, close_reason_id: int, payload: CloseReasonPatch
) -> CloseReason:
    """Rename or (de)activate."""
    reason = _reason(request, close_reason_id)
    return services.close_reason_update(actor=request.actor, reason=reason, **payload.dict())
