"""Daily report API under /api/v1/daily-reports: the team's day (who submitted), my report,
generating and refreshing it, the comment, submitting, managers' comments.

A report the member cannot see is 404; another rep's report is read-only (403 on writes); a
submitted report is frozen (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.api_bodies import ObjectBody

from . import daily
from .daily_selectors import team_day
from .models import DailyReport

router = Router(tags=["daily reports"])


class DailyReportCommentOut(Schema):
    id: int
    author_id: int
    author: str
    body: str
    created_at: dt.datetime


class DailyReportOut(Schema):
    id: int | None
    rep_id: int
    rep: str
    day: dt.date
    status: str
    comment: str
    figures: dict[str, Any]
    generated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    version: int | None
    comments: list[DailyReportCommentOut] = Field(default_factory=list)


class DailyTeamRowOut(Schema):
    rep_id: int
    rep: str
    team: str | None
    status: str = Field(description="submitted, draft or missing")
    daily_report_id: int | None
    submitted_at: dt.datetime | None


class DailyTeamOut(Schema):
    day: dt.date
    submitted: int
    total: int
    reps: list[DailyTeamRowOut]


class DailyGenerateIn(ObjectBody):
    day: str = Field("", description="YYYY-MM-DD, today (workspace time) when empty")


class DailyReportIn(Schema):
    comment: str = ""
    version: int | None = None


class DailySubmitIn(Schema):
    comment: str | None = Field(None, description="Replaces the saved comment when given")


class DailyCommentIn(Schema):
    body: str = ""


def _out(report: DailyReport, with_comments: bool = True) -> dict[str, Any]:
    comments = (
        [
            {
                "id": c.pk,
                "author_id": c.author_id,
                "author": c.author.display_name,
                "body": c.body,
                "created_at": c.created_at,
            }
            for c in report.comments.select_related("author")
        ]
        if with_comments
        else []
    )
    return {
        "id": report.pk,
        "rep_id": report.rep_id,
        "rep": report.rep.display_name,
        "day": report.day,
        "status": report.status,
        "comment": report.comment,
        "figures": report.figures,
        "generated_at": report.generated_at,
        "submitted_at": report.submitted_at,
        "version": report.version,
        "comments": comments,
    }


@router.get(
    "",
    response={200: DailyTeamOut, **READ_ERRORS},
    summary="Who reported on a day, among the reps in your data scope",
)
def daily_team_api(request: HttpRequest, day: str = "") -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    on = daily.parse_day(day, member.workspace)
    rows = team_day(member, on)
    return {
        "day": on,
        "submitted": sum(1 for r in rows if r.submitted),
        "total": len(rows),
        "reps": [
            {
                "rep_id": r.member.user_id,
                "rep": r.member.user.display_name,
                "team": r.member.team.name if r.member.team else None,
                "status": r.status,
                "daily_report_id": r.report.pk if r.report else None,
                "submitted_at": r.report.submitted_at if r.report else None,
            }
            for r in rows
        ],
    }


@router.get(
    "/mine",
    response={200: DailyReportOut, **READ_ERRORS},
    summary="My report of a day (a preview of the figures when not generated yet: id null)",
)
def daily_mine_api(request: HttpRequest, day: str = "") -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    on = daily.parse_day(day, member.workspace)
    report = (
        DailyReport.objects.filter(workspace_id=member.workspace_id, rep_id=member.user_id, day=on)
        .select_related("rep")
        .first()
    )
    if report is not None:
        return _out(report)
    return {
        "id": None,
        "rep_id": member.user_id,
        "rep": member.user.display_name,
        "day": on,
        "status": "missing",
        "comment": "",
        "figures": daily.figures_for(member, on),
        "generated_at": None,
        "submitted_at": None,
        "version": None,
        "comments": [],
    }


@router.post(
    "/generate",
    response={200: DailyReportOut, **ERRORS},
    summary="Generate my draft report of a day, or refresh its figures",
)
def daily_generate_api(request: HttpRequest, payload: DailyGenerateIn) -> dict[str, Any]:
    report = daily.daily_report_generate(actor=request.actor, day=payload.day)  # type: ignore[attr-defined]
    return _out(report)


@router.get("/{daily_report_id}", response={200: DailyReportOut, **READ_ERRORS})
def daily_report_api(request: HttpRequest, daily_report_id: int) -> dict[str, Any]:
    return _out(daily.report_get(request.member, daily_report_id))  # type: ignore[attr-defined]


@router.put("/{daily_report_id}", response={200: DailyReportOut, **ERRORS})
def daily_report_save_api(
    request: HttpRequest, daily_report_id: int, payload: DailyReportIn
) -> dict[str, Any]:
    report = daily.daily_report_save(
        actor=request.actor,  # type: ignore[attr-defined]
        report_id=daily_report_id,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _out(report)


@router.post("/{daily_report_id}/submit", response={200: DailyReportOut, **ERRORS})
def daily_report_submit_api(
    request: HttpRequest, daily_report_id: int, payload: DailySubmitIn
) -> dict[str, Any]:
    report = daily.daily_report_submit(
        actor=request.actor,  # type: ignore[attr-defined]
        report_id=daily_report_id,
        comment=payload.comment,
    )
    return _out(report)


@router.post("/{daily_report_id}/comments", response={201: DailyReportCommentOut, **ERRORS})
def daily_report_comment_api(
    request: HttpRequest, daily_report_id: int, payload: DailyCommentIn
) -> Status:
    comment = daily.daily_report_comment(
        actor=request.actor,  # type: ignore[attr-defined]
        report_id=daily_report_id,
        body=payload.body,
    )
    return Status(
        201,
        {
            "id": comment.pk,
            "author_id": comment.author_id,
            "author": request.member.user.display_name,  # type: ignore[attr-defined]
            "body": comment.body,
            "created_at": comment.created_at,
        },
    )
