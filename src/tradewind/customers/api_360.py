"""The customer 360 API: the timeline (keyset pages, filter by kind) and the milestone strip."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors, timeline

router = Router(tags=["customers"])


class EntryOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    title: str
    actor: str
    body: str
    changes: list[list[Any]]
    source: str
    id: int


class MilestoneOut(Schema):
    key: str
    label: str
    at: dt.datetime | None


class TimelineOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None = None
    milestones: list[MilestoneOut]


class TimelineIn(Schema):
    kind: list[str] = Field(default_factory=list, description=", ".join(timeline.KINDS))
    cursor: str | None = None
    limit: int = Field(timeline.PAGE_SIZE, ge=1, le=timeline.MAX_PAGE)


@router.get(
    "/{customer_id}/timeline",
    response={200: TimelineOut, **READ_ERRORS},
    summary="The customer's timeline, newest first (keyset pages)",
)
def customer_timeline(request: HttpRequest, customer_id: int, params: Query[TimelineIn]) -> dict:
    require(request.actor, Perm.CUSTOMER_VIEW)
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    page = timeline.timeline_page(
        customer=customer,
        member=request.member,
        kinds=params.kind,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [
            {
                "at": e.at,
                "kind": e.kind,
                "kind_label": e.kind_label,
                "title": e.title,
                "actor": e.actor,
                "body": e.body,
                "changes": [[str(label), str(a), str(b)] for label, a, b in e.rows],
                "source": e.source,
                "id": e.id,
            }
            for e in page.entries
        ],
        "next_cursor": page.next_cursor,
        "milestones": [
            {"key": m.key, "label": str(m.label), "at": m.at} for m in timeline.milestones(customer)
        ],
    }
