"""Task pages: "My day" (/tasks/), the task form (new, edit) and the complete / reopen / cancel
buttons. A record's tasks panel (lead and customer pages) posts here and comes back with `next`.
A task outside the member's sight is 404; a role without the verb gets 403 for every id."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of
from tradewind.workspaces.timezones import effective_zone

from . import task_selectors, task_services
from .models_tasks import Task
from .targets import target_refs
from .task_choices import DueKind
from .task_forms import TaskForm


def _next(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@member_required(Perm.TASK_VIEW)
def my_day(request: HttpRequest) -> HttpResponse:
    member = request.member
    context = {
        "nav_active": "tasks",
        "day": task_selectors.my_day(member),
        "can_edit": member.has(Perm.TASK_EDIT),
    }
    return render_page(request, "activities/tasks/my_day.html", context, partial="my-day")


def _form_page(request: HttpRequest, form: TaskForm, task: Task | None, back: str) -> HttpResponse:
    target_type = (form["target_type"].value() or "") if task is None else task.target_type
    target_id = form["target_id"].value() if task is None else task.target_id
    refs = (
        target_refs(request.member, [(str(target_type), int(target_id))])
        if target_type and str(target_id or "").isdigit()
        else {}
    )
    context = {
        "nav_active": "tasks",
        "form": form,
        "task": task,
        "next": back,
        "target": next(iter(refs.values()), None),
    }
    return render_page(request, "activities/tasks/form.html", context)


@member_required(Perm.TASK_EDIT)
def task_create(request: HttpRequest) -> HttpResponse:
    member = request.member
    initial = {
        "assignee": member.user_id,
        "target_type": request.GET.get("target_type", ""),
        "target_id": request.GET.get("target_id") or None,
    }
    form = TaskForm(request.POST or None, members=active_members_of(member), initial=initial)
    back = _next(request, reverse("tasks:my_day"))
    if request.method == "POST" and form.is_valid():
        try:
            task_services.task_create(actor=request.actor, **form.create_data())
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect(back)
    return _form_page(request, form, None, back)


def _initial(request: HttpRequest, task: Task) -> dict:
    tz = effective_zone(request.member.workspace, task.assignee)
    return {
        "title": task.title,
        "notes": task.notes,
        "due_kind": task.due_kind,
        "due_at": task.due_start.astimezone(tz).replace(tzinfo=None)
        if task.due_kind == DueKind.EXACT
        else None,
        "workdays_only": task.workdays_only,
        "priority": task.priority,
        "assignee": task.assignee_id,
        "recurrence": task.recurrence,
        "remind_at": task.remind_at.astimezone(tz).replace(tzinfo=None) if task.remind_at else None,
    }


@member_required(Perm.TASK_EDIT)
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_selectors.task_get(member=request.member, pk=pk)
    form = TaskForm(
        request.POST or None,
        members=active_members_of(request.member),
        initial=_initial(request, task),
    )
    back = _next(request, reverse("tasks:my_day"))
    if request.method == "POST" and form.is_valid():
        try:
            task_services.task_update(
                actor=request.actor,
                task=task,
                version=_version(request),
                **form.update_data(),
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect(back)
    return _form_page(request, form, task, back)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    task = task_selectors.task_get(member=request.member, pk=pk)
    back = _next(request, reverse("tasks:my_day"))
    try:
        if verb == "complete":
            _done, following = task_services.task_complete(actor=request.actor, task=task)
            messages.success(request, _("Done: %(title)s") % {"title": task.title})
            if following is not None:
                messages.info(request, _("The next occurrence is planned."))
        elif verb == "reopen":
            task_services.task_reopen(actor=request.actor, task=task)
            messages.success(request, _("Task reopened."))
        else:
            task_services.task_cancel(actor=request.actor, task=task)
            messages.success(request, _("Task cancelled."))
    except ServiceError as exc:
        report_service_error(request, exc)
    return redirect(back)


@require_POST
@member_required(Perm.TASK_EDIT)
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "complete")


@require_POST
@member_required(Perm.TASK_EDIT)
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "reopen")


@require_POST
@member_required(Perm.TASK_EDIT)
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "cancel")
