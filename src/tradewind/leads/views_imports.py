"""Import pages: upload -> map columns -> preview -> start -> progress (polled) -> result, undo.

One URL, one view: the batch page answers its progress partial to htmx's once-a-second poll.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.core.htmx import render_page
from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import imports
from .imports_fields import FIELDS, template_example_row, template_headers
from .imports_forms import ImportMappingForm, ImportUploadForm
from .imports_selectors import can_undo, import_get
from .imports_selectors import import_list as list_imports
from .models_imports import ImportStatus, LeadImport


@member_required(Perm.LEAD_CREATE)
def import_list(request: HttpRequest) -> HttpResponse:
    page = list_imports(member=request.member, cursor=request.GET.get("cursor"))
    return render(request, "leads/imports/list.html", {"nav_active": "leads", "page": page})


@member_required(Perm.LEAD_CREATE)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.lead_import_upload(
                actor=request.actor,
                file=upload,
                file_name=upload.name,
                mode=form.cleaned_data["mode"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect("leads:import_detail", pk=batch.pk)
    return render(request, "leads/imports/upload.html", {"nav_active": "leads", "form": form})


@member_required(Perm.LEAD_CREATE)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    context = {
        "nav_active": "leads",
        "batch": batch,
        "form": ImportMappingForm(batch=batch)
        if batch.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
        else None,
        "field_labels": {k: v[0] for k, v in FIELDS.items()},
        "can_undo": can_undo(request.member, batch),
    }
    return render_page(request, "leads/imports/detail.html", context, partial="import-progress")


@require_POST
@member_required(Perm.LEAD_CREATE)
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    form = ImportMappingForm(request.POST, batch=batch)
    if form.is_valid():
        try:
            imports.lead_import_preview(
                actor=request.actor,
                batch=batch,
                mapping=form.mapping(),
                remember=form.cleaned_data["remember"],
                mode=form.cleaned_data["mode"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            if "mapping" in exc.fields:
                for message in exc.fields["mapping"]:
                    form.add_error(None, message)
        else:
            return redirect("leads:import_detail", pk=batch.pk)
    context = {
        "nav_active": "leads",
        "batch": batch,
        "form": form,
        "can_undo": False,
        "field_labels": {k: v[0] for k, v in FIELDS.items()},
    }
    return render(request, "leads/imports/detail.html", context, status=422)


@require_POST
@member_required(Perm.LEAD_CREATE)
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    try:
        imports.lead_import_start(actor=request.actor, batch=batch)
    except ServiceError as exc:
        report_service_error(request, exc)
    return redirect("leads:import_detail", pk=batch.pk)


@require_POST
@member_required(Perm.LEAD_CREATE)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    try:
        batch = imports.lead_import_undo(actor=request.actor, batch=batch)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _(
                "Import undone: %(deleted)s leads deleted, %(kept)s kept because they were changed since."
            )
            % {"deleted": batch.undone_count, "kept": batch.kept_count},
        )
    return redirect("leads:import_detail", pk=batch.pk)


@member_required(Perm.LEAD_CREATE)
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    return error_rows_download(import_get(member=request.member, pk=pk))


def error_rows_download(batch: LeadImport) -> FileResponse:
    """The rows that failed, as the CSV the page and the API hand out."""
    if not batch.error_file:
        raise Http404
    return FileResponse(
        batch.error_file.open("rb"),
        as_attachment=True,
        filename=f"import-{batch.pk}-errors.csv",
        content_type="text/csv; charset=utf-8",
    )


def template_rows(workspace: object = None) -> list[list[str]]:
    """The bilingual headers (the workspace's active lead custom fields last) and an example row."""
    return [template_headers(workspace), template_example_row(workspace)]


@member_required(Perm.LEAD_CREATE)
def import_template_xlsx(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(template_rows(request.workspace), buffer, title="leads")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="lead-import-template.xlsx"'
    return response


@member_required(Perm.LEAD_CREATE)
def import_template_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_csv(template_rows(request.workspace), buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lead-import-template.csv"'
    return response
