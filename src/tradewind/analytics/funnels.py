"""Funnels (issue 7, item 2): the lead funnel, the opportunity stage funnel with stage-to-stage
conversion and the median time in each stage (from sales.StageChange), the 三定 follow-up node
funnel (customers' qualification nodes) and the cohort of lead month × source.

Every funnel is monotone: a record counts at every step up to the furthest one it reached.
Counting happens in the database (GROUP BY the furthest step, then a running sum here); the median
is read at its offset along an index, so only the one or two middle rows of each stage are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tradewind.analytics.buckets import bucket_index, local_midnights
from tradewind.customers.models import Customer
from tradewind.customers.models_qualification import CustomerNode
from tradewind.customers.qualification import nodes_of
from tradewind.leads.choices import LeadSource, LeadStatus
from tradewind.leads.filters import reached_q
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models import Opportunity, Pipeline, StageChange
from tradewind.workspaces.models import Membership
from tradewind.workspaces.querysets import sees_whole_workspace
from tradewind.workspaces.timezones import effective_zone

from .conversion import Period, ReportFilter, industry_q, leads_of, list_url, rate

DAY = Decimal(86400)


@dataclass
class Step:
    key: str
    label: str
    count: int = 0
    link: str = ""
    from_previous: Decimal | None = None  # % of the step before
    from_first: Decimal | None = None  # % of the first step
    median_days: Decimal | None = None  # stage funnel: median days spent in the stage
    median_count: int = 0  # how many stage exits the median is taken over


def _rates(steps: list[Step]) -> list[Step]:
    for i, step in enumerate(steps):
        if i:
            step.from_previous = rate(step.count, steps[i - 1].count)
            step.from_first = rate(step.count, steps[0].count)
    return steps


# --- leads ---------------------------------------------------------------------------------------

LEAD_STEPS = (
    ("new", None),
    ("contacted", "contacted"),
    ("qualified", "qualified"),
    ("converted", None),
    ("won", "won"),
)


def lead_steps_labels() -> dict[str, str]:
    return {
        "new": _("New"),
        "contacted": _("Contacting"),
        "qualified": _("Qualified"),
        "converted": _("Converted"),
        "won": _("Won"),
    }


def lead_rows(*, member: Membership, period: Period, filters: ReportFilter) -> list[dict[str, Any]]:
    """Leads created in the period by local month (`m`, an index into period.months()) and source,
    with every count of the lead funnel: the one pass over the period's leads that the funnel and
    the cohort share (a year holds a third of a million leads at the benchmark's scale)."""
    tz = effective_zone(member.workspace, member.user)
    return list(
        leads_of(member, period, filters)
        .annotate(m=bucket_index("created_at", local_midnights(period.months(), tz)))
        .values("m", "source")
        .annotate(
            new=Count("id"),
            contacted=Count("id", filter=reached_q("contacted")),
            qualified=Count("id", filter=reached_q("qualified")),
            converted=Count("id", filter=Q(status=LeadStatus.CONVERTED)),
            won=Count("id", filter=reached_q("won")),
        )
        .order_by()
    )


def lead_funnel(
    *,
    member: Membership,
    period: Period,
    filters: ReportFilter,
    rows: list[dict[str, Any]] | None = None,
) -> list[Step]:
    """Leads created in the period: all (new), contacted, qualified, converted into a customer,
    won (that customer signed). One query (`lead_rows`), or none given the cohort's."""
    if rows is None:
        rows = lead_rows(member=member, period=period, filters=filters)
    values = {key: sum(r[key] for r in rows) for key, _reached in LEAD_STEPS}
    base = {
        "created_from": period.start.isoformat(),
        "created_to": period.end.isoformat(),
        **filters.lead_params(member),
    }
    extra: dict[str, dict[str, str]] = {
        "new": {},
        "contacted": {"reached": "contacted"},
        "qualified": {"reached": "qualified"},
        "converted": {"status": LeadStatus.CONVERTED},
        "won": {"reached": "won"},
    }
    labels = lead_steps_labels()
    return _rates(
        [
            Step(key, labels[key], values[key] or 0, list_url("leads:list", **base, **extra[key]))
            for key, _reached in LEAD_STEPS
        ]
    )


# --- opportunities by stage ----------------------------------------------------------------------


@dataclass
class StageFunnel:
    pipeline: Pipeline | None
    pipelines: list[Pipeline]
    steps: list[Step] = field(default_factory=list)
    total: int = 0
    won: int = 0
    lost: int = 0
    invalid: int = 0
    open: int = 0


def pipeline_for(member: Membership, pipeline_id: str) -> tuple[Pipeline | None, list[Pipeline]]:
    pipelines = list(Pipeline.objects.visible_to(member).order_by("position", "id"))
    chosen = next((p for p in pipelines if str(p.pk) == str(pipeline_id)), None)
    if chosen is None:
        chosen = next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)
    return chosen, pipelines


