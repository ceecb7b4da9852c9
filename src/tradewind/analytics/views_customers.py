"""Pages of the customer reports: RFM segments, repurchase / churn warning, and their settings.

Thin views: the figures come from analytics/rfm.py and analytics/churn.py; each page answers the
full page or its htmx partial (the customer table, when the segment / status tabs or the pager
change), and `?export=xlsx` answers the same report as a spreadsheet."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core import spreadsheets
from tradewind.core.errors import ServiceError
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import churn, rfm
from .settings_store import analytics_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: HttpRequest) -> int:
    value = request.GET.get("page", "")
    return min(int(value), 10_000) if value.isdigit() and int(value) > 0 else 1


def _xlsx(rows: list[list[Any]], name: str) -> FileResponse:
    out = io.BytesIO()
    spreadsheets.write_xlsx(rows, out, title=name)
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{name}-{stamp}.xlsx", content_type=XLSX)


# --- RFM ----------------------------------------------------------------------------------------


def rfm_chart(report: rfm.Report) -> dict[str, Any]:
    return {
        "currency": report.base_currency,
        "labels": [str(r.segment.name) for r in report.rows],
        "keys": [r.segment.key for r in report.rows],
        "colors": [r.segment.color for r in report.rows],
        "customers": [r.customers for r in report.rows],
        "monetary": [str(r.monetary) for r in report.rows],
        "customers_label": _("Customers"),
        "monetary_label": _("Amount"),
    }


def rfm_export(member: Any, report: rfm.Report, segment: str) -> FileResponse:
    b = report.baselines
    rows: list[list[Any]] = [
        [_("RFM segments"), f"{report.window.start} – {report.window.end}", report.base_currency],
        [
            _("Baselines"),
            _("Recency ≤ %(days)s days") % {"days": b.recency_days},
            _("Orders ≥ %(n)s") % {"n": b.frequency},
            _("Amount ≥ %(m)s") % {"m": b.monetary},
        ],
        [],
        [_("Segment"), "R F M", _("Customers"), _("Share (%)"), _("Amount")],
    ]
    for r in report.rows:
        rows.append([str(r.segment.name), r.segment.code, r.customers, r.share, r.monetary])
    rows.append([_("Total"), "", report.customers, None, report.monetary])
    rows += [
        [],
        [
            _("Code"),
            _("Customer"),
            _("Owner"),
            _("Segment"),
            "R F M",
            _("Last order"),
            _("Recency (days)"),
            _("Orders"),
            _("Amount"),
        ],
    ]
    rows += rfm.segment_export_rows(member, report, segment=segment)
    return _xlsx(rows, "rfm")


@member_required(Perm.OPPORTUNITY_VIEW)
def rfm_page(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    segment = request.GET.get("segment", "")
    segment = segment if segment in rfm.SEGMENT_KEYS else ""
    report = rfm.rfm_report(member)
    if request.GET.get("export") == "xlsx":
        return rfm_export(member, report, segment)
    page = rfm.segment_customers(member, report, segment=segment, page=_page(request))
    context = {
        "nav_active": "reports",
        "tab": "rfm",
        "report": report,
        "b": report.baselines,
        "segment": rfm.segment_by_key(segment),
        "page": page,
        "chart": rfm_chart(report),
        "can_manage": member.has(Perm.GOAL_MANAGE),
    }
    return render_page(request, "analytics/customers/rfm.html", context, partial="rfm-customers")


# --- repurchase / churn -------------------------------------------------------------------------


def churn_chart(summary: churn.Summary) -> dict[str, Any]:
    return {
        "labels": [str(r.status.label) for r in summary.rows],
        "keys": [r.status.key for r in summary.rows],
        "colors": [r.status.color for r in summary.rows],
        "customers": [r.customers for r in summary.rows],
        "customers_label": _("Customers"),
    }


def churn_export(member: Any, summary: churn.Summary, status: str) -> FileResponse:
    t = summary.thresholds
    rows: list[list[Any]] = [
        [_("Repurchase and churn warning"), summary.today],
        [
            _("Thresholds"),
            _("Likely to reorder soon: ratio ≥ %(soon)s and < 1") % {"soon": t.soon},
            _("Churn risk: ratio ≥ %(risk)s") % {"risk": t.risk},
        ],
        [],
        [_("Status"), _("Customers")],
    ]
    rows += [[str(r.status.label), r.customers] for r in summary.rows]
    rows += [
        [_("Repeat customers"), summary.repeat_customers],
        [],
        [
            _("Code"),
            _("Customer"),
            _("Owner"),
            _("Status"),
            _("Last order"),
            _("Intervals"),
            _("Average interval (days)"),
            _("Days since last order"),
            _("Ratio"),
        ],
    ]
    rows += churn.churn_export_rows(member, status=status)
    return _xlsx(rows, "repurchase-churn")


@member_required(Perm.OPPORTUNITY_VIEW)
def churn_page(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    status = request.GET.get("status", churn.SOON)
    status = status if status in (*churn.STATUS_KEYS, "all") else churn.SOON
    key = "" if status == "all" else status
    summary = churn.churn_summary(member)
    if request.GET.get("export") == "xlsx":
        return churn_export(member, summary, key)
    page = churn.churn_customers(member, status=key, page=_page(request), today=summary.today)
    context = {
        "nav_active": "reports",
        "tab": "churn",
        "summary": summary,
        "status": status,
        "status_obj": churn.status_by_key(key),
        "page": page,
        "chart": churn_chart(summary),
        "can_manage": member.has(Perm.GOAL_MANAGE),
    }
    return render_page(
        request, "analytics/customers/churn.html", context, partial="churn-customers"
    )


# --- settings -----------------------------------------------------------------------------------


@member_required(Perm.OPPORTUNITY_VIEW)
def customer_settings(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    if not member.has(Perm.GOAL_MANAGE):
        raise PermissionDenied
    row = analytics_settings(member.workspace)
    errors: dict[str, list[Any]] = {}
    values = {name: getattr(row, name) for name in rfm.SETTING_FIELDS}
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in rfm.SETTING_FIELDS}
        try:
            rfm.analytics_settings_set(actor=request.actor, data=data)  # type: ignore[attr-defined]
        except ServiceError as exc:
            errors = exc.fields or {"__all__": [exc.message]}
            values = data
        else:
            messages.success(request, _("Report settings saved."))
            back = request.POST.get("back", "")
            return redirect(
                back if back in ("analytics:rfm", "analytics:churn") else "analytics:rfm"
            )
    context = {
        "nav_active": "reports",
        "tab": "settings",
        "values": {k: "" if v is None else v for k, v in values.items()},
        "errors": errors,
        "currency": member.workspace.base_currency,
        "back": request.GET.get("back", "") or request.POST.get("back", ""),
    }
    return render(
        request,
        "analytics/customers/settings.html",
        context,
        status=422 if errors else 200,
    )
