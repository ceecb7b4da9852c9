"""Lead conversion API: POST /leads/{lead_id}/convert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS

from . import selectors
from .conversion import lead_convert

router = Router(tags=["leads"])


class ConvertIn(Schema):
    customer_id: int | None = Field(
        None, description="Join this existing customer; null creates a new one"
    )
    allow_duplicates: bool = Field(
        False, description="Create a new customer even though it looks like an existing one"
    )
    customer_type: str = Field("", max_length=16)
    create_opportunity: bool = False
    opportunity_name: str = Field("", max_length=200)
    amount: Decimal | None = None
    currency: str = Field("", max_length=3)
    stage_id: int | None = None
    expected_close_date: dt.date | None = None
    version: int | None = Field(None, description="The lead version you read; newer answers 409")


class LeadConvertOut(Schema):
    lead_id: int
    status: str
    customer_id: int
    customer_code: str
    customer_created: bool
    contact_id: int | None
    opportunity_id: int | None
    opportunity_code: str | None
    followups_moved: int


@router.post(
    "/{lead_id}/convert",
    response={200: LeadConvertOut, **ERRORS},
    summary="Convert a qualified lead",
    description="Creates a customer + contact (+ an opportunity with `create_opportunity`), or "
    "joins `customer_id`. 409 `not_qualified` / `already_converted`; 409 `duplicate` lists "
    "matching customers — pass one as `customer_id`, or `allow_duplicates=true`.",
)
def convert(request: HttpRequest, lead_id: int, payload: ConvertIn) -> dict:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    result = lead_convert(actor=request.actor, lead=lead, **payload.dict())
    return {
        "lead_id": result.lead.pk,
        "status": result.lead.status,
        "customer_id": result.customer.pk,
        "customer_code": result.customer.code,
        "customer_created": result.customer_created,
        "contact_id": result.contact.pk if result.contact else None,
        "opportunity_id": result.opportunity.pk if result.opportunity else None,
        "opportunity_code": result.opportunity.code if result.opportunity else None,
        "followups_moved": result.followups_moved,
    }