def stage_funnel(
    *, member: Membership, period: Period, filters: ReportFilter, pipeline_id: str = ""
) -> StageFunnel:
    """Opportunities of one pipeline created in the period, counted at every open or won stage up
    to the furthest one they entered (from the stage history), with each stage's median time in
    stage over the stage exits that happened in the period."""
    pipeline, pipelines = pipeline_for(member, pipeline_id)
    out = StageFunnel(pipeline, pipelines)
    if pipeline is None:
        return out
    stages = [s for s in pipeline.stages.all().order_by("position", "id") if not s.is_lost]
    current = Case(
        When(stage__is_lost=False, then=F("stage__position")),
        default=Value(-1),
        output_field=IntegerField(),
    )
    opps = Opportunity.objects.visible_to(member).filter(
        period.q(member), filters.customer_q(member), pipeline=pipeline
    )
    by_position: dict[int, int] = {}
    statuses: dict[str, int] = {}
    for far, status, n in _furthest_counts(opps, current):
        by_position[far] = by_position.get(far, 0) + n
        statuses[status] = statuses.get(status, 0) + n
    out.total = sum(statuses.values())
    out.won = statuses.get(OpportunityStatus.WON, 0)
    out.lost = statuses.get(OpportunityStatus.LOST, 0)
    out.invalid = statuses.get(OpportunityStatus.INVALID, 0)
    out.open = statuses.get(OpportunityStatus.OPEN, 0)

    medians = median_days_in_stage(
        member=member, period=period, stage_ids=[stage.pk for stage in stages]
    )
    base = {
        "pipeline": pipeline.pk,
        "created_from": period.start.isoformat(),
        "created_to": period.end.isoformat(),
        **filters.opportunity_params(member),
    }
    steps = []
    for stage in stages:
        count = sum(
            n for pos, n in by_position.items() if pos is not None and pos >= stage.position
        )
        median, exits = medians.get(stage.pk, (None, 0))
        steps.append(
            Step(
                str(stage.pk),
                stage.label,
                count,
                list_url("sales:list", **base, reached=stage.pk),
                median_days=median,
                median_count=exits,
            )
        )
    out.steps = _rates(steps)
    return out


def _count_around(qs: QuerySet, *columns: str) -> list[tuple[Any, ...]]:
    """(*columns, rows) of an already grouped query, counted again by some of its columns: the
    aggregate of an aggregate, which the ORM cannot say."""
    sql, params = qs.query.sql_with_params()
    names = ", ".join(f"t.{connection.ops.quote_name(c)}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names}, COUNT(*) FROM ({sql}) t GROUP BY {names}",  # noqa: S608 - the ORM's SQL, values bound
            params,
        )
        return cursor.fetchall()


def _furthest_counts(opps: QuerySet[Opportunity], current: Case) -> list[tuple[int, str, int]]:
    """(furthest open-or-won stage position entered, status, opportunities) for these
    opportunities; `current` stands in for those without a stage history."""
    if connection.vendor == "postgresql":
        # PostgreSQL runs a correlated subquery as a plan per opportunity (0.64 s for a year of
        # 72,000 at the benchmark's scale); one join grouped by opportunity, counted around it,
        # takes 0.2-0.3 s. SQLite is the other way round (0.15 s against 0.19 s).
        reached = Max(
            "stage_changes__to_stage__position", filter=Q(stage_changes__to_stage__is_lost=False)
        )
        return _count_around(
            opps.annotate(far=Coalesce(reached, current)).values_list("far", "status"),
            "far",
            "status",
        )
    furthest = (
        StageChange.objects.filter(opportunity_id=OuterRef("pk"), to_stage__is_lost=False)
        .order_by()
        .values("opportunity_id")
        .annotate(m=Max("to_stage__position"))
        .values("m")
    )
    return list(
        opps.annotate(far=Coalesce(Subquery(furthest[:1]), current))
        .values_list("far", "status")
        .annotate(n=Count("id"))
        .order_by()
    )


