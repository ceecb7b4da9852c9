"""Customer list API: saved views, bulk actions and export over the same filters as GET /customers,
and the import (upload, preview, run, undo)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.bulk import BULK_MAX
from tradewind.workspaces import saved_views
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import bulk, export, imports
from .filters import PRESETS, CustomerFilter
from .imports_models import CustomerImport

router = Router(tags=["customers"])
MODULE = "customers"


class CustomerFilterParams(Schema):
    q: str = ""
    type: str = ""
    country: str = ""
    owner: str = Field("", description="a user id, 'me' or 'none'")
    rating: str = Field("", description="at least this many stars, 1-5")
    source: str = ""
    size: str = ""
    stage: str = ""
    industry: str = ""
    city: str = ""
    tag: str = ""
    due: str = Field("", description="today, overdue, tomorrow or none")
    idle: str = Field("", description="days without contact: 7, 30 or 90")
    created_from: str = ""
    created_to: str = ""
    sort: str = ""


class ViewOut(Schema):
    id: int | None = None
    key: str = ""
    name: str
    query: str
    shared: bool = False
    builtin: bool = False


class CustomerViewIn(Schema):
    name: str = Field("", max_length=60)
    query: str = Field("", max_length=1000, description="filters as a query string: owner=me")
    shared: bool = False


class CustomerBulkIn(Schema):
    action: Literal["assign", "release", "rate", "tag", "untag", "delete"]
    value: str = Field(
        "",
        max_length=200,
        description="assign: user id; release: reason; rate: 1-5 or ''; tag/untag: the tag",
    )
    ids: list[int] = Field(default_factory=list, max_length=BULK_MAX)
    filters: CustomerFilterParams | None = Field(
        None, description="instead of ids: every visible customer these filters match"
    )


class BulkOut(Schema):
    done: int
    skipped: dict[str, int]


@router.get(
    "/views", response={200: list[ViewOut], **READ_ERRORS}, summary="Built-in and saved views"
)
def view_list(request: HttpRequest) -> list[dict]:
    require(request.actor, Perm.CUSTOMER_VIEW)
    builtin = [
        {"key": key, "name": str(label), "query": urlencode(params), "builtin": True}
        for key, label, params in PRESETS
    ]
    saved = [
        {"id": v.pk, "name": v.name, "query": v.query, "shared": v.shared}
        for v in saved_views.saved_views_for(request.member, MODULE)
    ]
    return builtin + saved


@router.post("/views", response={201: ViewOut, **ERRORS}, summary="Save a view")
def view_create(request: HttpRequest, payload: CustomerViewIn) -> Status:
    require(request.actor, Perm.CUSTOMER_VIEW)
    query = CustomerFilter.from_params(QueryDict(payload.query.lstrip("?"))).querystring()
    view = saved_views.saved_view_create(
        actor=request.actor, module=MODULE, name=payload.name, query=query, shared=payload.shared
    )
    return Status(
        201, {"id": view.pk, "name": view.name, "query": view.query, "shared": view.shared}
    )


@router.delete("/views/{view_id}", response={204: None, **ERRORS}, summary="Delete a saved view")
def view_delete(request: HttpRequest, view_id: int) -> Status:
    view = saved_views.saved_view_get(member=request.member, module=MODULE, pk=view_id)
    saved_views.saved_view_delete(actor=request.actor, view=view)
    return Status(204, None)


@router.post(
    "/bulk",
    response={200: BulkOut, **ERRORS},
    summary="Assign, release, rate, tag or delete many customers",
    description="Customers that refuse are skipped and counted by reason; the others are done.",
)
def customer_bulk(request: HttpRequest, payload: CustomerBulkIn) -> dict:
    if payload.filters is not None:
        filters = CustomerFilter.from_params(payload.filters.dict())
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=payload.ids)
    result = bulk.customers_bulk_apply(
        actor=request.actor, selection=selection, action=payload.action, value=payload.value
    )
    return {"done": result.done, "skipped": dict(result.skipped)}


@router.get(
    "/export",
    response={200: None, **READ_ERRORS},
    summary="Export the customers these filters match (XLSX or CSV)",
)
def customer_export(
    request: HttpRequest,
    params: Query[CustomerFilterParams],
    format: Literal["xlsx", "csv"] = "xlsx",
) -> FileResponse:
    filters = CustomerFilter.from_params(
        params.dict() | {k: v for k, v in request.GET.items() if k.startswith("cf_")}
    )
    out, name, kind = export.customer_export(actor=request.actor, filters=filters, fmt=format)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)


# --- import ----------------------------------------------------------------------------------------


class CustomerImportOut(Schema):
    id: int
    file_name: str
    status: str
    mode: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    created_count: int
    contact_count: int
    duplicate_count: int
    error_count: int
    undone_count: int
    kept_count: int
    preview: dict[str, Any]
    has_error_file: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_has_error_file(obj: CustomerImport) -> bool:
        return bool(obj.error_file)


class CustomerImportPreviewIn(Schema):
    mapping: dict[str, str] = Field(
        default_factory=dict, description='column index -> field, e.g. {"0": "name"}'
    )
    mode: Literal["", "stop_on_error", "skip_bad_rows"] = ""
    remember: bool = Field(
        False, description="Remember this mapping for later files with the same header row"
    )


def _batch(request: HttpRequest, customer_import_id: int) -> CustomerImport:
    require(request.actor, Perm.CUSTOMER_CREATE)
    return get_object_or_404(
        CustomerImport.objects.visible_to(request.member), pk=customer_import_id
    )


@router.post(
    "/imports", response={201: CustomerImportOut, **ERRORS}, summary="Upload a file of customers"
)
def import_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    batch = imports.customer_import_upload(
        actor=request.actor, name=file.name or "import", data=file.read()
    )
    return Status(201, batch)


@router.get(
    "/imports/{customer_import_id}",
    response={200: CustomerImportOut, **READ_ERRORS},
    summary="An import",
)
def import_get(request: HttpRequest, customer_import_id: int) -> CustomerImport:
    return _batch(request, customer_import_id)


@router.post(
    "/imports/{customer_import_id}/preview",
    response={200: CustomerImportOut, **ERRORS},
    summary="Dry run with a mapping (nothing written)",
)
def import_preview(
    request: HttpRequest, customer_import_id: int, payload: CustomerImportPreviewIn
) -> Any:
    batch = _batch(request, customer_import_id)
    mapping = payload.mapping or batch.mapping
    return imports.customer_import_preview(
        actor=request.actor,
        batch=batch,
        mapping=mapping,
        mode=payload.mode,
        remember=payload.remember,
    )


@router.post(
    "/imports/{customer_import_id}/run",
    response={200: CustomerImportOut, **ERRORS},
    summary="Run it",
)
def import_run(request: HttpRequest, customer_import_id: int) -> Any:
    return imports.customer_import_run(
        actor=request.actor, batch=_batch(request, customer_import_id)
    )


@router.post(
    "/imports/{customer_import_id}/undo",
    response={200: CustomerImportOut, **ERRORS},
    summary="Delete the customers an import created (those nobody worked on)",
)
def import_undo(request: HttpRequest, customer_import_id: int) -> Any:
    return imports.customer_import_undo(
        actor=request.actor, batch=_batch(request, customer_import_id)
    )
