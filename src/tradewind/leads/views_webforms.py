"""Settings pages for web-to-lead forms: list, create, edit, (de)activate, submissions, snippet."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error, save_form
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import webforms
from .models_webforms import SubmissionState, WebForm
from .views_assignment import assignable_members
from .webforms_forms import WebFormForm

SUBMISSIONS_SHOWN = 100


def _form_get(request: HttpRequest, pk: int) -> WebForm:
    return get_object_or_404(WebForm.objects.visible_to(request.member), pk=pk)


def public_url(form: WebForm) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("webform_public:form", args=[form.key])


def snippet(form: WebForm) -> str:
    return render_to_string(
        "leads/webforms/_snippet.html",
        {"form": form, "url": public_url(form), "fields": webforms_fields(form)},
    ).strip()


def webforms_fields(form: WebForm) -> list[tuple[str, str]]:
    return [(name, webforms.field_label(name)) for name in form.fields]


@member_required(Perm.WORKSPACE_MANAGE)
def webform_list(request: HttpRequest) -> HttpResponse:
    forms = list(
        WebForm.objects.visible_to(request.member).select_related("owner").order_by("name")
    )
    for f in forms:
        f.today = webforms.accepted_today(f)
        f.waiting = f.submissions.filter(state=SubmissionState.OVERFLOW).count()
    return render(request, "leads/webforms/list.html", {"nav_active": "leads", "forms": forms})


def _edit(request: HttpRequest, form_obj: WebForm | None) -> HttpResponse:
    initial = {
        "fields": webforms.DEFAULT_FIELDS,
        "daily_budget": 200,
        "source": "web_form",
        "is_active": True,
    }
    if form_obj is not None:
        initial = {
            name: getattr(form_obj, name) for name in webforms.FORM_EDITABLE if name != "owner"
        }
        initial["owner"] = form_obj.owner_id
        initial["allowed_origins"] = "\n".join(form_obj.allowed_origins)
    form = WebFormForm(request.POST or None, owners=assignable_members(request), initial=initial)
    saved = save_form(
        request,
        form,
        lambda: (
            webforms.webform_create(actor=request.actor, **form.service_data())
            if form_obj is None
            else webforms.webform_update(actor=request.actor, form=form_obj, **form.service_data())
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("leads:webform_detail", pk=saved.pk)
    return render(
        request,
        "leads/webforms/form.html",
        {"nav_active": "leads", "form": form, "webform": form_obj},
    )


@member_required(Perm.WORKSPACE_MANAGE)
def webform_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@member_required(Perm.WORKSPACE_MANAGE)
def webform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _form_get(request, pk))


@member_required(Perm.WORKSPACE_MANAGE)
def webform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_get(request, pk)
    state = request.GET.get("state", "")
    subs = form.submissions.select_related("lead").order_by("-received_at", "-id")
    if state in SubmissionState.values:
        subs = subs.filter(state=state)
    context = {
        "nav_active": "leads",
        "webform": form,
        "url": public_url(form),
        "snippet": snippet(form),
        "submissions": list(subs[:SUBMISSIONS_SHOWN]),
        "states": SubmissionState.choices,
        "state": state,
        "today": webforms.accepted_today(form),
        "waiting": form.submissions.filter(state=SubmissionState.OVERFLOW).count(),
        "fields": webforms_fields(form),
    }
    return render(request, "leads/webforms/detail.html", context)


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def webform_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_get(request, pk)
    try:
        form = webforms.webform_update(actor=request.actor, form=form, is_active=not form.is_active)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request, _("The form is active.") if form.is_active else _("The form is deactivated.")
        )
    return redirect("leads:webform_detail", pk=pk)


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def webform_process_overflow(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form_get(request, pk)
    counts = webforms.webform_process_overflow(actor=request.actor, form=form)
    messages.success(
        request,
        _("%(accepted)s leads created from overflow; %(rejected)s rejected.") % counts,
    )
    return redirect("leads:webform_detail", pk=pk)
