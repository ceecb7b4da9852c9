"""Role dashboards (issue #7 item 8): the figures behind "My dashboard" (a rep's day) and the
"Team dashboard" (a manager's view of everything in their data scope).

Every figure is computed from `visible_to(member)` querysets, grouped in the database (one query
per block whatever the number of rows), and carries the URL of the list page that shows the
records behind it. Amounts are in the workspace's base currency: opportunities by `base_amount`
(those without one — no rate was known — are counted as "not converted", never summed), order
receivables at the order's locked rate (`fx_rate`). Sums are exact Decimals, rounded to the base
currency's minor unit only when shown (the same rule as the forecast).

Blocks are plain data (`Block`: rows for the table, series for the chart) so the page, the API and
the XLSX export show the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    Q,
    Sum,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tradewind.activities.models_tasks import Task
from tradewind.activities.task_choices import TaskStatus
from tradewind.activities.task_selectors import day_bounds
from tradewind.analytics.buckets import bucket_index, local_midnights
from tradewind.core.money import quantize
from tradewind.leads import followups
from tradewind.leads.choices import LeadSource, LeadStatus
from tradewind.leads.filters import reached_q
from tradewind.leads.models import Lead
from tradewind.orders import forms_orders as order_filters
from tradewind.orders import receivables
from tradewind.orders.orders import today_for
from tradewind.sales import forecast as sales_forecast
from tradewind.sales.choices import STAGE_LABELS, OpportunityStatus
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import Membership, Team
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import created_range_q, effective_zone

from . import goals
from .conversion import ReportFilter
from .models import GoalMetric, GoalPeriod

ANYONE = ReportFilter()

TASK_LIST = 6
MONTH_CHOICES = (3, 6, 12)
DEFAULT_MONTHS = 6
SLA_OWNERS = 12


@dataclass
class Row:
    """One figure: a label, its value (a count or a base-currency amount), how many records are
    behind it, and the list page that shows them."""

    key: str
    label: str
    value: Decimal | int
    url: str = ""
    count: int | None = None
    weighted: Decimal | None = None  # the forecast's weighted amount beside the pipeline
    detail: Any = None  # goals: the GoalRow (actual, target, stretch)


@dataclass
class Series:
    name: str
    values: list[int | Decimal]
    urls: list[str]


@dataclass
class Block:
    key: str
    title: str
    kind: str  # "cards", "bar", "line", "pie", "funnel", "goal"
    unit: str = ""  # a currency code when the values are amounts
    rows: list[Row] = field(default_factory=list)
    url: str = ""  # "see all"
    note: str = ""
    # Line charts: one value per x label and series.
    x: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        if self.kind == "line":
            return not any(v for s in self.series for v in s.values)
        if self.kind == "goal":
            return not self.rows
        return not any(r.value for r in self.rows)

    def line_rows(self) -> list[tuple[Row, list[tuple[int | Decimal, str]]]]:
        """Line charts as a table: each x label with (value, url) per series."""
        return [
            (row, [(s.values[i], s.urls[i]) for s in self.series])
            for i, row in enumerate(self.rows)
        ]

    def chart(self) -> dict[str, Any]:
        """What dashboards.js draws (numbers as strings keep Decimal exact in JSON)."""
        return {
            "key": self.key,
            "kind": self.kind,
            "unit": self.unit,
            "labels": [r.label for r in self.rows],
            "values": [str(r.value) for r in self.rows],
            "urls": [r.url for r in self.rows],
            "x": self.x,
            "series": [
                {"name": s.name, "values": [str(v) for v in s.values], "urls": s.urls}
                for s in self.series
            ],
        }


@dataclass
class Dashboard:
    kind: str  # "rep" or "team"
    base_currency: str
    today: dt.date
    blocks: list[Block]
    months: int = DEFAULT_MONTHS
    start: dt.date | None = None
    tasks: list[Task] = field(default_factory=list)
    filters: ReportFilter = field(default_factory=ReportFilter)

    def block(self, key: str) -> Block | None:
        return next((b for b in self.blocks if b.key == key), None)


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


# --- my day -------------------------------------------------------------------------------------


def my_day_block(member: Membership, now: dt.datetime) -> tuple[Block, list[Task]]:
    """Open tasks assigned to me: overdue and due today (one aggregate + one short list), and my
    leads' follow-ups overdue and due today (one aggregate)."""
    _today, _start, tomorrow = day_bounds(member, now)
    mine = Task.objects.visible_to(member).filter(
        assignee_id=member.user_id, status=TaskStatus.OPEN
    )
    overdue_q = Q(due_end__lt=now)
    today_q = Q(due_end__gte=now, due_start__lt=tomorrow)
    counts = mine.order_by().aggregate(
        overdue=Count("id", filter=overdue_q), today=Count("id", filter=today_q)
    )
    tasks = list(mine.filter(due_start__lt=tomorrow).order_by("due_end", "id")[:TASK_LIST])
    my_day_url = reverse("tasks:my_day")
    rows = [
        Row("tasks_overdue", _("Tasks overdue"), counts["overdue"], my_day_url),
        Row("tasks_today", _("Tasks due today"), counts["today"], my_day_url),
    ]
    if member.has(Perm.LEAD_VIEW):
        due = followups.due_counts(member, now)
        url = reverse("leads:my_followups")
        rows += [
            Row(
                "followups_overdue",
                _("Follow-ups overdue"),
                due[followups.Due.OVERDUE],
                f"{url}?tab=overdue",
            ),
            Row("followups_today", _("Follow-ups due today"), due[followups.Due.TODAY], url),
        ]
    block = Block("my_day", _("My day"), "cards", rows=rows, url=my_day_url)
    return block, tasks


