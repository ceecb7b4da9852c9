"""Dashboards API: GET /api/v1/reports/dashboard/me (a rep's day, pipeline, goal, overdue
receivables) and GET /api/v1/reports/dashboard/team (goal, lead funnel, forecast, SLA breaches, new
leads by source, receivables). The same figures as the pages (analytics/dashboards.py), each with
the URL of the list page behind it; amounts in the workspace's base currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import READ_ERRORS

from . import dashboards

router = Router(tags=["reports"])


class TeamParams(Schema):
    months: str = Field("", description="3, 6 or 12 (else 6)")
    owner: str = Field("", description="a user id or 'me': that owner's records only")
    team: str = Field("", description="a team id: owners in that team and its sub-teams")


class DashboardRowOut(Schema):
    key: str
    label: str
    value: Decimal = Field(description="a count, or an amount in the base currency")
    count: int | None = Field(None, description="records behind an amount")
    url: str = Field(description="the list page of the records behind the figure")


class SeriesOut(Schema):
    name: str
    values: list[Decimal]
    urls: list[str]


class BlockOut(Schema):
    key: str
    title: str
    kind: str = Field(description="cards, bar, line, pie, funnel or goal")
    unit: str = Field(description="a currency code when the values are amounts")
    url: str
    note: str
    rows: list[DashboardRowOut]
    x: list[str]
    series: list[SeriesOut]


class DashboardOut(Schema):
    kind: str = Field(description="rep or team")
    base_currency: str
    today: dt.date
    start: dt.date | None = Field(None, description="team: first day of the lead period")
    months: int
    blocks: list[BlockOut]


def _out(dashboard: dashboards.Dashboard) -> dict[str, Any]:
    return {
        "kind": dashboard.kind,
        "base_currency": dashboard.base_currency,
        "today": dashboard.today,
        "start": dashboard.start,
        "months": dashboard.months,
        "blocks": [
            {
                "key": b.key,
                "title": b.title,
                "kind": b.kind,
                "unit": b.unit,
                "url": b.url,
                "note": b.note,
                "rows": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "value": r.value,
                        "count": r.count,
                        "url": r.url,
                    }
                    for r in b.rows
                ],
                "x": b.x,
                "series": [{"name": s.name, "values": s.values, "urls": s.urls} for s in b.series],
            }
            for b in dashboard.blocks
        ],
    }


@router.get(
    "/dashboard/me",
    response={200: DashboardOut, **READ_ERRORS},
    summary="My dashboard: my day, my pipeline by stage, my goal, overdue receivables",
)
def dashboard_me(request: HttpRequest) -> dict[str, Any]:
    return _out(dashboards.rep_dashboard(request.member))  # type: ignore[attr-defined]


@router.get(
    "/dashboard/team",
    response={200: DashboardOut, **READ_ERRORS},
    summary="Team dashboard: goal, lead funnel, forecast, SLA breaches, leads by source, "
    "receivables",
)
def dashboard_team(request: HttpRequest, params: Query[TeamParams]) -> dict[str, Any]:
    months = dashboards.parse_months(params.months)
    filters = dashboards.team_filters(params.dict())
    member = request.member  # type: ignore[attr-defined]
    return _out(dashboards.team_dashboard(member, months=months, filters=filters))
