"""Lead status over the API: one transition endpoint driven by the same table as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS

from . import selectors, status
from .api import LeadOut
from .choices import LeadStatus
from .models import Lead

router = Router(tags=["leads"])


class LeadStatusOut(LeadOut):
    invalid_reason: str
    status_note: str
    status_changed_at: dt.datetime | None


class LeadTransitionIn(Schema):
    # Optional in the schema so an out-of-scope lead answers 404 before the body is judged;
    # the service refuses a missing status with the code `unknown_status` (422).
    to_status: LeadStatus | None = Field(None, description="The status to move the lead to")
    reason: str = Field(
        "", max_length=40, description="Required for `invalid`: a code from the lead policy"
    )
    note: str = Field("", max_length=500)
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


@router.post(
    "/{lead_id}/transition",
    response={200: LeadStatusOut, **ERRORS},
    summary="Move a lead to another status",
    description=(
        "Moves by hand: new→contacting→qualified; contacting⇄dormant; any open status→invalid "
        "(with a reason); invalid→new (managers and owners). qualified→converted answers 409 "
        "`use_conversion`; any other move answers 409 `illegal_transition`."
    ),
)
def lead_transition(request: HttpRequest, lead_id: int, payload: LeadTransitionIn) -> Lead:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return status.lead_transition(
        actor=request.actor,
        lead=lead,
        to_status=payload.to_status.value if payload.to_status else "",
        reason=payload.reason,
        note=payload.note,
        version=payload.version,
    )