# --- pipeline by stage --------------------------------------------------------------------------


def pipeline_block(member: Membership, *, mine: bool) -> Block:
    """Open opportunities by stage (bar): Σ base amount and how many, one grouped query."""
    currency = member.workspace.base_currency
    qs = Opportunity.objects.visible_to(member).filter(status=OpportunityStatus.OPEN)
    if mine:
        qs = qs.filter(owner_id=member.user_id)
    grouped = (
        qs.order_by()
        .values(
            "stage_id",
            "stage__name",
            "stage__key",
            "stage__position",
            "pipeline_id",
            "pipeline__name",
            "pipeline__position",
        )
        .annotate(
            n=Count("id"),
            base=Sum("base_amount"),
            unconverted=Count("id", filter=Q(base_amount__isnull=True, amount__isnull=False)),
        )
        .order_by("pipeline__position", "pipeline_id", "stage__position", "stage_id")
    )
    rows_data = list(grouped)
    several = len({r["pipeline_id"] for r in rows_data}) > 1
    owner = "me" if mine else ""
    rows = []
    unconverted = 0
    for r in rows_data:
        label = r["stage__name"] or str(STAGE_LABELS.get(r["stage__key"], r["stage__key"]))
        if several:
            label = f"{r['pipeline__name']} · {label}"
        unconverted += r["unconverted"]
        rows.append(
            Row(
                str(r["stage_id"]),
                label,
                quantize(r["base"] or Decimal(0), currency),
                _url(
                    "sales:list",
                    owner=owner,
                    status=OpportunityStatus.OPEN,
                    pipeline=r["pipeline_id"],
                    stage=r["stage_id"],
                ),
                count=r["n"],
            )
        )
    note = ""
    if unconverted:
        note = _(
            "%(count)s open opportunities have no exchange rate to the base currency: counted, "
            "not summed."
        ) % {"count": unconverted}
    title = _("My pipeline by stage") if mine else _("Pipeline by stage")
    return Block(
        "pipeline",
        title,
        "bar",
        unit=currency,
        rows=rows,
        url=_url("sales:list", owner=owner, status=OpportunityStatus.OPEN),
        note=note,
        extra={"count": sum(r.count or 0 for r in rows)},
    )


