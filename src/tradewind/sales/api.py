"""Opportunities API (minimal): read one. Creating one goes through lead conversion for now;
listing, editing and stage moves come with the opportunities issue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors
from .models import Opportunity

router = Router(tags=["opportunities"])


class OpportunityOut(Schema):
    id: int
    code: str
    name: str
    customer_id: int
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    stage: str
    probability: int
    amount: Decimal | None
    currency: str
    expected_close_date: dt.date | None
    need: str
    status: str
    owner_id: int | None
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stage(obj: Opportunity) -> str:
        return obj.stage.key or obj.stage.name

    @staticmethod
    def resolve_probability(obj: Opportunity) -> int:
        return obj.stage.probability


@router.get("/{opportunity_id}", response={200: OpportunityOut, **READ_ERRORS})
def opportunity_get(request: HttpRequest, opportunity_id: int) -> Opportunity:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    return selectors.opportunity_get(member=request.member, pk=opportunity_id)
