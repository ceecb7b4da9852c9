"""Pages of the plan templates (/plans/): the list, a new plan with its first step, a plan with its
ordered steps (add, change, delete, move up/down with keyboard-usable buttons). Perm.PLAN_MANAGE
for every page here; thin: parse, call editing.py, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import editing
from .choices import RUNNING_STATES, AppliesTo
from .forms import PlanForm, StepForm
from .models import Plan, PlanStep

TAB = {"nav_active": "settings", "tab": "plans"}


def _plan(request: HttpRequest, pk: int) -> Plan:
    found = Plan.objects.filter(workspace=request.workspace, pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def _step(request: HttpRequest, pk: int) -> PlanStep:
    found = (
        PlanStep.objects.select_related("plan")
        .filter(pk=pk, plan__workspace=request.workspace)  # type: ignore[attr-defined]
        .first()
    )
    if found is None:
        raise Http404
    return found


def _step_data(form: StepForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.setdefault("event_stage_id", None)
    return data


@member_required(Perm.PLAN_MANAGE)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = (
        Plan.objects.filter(workspace=request.workspace)  # type: ignore[attr-defined]
        .annotate(
            n_steps=Count("steps", distinct=True),
            n_running=Count("runs", filter=Q(runs__state__in=RUNNING_STATES), distinct=True),
        )
        .order_by("name", "id")
    )
    return render(request, "plans/list.html", {**TAB, "plans": list(plans)})


@member_required(Perm.PLAN_MANAGE)
def plan_new(request: HttpRequest) -> HttpResponse:
    applies_to = request.POST.get("applies_to") or request.GET.get("applies_to", "")
    if applies_to not in AppliesTo.values:
        applies_to = AppliesTo.CUSTOMER
    form = PlanForm(request.POST or None, initial={"applies_to": applies_to, "is_active": True})
    step_form = StepForm(
        request.POST or None,
        prefix="step",
        workspace=request.workspace,  # type: ignore[attr-defined]
        applies_to=applies_to,
    )
    if request.method == "POST" and form.is_valid() and step_form.is_valid():
        try:
            plan = editing.plan_create(
                actor=request.actor,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                applies_to=form.cleaned_data["applies_to"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                steps=[_step_data(step_form)],
            )
        except ServiceError as exc:
            _spread(exc, form, step_form)
        else:
            messages.success(request, _("Plan “%(name)s” created.") % {"name": plan.name})
            return redirect("plans:edit", pk=plan.pk)
    failed = bool(form.errors or step_form.errors)
    context = {**TAB, "form": form, "step_form": step_form, "applies_to": applies_to}
    return render(request, "plans/new.html", context, status=422 if failed else 200)


def _spread(exc: ServiceError, form: PlanForm, step_form: StepForm) -> None:
    """A plan's errors on the plan form; its first step's ("steps.0.title") on the step form."""
    plan_fields: dict[str, list[Any]] = {}
    step_fields: dict[str, list[Any]] = {}
    for name, errors in exc.fields.items():
        if name.startswith("steps.0."):
            step_fields[name.removeprefix("steps.0.")] = errors
        elif name in step_form.fields:
            step_fields[name] = errors
        else:
            plan_fields[name] = errors
    if step_fields:
        add_service_error(step_form, ServiceError(exc.code, exc.message, fields=step_fields))
    if plan_fields or not step_fields:
        add_service_error(form, ServiceError(exc.code, exc.message, fields=plan_fields))


@member_required(Perm.PLAN_MANAGE)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    initial = {
        "name": plan.name,
        "description": plan.description,
        "is_active": plan.is_active,
        "version": plan.version,
    }
    form = PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            editing.plan_update(
                actor=request.actor,  # type: ignore[attr-defined]
                plan=plan,
                version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:edit", pk=plan.pk)
    steps = list(
        PlanStep.objects.filter(plan=plan)
        .select_related("executor_user", "event_stage__pipeline")
        .order_by("position", "id")
    )
    context = {
        **TAB,
        "plan": plan,
        "form": form,
        "steps": steps,
        "running": plan.runs.filter(state__in=RUNNING_STATES).count(),
        "used": plan.runs.exists(),
    }
    return render(request, "plans/edit.html", context, status=422 if form.errors else 200)


@require_POST
@member_required(Perm.PLAN_MANAGE)
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        editing.plan_delete(actor=request.actor, plan=plan)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("plans:edit", pk=plan.pk)
    messages.success(request, _("Plan “%(name)s” deleted.") % {"name": plan.name})
    return redirect("plans:list")


def _step_page(
    request: HttpRequest, plan: Plan, step: PlanStep | None, form: StepForm
) -> HttpResponse:
    context = {**TAB, "plan": plan, "step": step, "form": form}
    return render(request, "plans/step.html", context, status=422 if form.errors else 200)


@member_required(Perm.PLAN_MANAGE)
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = StepForm(
        request.POST or None,
        workspace=request.workspace,  # type: ignore[attr-defined]
        applies_to=plan.applies_to,
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.plan_step_create(
                actor=request.actor,  # type: ignore[attr-defined]
                plan=plan,
                **_step_data(form),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Step added."))
            return redirect("plans:edit", pk=plan.pk)
    return _step_page(request, plan, None, form)


@member_required(Perm.PLAN_MANAGE)
def step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(request, pk)
    form = StepForm(
        request.POST or None,
        initial=StepForm.initial_of(step),
        workspace=request.workspace,  # type: ignore[attr-defined]
        applies_to=step.plan.applies_to,
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.plan_step_update(
                actor=request.actor,  # type: ignore[attr-defined]
                step=step,
                **_step_data(form),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{_edit_url(step.plan_id)}#step-{step.pk}")
    return _step_page(request, step.plan, step, form)


def _edit_url(plan_id: int) -> str:
    from django.urls import reverse

    return reverse("plans:edit", kwargs={"pk": plan_id})


@require_POST
@member_required(Perm.PLAN_MANAGE)
def step_delete(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(request, pk)
    try:
        editing.plan_step_delete(actor=request.actor, step=step)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Step “%(title)s” deleted.") % {"title": step.title})
    return redirect("plans:edit", pk=step.plan_id)


@require_POST
@member_required(Perm.PLAN_MANAGE)
def step_move(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(request, pk)
    try:
        editing.plan_step_move(
            actor=request.actor,  # type: ignore[attr-defined]
            step=step,
            direction=request.POST.get("direction", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    return redirect(f"{_edit_url(step.plan_id)}#step-{step.pk}")