# --- overdue receivables ------------------------------------------------------------------------

AGING = tuple(key for key, _first, _last in order_filters.AGING)


def aging_labels() -> dict[str, str]:
    return order_filters.aging_labels()


def receivables_block(member: Membership, *, mine: bool, filters: ReportFilter = ANYONE) -> Block:
    """Overdue payment-plan items of the orders I may see (of my customers on my dashboard; of a
    rep's or a team's customers with the filters), by days overdue (pie). The orders are chosen
    by the order list's own filter and the items summed by `receivables.aging_totals` — each
    item rounded as the overdue list shows it — so a slice's link (the overdue list with the same
    filter and its bucket) lists exactly the items, orders and amount the slice counts. One
    query reading the overdue items (plus the team lookup with a team filter)."""
    currency = member.workspace.base_currency
    owner = "me" if mine else _owner_param(member, filters)
    narrow = order_filters.OrderFilter(owner=owner, team="" if mine else filters.team)
    cells = receivables.aging_totals(member, narrow)
    labels = aging_labels()
    rows = []
    for key in AGING:
        cell = cells.get(key)
        if cell is None:
            continue
        params = {**narrow.params(), "overdue": key}
        rows.append(
            Row(
                key.replace("-", "_").replace("+", "_plus"),  # the API's keys: 1_30 … 90_plus
                labels[key],
                quantize(cell.base, currency),
                _url("orders:overdue", **params),
                count=cell.orders,
                detail={"orders_url": _url("orders:list", **params), "items": cell.items},
            )
        )
    title = _("Overdue receivables of my customers") if mine else _("Overdue receivables")
    total = quantize(sum((Decimal(r.value) for r in rows), Decimal(0)), currency)
    return Block(
        "receivables",
        title,
        "pie",
        unit=currency,
        rows=rows,
        url=_url("orders:list", **narrow.params(), overdue="1"),
        extra={
            "total": total,
            "overdue_page": _url("orders:overdue", **narrow.params()),
        },
    )


# --- the team's leads: funnel, SLA, new leads by source -----------------------------------------

FUNNEL_STEPS = ("created", "contacted", "qualified", "converted", "won")


def funnel_block(
    member: Membership, start: dt.date, end: dt.date, filters: ReportFilter = ANYONE
) -> Block:
    """Leads created in [start, end] (workspace days) by the furthest step they reached — created,
    contacted, qualified, converted, won (converted into a customer that signed) — with the same
    definitions as the conversion review (leads.filters.reached_q). One aggregate."""
    leads = Lead.objects.visible_to(member).filter(
        created_range_q(member, start, end), filters.lead_q(member)
    )
    steps: dict[str, Q] = {
        "created": Q(),
        "contacted": reached_q("contacted"),
        "qualified": reached_q("qualified"),
        "converted": Q(status=LeadStatus.CONVERTED),
        "won": reached_q("won"),
    }
    counts = leads.order_by().aggregate(
        **{key: Count("id", filter=q) if q else Count("id") for key, q in steps.items()}
    )
    labels = {
        "created": _("New leads"),
        "contacted": _("Contacted"),
        "qualified": _("Qualified"),
        "converted": _("Converted"),
        "won": _("Won"),
    }
    params: dict[str, dict[str, str]] = {
        "created": {},
        "contacted": {"reached": "contacted"},
        "qualified": {"reached": "qualified"},
        "converted": {"status": LeadStatus.CONVERTED.value},
        "won": {"reached": "won"},
    }
    rng = {
        "created_from": start.isoformat(),
        "created_to": end.isoformat(),
        **filters.lead_params(member),
    }
    rows = [
        Row(key, labels[key], counts[key], _url("leads:list", **params[key], **rng))
        for key in FUNNEL_STEPS
    ]
    return Block(
        "funnel",
        _("Lead funnel"),
        "funnel",
        rows=rows,
        url=_url("leads:list", **rng),
        note=_("Leads created in the period, by the furthest step they reached."),
    )


