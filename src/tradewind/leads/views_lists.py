"""The leads list's tools: saved views, bulk actions over the ticked rows or the whole filter,
export. The shared page mechanics are in workspaces/list_pages.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tradewind.workspaces import list_pages
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import bulk, export
from .filters import LeadFilter

MODULE = "leads"
LIST = "leads:list"


@require_POST
@member_required(Perm.LEAD_VIEW)
def view_save(request: HttpRequest) -> HttpResponse:
    return list_pages.view_save(
        request, module=MODULE, list_name=LIST, parse=LeadFilter.from_params
    )


@require_POST
@member_required(Perm.LEAD_VIEW)
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return list_pages.view_delete(request, module=MODULE, list_name=LIST, pk=pk)


@require_POST
@member_required(Perm.LEAD_VIEW)
def lead_bulk(request: HttpRequest) -> HttpResponse:
    """Ticked rows, or with scope=all every lead the posted filters match."""
    filters = list_pages.posted_filters(request, LeadFilter.from_params)
    if request.POST.get("scope") == "all":
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    return list_pages.bulk_answer(
        request,
        run=lambda: bulk.leads_bulk_apply(
            actor=request.actor,
            selection=selection,
            action=action,
            value=request.POST.get(f"value_{action}", request.POST.get("value", "")),
        ),
        back=list_pages.list_url(LIST, filters.querystring()),
        done=lambda n: ngettext("%(count)s lead done.", "%(count)s leads done.", n) % {"count": n},
        skipped=lambda n, reason: (
            ngettext("%(count)s lead skipped: %(reason)s", "%(count)s leads skipped: %(reason)s", n)
            % {"count": n, "reason": reason}
        ),
    )


@member_required(Perm.LEAD_VIEW)
def lead_export(request: HttpRequest) -> HttpResponse:
    filters = LeadFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return list_pages.export_answer(
        request,
        run=lambda: export.lead_export(actor=request.actor, filters=filters, fmt=fmt),
        back=list_pages.list_url(LIST, filters.querystring()),
    )
