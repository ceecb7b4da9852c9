"""Tonight's recycling over the API: the same list as the preview page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from .recycling import PREVIEW_LIMIT, next_run_date, recycle_candidates

router = Router(tags=["leads"])


class LeadRecycleRowOut(Schema):
    lead_id: int
    code: str
    company_name: str
    owner_id: int
    owner: str
    grade: str
    idle_days: int
    limit_days: int
    idle_since: dt.datetime
    reason: str


class LeadRecyclePreviewOut(Schema):
    on_date: dt.date
    items: list[LeadRecycleRowOut]


@router.get(
    "/recycling-preview",
    response={200: LeadRecyclePreviewOut, **READ_ERRORS},
    summary="What the next nightly run would put back in the pool, and why",
    description="Managers (lead.assign) see every lead in their scope; others their own leads. "
    f"At most {PREVIEW_LIMIT} rows, longest idle first.",
)
def recycling_preview(request: HttpRequest) -> dict:
    require(request.actor, Perm.LEAD_VIEW)
    ws = request.member.workspace
    on_date = next_run_date(ws)
    rows = recycle_candidates(
        workspace=ws, on_date=on_date, member=request.member, limit=PREVIEW_LIMIT
    )
    return {
        "on_date": on_date,
        "items": [
            {
                "lead_id": c.lead.pk,
                "code": c.lead.code,
                "company_name": c.lead.company_name,
                "owner_id": c.lead.owner_id,
                "owner": str(c.lead.owner),
                "grade": c.grade,
                "idle_days": c.idle_days,
                "limit_days": c.limit_days,
                "idle_since": c.idle_since,
                "reason": c.reason,
            }
            for c in rows
        ],
    }
