"""The customer list's tools: saved views, bulk actions over the ticked rows or the whole filter,
export. The list page itself is views.customer_list (its context comes from list_context here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries

from tradewind.core.bulk import BULK_MAX
from tradewind.workspaces import list_pages, saved_views
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


LIST = "customers:list"


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
def view_save(request: HttpRequest) -> HttpResponse:
    return list_pages.view_save(
        request, module=MODULE, list_name=LIST, parse=CustomerFilter.from_params
    )


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return list_pages.view_delete(request, module=MODULE, list_name=LIST, pk=pk)


@require_POST
@member_required(Perm.CUSTOMER_VIEW)
def customer_bulk(request: HttpRequest) -> HttpResponse:
    """Ticked rows, or with scope=all every customer the posted filters match."""
    filters = list_pages.posted_filters(request, CustomerFilter.from_params)
    if request.POST.get("scope") == "all":
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    return list_pages.bulk_answer(
        request,
        run=lambda: bulk.customers_bulk_apply(
            actor=request.actor,
            selection=selection,
            action=action,
            value=request.POST.get(f"value_{action}", request.POST.get("value", "")),
        ),
        back=list_pages.list_url(LIST, filters.querystring()),
        done=lambda n: (
            ngettext("%(count)s customer done.", "%(count)s customers done.", n) % {"count": n}
        ),
        skipped=lambda n, reason: (
            ngettext(
                "%(count)s customer skipped: %(reason)s",
                "%(count)s customers skipped: %(reason)s",
                n,
            )
            % {"count": n, "reason": reason}
        ),
    )


@member_required(Perm.CUSTOMER_VIEW)
def customer_export(request: HttpRequest) -> HttpResponse:
    filters = CustomerFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return list_pages.export_answer(
        request,
        run=lambda: export.customer_export(actor=request.actor, filters=filters, fmt=fmt),
        back=list_pages.list_url(LIST, filters.querystring()),
    )
