"""Forecast API: GET /api/v1/forecast — open opportunities by expected close period, by owner and
by team, in the workspace's base currency (see sales/forecast.py for the rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import forecast as fc

router = Router(tags=["forecast"])


class ForecastParams(Schema):
    pipeline: str = Field("", description="a pipeline id; empty: every pipeline")
    owner: str = Field("", description="a user id or 'me'")
    team: str = Field("", description="a team id: owners in that team and its sub-teams")


class ForecastPeriodOut(Schema):
    key: str = Field(description="overdue, YYYY-MM (this month and the next five), later or none")
    label: str
    start: dt.date | None = Field(None, description="first day (inclusive)")
    end: dt.date | None = Field(None, description="end (exclusive)")


class CellOut(Schema):
    period: str = Field(description="a period key, or 'total'")
    count: int = Field(description="open opportunities in the forecast (omitted excluded)")
    pipeline: Decimal
    best_case: Decimal
    commit: Decimal
    weighted: Decimal
    unconverted: int = Field(description="with an amount but no exchange rate: not in the sums")
    omitted: int


class GroupOut(Schema):
    key: str = Field(description="a user id (by owner), a team id (by team), or 'none'")
    label: str
    cells: list[CellOut]


class UnconvertedOut(Schema):
    id: int
    code: str
    name: str
    amount: Decimal | None
    currency: str
    expected_close_date: dt.date | None


class ForecastOut(Schema):
    base_currency: str
    today: dt.date
    periods: list[ForecastPeriodOut]
    totals: list[CellOut] = Field(description="one per period, then 'total'")
    owners: list[GroupOut]
    teams: list[GroupOut]
    unconverted_count: int
    unconverted: list[UnconvertedOut] = Field(description="the first 50, closing soonest first")


def _cells(forecast: fc.Forecast, cells: dict[str, fc.Cell], total: fc.Cell) -> list[dict]:
    keys = [p.key for p in forecast.periods] + ["total"]
    return [
        {"period": key, **values}
        for key, values in zip(keys, forecast.row(cells, total), strict=True)
    ]


@router.get(
    "",
    response={200: ForecastOut, **READ_ERRORS},
    summary="Forecast by close month, owner and team (base currency)",
    description=(
        "pipeline ⊇ best case ⊇ commit by forecast category (omitted ones are left out); weighted "
        "= Σ base amount × effective probability. Opportunities without a base amount (no rate) "
        "are counted as unconverted and never summed."
    ),
)
def forecast_get(request: HttpRequest, params: Query[ForecastParams]) -> dict:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    forecast = fc.forecast_build(member=request.member, params=params.dict())
    return {
        "base_currency": forecast.base_currency,
        "today": forecast.today,
        "periods": forecast.periods,
        "totals": _cells(forecast, forecast.totals, forecast.total),
        "owners": [
            {"key": g.key, "label": g.label, "cells": _cells(forecast, g.cells, g.total)}
            for g in forecast.owners
        ],
        "teams": [
            {"key": g.key, "label": g.label, "cells": _cells(forecast, g.cells, g.total)}
            for g in forecast.teams
        ],
        "unconverted_count": forecast.total.unconverted,
        "unconverted": forecast.unconverted,
    }
