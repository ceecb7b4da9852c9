from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import history_for

from . import selectors, services
from .choices import LeadSource
from .filters import LeadFilter
from .models import Lead

router = Router(tags=["leads"])


class LeadIn(Schema):
    company_name: str = Field(min_length=1, max_length=200)
    contact_name: str = Field("", max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str = Field("", max_length=40)
    country: str = Field("", max_length=2)
    source: LeadSource = LeadSource.OTHER
    need: str = ""
    company_name_alt: str = Field("", max_length=200)
    contact_title: str = Field("", max_length=120)
    whatsapp: str = Field("", max_length=40)
    wechat: str = Field("", max_length=60)
    other_im: str = Field("", max_length=120, description="Skype, Telegram, LINE, QQ …")
    website: str = Field("", max_length=200)
    city: str = Field("", max_length=80)
    industry: str = Field("", max_length=80)
    company_size: str = Field("", max_length=16)
    source_detail: str = Field("", max_length=200)
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    budget_currency: str = Field("", max_length=3)
    decision_chain: str = Field("", max_length=200)
    timeframe: str = Field("", max_length=80)
    grade: str = Field("", max_length=1, description="A, B, C or empty")
    tags: list[str] = []
    owner_id: int | None = Field(
        None, description="A member's user id; null puts the lead in the pool"
    )
    custom: dict[str, Any] | None = Field(
        None, description="Custom field values by key (see /api/v1/custom-fields)"
    )


class LeadPatch(Schema):
    company_name: str | None = Field(None, min_length=1, max_length=200)
    contact_name: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=2)
    source: LeadSource | None = None
    need: str | None = None
    company_name_alt: str | None = Field(None, max_length=200)
    contact_title: str | None = Field(None, max_length=120)
    whatsapp: str | None = Field(None, max_length=40)
    wechat: str | None = Field(None, max_length=60)
    other_im: str | None = Field(None, max_length=120)
    website: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=80)
    industry: str | None = Field(None, max_length=80)
    company_size: str | None = Field(None, max_length=16)
    source_detail: str | None = Field(None, max_length=200)
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    budget_currency: str | None = Field(None, max_length=3)
    decision_chain: str | None = Field(None, max_length=200)
    timeframe: str | None = Field(None, max_length=80)
    grade: str | None = Field(None, max_length=1, description="A, B, C or empty")
    tags: list[str] | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = Field(
        None, description='Custom field values to change by key; null or "" clears one'
    )
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class LeadOut(Schema):
    id: int
    code: str
    company_name: str
    contact_name: str
    email: str
    phone: str
    country: str
    source: str
    status: str
    need: str
    company_name_alt: str
    contact_title: str
    whatsapp: str
    wechat: str
    other_im: str
    website: str
    city: str
    industry: str
    company_size: str
    source_detail: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    budget_currency: str
    decision_chain: str
    timeframe: str
    grade: str
    score: int
    tags: list[str]
    invalid_reason: str
    first_contacted_at: dt.datetime | None
    last_activity_at: dt.datetime | None
    next_due_at: dt.datetime | None
    owner_id: int | None
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_country(obj: Lead) -> str:
        return obj.country.code or ""


class LeadFilterIn(Schema):
    q: str = ""
    status: str = ""
    source: str = ""
    owner: str = Field("", description="a user id, 'me' or 'none'")
    grade: str = Field("", description="A, B, C or NONE (no grade)")
    country: str = Field("", description="ISO 3166 code, e.g. US")
    industry: str = Field("", description="contains this text")
    company_size: str = ""
    tag: str = ""
    due: str = Field("", description="today, overdue, tomorrow or none (next follow-up)")
    created_from: str = Field("", description="YYYY-MM-DD, in your time zone")
    created_to: str = Field("", description="YYYY-MM-DD, inclusive")
    sort: str = Field(
        "",
        description="'' newest, created, company, -score, -updated, due (with a due filter), "
        "cf_<key> / -cf_<key> (a custom field). Filter by a custom field with cf_<key>=value.",
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class HistoryOut(Schema):
    created_at: dt.datetime
    actor: str
    verb: str
    changes: list[tuple[str, object, object]]


def _data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if "company_name" not in data and not partial:
        data["company_name"] = ""
    data.pop("version", None)
    if "owner_id" in data:
        data["owner"] = data.pop("owner_id")
    if "email" in data:
        data["email"] = data["email"] or ""
    if "country" in data:
        data["country"] = (data["country"] or "").upper()
    if "source" in data and data["source"] is not None:
        data["source"] = str(
            data["source"].value if hasattr(data["source"], "value") else data["source"]
        )
    return {k: v for k, v in data.items() if v is not None or k == "owner"}


@router.get(
    "", response={200: PageOut[LeadOut], **READ_ERRORS}, summary="List leads (keyset pages)"
)
def lead_list(request: HttpRequest, params: Query[LeadFilterIn]) -> dict:
    require(request.actor, Perm.LEAD_VIEW)
    page = selectors.lead_list(
        member=request.member,
        filters=LeadFilter.from_params(
            params.dict() | {k: v for k, v in request.GET.items() if k.startswith("cf_")}
        ),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post("", response={201: LeadOut, **ERRORS})
def lead_create(request: HttpRequest, payload: LeadIn, allow_duplicates: bool = False) -> Status:
    """A likely duplicate (撞单) answers 409 `duplicate` listing the matches by code; repeat with
    `allow_duplicates=true` to create it anyway."""
    data = _data(payload, partial=True)  # an unset owner_id means "me"; an explicit null, the pool
    return Status(
        201, services.lead_create(actor=request.actor, allow_duplicates=allow_duplicates, **data)
    )


@router.get("/{lead_id}", response={200: LeadOut, **READ_ERRORS})
def lead_get(request: HttpRequest, lead_id: int) -> Lead:
    return selectors.lead_get(member=request.member, pk=lead_id)


@router.patch("/{lead_id}", response={200: LeadOut, **ERRORS})
def lead_update(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return services.lead_update(
        actor=request.actor, lead=lead, version=payload.version, **_data(payload, partial=True)
    )


@router.delete("/{lead_id}", response={204: None, **ERRORS})
def lead_delete(request: HttpRequest, lead_id: int) -> Status:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    services.lead_delete(actor=request.actor, lead=lead)
    return Status(204, None)


@router.get("/{lead_id}/history", response={200: list[HistoryOut], **READ_ERRORS})
def lead_history(request: HttpRequest, lead_id: int) -> list[dict]:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return [
        {
            "created_at": h.created_at,
            "actor": h.actor_display,
            "verb": h.verb_display,
            "changes": h.rows,
        }
        for h in history_for(target=lead, user_fields=("owner",))
    ]