def _owner_param(member: Membership, filters: ReportFilter) -> str:
    return str(member.user_id) if filters.owner == "me" else filters.owner


def sla_block(member: Membership, now: dt.datetime, filters: ReportFilter = ANYONE) -> Block:
    """Open A leads nobody contacted within 24 hours, by owner (bar). One grouped query plus the
    owners' names."""
    grouped = (
        followups.sla_breached_leads(member, now)
        .filter(filters.owner_q(member))
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n", "owner_id")
    )
    data = list(grouped)
    names = {
        m.user_id: str(m.user)
        for m in Membership.objects.filter(
            workspace_id=member.workspace_id,
            user_id__in=[r["owner_id"] for r in data if r["owner_id"]],
        ).select_related("user")
    }
    rows = []
    for r in data[:SLA_OWNERS]:
        owner = r["owner_id"]
        rows.append(
            Row(
                str(owner or "none"),
                names.get(owner, "") if owner else _("No owner"),
                r["n"],
                _url("leads:list", sla="1", owner=owner or "none", team=filters.team),
            )
        )
    total = sum(r["n"] for r in data)
    return Block(
        "sla",
        _("First-contact SLA breaches"),
        "bar",
        rows=rows,
        url=_url("leads:list", sla="1", **filters.lead_params(member)),
        note=_("A leads not contacted within 24 hours of their creation, by owner."),
        extra={"total": total},
    )


def leads_by_source_block(
    member: Membership,
    start: dt.date,
    end: dt.date,
    months: list[dt.date],
    filters: ReportFilter = ANYONE,
) -> Block:
    """New leads per month (in the member's zone, as the leads list reads its dates) and source
    (line). One grouped query."""
    tz = effective_zone(member.workspace, member.user)
    narrow = filters.lead_params(member)
    grouped = (
        Lead.objects.visible_to(member)
        .filter(created_range_q(member, start, end), filters.lead_q(member))
        .order_by()
        .annotate(month=bucket_index("created_at", local_midnights(months, tz)))
        .values("month", "source")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, str], int] = {}
    for r in grouped:
        counts[(months[r["month"]].strftime("%Y-%m"), r["source"])] = r["n"]
    keys = [m.strftime("%Y-%m") for m in months]
    sources = [s for s in LeadSource if any(counts.get((k, s.value)) for k in keys)]
    series = []
    for source in sources:
        values: list[int | Decimal] = []
        urls = []
        for month in months:
            m_end = min(_add_months(month, 1) - dt.timedelta(days=1), end)
            m_start = max(month, start)
            values.append(counts.get((month.strftime("%Y-%m"), source.value), 0))
            urls.append(
                _url(
                    "leads:list",
                    **narrow,
                    source=source.value,
                    created_from=m_start.isoformat(),
                    created_to=m_end.isoformat(),
                )
            )
        series.append(Series(str(source.label), values, urls))
    totals = [sum(int(s.values[i]) for s in series) for i in range(len(months))]
    rows = [
        Row(
            key,
            date_format(month, "YEAR_MONTH_FORMAT"),
            totals[i],
            _url(
                "leads:list",
                **narrow,
                created_from=max(month, start).isoformat(),
                created_to=min(_add_months(month, 1) - dt.timedelta(days=1), end).isoformat(),
            ),
        )
        for i, (key, month) in enumerate(zip(keys, months, strict=True))
    ]
    return Block(
        "leads_by_source",
        _("New leads by source"),
        "line",
        rows=rows,
        url=_url(
            "leads:list", **narrow, created_from=start.isoformat(), created_to=end.isoformat()
        ),
        x=[r.label for r in rows],
        series=series,
    )


