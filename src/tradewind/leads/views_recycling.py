"""Tonight's recycling: what the next nightly run would put back in the pool, and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from .models import LeadPolicy
from .recycling import PREVIEW_LIMIT, recycle_candidates, recycle_days


@member_required(Perm.LEAD_VIEW)
def recycling_preview(request: HttpRequest) -> HttpResponse:
    from .recycling import next_run_date

    ws = request.member.workspace
    days = recycle_days(LeadPolicy.for_workspace(ws))
    on_date = next_run_date(ws)
    rows = recycle_candidates(
        workspace=ws, on_date=on_date, member=request.member, limit=PREVIEW_LIMIT
    )
    context = {
        "nav_active": "leads",
        "rows": rows,
        "on_date": on_date,
        "limit": PREVIEW_LIMIT,
        "days": days,
        "days_none": days.get("", 0),
        "everyone": request.member.has(Perm.LEAD_ASSIGN),
        "can_manage": request.member.has(Perm.WORKSPACE_MANAGE),
    }
    return render(request, "leads/recycling/preview.html", context)
