"""The library API's schemas and the dicts they are filled from (api.py's routes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import Field

from . import library
from .choices import ItemKind
from .models import LibraryFolder, LibraryItem


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


class LibraryTagOut(Schema):
    kind: str
    key: str
    value: str


class LibraryItemOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    folder_id: int | None
    visibility: str
    owner_id: int
    owner: str
    file_name: str
    file_type: str
    file_size: int
    file_url: str | None
    opportunity_id: int | None
    outcome: str
    worked: str
    failed: str
    profile: str
    tags: list[LibraryTagOut]
    copy_count: int
    send_count: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class LibraryItemPageOut(Schema):
    items: list[LibraryItemOut]
    next_cursor: str | None = None


class LibraryItemIn(Schema):
    kind: str = Field("script", description="script (a file is uploaded to POST /library/files)")
    title: str = ""
    body: str = Field("", description="The script's text (plain text; line breaks kept)")
    folder_id: int | None = None
    visibility: str = Field("shared", description="shared (curators) or private (only you)")
    products: list[int] = Field(default_factory=list, description="Catalogue product ids")
    industries: list[str] = Field(default_factory=list)
    stages: list[str] = Field(
        default_factory=list, description="Stage keys (quotation …) or names, either language"
    )
    objections: list[str] = Field(default_factory=list)


class LibraryItemPatch(Schema):
    """Fields left out keep their value; a tag list given replaces that kind's tags."""

    version: int | None = None
    title: str | None = None
    body: str | None = None
    folder_id: int | None = Field(None, description="0 moves the item to the top level")
    visibility: str | None = None
    products: list[int] | None = None
    industries: list[str] | None = None
    stages: list[str] | None = None
    objections: list[str] | None = None


class LibraryFolderOut(Schema):
    id: int
    name: str
    parent_id: int | None
    visibility: str
    owner_id: int
    depth: int


class LibraryFolderIn(Schema):
    name: str = ""
    parent_id: int | None = None
    visibility: str = "shared"


class LibraryFolderPatch(Schema):
    name: str | None = None
    parent_id: int | None = Field(None, description="0 or null: the top level")


class LibraryUsageIn(Schema):
    action: str = Field("", description="copied (scripts, reviews) or sent")
    target_type: str = Field("", description="lead, customer, contact or opportunity")
    target_id: int | None = None


class LibraryUsageOut(Schema):
    id: int
    library_item_id: int
    action: str
    user_id: int
    target_type: str
    target_id: int | None
    created_at: dt.datetime


class LibraryEmailIn(Schema):
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    subject: str = ""
    body: str = ""
    target_type: str = ""
    target_id: int | None = None


class LibraryEmailOut(Schema):
    email_id: int
    library_item_id: int


class SuggestionOut(Schema):
    item: LibraryItemOut
    score: int
    reasons: list[LibraryTagOut]


class SuggestionsOut(Schema):
    target_type: str
    target_id: int
    stages: list[str]
    industry: str
    objection: str
    items: list[SuggestionOut]


class WonItemOut(Schema):
    library_item_id: int
    title: str
    kind: str
    won_deals: int
    won_amount: str
    won_unconverted: int
    lost_deals: int
    win_rate: str | None
    uses: int


class ReviewIn(Schema):
    opportunity_id: int | None = None
    title: str | None = None
    worked: str = ""
    failed: str = ""
    profile: str = ""
    products: list[int] | None = None
    industries: list[str] | None = None
    stages: list[str] | None = None
    objections: list[str] | None = None


class ReviewPatch(Schema):
    version: int | None = None
    title: str | None = None
    worked: str | None = None
    failed: str | None = None
    profile: str | None = None
    products: list[int] | None = None
    industries: list[str] | None = None
    stages: list[str] | None = None
    objections: list[str] | None = None


class LossReasonOut(Schema):
    label: str
    count: int
    share: str


class MonthlyReviewOut(Schema):
    month: str
    currency: str
    won: int
    won_amount: str
    won_unconverted: int
    lost: int
    lost_amount: str
    lost_unconverted: int
    invalid: int
    created: int
    win_rate: str | None
    loss_reasons: list[LossReasonOut]
    reviews: list[LibraryItemOut]
    unreviewed_opportunity_ids: list[int]


def item_out(item: LibraryItem, tags: list[Any] | None = None) -> dict[str, Any]:
    rows = tags if tags is not None else list(item.tags.all())
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "folder_id": item.folder_id,
        "visibility": item.visibility,
        "owner_id": item.owner_id,
        "owner": item.owner.display_name,
        "file_name": item.file_name,
        "file_type": item.file_type,
        "file_size": item.file_size,
        "file_url": reverse("api:library_item_file", args=[item.pk])
        if item.kind == ItemKind.FILE and item.file
        else None,
        "opportunity_id": item.opportunity_id,
        "outcome": item.outcome,
        "worked": item.worked,
        "failed": item.failed,
        "profile": item.profile,
        "tags": [{"kind": t.kind, "key": t.key, "value": t.value} for t in rows],
        "copy_count": item.copy_count,
        "send_count": item.send_count,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def fresh(request: HttpRequest, pk: int) -> dict[str, Any]:
    return item_out(library.item_get(request.member, pk))  # type: ignore[attr-defined]


def folder_out(folder: LibraryFolder, depth: int = 0) -> dict[str, Any]:
    return {
        "id": folder.pk,
        "name": folder.name,
        "parent_id": folder.parent_id,
        "visibility": folder.visibility,
        "owner_id": folder.owner_id,
        "depth": depth,
    }
