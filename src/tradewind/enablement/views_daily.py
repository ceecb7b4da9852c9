"""Daily report pages (/reports/daily/): the team's day for managers, the rep's own report
(generate, refresh, comment, submit), one report with its comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.activities.choices import Channel
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.timezones import workspace_today

from . import access, daily
from .daily_selectors import team_day
from .models import DailyReport


def _day(request: HttpRequest) -> tuple[dt.date, str]:
    """The day asked for (today when missing or not a valid past day) and an error to show."""
    member = request.member  # type: ignore[attr-defined]
    raw = request.GET.get("day", "") or request.POST.get("day", "")
    try:
        return daily.parse_day(raw, member.workspace), ""
    except ServiceError as exc:
        return workspace_today(member.workspace), str(exc.message)


def _context(request: HttpRequest, day: dt.date, **extra: Any) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    today = workspace_today(member.workspace)
    return {
        "nav_active": "reports",
        "day": day,
        "prev": (day - dt.timedelta(days=1)).isoformat(),
        "next": (day + dt.timedelta(days=1)).isoformat() if day < today else "",
        "today": today,
        "channels": dict(Channel.choices),
        **extra,
    }


@member_required()
def daily_team(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    day, error = _day(request)
    rows = team_day(member, day)
    return render(
        request,
        "enablement/daily/team.html",
        _context(
            request,
            day,
            rows=rows,
            error=error,
            submitted=sum(1 for r in rows if r.submitted),
            can_report=member.has(access.REPORT),
        ),
    )


@member_required()
def daily_mine(request: HttpRequest) -> HttpResponse:
    """GET: my report of the day (stored, or a preview of the figures before the first save).
    POST: generate or refresh the draft, then show it."""
    member = request.member  # type: ignore[attr-defined]
    day, error = _day(request)
    if request.method == "POST":
        try:
            report = daily.daily_report_generate(actor=request.actor, day=request.POST.get("day"))  # type: ignore[attr-defined]
        except ServiceError as exc:
            report_service_error(request, exc)
            return redirect(reverse("daily_reports:mine") + f"?day={day.isoformat()}")
        messages.success(request, _("The figures are up to date."))
        return redirect("daily_reports:detail", pk=report.pk)
    stored = DailyReport.objects.filter(
        workspace_id=member.workspace_id, rep_id=member.user_id, day=day
    ).first()
    if stored is not None and not error:
        return redirect("daily_reports:detail", pk=stored.pk)
    return render(
        request,
        "enablement/daily/mine.html",
        _context(
            request,
            day,
            figures=daily.for_display(daily.figures_for(member, day)),
            error=error,
            can_report=member.has(access.REPORT),
        ),
    )


def _report_or_404(request: HttpRequest, pk: int) -> DailyReport:
    try:
        return daily.report_get(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@member_required()
def daily_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report. Its rep, on a draft, saves the comment or submits (POST `action`)."""
    member = request.member  # type: ignore[attr-defined]
    report = _report_or_404(request, pk)
    errors: dict[str, list[Any]] = {}
    comment = report.comment
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        comment = request.POST.get("comment", "")
        version = request.POST.get("version", "")
        try:
            if action == "submit":
                daily.daily_report_submit(actor=request.actor, report_id=report.pk, comment=comment)  # type: ignore[attr-defined]
                messages.success(request, _("Your daily report is submitted."))
            else:
                daily.daily_report_save(
                    actor=request.actor,  # type: ignore[attr-defined]
                    report_id=report.pk,
                    comment=comment,
                    expected_version=int(version) if version.isdigit() else None,
                )
                messages.success(request, _("Saved."))
        except ServiceError as exc:
            if exc.status in (403, 404, 409):
                report_service_error(request, exc)
                return redirect("daily_reports:detail", pk=report.pk)
            errors, status = exc.fields, exc.status
        else:
            return redirect("daily_reports:detail", pk=report.pk)
    mine = report.rep_id == member.user_id
    return render(
        request,
        "enablement/daily/detail.html",
        _context(
            request,
            report.day,
            report=report,
            figures=daily.for_display(report.figures),
            comments=list(report.comments.select_related("author")),
            mine=mine,
            can_edit=mine and not report.is_submitted and member.has(access.REPORT),
            can_comment=member.has(access.COMMENT),
            comment=comment,
            errors=errors,
        ),
        status=status,
    )


@require_POST
@member_required(access.COMMENT)
def daily_comment(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    try:
        daily.daily_report_comment(
            actor=request.actor,  # type: ignore[attr-defined]
            report_id=report.pk,
            body=request.POST.get("body", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Comment added."))
    return redirect(reverse("daily_reports:detail", args=[report.pk]) + "#comments")
