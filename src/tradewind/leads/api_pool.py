"""Lead pool API: claim a lead from the pool, release one back to it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS

from . import pool, selectors
from .api import LeadOut
from .models import Lead

router = Router(tags=["leads"])


class LeadReleaseIn(Schema):
    # Optional in the schema so a missing reason answers like a blank one: a coded, translated
    # field error from the service, the same words the page shows.
    reason: str = Field(
        "", max_length=pool.REASON_MAX, description="Why the lead goes back to the pool"
    )


@router.post(
    "/{lead_id}/claim",
    response={200: LeadOut, **ERRORS},
    summary="Claim a lead from the pool",
    description="409 `already_claimed` names who was faster; 422 `holding_cap` / `daily_limit` "
    "when the workspace's lead policy says no.",
)
def lead_claim(request: HttpRequest, lead_id: int) -> Lead:
    lead = pool.lead_for_claim(member=request.member, pk=lead_id)
    return pool.lead_claim(actor=request.actor, lead=lead)


@router.post(
    "/{lead_id}/release",
    response={200: LeadOut, **ERRORS},
    summary="Release a lead to the pool",
)
def lead_release(request: HttpRequest, lead_id: int, payload: LeadReleaseIn) -> Lead:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return pool.lead_release(actor=request.actor, lead=lead, reason=payload.reason)
