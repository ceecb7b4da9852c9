"""Settings pages of the sales pipelines (/settings/pipelines/): pipelines, their stages and stage
tasks, and the close reasons. Every member may read them; writes need PIPELINE_MANAGE and go
through the audited services of pipelines.py (the API's /pipelines and /close-reasons use them too).
Reordering posts the whole new order (drag and drop) or one step up/down (keyboard buttons)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error, save_form
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import pipelines as services
from .choices import CloseKind
from .forms_pipelines import (
    ClosedStageForm,
    CloseReasonEditForm,
    CloseReasonForm,
    PipelineCreateForm,
    PipelineForm,
    StageForm,
    StageTaskForm,
)
from .models import CloseReason, Pipeline, Stage, StageTask
from .pipeline_templates import TEMPLATES

TAB = {"nav_active": "settings", "tab": "pipelines"}


def _can_edit(request: HttpRequest) -> bool:
    return request.member.has(Perm.PIPELINE_MANAGE)


def _need_edit(request: HttpRequest) -> None:
    if not _can_edit(request):
        raise PermissionDenied


def _pipeline(request: HttpRequest, pk: int) -> Pipeline:
    found = Pipeline.objects.visible_to(request.member).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _stage(request: HttpRequest, pk: int) -> Stage:
    found = (
        Stage.objects.select_related("pipeline")
        .filter(pk=pk, pipeline__workspace=request.workspace)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _task(request: HttpRequest, pk: int) -> StageTask:
    found = (
        StageTask.objects.select_related("stage__pipeline")
        .filter(pk=pk, stage__pipeline__workspace=request.workspace)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _reason(request: HttpRequest, pk: int) -> CloseReason:
    found = CloseReason.objects.filter(pk=pk, workspace=request.workspace).first()
    if found is None:
        raise Http404
    return found


def _act(request: HttpRequest, action, message: str = "") -> None:  # type: ignore[no-untyped-def]
    """Runs a page action; a refusal becomes a translated message after the redirect."""
    try:
        action()
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        if message:
            messages.success(request, message)


# ------------------------------------------------------------------------------------ pipelines
@member_required()
def pipeline_list(request: HttpRequest) -> HttpResponse:
    form = PipelineCreateForm(request.POST or None)
    if request.method == "POST":
        _need_edit(request)
    created = save_form(
        request,
        form,
        lambda: services.pipeline_create(actor=request.actor, **form.cleaned_data),
        lambda p: _("Pipeline “%(name)s” created.") % {"name": p.name},
    )
    if created is not None:
        return redirect("pipelines:detail", pk=created.pk)
    context = {
        **TAB,
        "pipelines": services.pipelines_of(request.workspace),
        "form": form,
        "templates": TEMPLATES,
        "can_edit": _can_edit(request),
    }
    return render(request, "sales/pipelines/list.html", context, status=422 if form.errors else 200)


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def pipeline_reorder(request: HttpRequest) -> HttpResponse:
    _act(
        request,
        lambda: services.pipeline_reorder(actor=request.actor, ids=request.POST.getlist("ids")),
    )
    return redirect("pipelines:list")


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def pipeline_move(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    direction = request.POST.get("direction", "")
    _act(
        request,
        lambda: services.pipeline_move(actor=request.actor, pipeline=pipeline, direction=direction),
    )
    return redirect("pipelines:list")


@member_required()
def pipeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    initial = {
        "name": pipeline.name,
        "description": pipeline.description,
        "gate": pipeline.gate,
        "stale_days": pipeline.stale_days,
        "version": pipeline.version,
    }
    form = PipelineForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _need_edit(request)
    saved = save_form(
        request,
        form,
        lambda: services.pipeline_update(
            actor=request.actor,
            pipeline=pipeline,
            expected_version=form.cleaned_data["version"],
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("pipelines:detail", pk=pipeline.pk)
    stages = list(
        Stage.objects.filter(pipeline=pipeline).order_by("position", "id").prefetch_related("tasks")
    )
    can_edit = _can_edit(request)
    usage = services.stage_usage(stages) if can_edit else {}
    for stage in stages:
        stage.usage = usage.get(stage.pk, 0)  # type: ignore[attr-defined]
    context = {
        **TAB,
        "pipeline": pipeline,
        "open_stages": [s for s in stages if not s.is_closed],
        "closed_stages": [s for s in stages if s.is_closed],
        "form": form,
        "stage_form": StageForm(),
        "task_form": StageTaskForm(),
        "can_edit": can_edit,
    }
    return render(
        request, "sales/pipelines/detail.html", context, status=422 if form.errors else 200
    )


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def pipeline_default(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    _act(
        request,
        lambda: services.pipeline_set_default(actor=request.actor, pipeline=pipeline),
        _("“%(name)s” is now the default pipeline.") % {"name": pipeline.name},
    )
    return redirect("pipelines:detail", pk=pipeline.pk)


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def pipeline_archive(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    active = request.POST.get("active") == "1"
    _act(
        request,
        lambda: services.pipeline_update(actor=request.actor, pipeline=pipeline, is_active=active),
        _("Pipeline restored.") if active else _("Pipeline archived."),
    )
    return redirect("pipelines:detail", pk=pipeline.pk)


# --------------------------------------------------------------------------------------- stages
@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("pipelines:detail", pk=pipeline.pk)
    _act(
        request,
        lambda: services.stage_create(actor=request.actor, pipeline=pipeline, **form.cleaned_data),
        _("Stage added."),
    )
    return redirect("pipelines:detail", pk=pipeline.pk)


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def stage_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline(request, pk)
    ids = request.POST.getlist("ids")
    _act(request, lambda: services.stage_reorder(actor=request.actor, pipeline=pipeline, ids=ids))
    return redirect("pipelines:detail", pk=pipeline.pk)


@member_required(Perm.PIPELINE_MANAGE)
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    form_class = ClosedStageForm if stage.is_closed else StageForm
    initial = {
        "name": stage.name,
        "probability": stage.probability,
        "expected_days": stage.expected_days,
        "stale_days": stage.stale_days,
    }
    form = form_class(request.POST or None, initial=initial)
    saved = save_form(
        request,
        form,
        lambda: services.stage_update(actor=request.actor, stage=stage, **form.cleaned_data),
        _("Saved."),
    )
    if saved is not None:
        return redirect("pipelines:detail", pk=stage.pipeline_id)
    context = {**TAB, "stage": stage, "pipeline": stage.pipeline, "form": form}
    return render(
        request, "sales/pipelines/stage_edit.html", context, status=422 if form.errors else 200
    )


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    direction = request.POST.get("direction", "")
    _act(
        request, lambda: services.stage_move(actor=request.actor, stage=stage, direction=direction)
    )
    return redirect("pipelines:detail", pk=stage.pipeline_id)


@member_required(Perm.PIPELINE_MANAGE)
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    if request.method == "POST":
        try:
            services.stage_delete(actor=request.actor, stage=stage)
        except ServiceError as exc:
            report_service_error(request, exc)
        else:
            messages.success(request, _("Stage “%(name)s” deleted.") % {"name": stage.label})
        return redirect("pipelines:detail", pk=stage.pipeline_id)
    context = {
        **TAB,
        "stage": stage,
        "pipeline": stage.pipeline,
        "used": services.stage_opportunity_count(stage),
        "tasks": list(stage.tasks.all()),
    }
    return render(request, "sales/pipelines/stage_delete.html", context)


# ---------------------------------------------------------------------------------- stage tasks
@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    form = StageTaskForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("pipelines:detail", pk=stage.pipeline_id)
    _act(
        request,
        lambda: services.stage_task_create(actor=request.actor, stage=stage, **form.cleaned_data),
        _("Task added."),
    )
    return redirect(f"{_detail_url(stage.pipeline_id)}#stage-{stage.pk}")


def _detail_url(pipeline_id: int) -> str:
    from django.urls import reverse

    return reverse("pipelines:detail", kwargs={"pk": pipeline_id})


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def task_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    ids = request.POST.getlist("ids")
    _act(request, lambda: services.stage_task_reorder(actor=request.actor, stage=stage, ids=ids))
    return redirect(f"{_detail_url(stage.pipeline_id)}#stage-{stage.pk}")


@member_required(Perm.PIPELINE_MANAGE)
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = StageTaskForm(
        request.POST or None, initial={"title": task.title, "is_required": task.is_required}
    )
    saved = save_form(
        request,
        form,
        lambda: services.stage_task_update(actor=request.actor, task=task, **form.cleaned_data),
        _("Saved."),
    )
    if saved is not None:
        return redirect(f"{_detail_url(task.stage.pipeline_id)}#stage-{task.stage_id}")
    context = {**TAB, "task": task, "stage": task.stage, "pipeline": task.stage.pipeline}
    context["form"] = form
    return render(
        request, "sales/pipelines/task_edit.html", context, status=422 if form.errors else 200
    )


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def task_move(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    direction = request.POST.get("direction", "")
    _act(
        request,
        lambda: services.stage_task_move(actor=request.actor, task=task, direction=direction),
    )
    return redirect(f"{_detail_url(task.stage.pipeline_id)}#stage-{task.stage_id}")


@member_required(Perm.PIPELINE_MANAGE)
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if request.method == "POST":
        _act(
            request,
            lambda: services.stage_task_delete(actor=request.actor, task=task),
            _("Task “%(title)s” deleted.") % {"title": task.title},
        )
        return redirect(f"{_detail_url(task.stage.pipeline_id)}#stage-{task.stage_id}")
    context = {
        **TAB,
        "task": task,
        "stage": task.stage,
        "pipeline": task.stage.pipeline,
        "ticks": services.stage_task_ticks(task),
    }
    return render(request, "sales/pipelines/task_delete.html", context)


# -------------------------------------------------------------------------------- close reasons
@member_required()
def reason_list(request: HttpRequest) -> HttpResponse:
    form = CloseReasonForm(request.POST or None, initial={"kind": CloseKind.LOST})
    if request.method == "POST":
        _need_edit(request)
    created = save_form(
        request,
        form,
        lambda: services.close_reason_create(actor=request.actor, **form.cleaned_data),
        lambda r: _("Reason “%(label)s” added.") % {"label": r.label},
    )
    if created is not None:
        return redirect(f"{_reasons_url()}#reasons-{created.kind}")
    groups = [
        (kind, label, services.close_reasons_all(request.workspace, kind))
        for kind, label in CloseKind.choices
    ]
    context = {**TAB, "groups": groups, "form": form, "can_edit": _can_edit(request)}
    return render(
        request, "sales/pipelines/reasons.html", context, status=422 if form.errors else 200
    )


def _reasons_url() -> str:
    from django.urls import reverse

    return reverse("pipelines:reasons")


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def reason_reorder(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    ids = request.POST.getlist("ids")
    _act(request, lambda: services.close_reason_reorder(actor=request.actor, kind=kind, ids=ids))
    return redirect(f"{_reasons_url()}#reasons-{kind}")


@member_required(Perm.PIPELINE_MANAGE)
def reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _reason(request, pk)
    form = CloseReasonEditForm(request.POST or None, initial={"label": reason.label})
    saved = save_form(
        request,
        form,
        lambda: services.close_reason_update(
            actor=request.actor, reason=reason, label=form.cleaned_data["label"]
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect(f"{_reasons_url()}#reasons-{reason.kind}")
    context = {**TAB, "reason": reason, "form": form}
    return render(
        request, "sales/pipelines/reason_edit.html", context, status=422 if form.errors else 200
    )


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def reason_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _reason(request, pk)
    active = not reason.is_active
    _act(
        request,
        lambda: services.close_reason_update(actor=request.actor, reason=reason, is_active=active),
        _("Reason reactivated.") if active else _("Reason deactivated."),
    )
    return redirect(f"{_reasons_url()}#reasons-{reason.kind}")


@require_POST
@member_required(Perm.PIPELINE_MANAGE)
def reason_move(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _reason(request, pk)
    direction = request.POST.get("direction", "")
    _act(
        request,
        lambda: services.close_reason_move(actor=request.actor, reason=reason, direction=direction),
    )
    return redirect(f"{_reasons_url()}#reasons-{reason.kind}")
