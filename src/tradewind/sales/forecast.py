"""The forecast (预测): open opportunities by expected close period, by owner and by team, in the
workspace's base currency.

Periods: overdue (expected close before today), this month (today to its end) and the next five
months, later, and no date. Measures per cell, over opportunities whose forecast category is not
"omitted" (those are only counted):
- pipeline: Σ base_amount of every open opportunity (categories pipeline, best case, commit);
- best case: Σ base_amount of best case + commit;
- commit: Σ base_amount of commit;
- weighted: Σ base_amount × effective probability (the override, else the stage's) / 100.
Currencies are never summed unconverted: an opportunity with an amount but no base amount (no rate
was known) is counted as "not converted" and listed, never added.

Everything comes from ONE grouped aggregate (owner × period × category) plus the member and team
names; cells are summed exactly in Decimal and rounded to the base currency's minor unit only when
shown (weighted = round(Σ base × probability / 100))."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tradewind.core.money import quantize
from tradewind.workspaces.models import Membership, Team
from tradewind.workspaces.timezones import workspace_today

from .choices import ForecastCategory, OpportunityStatus
from .filters import OpportunityFilter
from .models import Opportunity

MONTHS = 6
UNCONVERTED_LIST = 50
SUM_FIELD: DecimalField = DecimalField(max_digits=24, decimal_places=2)
OVERDUE, LATER, NO_DATE = "overdue", "later", "none"
# Which measures a category counts in (commit ⊂ best case ⊂ pipeline).
IN_MEASURES = {
    ForecastCategory.COMMIT: ("pipeline", "best_case", "commit"),
    ForecastCategory.BEST_CASE: ("pipeline", "best_case"),
    ForecastCategory.PIPELINE: ("pipeline",),
}
MEASURES = ("pipeline", "best_case", "commit", "weighted")


def measure_labels() -> dict[str, str]:
    return {
        "pipeline": str(ForecastCategory.PIPELINE.label),
        "best_case": str(ForecastCategory.BEST_CASE.label),
        "commit": str(ForecastCategory.COMMIT.label),
        "weighted": _("Weighted"),
    }


@dataclass(frozen=True)
class Period:
    key: str  # "overdue", "YYYY-MM", "later" or "none"
    label: str
    start: dt.date | None = None  # inclusive
    end: dt.date | None = None  # exclusive

    @property
    def is_month(self) -> bool:
        return self.key not in (OVERDUE, LATER, NO_DATE)


@dataclass
class Cell:
    """Exact running sums; `weighted_x100` is Σ base × probability (divide by 100 to show)."""

    count: int = 0  # open opportunities in forecast (omitted ones excluded)
    pipeline: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    weighted_x100: Decimal = Decimal(0)
    unconverted: int = 0  # with an amount but no base amount: counted, never summed
    omitted: int = 0

    def add(self, other: Cell) -> None:
        for name in ("count", "pipeline", "best_case", "commit", "weighted_x100", "unconverted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.omitted += other.omitted

    def rounded(self, currency: str) -> dict[str, Any]:
        return {
            "count": self.count,
            "pipeline": quantize(self.pipeline, currency),
            "best_case": quantize(self.best_case, currency),
            "commit": quantize(self.commit, currency),
            "weighted": quantize(self.weighted_x100 / 100, currency),
            "unconverted": self.unconverted,
            "omitted": self.omitted,
        }


@dataclass
class Group:
    key: str  # a user id, a team id or "none"
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)


@dataclass
class Forecast:
    base_currency: str
    today: dt.date
    periods: list[Period]
    totals: dict[str, Cell]  # period key -> cell
    total: Cell
    owners: list[Group]
    teams: list[Group]
    unconverted: list[Opportunity]  # the first UNCONVERTED_LIST of them, closing soonest first
    filters: OpportunityFilter

    def row(self, cells: dict[str, Cell], total: Cell) -> list[dict[str, Any]]:
        """Rounded cells in period order, then the row's total."""
        currency = self.base_currency
        return [cells.get(p.key, Cell()).rounded(currency) for p in self.periods] + [
            total.rounded(currency)
        ]


def _add_month(day: dt.date, months: int = 1) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def periods_from(today: dt.date, months: int = MONTHS) -> list[Period]:
    first = today.replace(day=1)
    out = [Period(OVERDUE, _("Overdue"), None, today)]
    for i in range(months):
        start = _add_month(first, i)
        out.append(
            Period(
                start.strftime("%Y-%m"),
                date_format(start, "YEAR_MONTH_FORMAT"),
                today if i == 0 else start,
                _add_month(first, i + 1),
            )
        )
    out.append(Period(LATER, _("Later"), _add_month(first, months), None))
    out.append(Period(NO_DATE, _("No date"), None, None))
    return out