def _along_median_index(qs: QuerySet) -> tuple[str, list[Any]]:
    """The SQL of a query on the stage history, told on SQLite to read stage_change_median_idx.
    Once ANALYZE has run, SQLite's planner prefers stage_change_ws_idx for the period's range, then
    reads every exit of the period from the table and sorts it: at the benchmark's scale 0.4 s for
    the counts and 0.4 s a stage for the middle rows, against 0.18 s and 0.02 s along this index,
    which holds every column the two queries need. PostgreSQL chooses the index by itself."""
    sql, params = qs.query.sql_with_params()
    if connection.vendor == "sqlite":
        quote = connection.ops.quote_name
        table = quote(StageChange._meta.db_table)
        sql = sql.replace(
            f"FROM {table}", f"FROM {table} INDEXED BY {quote('stage_change_median_idx')}", 1
        )
    return sql, list(params)


def median_days_in_stage(
    *, member: Membership, period: Period, stage_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Median days spent in each of these stages over the stage exits (moves, closings) that
    happened in the period, among visible opportunities: {stage id: (days, exits)}.

    One count per stage, then the middle one or two values of each stage read at their offset
    along `stage_change_median_idx` (workspace, from stage, seconds, changed at), which holds
    every column the queries need. At the benchmark's scale (196,000 exits in a year) that is
    ~0.2 s on SQLite, against ~0.45 s for window functions that sort every exit."""
    exits = StageChange.objects.filter(
        period.q(member, "changed_at"),
        workspace_id=member.workspace_id,
        from_stage_id__in=stage_ids,
        seconds_in_from_stage__isnull=False,
    )
    if not sees_whole_workspace(member, Opportunity):
        exits = exits.filter(opportunity_id__in=Opportunity.objects.visible_to(member).values("pk"))
    sql, count_params = _along_median_index(
        exits.values_list("from_stage_id").annotate(n=Count("*")).order_by()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, count_params)
        counts = dict(cursor.fetchall())
    # The middle one (odd count) or two (even) exits of every stage, in one UNION ALL.
    parts, params = [], []
    for i, (stage_id, n) in enumerate(counts.items()):
        middle = (n - 1) // 2
        sql, part_params = _along_median_index(
            exits.filter(from_stage_id=stage_id)
            .order_by("seconds_in_from_stage")
            .values_list("from_stage_id", "seconds_in_from_stage")[middle : middle + 2 - n % 2]
        )
        parts.append(f"SELECT * FROM ({sql}) m{i}")  # noqa: S608 - the ORM's SQL, values bound
        params.extend(part_params)
    middles: dict[int, list[int]] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for stage_id, seconds in cursor.fetchall():
                middles.setdefault(stage_id, []).append(int(seconds))
    return {
        stage_id: (
            (Decimal(sum(values)) / len(values) / DAY).quantize(Decimal("0.1"), ROUND_HALF_UP),
            counts[stage_id],
        )
        for stage_id, values in middles.items()
    }


# --- the 三定 follow-up node funnel -------------------------------------------------------------


def _node_scope(member: Membership, filters: ReportFilter) -> QuerySet[Customer]:
    """The visible customers the report filters keep."""
    customers = Customer.objects.visible_to(member).filter(
        filters.owner_q(member), industry_q(filters.industry)
    )
    for name in ("source", "country"):
        if getattr(filters, name):
            customers = customers.filter(**{name: getattr(filters, name)})
    return customers


def _reached_in(period: Period, **where: Any) -> QuerySet[CustomerNode]:
    return CustomerNode.objects.filter(
        node__active=True, reached_on__gte=period.start, reached_on__lte=period.end, **where
    )


def node_customers(member: Membership, period: Period, filters: ReportFilter) -> QuerySet[Customer]:
    """Visible customers (narrowed by the report filters) that reached an active follow-up node in
    the period, each annotated with `far`: the position of the furthest such node."""
    furthest = (
        _reached_in(period, customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(m=Max("node__position"))
        .values("m")
    )
    return (
        _node_scope(member, filters).annotate(far=Subquery(furthest[:1])).filter(far__isnull=False)
    )


def node_funnel(*, member: Membership, period: Period, filters: ReportFilter) -> list[Step]:
    """Visible customers by the furthest active follow-up node they reached in the period
    (reached_on within it), counted at every node up to that one. One query (plus the node list).
    Each step links to analytics:node_customers, which lists exactly the customers it counts (the
    customers list cannot: it has no "reached in a period, or a later node" filter).

    The count starts from the nodes reached in the period, not from every customer: at the
    benchmark's scale a subquery per customer cost 0.35 s on PostgreSQL with no node reached."""
    nodes = nodes_of(member.workspace)
    if not nodes:
        return []
    reached = _reached_in(period, workspace_id=member.workspace_id)
    if filters.active or not sees_whole_workspace(member, Customer):
        reached = reached.filter(customer__in=_node_scope(member, filters))
    grouped = dict(
        _count_around(
            reached.order_by()
            .values("customer_id")
            .annotate(far=Max("node__position"))
            .values_list("far"),
            "far",
        )
    )
    query = {**period.params(), **filters.params()}
    return _rates(
        [
            Step(
                node.key,
                node.label,
                sum(n for pos, n in grouped.items() if pos >= node.position),
                list_url("analytics:node_customers", **query, node=node.pk),
            )
            for node in nodes
        ]
    )


# --- cohort: lead month × source ------------------------------------------------------------------


@dataclass
class CohortCell:
    total: int = 0
    converted: int = 0
    won: int = 0
    link: str = ""  # the leads created (total); the two below: converted, won
    converted_link: str = ""
    won_link: str = ""

    @property
    def rate(self) -> Decimal | None:
        return rate(self.converted, self.total)


@dataclass
class Cohort:
    months: list[str]
    sources: list[tuple[str, str]]
    cells: dict[tuple[str, str], CohortCell]
    month_totals: dict[str, CohortCell]
    source_totals: dict[str, CohortCell]


def cohort(
    *,
    member: Membership,
    period: Period,
    filters: ReportFilter,
    rows: list[dict[str, Any]] | None = None,
) -> Cohort:
    """Leads by creation month (rows) and source (columns): created, converted and won by now.
    One query, or none given the lead funnel's `lead_rows`."""
    starts = period.months()
    if rows is None:
        rows = lead_rows(member=member, period=period, filters=filters)
    months = [m.strftime("%Y-%m") for m in period.months()]
    labels = dict(LeadSource.choices)
    used = {r["source"] for r in rows}
    sources = [(k, str(labels[k])) for k in LeadSource.values if k in used]
    sources += [(k, k) for k in sorted(used - set(LeadSource.values))]
    cells: dict[tuple[str, str], CohortCell] = {}
    month_totals = {m: CohortCell() for m in months}
    source_totals = {k: CohortCell() for k, _label in sources}
    lead_params = filters.lead_params(member)

    def linked(cell: CohortCell, month: str, **params: str) -> CohortCell:
        first = dt.date.fromisoformat(month + "-01")
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
        params = {
            **lead_params,
            **params,
            "created_from": max(first, period.start).isoformat(),
            "created_to": min(last, period.end).isoformat(),
        }
        cell.link = list_url("leads:list", **params)
        cell.converted_link = list_url("leads:list", **params, status=LeadStatus.CONVERTED)
        cell.won_link = list_url("leads:list", **params, reached="won")
        return cell

    for month, total in month_totals.items():
        linked(total, month)
    for r in rows:
        month = starts[r["m"]].strftime("%Y-%m")
        cell = linked(CohortCell(r["new"], r["converted"], r["won"]), month, source=r["source"])
        cells[(month, r["source"])] = cell
        for total in (month_totals.setdefault(month, CohortCell()), source_totals[r["source"]]):
            total.total += cell.total
            total.converted += cell.converted
            total.won += cell.won
    return Cohort(months, sources, cells, month_totals, source_totals)
