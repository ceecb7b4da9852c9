"""Lead import API: upload (multipart), dry-run preview, start, status and progress, error file,
undo, template. The same services as the pages; the run itself is a background job: poll
GET /leads/imports/{import_id} for its progress."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import imports
from .imports_fields import template_example_row, template_headers
from .imports_selectors import import_get, import_list
from .models_imports import ImportMode, LeadImport
from .views_imports import error_rows_download

router = Router(tags=["lead imports"])


class LeadImportOut(Schema):
    id: int
    file_name: str
    file_kind: str
    status: str
    mode: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    percent: int
    created_count: int
    duplicate_count: int
    error_count: int
    undone_count: int
    kept_count: int
    failure: str
    has_error_file: bool
    created_by_id: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_has_error_file(obj: LeadImport) -> bool:
        return bool(obj.error_file)


class ImportDetailOut(LeadImportOut):
    preview: dict[str, Any] = Field(description="The dry run: sample, errors, duplicates, totals")
    report: dict[str, Any] = Field(description="After a run: first errors and duplicates")


class LeadImportPreviewIn(Schema):
    mapping: dict[str, str] | None = Field(
        None, description='Column index -> lead field, e.g. {"0": "company_name", "2": "phone"}'
    )
    remember: bool = False
    mode: ImportMode | None = None


class StartIn(Schema):
    mode: ImportMode | None = None


def _member_may_import(request: HttpRequest) -> None:
    require(request.actor, Perm.LEAD_CREATE)


@router.get(
    "/imports", response={200: PageOut[LeadImportOut], **READ_ERRORS}, summary="List import batches"
)
def imports_list(
    request: HttpRequest, cursor: str | None = None, limit: int = Query(30, ge=1, le=100)
) -> Any:
    _member_may_import(request)
    page = import_list(member=request.member, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post(
    "/imports",
    response={201: ImportDetailOut, **ERRORS},
    summary="Upload a CSV, XLSX or XLS file",
    description="Reads the header row, counts the rows and proposes a column mapping (a remembered "
    "one for the same headers, else detected from Chinese and English names). 422 `bad_file`, "
    "`empty_file`, `too_large`.",
)
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    mode: Form[ImportMode] = ImportMode.SKIP_BAD_ROWS,
) -> Status:
    batch = imports.lead_import_upload(
        actor=request.actor, file=file, file_name=file.name or "upload.csv", mode=mode
    )
    return Status(201, batch)


@router.get(
    "/imports/template",
    response={200: None, **READ_ERRORS},
    summary="Download the import template (bilingual headers)",
)
def import_template(request: HttpRequest, format: Literal["xlsx", "csv"] = "xlsx") -> HttpResponse:
    _member_may_import(request)
    rows = [template_headers(request.workspace), template_example_row(request.workspace)]
    buffer = io.BytesIO()
    if format == "csv":
        write_csv(rows, buffer)
        content_type = "text/csv; charset=utf-8"
    else:
        write_xlsx(rows, buffer, title="leads")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="lead-import-template.{format}"'
    return response


@router.get(
    "/imports/{import_id}",
    response={200: ImportDetailOut, **READ_ERRORS},
    summary="Status and progress of an import",
)
def import_status(request: HttpRequest, import_id: int) -> LeadImport:
    _member_may_import(request)
    return import_get(member=request.member, pk=import_id)


@router.post(
    "/imports/{import_id}/preview",
    response={200: ImportDetailOut, **ERRORS},
    summary="Dry run: per-row errors, duplicates and totals; nothing is written",
    description="Optionally sets the mapping (and remembers it) and the mode. 422 `bad_mapping`; "
    "409 `import_not_editable` once the import has started.",
)
def import_preview(
    request: HttpRequest, import_id: int, payload: LeadImportPreviewIn
) -> LeadImport:
    _member_may_import(request)
    batch = import_get(member=request.member, pk=import_id)
    return imports.lead_import_preview(
        actor=request.actor,
        batch=batch,
        mapping=payload.mapping,
        remember=payload.remember,
        mode=payload.mode,
    )


@router.post(
    "/imports/{import_id}/start",
    response={202: ImportDetailOut, **ERRORS},
    summary="Start the import in the background",
    description="Needs a preview first (409 `import_not_editable` otherwise). Poll the status for progress.",
)
def import_start(request: HttpRequest, import_id: int, payload: StartIn) -> Status:
    _member_may_import(request)
    batch = import_get(member=request.member, pk=import_id)
    return Status(
        202, imports.lead_import_start(actor=request.actor, batch=batch, mode=payload.mode)
    )


@router.get(
    "/imports/{import_id}/errors",
    response={200: None, **READ_ERRORS},
    summary="Download the rows with errors (CSV)",
)
def import_errors(request: HttpRequest, import_id: int) -> FileResponse:
    _member_may_import(request)
    return error_rows_download(import_get(member=request.member, pk=import_id))


@router.post(
    "/imports/{import_id}/undo",
    response={200: ImportDetailOut, **ERRORS},
    summary="Undo an import",
    description="Deletes the batch's leads not changed since the import; changed ones are kept and "
    "counted (`kept_count`). By the importer or a manager. 409 `import_not_undoable`.",
)
def import_undo(request: HttpRequest, import_id: int) -> LeadImport:
    _member_may_import(request)
    batch = import_get(member=request.member, pk=import_id)
    return imports.lead_import_undo(actor=request.actor, batch=batch)
