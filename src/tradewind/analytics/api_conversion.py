"""Reports API: GET /api/v1/reports/conversion, /reports/funnels, /reports/activity — the same
figures as the pages (analytics/conversion.py, funnels.py, activity.py), each with the link of the
list page behind it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import activity as act
from . import conversion as conv
from . import funnels as fun

router = Router(tags=["reports"])


class ReportParams(Schema):
    month: str = Field("", description="YYYY-MM; default: this month")
    start: str = Field("", description="YYYY-MM-DD, with end: a range instead of a month")
    end: str = Field("", description="YYYY-MM-DD (inclusive)")
    source: str = Field("", description="a lead source")
    industry: str = Field("", description="an industry (exact)")
    country: str = Field("", description="an ISO country code")
    owner: str = Field("", description="a user id or 'me'")
    team: str = Field("", description="a team id: owners in it and its sub-teams")


class ConversionParams(ReportParams):
    cut: str = Field("source", description="source, industry, country, owner or team")


class FunnelParams(ReportParams):
    pipeline: str = Field("", description="a pipeline id; default: the default pipeline")


class ActivityParams(ReportParams):
    grain: str = Field("", description="day, week or month; default by the period's length")


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    month: str


class GradeOut(Schema):
    grade: str
    total: int
    converted: int
    rate: Decimal | None


class ConversionRowOut(Schema):
    key: str
    label: str
    total: int
    valid: int
    converted: int
    invalid: int
    conversion_rate: Decimal | None = Field(description="converted ÷ total, percent")
    grades: list[GradeOut]
    cycle_days: Decimal | None = Field(description="average days lead created → first won order")
    cycle_count: int
    change: Decimal | None = Field(None, description="month over month: rate points vs before")
    links: dict[str, str]


class ReasonOut(Schema):
    code: str
    label: str
    count: int
    share: Decimal | None
    link: str


class ConversionOut(Schema):
    period: PeriodOut
    cut: str
    summary: ConversionRowOut
    rows: list[ConversionRowOut]
    months: list[ConversionRowOut]
    invalid_reasons: list[ReasonOut]
    lost_reasons: list[ReasonOut]


class StepOut(Schema):
    key: str
    label: str
    count: int
    link: str
    from_previous: Decimal | None
    from_first: Decimal | None
    median_days: Decimal | None = None
    median_count: int = 0


class StageFunnelOut(Schema):
    pipeline_id: int | None
    steps: list[StepOut]
    total: int
    won: int
    lost: int
    invalid: int
    open: int


class CohortCellOut(Schema):
    month: str
    source: str
    total: int
    converted: int
    won: int
    link: str


class FunnelsOut(Schema):
    period: PeriodOut
    leads: list[StepOut]
    stages: StageFunnelOut | None
    nodes: list[StepOut] | None
    cohort: list[CohortCellOut]


class FollowUpRowOut(Schema):
    key: str
    label: str
    total: int
    answered: int
    no_response: int
    response_rate: Decimal | None
    link: str


class TaskRowOut(Schema):
    key: str
    label: str
    counts: dict[str, int]
    links: dict[str, str]


class SlaRowOut(Schema):
    key: str
    label: str
    a_leads: int
    on_time: int
    late: int
    open_breach: int
    links: dict[str, str]


class ActivityOut(Schema):
    period: PeriodOut
    grain: str
    followups: FollowUpRowOut
    by_channel: list[FollowUpRowOut]
    by_rep: list[FollowUpRowOut]
    by_period: list[FollowUpRowOut]
    tasks: TaskRowOut
    tasks_by_rep: list[TaskRowOut]
    sla: SlaRowOut
    sla_by_rep: list[SlaRowOut]


def _row(row: conv.Row) -> dict[str, Any]:
    return {
        **row.__dict__,
        "conversion_rate": row.conversion_rate,
        "grades": [{"grade": g, **v} for g, v in row.grades.items()],
    }


def _fu(row: act.FollowUpRow) -> dict[str, Any]:
    return {**row.__dict__, "response_rate": row.response_rate}


def _setup(request: HttpRequest, params: ReportParams) -> tuple[Any, conv.Period, Any]:
    require(request.actor, Perm.LEAD_VIEW)  # type: ignore[attr-defined]
    member = request.member  # type: ignore[attr-defined]
    data = params.dict()
    return member, conv.period_from(data, member), conv.ReportFilter.from_params(data)


@router.get(
    "/conversion",
    response={200: ConversionOut, **READ_ERRORS},
    summary="Lead conversion review for a month or range, by a cut, month over month",
)
def conversion_get(request: HttpRequest, params: Query[ConversionParams]) -> dict:
    member, period, filters = _setup(request, params)
    review = conv.review(member=member, period=period, filters=filters, cut=params.cut)
    return {
        "period": period,
        "cut": review.cut,
        "summary": _row(review.summary),
        "rows": [_row(r) for r in review.rows],
        "months": [_row(r) for r in review.months],
        "invalid_reasons": review.invalid_reasons,
        "lost_reasons": review.lost_reasons,
    }


@router.get(
    "/funnels",
    response={200: FunnelsOut, **READ_ERRORS},
    summary="Lead funnel, opportunity stage funnel, 三定 node funnel and lead cohorts",
)
def funnels_get(request: HttpRequest, params: Query[FunnelParams]) -> dict:
    member, period, filters = _setup(request, params)
    stages = None
    if member.has(Perm.OPPORTUNITY_VIEW):
        sf = fun.stage_funnel(
            member=member, period=period, filters=filters, pipeline_id=params.pipeline
        )
        stages = {
            **{k: getattr(sf, k) for k in ("steps", "total", "won", "lost", "invalid", "open")},
            "pipeline_id": sf.pipeline.pk if sf.pipeline else None,
        }
    nodes = None
    if member.has(Perm.CUSTOMER_VIEW):
        nodes = fun.node_funnel(member=member, period=period, filters=filters)
    rows = fun.lead_rows(member=member, period=period, filters=filters)
    cohort = fun.cohort(member=member, period=period, filters=filters, rows=rows)
    return {
        "period": period,
        "leads": fun.lead_funnel(member=member, period=period, filters=filters, rows=rows),
        "stages": stages,
        "nodes": nodes,
        "cohort": [
            {"month": month, "source": source, **cell.__dict__}
            for (month, source), cell in sorted(cohort.cells.items())
        ],
    }


@router.get(
    "/activity",
    response={200: ActivityOut, **READ_ERRORS},
    summary="Follow-ups by channel, rep and period; tasks done vs overdue; response rate; SLA",
)
def activity_get(request: HttpRequest, params: Query[ActivityParams]) -> dict:
    member, period, filters = _setup(request, params)
    data = act.activity(member=member, period=period, filters=filters, grain=params.grain)
    return {
        "period": period,
        "grain": data.grain,
        "followups": _fu(data.followups),
        "by_channel": [_fu(r) for r in data.by_channel],
        "by_rep": [_fu(r) for r in data.by_rep],
        "by_period": [_fu(r) for r in data.by_period],
        "tasks": data.tasks,
        "tasks_by_rep": data.tasks_by_rep,
        "sla": data.sla,
        "sla_by_rep": data.sla_by_rep,
    }
