"""Settings pages of custom fields: the fields of one record type with a create form; edit,
deactivate/reactivate and move up/down. Admins (WORKSPACE_MANAGE) only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.forms import report_service_error, save_form

from . import custom_fields_services as services
from .custom_fields_forms import CustomFieldForm, choices_text
from .decorators import member_required
from .models_custom_fields import CustomFieldDefinition, CustomFieldTarget
from .permissions import Perm


def _field(request: HttpRequest, pk: int) -> CustomFieldDefinition:
    field = CustomFieldDefinition.objects.visible_to(request.member).filter(pk=pk).first()
    if field is None:
        raise Http404
    return field


def _list_url(target: str) -> str:
    return reverse("custom_fields:list") + f"?target={target}"


@member_required(Perm.WORKSPACE_MANAGE)
def custom_field_list(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("target") or request.POST.get("target") or CustomFieldTarget.LEAD
    if target not in CustomFieldTarget.values:
        target = CustomFieldTarget.LEAD
    form = CustomFieldForm(request.POST or None, initial={"target": target})
    created = save_form(
        request,
        form,
        lambda: services.custom_field_create(
            actor=request.actor,
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        lambda field: _("Custom field “%(label)s” added.") % {"label": field.label},
    )
    if created is not None:
        return redirect(_list_url(created.target))
    fields = CustomFieldDefinition.objects.visible_to(request.member).filter(target=target)
    context = {
        "nav_active": "settings",
        "tab": "custom_fields",
        "targets": CustomFieldTarget.choices,
        "target": target,
        "fields": list(fields.order_by("position", "id")),
        "form": form,
    }
    return render(request, "workspaces/custom_fields.html", context)


@member_required(Perm.WORKSPACE_MANAGE)
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = _field(request, pk)
    form = CustomFieldForm(
        request.POST or None,
        editing=True,
        initial={
            "label_en": field.label_en,
            "label_zh": field.label_zh,
            "choices": choices_text(field),
            "required": field.required,
            "help_text": field.help_text,
            "version": field.version,
        },
    )
    saved = save_form(
        request,
        form,
        lambda: services.custom_field_update(
            actor=request.actor,
            field=field,
            version=form.cleaned_data["version"],
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect(_list_url(field.target))
    context = {"nav_active": "settings", "tab": "custom_fields", "field": field, "form": form}
    return render(request, "workspaces/custom_fields_edit.html", context)


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def custom_field_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    field = _field(request, pk)
    try:
        field = services.custom_field_update(
            actor=request.actor, field=field, active=not field.active
        )
    except services.ServiceError as exc:
        report_service_error(request, exc)
    else:
        message = _("Field reactivated.") if field.active else _("Field deactivated.")
        messages.success(request, message)
    return redirect(_list_url(field.target))


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def custom_field_move(request: HttpRequest, pk: int) -> HttpResponse:
    field = _field(request, pk)
    direction = -1 if request.POST.get("direction") == "up" else 1
    services.custom_field_move(actor=request.actor, field=field, direction=direction)
    return redirect(_list_url(field.target))