def period_params(period: Period) -> dict[str, str]:
    """The opportunity list's filter (sales/filters.py) for the records behind one period's
    figures: open, counted by the forecast (category not omitted), expected close within the
    period's days (its end is exclusive) or not set. Add the forecast's own filters to it."""
    out = {"status": OpportunityStatus.OPEN.value, "forecast": "1"}
    if period.key == NO_DATE:
        return out | {"expected": "none"}
    if period.start is not None:
        out["expected_from"] = period.start.isoformat()
    if period.end is not None:
        out["expected_to"] = (period.end - dt.timedelta(days=1)).isoformat()
    return out


def forecast_filters(params: Any) -> OpportunityFilter:
    """The list's filters (pipeline, owner, team …) minus what the forecast decides: status, stage
    and sort."""
    parsed = OpportunityFilter.from_params(params)
    return dataclasses.replace(parsed, stage="", status="", sort="")


def forecast_queryset(member: Membership, filters: OpportunityFilter) -> QuerySet[Opportunity]:
    qs = filters.apply(
        Opportunity.objects.visible_to(member), user_id=member.user_id, member=member
    )
    return qs.filter(status=OpportunityStatus.OPEN)


def _bucket(periods: list[Period]) -> Case:
    whens = [When(expected_close_date__isnull=True, then=Value(NO_DATE))]
    whens.append(When(expected_close_date__lt=periods[0].end, then=Value(OVERDUE)))
    for period in periods:
        if period.is_month:
            whens.append(When(expected_close_date__lt=period.end, then=Value(period.key)))
    return Case(*whens, default=Value(LATER), output_field=CharField())


def forecast_build(
    *, member: Membership, params: Any, today: dt.date | None = None, months: int = MONTHS
) -> Forecast:
    filters = forecast_filters(params)
    currency = member.workspace.base_currency
    today = today or workspace_today(member.workspace)
    periods = periods_from(today, months)
    qs = forecast_queryset(member, filters)
    rows = (
        qs.order_by()
        .alias(forecast_probability=Coalesce("probability", "stage__probability"))
        .annotate(period=_bucket(periods))
        .values("owner_id", "period", "forecast_category")
        .annotate(
            n=Count("id"),
            base=Sum("base_amount"),
            weighted_x100=Sum(F("base_amount") * F("forecast_probability"), output_field=SUM_FIELD),
            unconverted=Count("id", filter=Q(base_amount__isnull=True, amount__isnull=False)),
        )
    )
    totals: dict[str, Cell] = {}
    total = Cell()
    by_owner: dict[int | None, Group] = {}
    for row in rows:
        cell = Cell()
        category = row["forecast_category"]
        if category == ForecastCategory.OMITTED:
            cell.omitted = row["n"]
        else:
            base = row["base"] or Decimal(0)
            cell.count = row["n"]
            cell.unconverted = row["unconverted"]
            cell.weighted_x100 = row["weighted_x100"] or Decimal(0)
            for measure in IN_MEASURES.get(category, ("pipeline",)):
                setattr(cell, measure, base)
        period = row["period"]
        totals.setdefault(period, Cell()).add(cell)
        total.add(cell)
        group = by_owner.setdefault(
            row["owner_id"], Group(key=str(row["owner_id"] or "none"), label="")
        )
        group.cells.setdefault(period, Cell()).add(cell)
        group.total.add(cell)
    owners, teams = _label_groups(member, by_owner)
    unconverted = list(
        qs.filter(base_amount__isnull=True, amount__isnull=False)
        .exclude(forecast_category=ForecastCategory.OMITTED)
        .select_related("customer", "owner")
        .order_by(F("expected_close_date").asc(nulls_last=True), "id")[:UNCONVERTED_LIST]
    )
    return Forecast(
        base_currency=currency,
        today=today,
        periods=periods,
        totals=totals,
        total=total,
        owners=owners,
        teams=teams,
        unconverted=unconverted,
        filters=filters,
    )


def _label_groups(
    member: Membership, by_owner: dict[int | None, Group]
) -> tuple[list[Group], list[Group]]:
    """Owner names, and the owners folded into their current team (records follow their owner's
    team). Two queries whatever the number of rows."""
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            workspace_id=member.workspace_id, user_id__in=[k for k in by_owner if k is not None]
        ).select_related("user")
    }
    team_names = {
        t.pk: t.name
        for t in Team.objects.filter(workspace_id=member.workspace_id).only("id", "name")
    }
    teams: dict[int | None, Group] = {}
    for owner_id, group in by_owner.items():
        m = memberships.get(owner_id) if owner_id is not None else None
        group.label = str(m.user) if m is not None else _("No owner")
        team_id = m.team_id if m is not None else None
        team = teams.setdefault(
            team_id,
            Group(
                key=str(team_id or "none"),
                label=team_names.get(team_id, "") if team_id else _("No team"),
            ),
        )
        for period, cell in group.cells.items():
            team.cells.setdefault(period, Cell()).add(cell)
        team.total.add(group.total)

    def order(g: Group) -> tuple[bool, Decimal, str]:
        return (g.key == "none", -g.total.pipeline, g.label)

    return sorted(by_owner.values(), key=order), sorted(teams.values(), key=order)
