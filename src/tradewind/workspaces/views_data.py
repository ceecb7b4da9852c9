"""Settings → Data: download the whole workspace, erase a person. Owners (WORKSPACE_MANAGE) only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error

from . import erasure, export_all
from .decorators import member_required
from .permissions import Perm

KIND_LABELS = {"lead": gettext_lazy("Lead"), "contact": gettext_lazy("Contact")}


class ErasureForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Record"), choices=list(KIND_LABELS.items()))
    record_id = forms.IntegerField(
        label=gettext_lazy("Record id"),
        min_value=1,
        help_text=gettext_lazy("The number in the record's address, e.g. /leads/42/ → 42."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand this cannot be undone."), required=False
    )


def _preview(request: HttpRequest, kind: str, record_id: int) -> object | None:
    model = erasure._model(kind)
    return model._default_manager.filter(pk=record_id, workspace=request.workspace).first()


@member_required(Perm.WORKSPACE_MANAGE)
def data(request: HttpRequest) -> HttpResponse:
    """The export button and the erasure form (GET with kind and id shows the record first)."""
    form = ErasureForm(request.POST if request.method == "POST" else (request.GET or None))
    record = None
    if form.is_bound and form.is_valid():
        kind, record_id = form.cleaned_data["kind"], form.cleaned_data["record_id"]
        record = _preview(request, kind, record_id)
        if record is None:
            form.add_error("record_id", _("No such record in this workspace."))
        elif request.method == "POST":
            if not form.cleaned_data["confirm"]:
                form.add_error("confirm", _("Tick the box to confirm the erasure."))
            else:
                try:
                    erasure.erase_person(actor=request.actor, kind=kind, record_id=record_id)
                except ServiceError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("The personal data of %(kind)s #%(id)s was erased.")
                        % {"kind": KIND_LABELS[kind], "id": record_id},
                    )
                    return redirect("settings:data")
    return render(
        request,
        "workspaces/settings_data.html",
        {"nav_active": "settings", "tab": "data", "form": form, "record": record},
    )


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def export(request: HttpRequest) -> HttpResponseBase:
    try:
        out, name = export_all.workspace_export(actor=request.actor)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("settings:data")
    return FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")
