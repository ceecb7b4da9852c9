"""Reports hub and role dashboards (pages). The figures come from analytics/dashboards.py."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tradewind.core import spreadsheets
from tradewind.workspaces.choices import DataScope
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.selectors import active_members_of, teams_of

from . import dashboards
from .registry import REPORTS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@member_required()
def index(request: HttpRequest) -> HttpResponse:
    reports = []
    for report in REPORTS:
        try:
            url = reverse(report.url_name)
        except NoReverseMatch:  # a report whose pages are not mounted yet
            continue
        reports.append({**report._asdict(), "url": url})
    return render(request, "analytics/index.html", {"nav_active": "reports", "reports": reports})


def _render(request: HttpRequest, dashboard: dashboards.Dashboard) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    wide = dashboard.kind == "team" and member.data_scope != DataScope.OWN
    query = {"kind": dashboard.kind, "months": dashboard.months, **dashboard.filters.params()}
    context = {
        "nav_active": "reports",
        "dashboard": dashboard,
        "now": timezone.now(),
        "charts": [b.chart() for b in dashboard.blocks],
        "month_choices": dashboards.MONTH_CHOICES,
        "owners": active_members_of(member) if wide else [],
        "teams": teams_of(member) if wide else [],
        "export_url": reverse("analytics:dashboard_export") + "?" + urlencode(query),
    }
    return render(request, "analytics/dashboards/page.html", context)


@member_required()
def rep_dashboard(request: HttpRequest) -> HttpResponse:
    return _render(request, dashboards.rep_dashboard(request.member))  # type: ignore[attr-defined]


@member_required()
def manager_dashboard(request: HttpRequest) -> HttpResponse:
    months = dashboards.parse_months(request.GET.get("months"))
    member = request.member  # type: ignore[attr-defined]
    filters = dashboards.team_filters(request.GET)
    return _render(request, dashboards.team_dashboard(member, months=months, filters=filters))


@member_required()
def dashboard_export(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    if request.GET.get("kind") == "team":
        months = dashboards.parse_months(request.GET.get("months"))
        filters = dashboards.team_filters(request.GET)
        dashboard = dashboards.team_dashboard(member, months=months, filters=filters)
        name = "team-dashboard"
    else:
        dashboard = dashboards.rep_dashboard(member)
        name = "my-dashboard"
    out = io.BytesIO()
    spreadsheets.write_xlsx(dashboards.export_rows(dashboard), out, title=name)
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{name}-{stamp}.xlsx", content_type=XLSX)
