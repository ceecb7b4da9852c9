"""Opportunity list API: saved views, bulk actions and export over the same filters as
GET /opportunities (the close reasons are listed at /close-reasons)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, QueryDict
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.bulk import BULK_MAX
from tradewind.workspaces import saved_views
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import bulk, export
from .api import OpportunityFilterIn
from .filters import PRESETS, OpportunityFilter

router = Router(tags=["opportunities"])
MODULE = "opportunities"


class FilterParams(Schema):
    q: str = ""
    owner: str = ""
    team: str = ""
    pipeline: str = ""
    stage: str = ""
    status: str = ""
    source: str = ""
    close_from: str = ""
    close_to: str = ""
    amount_min: str = ""
    amount_max: str = ""
    stale: str = ""
    customer: str = ""
    sort: str = ""


class ViewOut(Schema):
    id: int | None = None
    key: str = ""
    name: str
    query: str
    shared: bool = False
    builtin: bool = False


class OpportunityViewIn(Schema):
    name: str = Field("", max_length=60)
    query: str = Field("", max_length=1000, description="filters as a query string: status=open")
    shared: bool = False


class OpportunityBulkIn(Schema):
    action: Literal["assign", "delete"] = "assign"
    value: str = Field("", max_length=200, description="assign: the new owner's user id")
    ids: list[int] = Field(default_factory=list, max_length=BULK_MAX)
    filters: FilterParams | None = Field(
        None, description="instead of ids: every visible opportunity these filters match"
    )


class BulkOut(Schema):
    done: int
    skipped: dict[str, int]


@router.get(
    "/views", response={200: list[ViewOut], **READ_ERRORS}, summary="Built-in and saved views"
)
def view_list(request: HttpRequest) -> list[dict]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
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
def view_create(request: HttpRequest, payload: OpportunityViewIn) -> Status:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    query = OpportunityFilter.from_params(QueryDict(payload.query.lstrip("?"))).querystring()
    view = saved_views.saved_view_create(
        actor=request.actor, module=MODULE, name=payload.name, query=query, shared=payload.shared
    )
    return Status(
        201, {"id": view.pk, "name": view.name, "query": view.query, "shared": view.shared}
    )


@router.delete("/views/{view_id}", response={204: None, **ERRORS}, summary="Delete a saved view")
def view_delete(request: HttpRequest, view_id: int) -> Status:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    view = saved_views.saved_view_get(member=request.member, module=MODULE, pk=view_id)
    saved_views.saved_view_delete(actor=request.actor, view=view)
    return Status(204, None)


@router.post(
    "/bulk",
    response={200: BulkOut, **ERRORS},
    summary="Assign or delete many opportunities",
    description="Opportunities that refuse are skipped and counted by reason; the others are done.",
)
def opportunity_bulk(request: HttpRequest, payload: OpportunityBulkIn) -> dict:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    if payload.filters is not None:
        filters = OpportunityFilter.from_params(payload.filters.dict())
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=payload.ids)
    result = bulk.opportunities_bulk_apply(
        actor=request.actor, selection=selection, action=payload.action, value=payload.value
    )
    return {"done": result.done, "skipped": dict(result.skipped)}


@router.get(
    "/export",
    response={200: None, **READ_ERRORS},
    summary="Export the opportunities these filters match (XLSX or CSV)",
)
def opportunity_export(
    request: HttpRequest,
    params: Query[OpportunityFilterIn],
    format: Literal["xlsx", "csv"] = "xlsx",
) -> FileResponse:
    filters = OpportunityFilter.from_params(
        params.dict() | {k: v for k, v in request.GET.items() if k.startswith("cf_")}
    )
    out, name, kind = export.opportunity_export(actor=request.actor, filters=filters, fmt=format)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)
