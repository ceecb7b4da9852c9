"""The leads list's tools: saved views, bulk actions over the ticked rows or the whole filter."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces import saved_views
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import bulk, export
from .filters import LeadFilter

MODULE = "leads"


def _list_url(query: str) -> str:
    return reverse("leads:list") + (f"?{query}" if query else "")


@require_POST
@member_required(Perm.LEAD_VIEW)
def view_save(request: HttpRequest) -> HttpResponse:
    query = LeadFilter.from_params(_query_dict(request.POST.get("query", ""))).querystring()
    try:
        view = saved_views.saved_view_create(
            actor=request.actor,
            module=MODULE,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(_list_url(query))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(
        _list_url(view.query) + f"&view={view.pk}" if view.query else _list_url(f"view={view.pk}")
    )


@require_POST
@member_required(Perm.LEAD_VIEW)
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = saved_views.saved_view_get(member=request.member, module=MODULE, pk=pk)
    except NotFound:
        raise Http404 from None
    try:
        saved_views.saved_view_delete(actor=request.actor, view=view)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("leads:list")


def _query_dict(query: str) -> QueryDict:
    return QueryDict(query.lstrip("?"))


@require_POST
@member_required(Perm.LEAD_VIEW)
def lead_bulk(request: HttpRequest) -> HttpResponse:
    """Ticked rows, or with scope=all every lead the posted filters match."""
    query = request.POST.get("query", "")
    filters = LeadFilter.from_params(_query_dict(query))
    if request.POST.get("scope") == "all":
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    try:
        result = bulk.leads_bulk_apply(
            actor=request.actor,
            selection=selection,
            action=action,
            value=request.POST.get(f"value_{action}", request.POST.get("value", "")),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(_list_url(filters.querystring()))
    if result.done:
        messages.success(
            request,
            ngettext("%(count)s lead done.", "%(count)s leads done.", result.done)
            % {"count": result.done},
        )
    for reason, count in result.skipped.items():
        messages.warning(
            request,
            ngettext(
                "%(count)s lead skipped: %(reason)s", "%(count)s leads skipped: %(reason)s", count
            )
            % {"count": count, "reason": reason},
        )
    return redirect(_list_url(filters.querystring()))


@member_required(Perm.LEAD_VIEW)
def lead_export(request: HttpRequest) -> HttpResponse:
    filters = LeadFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    try:
        out, name, kind = export.lead_export(actor=request.actor, filters=filters, fmt=fmt)
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(_list_url(filters.querystring()))
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)
