"""The customer list's tools: saved views, bulk actions over the ticked rows or the whole filter,
export. The list page itself is views.customer_list (its context comes from list_context here)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries

from tradewind.core.bulk import BULK_MAX
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces import saved_views
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of

from . import bulk, export
from .choices import CustomerSize, CustomerSource, CustomerType
from .filters import (
    DUE_CHOICES,
    IDLE_CHOICES,
    SORTS,
    CustomerFilter,
    _stages,
    active_preset,
    preset_links,
)

MODULE = "customers"


def list_context(member: Membership, filters: CustomerFilter, view: str) -> dict[str, Any]:
    views = list(saved_views.saved_views_for(member, MODULE))
    can_assign = member.has(Perm.CUSTOMER_ASSIGN)
    return {
        "query": filters.querystring(),
        "sources": CustomerSource.choices,
        "sizes": CustomerSize.choices,
        "stages": _stages(),
        "countries": countries,
        "due_choices": DUE_CHOICES,
        "idle_choices": IDLE_CHOICES,
        "sorts": [(key, label) for key, (_order, label) in SORTS.items()],
        "presets": preset_links(),
        "active_preset": active_preset(filters.params()),
        "saved_views": views,
        "current_view": next((v for v in views if str(v.pk) == view), None),
        "can_bulk": member.has(Perm.CUSTOMER_EDIT),
        "can_assign": can_assign,
        "can_delete": member.has(Perm.CUSTOMER_DELETE),
        "can_share": member.has(Perm.LEAD_ASSIGN),
        "bulk_actions": bulk.ACTIONS,
        "bulk_max": BULK_MAX,
        "owners": active_members_of(member) if can_assign else [],
        "types": CustomerType.choices,
    }


def _list_url(query: str) -> str:
    return reverse("customers:list") + (f"?{query}" if query else "")


def _query_dict(query: str) -> QueryDict:
    return QueryDict(query.lstrip("?"))


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
def view_save(request: HttpRequest) -> HttpResponse:
    query = CustomerFilter.from_params(_query_dict(request.POST.get("query", ""))).querystring()
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
    return redirect(_list_url(f"{view.query}&view={view.pk}" if view.query else f"view={view.pk}"))


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
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
    return redirect("customers:list")


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
def customer_bulk(request: HttpRequest) -> HttpResponse:
    """Ticked rows, or with scope=all every customer the posted filters match."""
    filters = CustomerFilter.from_params(_query_dict(request.POST.get("query", "")))
    if request.POST.get("scope") == "all":
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    try:
        result = bulk.customers_bulk_apply(
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
            ngettext("%(count)s customer done.", "%(count)s customers done.", result.done)
            % {"count": result.done},
        )
    for reason, count in result.skipped.items():
        messages.warning(
            request,
            ngettext(
                "%(count)s customer skipped: %(reason)s",
                "%(count)s customers skipped: %(reason)s",
                count,
            )
            % {"count": count, "reason": reason},
        )
    return redirect(_list_url(filters.querystring()))


@member_required(Perm.CUSTOMER_VIEW)
def customer_export(request: HttpRequest) -> HttpResponse:
    filters = CustomerFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    try:
        out, name, kind = export.customer_export(actor=request.actor, filters=filters, fmt=fmt)
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(_list_url(filters.querystring()))
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)
