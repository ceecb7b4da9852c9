"""Pages of the conversion review, the funnels and the activity statistics (reports/…), each
exporting the same figures to XLSX with `?export=xlsx`; plus the list of follow-ups and tasks
behind the activity figures (no other page lists them by period)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.choices import Channel, FollowUpResult
from tradewind.activities.targets import target_refs
from tradewind.core import spreadsheets
from tradewind.core.htmx import render_page
from tradewind.customers.qualification import nodes_of
from tradewind.leads.choices import LeadSource
from tradewind.workspaces.choices import DataScope
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of, teams_of

from . import activity as act
from . import conversion as conv
from . import funnels as fun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _common(request: HttpRequest) -> tuple[Membership, conv.Period, conv.ReportFilter, dict]:
    member = request.member  # type: ignore[attr-defined]
    period = conv.period_from(request.GET, member)
    filters = conv.ReportFilter.from_params(request.GET)
    wide = member.data_scope != DataScope.OWN
    query = {**period.params(), **filters.params()}
    context = {
        "nav_active": "reports",
        "period": period,
        "filters": filters,
        "sources": LeadSource.choices,
        "owners": active_members_of(member) if wide else [],
        "teams": teams_of(member) if wide else [],
        "query": query,
        "period_query": urlencode(query),
        "export_query": urlencode({**request.GET.dict(), "export": "xlsx"}),
    }
    return member, period, filters, context


def _xlsx(rows: Iterable[Iterable[Any]], name: str, title: str) -> HttpResponse:
    out = io.BytesIO()
    spreadsheets.write_xlsx(rows, out, title=title)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


# --- conversion review ----------------------------------------------------------------------------


def _review_line(row: conv.Row) -> list[Any]:
    grades = [row.grades[g]["rate"] for g in ("A", "B", "C")]
    return [
        row.label, row.total, row.valid, row.converted, _pct(row.conversion_rate),
        *[_pct(g) for g in grades], row.cycle_days if row.cycle_days is not None else "",
    ]  # fmt: skip


def review_rows(review: conv.Review) -> Iterable[list[Any]]:
    head = [
        "", _("Leads"), _("Valid leads"), _("Converted customers"), _("Conversion rate"),
        _("Grade A"), _("Grade B"), _("Grade C"), _("Average cycle (days)"),
    ]  # fmt: skip
    yield [_("Lead conversion review"), review.period.label]
    yield head
    yield _review_line(review.summary)
    yield []
    yield [_("By %(cut)s") % {"cut": str(conv.CUTS[review.cut]).lower()}]
    yield head
    for row in review.rows:
        yield _review_line(row)
    yield []
    yield [_("Month over month")]
    yield [*head, _("Change (points)")]
    for row in review.months:
        yield [*_review_line(row), "" if row.change is None else row.change]
    yield []
    yield [_("Invalid reasons"), _("Leads"), _("Share")]
    for reason in review.invalid_reasons:
        yield [reason.label, reason.count, _pct(reason.share)]
    yield []
    yield [_("Loss reasons (opportunities)"), _("Opportunities"), _("Share")]
    for reason in review.lost_reasons:
        yield [reason.label, reason.count, _pct(reason.share)]


def review_chart(review: conv.Review) -> dict[str, Any]:
    return {
        "type": "bar_line",
        "categories": [r.label for r in review.months],
        "series": [
            {"name": _("Leads"), "type": "bar", "values": [r.total for r in review.months]},
            {"name": _("Converted"), "type": "bar", "values": [r.converted for r in review.months]},
            {
                "name": _("Conversion rate (%)"),
                "type": "line",
                "axis": 1,
                "values": [str(r.conversion_rate or 0) for r in review.months],
            },
        ],
    }


@member_required(Perm.LEAD_VIEW)
def conversion_review(request: HttpRequest) -> HttpResponse:
    member, period, filters, context = _common(request)
    review = conv.review(
        member=member, period=period, filters=filters, cut=request.GET.get("cut", "")
    )
    if _wants_xlsx(request):
        return _xlsx(review_rows(review), "conversion-review", _("Conversion review"))
    context |= {
        "review": review,
        "cuts": conv.CUTS,
        "chart": review_chart(review),
        "reasons_chart": {
            "type": "pie",
            "series": [
                {"name": r.label, "value": r.count} for r in review.invalid_reasons if r.count
            ],
        },
    }
    return render_page(request, "analytics/conversion/review.html", context, partial="report")


# --- funnels --------------------------------------------------------------------------------------


def funnel_rows(
    lead: list[fun.Step],
    stages: fun.StageFunnel | None,
    nodes: list[fun.Step] | None,
    cohort: fun.Cohort,
    period: conv.Period,
) -> Iterable[list[Any]]:
    yield [_("Funnels"), period.label]
    yield []
    yield [_("Lead funnel"), _("Leads"), _("From the step before"), _("From the first step")]
    for s in lead:
        yield [s.label, s.count, _pct(s.from_previous), _pct(s.from_first)]
    if stages is not None and stages.pipeline is not None:
        yield []
        yield [
            _("Opportunities by stage") + f" · {stages.pipeline.name}", _("Opportunities"),
            _("From the stage before"), _("From the first stage"), _("Median days in stage"),
        ]  # fmt: skip
        for s in stages.steps:
            median = "" if s.median_days is None else s.median_days
            yield [s.label, s.count, _pct(s.from_previous), _pct(s.from_first), median]
        yield [_("Lost"), stages.lost]
    if nodes is not None:
        yield []
        yield [_("Follow-up node funnel"), _("Customers"), _("From the node before")]
        for s in nodes:
            yield [s.label, s.count, _pct(s.from_previous)]
    yield []
    yield [_("Cohort: lead month × source"), *[label for _k, label in cohort.sources], _("Total")]
    for month in cohort.months:
        cells = [cohort.cells.get((month, k)) for k, _label in cohort.sources]
        total = cohort.month_totals.get(month)
        yield [
            month,
            *[f"{c.converted}/{c.total}" if c else "" for c in cells],
            f"{total.converted}/{total.total}" if total else "",
        ]


def _funnel_chart(steps: list[fun.Step]) -> dict[str, Any]:
    return {"type": "funnel", "series": [{"name": s.label, "value": s.count} for s in steps]}


@member_required(Perm.LEAD_VIEW)
def funnels(request: HttpRequest) -> HttpResponse:
    member, period, filters, context = _common(request)
    rows = fun.lead_rows(member=member, period=period, filters=filters)
    lead = fun.lead_funnel(member=member, period=period, filters=filters, rows=rows)
    stages = (
        fun.stage_funnel(
            member=member,
            period=period,
            filters=filters,
            pipeline_id=request.GET.get("pipeline", ""),
        )
        if member.has(Perm.OPPORTUNITY_VIEW)
        else None
    )
    nodes = (
        fun.node_funnel(member=member, period=period, filters=filters)
        if member.has(Perm.CUSTOMER_VIEW)
        else None
    )
    cohort = fun.cohort(member=member, period=period, filters=filters, rows=rows)
    if _wants_xlsx(request):
        return _xlsx(funnel_rows(lead, stages, nodes, cohort, period), "funnels", _("Funnels"))
    context |= {
        "lead": lead,
        "stages": stages,
        "nodes": nodes,
        "cohort": cohort,
        "cohort_rows": [
            (
                month,
                [cohort.cells.get((month, k)) for k, _label in cohort.sources],
                cohort.month_totals.get(month),
            )
            for month in cohort.months
        ],
        "lead_chart": _funnel_chart(lead),
        "stage_chart": _funnel_chart(stages.steps) if stages else None,
        "node_chart": _funnel_chart(nodes) if nodes else None,
    }
    return render_page(request, "analytics/conversion/funnels.html", context, partial="report")


# --- activity -------------------------------------------------------------------------------------


def activity_rows(data: act.Activity) -> Iterable[list[Any]]:
    head = [_("Follow-ups"), _("Answered"), _("No response"), _("Response rate")]
    yield [_("Activity statistics"), data.period.label]
    yield []
    for title, rows in (
        (_("By channel"), data.by_channel),
        (_("By rep"), data.by_rep),
        (_("By period"), data.by_period),
    ):
        yield [title, *head]
        for r in [*rows, data.followups]:
            yield [r.label, r.total, r.answered, r.no_response, _pct(r.response_rate)]
        yield []
    labels = task_state_labels()
    yield [_("Tasks"), _("Due"), *labels.values()]
    for t in [*data.tasks_by_rep, data.tasks]:
        yield [t.label, t.counts["total"], *[t.counts[k] for k in labels]]
    yield []
    yield [
        _("First-contact SLA (A leads, 24 h)"),
        _("A leads"),
        _("On time"),
        _("Late"),
        _("Open breaches"),
    ]
    for s in [*data.sla_by_rep, data.sla]:
        yield [s.label, s.a_leads, s.on_time, s.late, s.open_breach]


def task_state_labels() -> dict[str, str]:
    return {
        "done": _("Done"),
        "on_time": _("Done on time"),
        "late": _("Done late"),
        "overdue": _("Overdue"),
        "open": _("Not due yet"),
        "cancelled": _("Cancelled"),
    }


@member_required(Perm.LEAD_VIEW)
def activity(request: HttpRequest) -> HttpResponse:
    member, period, filters, context = _common(request)
    data = act.activity(
        member=member, period=period, filters=filters, grain=request.GET.get("grain", "")
    )
    if _wants_xlsx(request):
        return _xlsx(activity_rows(data), "activity", _("Activity statistics"))
    context |= {
        "data": data,
        "grains": {"day": _("Day"), "week": _("Week"), "month": _("Month")},
        "task_states": task_state_labels(),
        "period_chart": {
            "type": "bar_line",
            "categories": [r.label for r in data.by_period],
            "series": [
                {
                    "name": _("Follow-ups"),
                    "type": "bar",
                    "values": [r.total for r in data.by_period],
                },
                {
                    "name": _("Response rate (%)"),
                    "type": "line",
                    "axis": 1,
                    "values": [str(r.response_rate or 0) for r in data.by_period],
                },
            ],
        },
        "channel_chart": {
            "type": "pie",
            "series": [{"name": r.label, "value": r.total} for r in data.by_channel],
        },
    }
    return render_page(request, "analytics/conversion/activity.html", context, partial="report")


@member_required(Perm.LEAD_VIEW)
def activity_records(request: HttpRequest) -> HttpResponse:
    """The follow-ups (or tasks, kind=tasks) behind an activity figure, newest first."""
    member, period, filters, context = _common(request)
    kind = "tasks" if request.GET.get("kind") == "tasks" else "followups"
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    result = request.GET.get("result", "")
    state = request.GET.get("state", "")
    qs: QuerySet[Any]
    if kind == "tasks":
        qs = act.task_records(member, period, filters, state=state)
    else:
        qs = act.followup_records(member, period, filters, channel=channel, result=result)
    records: list[Any] = list(qs[: act.RECORDS_LIMIT + 1])
    more = len(records) > act.RECORDS_LIMIT
    records = records[: act.RECORDS_LIMIT]
    refs = target_refs(member, [(r.target_type, r.target_id) for r in records])
    context |= {
        "kind": kind,
        "records": [(r, refs.get((r.target_type, r.target_id))) for r in records],
        "more": more,
        "limit": act.RECORDS_LIMIT,
        "channel_label": dict(Channel.choices).get(channel, ""),
        "state_label": task_state_labels().get(state, ""),
        "result_label": _("Answered")
        if result == "answered"
        else dict(FollowUpResult.choices).get(result, ""),
    }
    return render_page(request, "analytics/conversion/records.html", context)


@member_required(Perm.CUSTOMER_VIEW)
def node_customers(request: HttpRequest) -> HttpResponse:
    """The customers behind a step of the 三定 node funnel: those whose furthest node reached in
    the period is this node or a later one (the customers list has no such filter)."""
    member, period, filters, context = _common(request)
    nodes = {str(n.pk): n for n in nodes_of(member.workspace)}
    # An unknown node (a foreign id, none given) falls back to the first: everyone who reached any.
    node = nodes.get(request.GET.get("node", "")) or next(iter(nodes.values()), None)
    if node is None:
        raise Http404
    labels = {n.position: n.label for n in nodes.values()}
    qs = (
        fun.node_customers(member, period, filters)
        .filter(far__gte=node.position)
        .select_related("owner")
        .order_by("name", "id")
    )
    records = list(qs[: act.RECORDS_LIMIT + 1])
    context |= {
        "node": node,
        "records": [(c, labels.get(c.far, "")) for c in records[: act.RECORDS_LIMIT]],
        "more": len(records) > act.RECORDS_LIMIT,
        "limit": act.RECORDS_LIMIT,
    }
    return render_page(request, "analytics/conversion/node_customers.html", context)