def forecast_block(member: Membership, filters: ReportFilter = ANYONE) -> Block:
    """The forecast's totals by expected close period (bar): pipeline and weighted, base currency
    (sales/forecast.py: one grouped query)."""
    narrow = {"owner": _owner_param(member, filters), "team": filters.team}
    forecast = sales_forecast.forecast_build(member=member, params=narrow)
    currency = forecast.base_currency
    rows = []
    weighted: list[int | Decimal] = []
    for period in forecast.periods:
        cell = forecast.totals.get(period.key, sales_forecast.Cell()).rounded(currency)
        # Every period (overdue, each month, later, no date) lists exactly its records.
        url = _url("sales:list", **sales_forecast.period_params(period), **narrow)
        rows.append(
            Row(
                period.key,
                period.label,
                cell["pipeline"],
                url,
                count=cell["count"],
                weighted=cell["weighted"],
            )
        )
        weighted.append(cell["weighted"])
    labels = sales_forecast.measure_labels()
    total = forecast.total.rounded(currency)
    block = Block(
        "forecast",
        _("Forecast by close month"),
        "bar",
        unit=currency,
        rows=rows,
        url=_url("forecast:index", **narrow),
        x=[r.label for r in rows],
        series=[
            Series(labels["pipeline"], [r.value for r in rows], [r.url for r in rows]),
            Series(labels["weighted"], weighted, [r.url for r in rows]),
        ],
        extra={"total": total},
    )
    if total["unconverted"]:
        block.note = _(
            "%(count)s open opportunities have no exchange rate to the base currency: counted, "
            "not summed."
        ) % {"count": total["unconverted"]}
    return block


# --- goals (analytics/goals.py) -----------------------------------------------------------------


def _goal_levels(
    member: Membership, filters: ReportFilter
) -> tuple[set[int] | None, set[int] | None]:
    """The team ids and rep ids the owner / team filters keep (None: no narrowing)."""
    if filters.owner:
        return set(), {member.user_id if filters.owner == "me" else int(filters.owner)}
    if filters.team:
        team = Team.objects.filter(workspace_id=member.workspace_id, pk=filters.team).first()
        if team is None:
            return set(), set()
        teams = set(
            Team.objects.filter(
                workspace_id=member.workspace_id, path__startswith=team.path
            ).values_list("pk", flat=True)
        )
        reps = set(
            Membership.objects.filter(
                workspace_id=member.workspace_id, team_id__in=teams
            ).values_list("user_id", flat=True)
        )
        return teams, reps
    return None, None


def goal_block(
    member: Membership, *, mine: bool, today: dt.date, filters: ReportFilter = ANYONE
) -> Block:
    """Goal completion of the current month (else quarter, else year) from analytics.goals:
    my own goals on my dashboard; the workspace and team goals in my scope on the team's (every
    visible goal when there are none) — narrowed to a team's subtree or one rep by the filters.
    Each links to the records its actual is computed from."""
    rows: list[goals.GoalRow] = []
    teams, reps = (None, None) if mine else _goal_levels(member, filters)
    period = GoalPeriod.MONTH
    start = today
    for period in (GoalPeriod.MONTH, GoalPeriod.QUARTER, GoalPeriod.YEAR):
        start = goals.period_start_for(period, today)
        found = goals.completion(member, period=period, start=start)
        if mine:
            found = [r for r in found if r.rep_id == member.user_id]
        elif teams is not None and reps is not None:
            found = [
                r for r in found if (r.rep_id is None and r.team_id in teams) or (r.rep_id in reps)
            ]
        if not mine and any(r.rep_id is None for r in found):
            found = [r for r in found if r.rep_id is None]
        if found:
            rows = found
            break
    metric_labels = dict(GoalMetric.choices)
    out = []
    for r in rows:
        url = _url(
            "analytics:goal_records",
            metric=r.metric,
            period=period,
            start=start.isoformat(),
            team=r.team_id,
            rep=r.rep_id,
        )
        out.append(
            Row(
                str(r.goal.pk if r.goal else r.label),
                f"{r.label} · {metric_labels.get(r.metric, r.metric)}",
                r.completion or Decimal(0),
                url,
                detail=r,
            )
        )
    title = _("My goal") if mine else _("Team goal")
    return Block(
        "goal",
        title,
        "goal",
        unit="%",
        rows=out,
        url=_url("analytics:goals", period=period, start=start.isoformat()),
        extra={"period": goals.period_label(period, start)},
    )


