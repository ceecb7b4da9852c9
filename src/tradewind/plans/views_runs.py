"""The step plans panel of a customer's and an opportunity's page: running plans with their steps
(due, who, state), the latest ended ones, start / pause / resume / stop. Loaded into the record
page by htmx; the same URL answers a page of its own without JavaScript (one URL, one view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradewind.activities.targets import target_get, target_url
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import selectors, services
from .errors import PlanError
from .models import PlanRun

PANEL = "plans-panel"


def _record(request: HttpRequest, kind: str, pk: int) -> models.Model:
    try:
        return target_get(
            member=request.member,  # type: ignore[attr-defined]
            workspace=request.workspace,  # type: ignore[attr-defined]
            target_type=kind,
            target_id=pk,
        )
    except NotFound:
        raise Http404 from None


def _answer(request: HttpRequest, record: models.Model, error: str = "") -> HttpResponse:
    context = {
        "record": record,
        "record_url": target_url(record),
        "panel": selectors.record_panel(request.member, record),  # type: ignore[attr-defined]
        "error": error,
        "nav_active": "customers" if record._meta.model_name == "customer" else "opportunities",
    }
    return render_page(request, "plans/panel.html", context, partial=PANEL)


def _act(
    request: HttpRequest, record: models.Model, action: Callable[[], Any], done: str
) -> HttpResponse:
    """Runs a panel action; htmx gets the panel again (with the refusal in it), a plain form post
    goes back to the record's page with a message."""
    htmx = getattr(request, "htmx", None)
    try:
        action()
    except ServiceError as exc:
        if exc.status in (403, 404) or not htmx:
            report_service_error(request, exc)
            return redirect(f"{target_url(record)}#plans-panel")
        error = "; ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message)
        return _answer(request, record, error)
    if not htmx:
        messages.success(request, done)
        return redirect(f"{target_url(record)}#plans-panel")
    return _answer(request, record)


def _panel(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _record(request, kind, pk)
    if request.method == "POST":
        if not request.member.has(Perm.PLAN_RUN):  # type: ignore[attr-defined]
            raise PermissionDenied
        plan_id = request.POST.get("plan_id", "")

        def start() -> None:
            if not str(plan_id).isdigit():
                raise ServiceError(
                    PlanError.INVALID,
                    _("Choose a plan."),
                    fields={"plan_id": [_("Choose a plan.")]},
                )
            services.plan_start(actor=request.actor, plan_id=int(plan_id), target=record)  # type: ignore[attr-defined]

        return _act(request, record, start, _("Plan started."))
    return _answer(request, record)


@member_required()
def customer_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, "customer", pk)


@member_required()
def opportunity_panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, "opportunity", pk)


ACTIONS: dict[str, tuple[Callable[..., PlanRun], Any]] = {
    "pause": (services.plan_run_pause, gettext_lazy("Plan paused.")),
    "resume": (services.plan_run_resume, gettext_lazy("Plan resumed.")),
    "stop": (services.plan_run_stop, gettext_lazy("Plan stopped.")),
}


@require_POST
@member_required(Perm.PLAN_RUN)
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        run = selectors.run_get(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    service, done = ACTIONS[action]
    return _act(
        request,
        run.target,
        lambda: service(actor=request.actor, run_id=run.pk),  # type: ignore[attr-defined]
        str(done),
    )
