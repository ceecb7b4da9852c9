"""The opportunity list's tools: saved views, bulk actions over the ticked rows or the whole
filter, export. The list page itself is views.opportunity_list_page (its context comes from
list_context here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tradewind.core.bulk import BULK_MAX
from tradewind.workspaces import list_pages, saved_views
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership, Team
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_member_choices

from . import bulk, export
from .choices import OpportunitySource, OpportunityStatus
from .filters import (
    SORTS,
    STALE_CHOICES,
    OpportunityFilter,
    active_preset,
    preset_links,
)
from .models import Pipeline

MODULE = "opportunities"
LIST = "sales:list"


def list_context(member: Membership, filters: OpportunityFilter, view: str) -> dict[str, Any]:
    views = list(saved_views.saved_views_for(member, MODULE))
    pipelines = list(
        Pipeline.objects.filter(workspace_id=member.workspace_id)
        .prefetch_related("stages")
        .order_by("-is_default", "position", "id")
    )
    return {
        "query": filters.querystring(),
        "statuses": OpportunityStatus.choices,
        "sources": OpportunitySource.choices,
        "stale_choices": STALE_CHOICES,
        "pipelines": pipelines,
        "teams": list(Team.objects.filter(workspace_id=member.workspace_id).order_by("path")),
        "members": active_member_choices(member),
        "sorts": [(key, label) for key, (_order, label) in SORTS.items()],
        "presets": preset_links(),
        "active_preset": active_preset(filters.params()),
        "saved_views": views,
        "current_view": next((v for v in views if str(v.pk) == view), None),
        "can_assign": member.has(Perm.OPPORTUNITY_ASSIGN),
        "can_delete": member.has(Perm.OPPORTUNITY_DELETE),
        "can_bulk": member.has(Perm.OPPORTUNITY_ASSIGN) or member.has(Perm.OPPORTUNITY_DELETE),
        "can_share": member.has(Perm.LEAD_ASSIGN),
        "bulk_actions": bulk.ACTIONS,
        "bulk_max": BULK_MAX,
    }


@require_POST
@member_required(Perm.OPPORTUNITY_VIEW)
def view_save(request: HttpRequest) -> HttpResponse:
    return list_pages.view_save(
        request, module=MODULE, list_name=LIST, parse=OpportunityFilter.from_params
    )


@require_POST
@member_required(Perm.OPPORTUNITY_VIEW)
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return list_pages.view_delete(request, module=MODULE, list_name=LIST, pk=pk)


@require_POST
@member_required(Perm.OPPORTUNITY_VIEW)
def opportunity_bulk(request: HttpRequest) -> HttpResponse:
    """Ticked rows, or with scope=all every opportunity the posted filters match."""
    filters = list_pages.posted_filters(request, OpportunityFilter.from_params)
    if request.POST.get("scope") == "all":
        selection = bulk.bulk_selection(member=request.member, filters=filters)
    else:
        selection = bulk.bulk_selection(member=request.member, ids=request.POST.getlist("ids"))
    action = request.POST.get("action", "")
    return list_pages.bulk_answer(
        request,
        run=lambda: bulk.opportunities_bulk_apply(
            actor=request.actor,
            selection=selection,
            action=action,
            value=request.POST.get(f"value_{action}", request.POST.get("value", "")),
        ),
        back=list_pages.list_url(LIST, filters.querystring()),
        done=lambda n: (
            ngettext("%(count)s opportunity done.", "%(count)s opportunities done.", n)
            % {"count": n}
        ),
        skipped=lambda n, reason: (
            ngettext(
                "%(count)s opportunity skipped: %(reason)s",
                "%(count)s opportunities skipped: %(reason)s",
                n,
            )
            % {"count": n, "reason": reason}
        ),
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def opportunity_export(request: HttpRequest) -> HttpResponse:
    filters = OpportunityFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return list_pages.export_answer(
        request,
        run=lambda: export.opportunity_export(actor=request.actor, filters=filters, fmt=fmt),
        back=list_pages.list_url(LIST, filters.querystring()),
    )
