"""Customer import pages: list + upload -> map columns and preview (one page) -> run -> result,
error file, undo; and the template download. Thin: parse, call customers/imports.py, render."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.paging import Page, keyset_page
from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import imports
from .imports_fields import FIELDS, template_example_row, template_headers
from .imports_models import CustomerImport, CustomerImportMode, CustomerImportStatus


def imports_visible(member: Membership):
    return CustomerImport.objects.visible_to(member).select_related("created_by")


def import_get(*, member: Membership, pk: int) -> CustomerImport:
    return get_object_or_404(imports_visible(member), pk=pk)


def import_page(*, member: Membership, cursor: str | None) -> Page:
    return keyset_page(
        imports_visible(member), order=("-created_at", "-id"), cursor=cursor, limit=30
    )


@member_required(Perm.CUSTOMER_CREATE)
def import_list(request: HttpRequest) -> HttpResponse:
    """The member's imports, and the upload form (posted here)."""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                batch = imports.customer_import_upload(
                    actor=request.actor, name=upload.name, data=upload.read()
                )
            except ServiceError as exc:
                error = str(exc.message)
            else:
                return redirect("customers:import_detail", pk=batch.pk)
    page = import_page(member=request.member, cursor=request.GET.get("cursor"))
    context = {"nav_active": "customers", "page": page, "error": error}
    return render(request, "customers/imports/list.html", context, status=422 if error else 200)


@member_required(Perm.CUSTOMER_CREATE)
def import_template(request: HttpRequest) -> HttpResponse:
    rows = [template_headers(request.workspace), template_example_row(request.workspace)]
    out = io.BytesIO()
    if request.GET.get("format") == "csv":
        write_csv(rows, out)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename="customers-template.csv")
    write_xlsx(rows, out, title=_("Customers"))
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="customers-template.xlsx")


@member_required(Perm.CUSTOMER_CREATE)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the mapping, the preview and the result. POST: preview again with the posted mapping."""
    batch = import_get(member=request.member, pk=pk)
    error = ""
    if request.method == "POST":
        mapping = {str(i): request.POST.get(f"col_{i}", "") for i in range(len(batch.headers))}
        try:
            imports.customer_import_preview(
                actor=request.actor,
                batch=batch,
                mapping=mapping,
                mode=request.POST.get("mode", ""),
                remember=request.POST.get("remember") == "on",
            )
        except ServiceError as exc:
            error = str(exc.message)
        else:
            return redirect("customers:import_detail", pk=batch.pk)
    context = {
        "nav_active": "customers",
        "batch": batch,
        "columns": [
            (str(i), h, batch.mapping.get(str(i), "")) for i, h in enumerate(batch.headers)
        ],
        "fields": [(k, v[0]) for k, v in FIELDS.items()],
        "modes": CustomerImportMode.choices,
        "editable": batch.status in (CustomerImportStatus.UPLOADED, CustomerImportStatus.PREVIEWED),
        "can_undo": imports.can_undo(request.member, batch),
        "error": error,
    }
    return render(request, "customers/imports/detail.html", context, status=422 if error else 200)


@require_POST
@member_required(Perm.CUSTOMER_CREATE)
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    try:
        batch = imports.customer_import_run(actor=request.actor, batch=batch)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Import done: %(created)s customers and %(contacts)s contacts created.")
            % {"created": batch.created_count, "contacts": batch.contact_count},
        )
    return redirect("customers:import_detail", pk=batch.pk)


@require_POST
@member_required(Perm.CUSTOMER_CREATE)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    try:
        batch = imports.customer_import_undo(actor=request.actor, batch=batch)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _(
                "Import undone: %(undone)s customers deleted, %(kept)s kept because someone worked on them."
            )
            % {"undone": batch.undone_count, "kept": batch.kept_count},
        )
    return redirect("customers:import_detail", pk=batch.pk)


@member_required(Perm.CUSTOMER_CREATE)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_get(member=request.member, pk=pk)
    if not batch.error_file:
        raise Http404
    return FileResponse(
        batch.error_file.open("rb"),
        as_attachment=True,
        filename=f"customer-import-{batch.pk}-errors.csv",
        content_type="text/csv; charset=utf-8",
    )
