"""Customers and contacts API: list (keyset pages), get, create, update; contacts of a customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors, services
from .filters import CustomerFilter
from .models import Contact, Customer

router = Router(tags=["customers"])


class CustomerIn(Schema):
    # Defaults everywhere, so the service answers a missing name with its coded, translated error.
    name: str = Field("", max_length=200)
    name_alt: str = Field("", max_length=200)
    short_name: str = Field("", max_length=80)
    country: str = Field("", max_length=2)
    city: str = Field("", max_length=80)
    type: str = Field("", max_length=16, description="importer, wholesaler, retailer, brand, …")
    size: str = Field("", max_length=16)
    industry: str = Field("", max_length=80)
    main_products: str = ""
    website: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    source: str = Field("", max_length=24)
    rating: int | None = Field(None, description="1 to 5 stars")
    tags: list[str] = []
    owner_id: int | None = Field(None, description="A member's user id; null: the public pool")
    custom: dict[str, Any] = Field({}, description="Custom field values by key")


class CustomerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    name_alt: str | None = Field(None, max_length=200)
    short_name: str | None = Field(None, max_length=80)
    country: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=80)
    type: str | None = Field(None, max_length=16)
    size: str | None = Field(None, max_length=16)
    industry: str | None = Field(None, max_length=80)
    main_products: str | None = None
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    source: str | None = Field(None, max_length=24)
    rating: int | None = None
    tags: list[str] | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = Field(None, description="Custom field values to change by key")
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class ContactIn(Schema):
    name: str = Field("", max_length=120)
    title: str = Field("", max_length=120)
    decision_role: str = Field("", max_length=16)
    is_primary: bool = False
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    whatsapp: str = Field("", max_length=40)
    wechat: str = Field("", max_length=60)
    linkedin: str = Field("", max_length=200)
    notes: str = ""
    custom: dict[str, Any] = Field({}, description="Custom field values by key")


class ContactPatch(Schema):
    name: str | None = Field(None, max_length=120)
    title: str | None = Field(None, max_length=120)
    decision_role: str | None = Field(None, max_length=16)
    is_primary: bool | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    whatsapp: str | None = Field(None, max_length=40)
    wechat: str | None = Field(None, max_length=60)
    linkedin: str | None = Field(None, max_length=200)
    notes: str | None = None
    custom: dict[str, Any] | None = None
    version: int | None = None


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    decision_role: str
    is_primary: bool
    phone: str
    email: str
    whatsapp: str
    wechat: str
    linkedin: str
    notes: str
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    name_alt: str
    short_name: str
    country: str
    city: str
    type: str
    size: str
    industry: str
    main_products: str
    website: str
    email: str
    phone: str
    rating: int | None
    source: str
    tags: list[str]
    owner_id: int | None
    last_contact_at: dt.datetime | None
    next_followup_at: dt.datetime | None
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_country(obj: Customer) -> str:
        return obj.country.code or ""


class CustomerDetailOut(CustomerOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj: Customer) -> list[Contact]:
        return selectors.contacts_of(obj)


class CustomerFilterIn(Schema):
    q: str = ""
    type: str = ""
    country: str = ""
    owner: str = Field("", description="a user id, 'me' or 'none'")
    rating: str = Field("", description="at least this many stars, 1-5")
    sort: str = Field(
        "",
        description="'' newest, created, name, -updated, cf_<key> / -cf_<key> (a custom field). "
        "Filter by a custom field with cf_<key>=value.",
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _data(payload: Schema) -> dict:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    if "owner_id" in data:
        data["owner"] = data.pop("owner_id")
    return {k: v for k, v in data.items() if v is not None or k in ("owner", "rating")}


@router.get(
    "", response={200: PageOut[CustomerOut], **READ_ERRORS}, summary="List customers (keyset pages)"
)
def customer_list(request: HttpRequest, params: Query[CustomerFilterIn]) -> dict:
    require(request.actor, Perm.CUSTOMER_VIEW)
    page = selectors.customer_list(
        member=request.member,
        filters=CustomerFilter.from_params(
            params.dict() | {k: v for k, v in request.GET.items() if k.startswith("cf_")}
        ),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post("", response={201: CustomerDetailOut, **ERRORS})
def customer_create(
    request: HttpRequest, payload: CustomerIn, allow_duplicates: bool = False
) -> Status:
    """A likely duplicate among customers and contacts answers 409 `duplicate` listing the matches
    by code; repeat with `allow_duplicates=true` to create it anyway."""
    data = _data(payload)
    data.setdefault("custom", {})  # so the required custom fields are checked
    customer = services.customer_create(
        actor=request.actor, allow_duplicates=allow_duplicates, **data
    )
    return Status(201, customer)


@router.get("/{customer_id}", response={200: CustomerDetailOut, **READ_ERRORS})
def customer_get(request: HttpRequest, customer_id: int) -> Customer:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return selectors.customer_get(member=request.member, pk=customer_id)


@router.patch("/{customer_id}", response={200: CustomerDetailOut, **ERRORS})
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return services.customer_update(
        actor=request.actor, customer=customer, version=payload.version, **_data(payload)
    )


@router.get("/{customer_id}/contacts", response={200: list[ContactOut], **READ_ERRORS})
def contact_list(request: HttpRequest, customer_id: int) -> list[Contact]:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return selectors.contacts_of(selectors.customer_get(member=request.member, pk=customer_id))


@router.post("/{customer_id}/contacts", response={201: ContactOut, **ERRORS})
def contact_create(request: HttpRequest, customer_id: int, payload: ContactIn) -> Status:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    data = _data(payload)
    data.setdefault("custom", {})  # so the required custom fields are checked
    return Status(201, services.contact_create(actor=request.actor, customer=customer, **data))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def contact_update(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    contact = selectors.contact_get(member=request.member, pk=contact_id)
    return services.contact_update(
        actor=request.actor, contact=contact, version=payload.version, **_data(payload)
    )
