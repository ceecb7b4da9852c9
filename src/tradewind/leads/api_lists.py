"""Leads list API: saved views, bulk actions and export over the same filters as GET /leads."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces import saved_views

from . import bulk, export
from .api import LeadFilterIn
from .filters import LeadFilter
from .presets import PRESETS

router = Router(tags=["leads"])
MODULE = "leads"


class ViewOut(Schema):
    id: int | None = None
    key: str = ""
    name: str
    query: str
    shared: bool = False
    builtin: bool = False


class LeadViewIn(Schema):
    name: str = Field("", max_length=60)
    query: str = Field(
        "", max_length=1000, description="filters as a query string: status=new&grade=A"
    )
    shared: bool = False


class LeadBulkIn(Schema):
    action: Literal["assign", "grade", "release", "delete"]
    value: str = Field(
        "",
        max_length=200,
        description="assign: user id or 'none'; grade: A/B/C or ''; release: reason",
    )
    ids: list[int] = Field(default_factory=list, max_length=bulk.BULK_MAX)
    filters: LeadFilterIn | None = Field(
        None, description="instead of ids: every visible lead these filters match"
    )


class BulkOut(Schema):
    done: int
    skipped: dict[str, int]


@router.get(
    "/views", response={200: list[ViewOut], **READ_ERRORS}, summary="Built-in and saved views"
)
def view_list(request: HttpRequest) -> list[dict]:
    from urllib.parse import urlencode

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
def view_create(request: HttpRequest, payload: LeadViewIn) -> Status:
    from django.http import QueryDict

    query = LeadFilter.from_params(QueryDict(payload.query.lstrip("?"))).querystring()
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
    summary="Assign, grade, release or delete many leads",
    description="Leads that refuse (not yours, already in the pool, closed) are skipped and counted "
    "by reason; the others are done.",
)
def lead_bulk(request: HttpRequest, payload: LeadBulkIn) -> dict:
    if payload.filters is not None:
        filters = LeadFilter.from_params(payload.filters.dict())
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=payload.ids)
    result = bulk.leads_bulk_apply(
        actor=request.actor, selection=selection, action=payload.action, value=payload.value
    )
    return {"done": result.done, "skipped": dict(result.skipped)}


@router.get(
    "/export",
    response={200: None, **READ_ERRORS},
    summary="Export the leads these filters match (XLSX or CSV)",
)
def lead_export(
    request: HttpRequest, params: Query[LeadFilterIn], format: Literal["xlsx", "csv"] = "xlsx"
) -> FileResponse:
    filters = LeadFilter.from_params(params.dict())
    out, name, kind = export.lead_export(actor=request.actor, filters=filters, fmt=format)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)
