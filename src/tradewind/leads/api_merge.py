"""Lead merge API: POST /leads/merge."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS

from .api import LeadOut
from .merge import MAX_LEADS, leads_merge
from .models import Lead

router = Router(tags=["leads"])


class MergeIn(Schema):
    survivor_id: int = Field(0, description="The lead that stays")
    merged_ids: list[int] = Field([], max_length=MAX_LEADS, description="Leads merged into it")
    choices: dict[str, int] = Field(
        {},
        description="field name -> id of the lead whose value the survivor keeps; unnamed fields "
        "keep the survivor's value, tags are united",
    )


@router.post(
    "/merge",
    response={200: LeadOut, **ERRORS},
    summary="Merge leads",
    description="Follow-ups, claims and every other record of the merged leads move to the "
    "survivor; the merged leads are deleted, their history stays readable from the survivor.",
)
def merge(request: HttpRequest, payload: MergeIn) -> Lead:
    return leads_merge(
        actor=request.actor,
        survivor_id=payload.survivor_id,
        merged_ids=payload.merged_ids,
        choices=payload.choices,
    )