# --- the two dashboards -------------------------------------------------------------------------


def rep_dashboard(member: Membership, *, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = today_for(member.workspace)
    blocks: list[Block] = []
    day, tasks = my_day_block(member, now)
    blocks.append(day)
    if member.has(Perm.OPPORTUNITY_VIEW):
        blocks.append(pipeline_block(member, mine=True))
    blocks.append(goal_block(member, mine=True, today=today))
    if member.has(Perm.OPPORTUNITY_VIEW):
        blocks.append(receivables_block(member, mine=True))
    return Dashboard("rep", member.workspace.base_currency, today, blocks, tasks=tasks)


def parse_months(value: Any) -> int:
    try:
        months = int(str(value))
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return months if months in MONTH_CHOICES else DEFAULT_MONTHS


def team_dashboard(
    member: Membership,
    *,
    months: int = DEFAULT_MONTHS,
    now: dt.datetime | None = None,
    filters: ReportFilter = ANYONE,
) -> Dashboard:
    """Everything in the member's scope, optionally narrowed to one owner or one team (and its
    sub-teams): records by their owner, receivables by their customer's owner, goals of the
    levels inside the team (or the rep's own)."""
    now = now or timezone.now()
    today = today_for(member.workspace)
    first = today.replace(day=1)
    month_starts = [_add_months(first, i) for i in range(-months + 1, 1)]
    start = month_starts[0]
    blocks: list[Block] = []
    blocks.append(goal_block(member, mine=False, today=today, filters=filters))
    if member.has(Perm.LEAD_VIEW):
        blocks.append(funnel_block(member, start, today, filters))
    if member.has(Perm.OPPORTUNITY_VIEW):
        blocks.append(forecast_block(member, filters))
    if member.has(Perm.LEAD_VIEW):
        blocks.append(sla_block(member, now, filters))
        blocks.append(leads_by_source_block(member, start, today, month_starts, filters))
    if member.has(Perm.OPPORTUNITY_VIEW):
        blocks.append(receivables_block(member, mine=False, filters=filters))
    return Dashboard(
        "team",
        member.workspace.base_currency,
        today,
        blocks,
        months=months,
        start=start,
        filters=filters,
    )


def team_filters(params: Any) -> ReportFilter:
    """The team dashboard's narrowing: an owner (a user id or "me") and a team."""
    parsed = ReportFilter.from_params(params)
    return ReportFilter(owner=parsed.owner, team=parsed.team)


def export_rows(dashboard: Dashboard) -> list[list[Any]]:
    """The dashboard as one sheet: a heading row per block, then its figures."""
    rows: list[list[Any]] = []
    for block in dashboard.blocks:
        rows.append([block.title, block.unit])
        if block.kind == "line":
            rows.append(["", *[s.name for s in block.series], _("Total")])
            for i, row in enumerate(block.rows):
                rows.append([row.label, *[s.values[i] for s in block.series], row.value])
        elif block.series and block.kind == "bar":
            rows.append(["", *[s.name for s in block.series], _("Count")])
            for i, row in enumerate(block.rows):
                rows.append([row.label, *[s.values[i] for s in block.series], row.count])
        else:
            for row in block.rows:
                rows.append([row.label, row.value] + ([row.count] if row.count is not None else []))
        rows.append([])
    return rows
