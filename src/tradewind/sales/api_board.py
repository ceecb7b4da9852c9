"""Board API: GET /api/v1/board — the columns of a pipeline with their totals (one aggregate query)
and a keyset page of cards per column, or one column's next page with `stage` and `cursor`.
Moving a card is POST /api/v1/opportunities/{id}/move (the opportunities API); closing is
POST /api/v1/opportunities/{id}/close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import board as board_read
from .models import Opportunity

router = Router(tags=["board"])


class BoardParams(Schema):
    pipeline: str = Field("", description="a pipeline id; empty: the default pipeline")
    stage: str = Field("", description="one column only (an open stage of the pipeline)")
    cursor: str = Field("", description="with `stage`: the next_cursor of that column")
    limit: int = Field(board_read.PAGE_SIZE, ge=1, le=board_read.MAX_PAGE_SIZE)
    owner: str = Field("", description="a user id or 'me'")
    team: str = Field("", description="a team id: owners in that team and its sub-teams")
    close_from: str = Field("", description="expected close month from, YYYY-MM")
    close_to: str = Field("", description="expected close month to (inclusive), YYYY-MM")
    amount_min: str = Field("", description="in the workspace's base currency")
    amount_max: str = Field("", description="in the workspace's base currency")
    stale: str = Field("", description="1: stale only, 0: not stale")
    q: str = ""


class CardOut(Schema):
    id: int
    code: str
    name: str
    version: int
    customer_id: int
    customer_name: str
    amount: Decimal | None
    currency: str
    base_amount: Decimal | None
    probability: int
    expected_close_date: dt.date | None
    overdue: bool
    stale: bool
    owner_id: int | None
    owner_name: str
    owner_initials: str

    @staticmethod
    def resolve_customer_name(obj: Opportunity) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_probability(obj: Opportunity) -> int:
        return obj.card_probability  # type: ignore[attr-defined]

    @staticmethod
    def resolve_overdue(obj: Opportunity) -> bool:
        return obj.is_overdue  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stale(obj: Opportunity) -> bool:
        return obj.is_stale  # type: ignore[attr-defined]


class ColumnOut(Schema):
    stage_id: int
    stage: str
    probability: int
    count: int = Field(description="open opportunities in the column (all of them, not the page)")
    total: Decimal = Field(description="Σ base amount, base currency; unconverted ones excluded")
    weighted: Decimal = Field(description="Σ base amount × effective probability, base currency")
    unconverted: int = Field(description="with an amount but no exchange rate: not in the sums")
    items: list[CardOut]
    next_cursor: str | None = None


class BoardStageOut(Schema):
    id: int
    name: str
    probability: int
    is_won: bool
    is_lost: bool


class BoardPipelineOut(Schema):
    id: int
    name: str
    gate: str
    is_default: bool


class BoardOut(Schema):
    pipeline: BoardPipelineOut
    pipelines: list[BoardPipelineOut]
    stages: list[BoardStageOut]
    base_currency: str
    count: int
    total: Decimal
    weighted: Decimal
    unconverted: int
    columns: list[ColumnOut]


def _column(column: board_read.Column) -> dict:
    page = column.page
    return {
        "stage_id": column.stage.pk,
        "stage": column.stage.label,
        "probability": column.stage.probability,
        "count": column.totals.count,
        "total": column.totals.total,
        "weighted": column.totals.weighted,
        "unconverted": column.totals.unconverted,
        "items": page.items if page else [],
        "next_cursor": page.next_cursor if page else None,
    }


@router.get(
    "",
    response={200: BoardOut, **READ_ERRORS},
    summary="The board: columns with totals and a page of cards each",
    description=(
        "Totals are in the workspace's base currency and cover every open opportunity the "
        "filters match, not only the page. With `stage` (and `cursor`) one column's page."
    ),
)
def board_get(request: HttpRequest, params: Query[BoardParams]) -> dict:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    member = request.member
    values = params.dict()
    stage_id = board_read.int_or_none(params.stage)
    if params.stage:
        board, column, _page = board_read.board_column(
            member=member,
            params=values,
            stage_id=stage_id or 0,
            cursor=params.cursor or None,
            limit=params.limit,
        )
        columns = [column] if column is not None else []
    else:
        board = board_read.board_load(member=member, params=values, limit=params.limit)
        columns = board.columns
    return {
        "pipeline": board.pipeline,
        "pipelines": board.pipelines,
        "stages": [
            {
                "id": s.pk,
                "name": s.label,
                "probability": s.probability,
                "is_won": s.is_won,
                "is_lost": s.is_lost,
            }
            for s in board.stages
        ],
        "base_currency": board.base_currency,
        "count": board.summary.count,
        "total": board.summary.total,
        "weighted": board.summary.weighted,
        "unconverted": board.summary.unconverted,
        "columns": [_column(c) for c in columns],
    }
