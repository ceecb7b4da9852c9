"""Lead conversion review (seed 003, template 3): leads created in a month or any range, how many
are valid, converted, by grade, the average cycle to the first won order, the main invalid and
loss reasons; the same cut by source, industry, country, owner and team; month over month.

Shared with funnels.py and activity.py: the period (`Period`, `period_from`) and the report
filters (`ReportFilter`). Every figure is computed from `visible_to(member)` querysets and
aggregated in the database; the cycle days are the one exception (date arithmetic on the rows of
the converted leads, one query). See docs/reports-conversion.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from tradewind.analytics.buckets import bucket_index, by_index, local_midnights
from tradewind.leads.choices import LeadGrade, LeadSource, LeadStatus, invalid_reason_label
from tradewind.leads.models import Lead
from tradewind.orders.models import Order
from tradewind.orders.models_orders import OrderStatus
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import Membership, Team, User
from tradewind.workspaces.timezones import effective_zone, member_day_start

MAX_DAYS = 3 * 366  # the longest range a report accepts
CUTS: dict[str, Any] = {
    "source": gettext_lazy("Source"),
    "industry": gettext_lazy("Industry"),
    "country": gettext_lazy("Country/region"),
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
}
GRADES = (LeadGrade.A, LeadGrade.B, LeadGrade.C)
NONE_KEY = "none"


# --- the period and the filters ------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Period:
    """Whole days [start, end] in the member's zone (the workspace's when they set none)."""

    start: dt.date
    end: dt.date
    month: str = ""  # "YYYY-MM" when the period is one calendar month

    def bounds(self, member: Membership) -> tuple[dt.datetime, dt.datetime]:
        return (
            member_day_start(member, self.start),
            member_day_start(member, self.end + dt.timedelta(days=1)),
        )

    def q(self, member: Membership, name: str = "created_at") -> Q:
        lower, upper = self.bounds(member)
        return Q(**{f"{name}__gte": lower, f"{name}__lt": upper})

    def months(self) -> list[dt.date]:
        out, day = [], _month_start(self.start)
        while day <= self.end:
            out.append(day)
            day = _next_month(day)
        return out

    def previous(self) -> Period:
        """The period of the same length just before (a month: the month before)."""
        if self.month:
            start = _month_start(self.start - dt.timedelta(days=1))
            return Period(start, self.start - dt.timedelta(days=1), start.strftime("%Y-%m"))
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return Period(end - length, end)

    def params(self) -> dict[str, str]:
        if self.month:
            return {"month": self.month}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def label(self) -> str:
        if self.month:
            return self.month
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def member_today(member: Membership) -> dt.date:
    from django.utils import timezone

    return timezone.now().astimezone(effective_zone(member.workspace, member.user)).date()


def period_from(params: Any, member: Membership) -> Period:
    """`month=YYYY-MM`, or `start` and `end` (YYYY-MM-DD, inclusive); default: this month.
    Unreadable values fall back to the default, never an error; a range longer than three years
    is cut at its start + three years."""
    get = getattr(params, "get", lambda _k, _d="": "")
    month = str(get("month", "") or "").strip()[:7]
    start, end = _date(get("start", "")), _date(get("end", ""))
    if start and end:
        if end < start:
            start, end = end, start
        end = min(end, start + dt.timedelta(days=MAX_DAYS))
        return Period(start, end)
    first = _date(month + "-01") if len(month) == 7 else None
    if first is None:
        first = _month_start(member_today(member))
    return Period(first, _next_month(first) - dt.timedelta(days=1), first.strftime("%Y-%m"))


def _id(value: str) -> str:
    return value if value.isdigit() else ""


def industry_q(value: str, name: str = "industry") -> Q:
    """The list pages' industry filter: contains, case-insensitive; "=text" matches exactly and
    "=" alone means not set (leads/, sales/ and customers/filters.py read it the same way)."""
    if value.startswith("="):
        return Q(**{name: value[1:]})
    return Q(**{f"{name}__icontains": value}) if value else Q()


@dataclass(frozen=True)
class ReportFilter:
    """Narrows a report: lead source, industry (as the list pages read it: industry_q), country,
    owner (a user id or "me"), team (owners in that team and its sub-teams)."""

    source: str = ""
    industry: str = ""
    country: str = ""
    owner: str = ""
    team: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ReportFilter:
        get = getattr(params, "get", lambda _k, _d="": "")

        def text(name: str, size: int = 80) -> str:
            return str(get(name, "") or "").strip()[:size]

        source, country, owner = text("source"), text("country").upper(), text("owner")
        return cls(
            source=source if source in LeadSource.values else "",
            industry=text("industry", 81),
            country=country if country in countries else "",
            owner=owner if owner == "me" or _id(owner) else "",
            team=_id(text("team")),
        )

    @property
    def active(self) -> bool:
        return any((self.source, self.industry, self.country, self.owner, self.team))

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def owner_ids(self, member: Membership) -> Any:
        """The owners the owner/team filters allow (a subquery), or None for anyone."""
        if self.team:
            team = Team.objects.filter(workspace_id=member.workspace_id, pk=self.team).first()
            if team is None:
                return Membership.objects.none().values("user_id")
            return Membership.objects.filter(
                workspace_id=member.workspace_id, team__path__startswith=team.path
            ).values("user_id")
        return None

    def owner_q(self, member: Membership, name: str = "owner_id") -> Q:
        q = Q()
        if self.owner:
            q &= Q(**{name: member.user_id if self.owner == "me" else int(self.owner)})
        owners = self.owner_ids(member)
        if owners is not None:
            q &= Q(**{f"{name}__in": owners})
        return q

    def lead_q(self, member: Membership) -> Q:
        q = self.owner_q(member)
        if self.source:
            q &= Q(source=self.source)
        if self.industry:
            q &= industry_q(self.industry)
        if self.country:
            q &= Q(country=self.country)
        return q

    def customer_q(self, member: Membership) -> Q:
        """Opportunities narrowed by their owner and their customer's country and industry."""
        q = self.owner_q(member)
        if self.country:
            q &= Q(customer__country=self.country)
        if self.industry:
            q &= industry_q(self.industry, "customer__industry")
        return q

    def opportunity_params(self, member: Membership) -> dict[str, str]:
        """The same narrowing in the opportunity list's query parameters (sales/filters.py)."""
        out = {"country": self.country, "industry": self.industry, "team": self.team}
        out["owner"] = str(member.user_id) if self.owner == "me" else self.owner
        return {k: v for k, v in out.items() if v}

    def lead_params(self, member: Membership) -> dict[str, str]:
        """The same narrowing in the lead list's query parameters (leads/filters.py)."""
        out = {"source": self.source, "industry": self.industry, "country": self.country}
        out["owner"] = str(member.user_id) if self.owner == "me" else self.owner
        out["team"] = self.team
        return {k: v for k, v in out.items() if v}


# --- shared helpers -------------------------------------------------------------------------------


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def list_url(name: str, **params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in ("", None)}
    return reverse(name) + ("?" + urlencode(clean) if clean else "")


def team_of_owner(name: str = "owner_id") -> Subquery:
    """The owner's current team (records follow their owner's team, docs/architecture.md)."""
    return Subquery(
        Membership.objects.filter(
            workspace_id=OuterRef("workspace_id"), user_id=OuterRef(name)
        ).values("team_id")[:1]
    )


def user_labels(ids: Any) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in ids if i])}


def team_labels(member: Membership) -> dict[int, str]:
    return {t.pk: t.name for t in Team.objects.filter(workspace_id=member.workspace_id)}


def cut_label(cut: str, key: Any, users: dict[int, str], teams: dict[int, str]) -> str:
    if key in (None, ""):
        return {
            "owner": _("No owner (pool)"),
            "team": _("No team"),
        }.get(cut, _("Not set"))
    if cut == "source":
        return str(LeadSource(key).label) if key in LeadSource.values else str(key)
    if cut == "country":
        return str(countries.name(key) or key)
    if cut == "owner":
        return users.get(key, str(key))
    if cut == "team":
        return teams.get(key, str(key))
    return str(key)


# --- the review -----------------------------------------------------------------------------------


def _counts() -> dict[str, Any]:
    valid = ~Q(status=LeadStatus.INVALID)
    conv = Q(status=LeadStatus.CONVERTED)
    out: dict[str, Any] = {
        "total": Count("id"),
        "valid": Count("id", filter=valid),
        "converted": Count("id", filter=conv),
        "invalid": Count("id", filter=Q(status=LeadStatus.INVALID)),
    }
    for g in GRADES:
        out[f"total_{g}"] = Count("id", filter=Q(grade=g))
        out[f"converted_{g}"] = Count("id", filter=Q(grade=g) & conv)
    return out


@dataclass
class Row:
    """One line of the review: the whole period, a month, or one value of a cut."""

    key: str
    label: str
    total: int = 0
    valid: int = 0
    converted: int = 0
    invalid: int = 0
    grades: dict[str, dict[str, Any]] = field(default_factory=dict)
    cycle_days: Decimal | None = None
    cycle_count: int = 0
    links: dict[str, str] = field(default_factory=dict)
    change: Decimal | None = None  # month over month: conversion rate points vs the month before

    @property
    def valid_rate(self) -> Decimal | None:
        return rate(self.valid, self.total)

    @property
    def conversion_rate(self) -> Decimal | None:
        return rate(self.converted, self.total)


def _fill(row: Row, values: dict[str, Any]) -> Row:
    row.total, row.valid = values.get("total") or 0, values.get("valid") or 0
    row.converted, row.invalid = values.get("converted") or 0, values.get("invalid") or 0
    for g in GRADES:
        total, conv = values.get(f"total_{g}") or 0, values.get(f"converted_{g}") or 0
        row.grades[str(g)] = {"total": total, "converted": conv, "rate": rate(conv, total)}
    return row


def first_won_subqueries(member: Membership) -> dict[str, Any]:
    """Per lead: the first order date of its customer (orders not cancelled) and the first won
    opportunity's closing time; both only among records the member sees."""
    orders = (
        Order.objects.visible_to(member)
        .filter(customer_id=OuterRef("converted_customer_id"))
        .exclude(status=OrderStatus.CANCELLED)
        .order_by()
        .values("customer_id")
        .annotate(m=Min("order_date"))
        .values("m")
    )
    won = (
        Opportunity.objects.visible_to(member)
        .filter(customer_id=OuterRef("converted_customer_id"), status=OpportunityStatus.WON)
        .order_by()
        .values("customer_id")
        .annotate(m=Min("closed_at"))
        .values("m")
    )
    return {"first_order": Subquery(orders[:1]), "first_won": Subquery(won[:1])}


def cycles(
    member: Membership, leads: QuerySet[Lead], key: Any = None
) -> dict[Any, tuple[Decimal | None, int]]:
    """Average days from a lead's creation (its local date) to the first order of the customer
    it converted into — or, with no order, to the first won opportunity's closing date — per key.
    One query over the converted leads."""
    tz = effective_zone(member.workspace, member.user)
    qs = leads.filter(status=LeadStatus.CONVERTED, converted_customer__isnull=False).annotate(
        **first_won_subqueries(member), cut=key if key is not None else Value("")
    )
    sums: dict[Any, list[int]] = defaultdict(list)
    for cut, created, first_order, first_won in qs.values_list(  # type: ignore[misc]
        "cut", "created_at", "first_order", "first_won"
    ):
        if first_order is not None:
            won_day = first_order
        elif first_won is not None:
            won_day = first_won.astimezone(tz).date()
        else:
            continue
        sums[cut].append(max((won_day - created.astimezone(tz).date()).days, 0))
    return {
        cut: ((Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP), len(days))
        for cut, days in sums.items()
    }


def _cut_expr(cut: str) -> Any:
    if cut == "team":
        return team_of_owner()
    if cut == "owner":
        return Coalesce("owner_id", Value(0))
    return Coalesce(cut, Value(""))


def leads_of(member: Membership, period: Period, filters: ReportFilter) -> QuerySet[Lead]:
    return Lead.objects.visible_to(member).filter(period.q(member), filters.lead_q(member))


def _lead_links(
    member: Membership, period: Period, filters: ReportFilter, **extra: str
) -> dict[str, str]:
    base = {
        "created_from": period.start.isoformat(),
        "created_to": period.end.isoformat(),
        **filters.lead_params(member),
        **extra,
    }
    return {
        "total": list_url("leads:list", **base),
        "valid": list_url("leads:list", **base, reached="valid"),
        "converted": list_url("leads:list", **base, status=LeadStatus.CONVERTED),
        "invalid": list_url("leads:list", **base, status=LeadStatus.INVALID),
        **{f"grade_{g}": list_url("leads:list", **base, grade=g) for g in GRADES},
        **{
            f"converted_{g}": list_url("leads:list", **base, grade=g, status=LeadStatus.CONVERTED)
            for g in GRADES
        },
    }


def _cut_params(cut: str, key: Any) -> dict[str, str]:
    """The lead list's parameters for exactly one value of a cut (leads/filters.py): the pool,
    owners without a team, a blank country or industry included; a team without its sub-teams."""
    if cut == "owner":
        return {"owner": str(key) if key else "none"}
    if cut == "team":
        return {"team": f"={key}" if key else "none"}
    if cut == "industry":
        return {"industry": f"={key or ''}"}
    if cut == "country":
        return {"country": str(key) if key else "NONE"}
    return {cut: str(key)} if key else {}


@dataclass
class Reason:
    code: str
    label: str
    count: int
    share: Decimal | None
    link: str


@dataclass
class Review:
    period: Period
    filters: ReportFilter
    cut: str
    summary: Row
    rows: list[Row]
    months: list[Row]
    invalid_reasons: list[Reason]
    lost_reasons: list[Reason]
    lost_total: int


def review(
    *, member: Membership, period: Period, filters: ReportFilter, cut: str = "source"
) -> Review:
    """The whole review in a constant number of queries (about ten, whatever the data)."""
    cut = cut if cut in CUTS else "source"
    leads = leads_of(member, period, filters)
    summary = _fill(Row("total", _("Total")), leads.aggregate(**_counts()))
    summary.cycle_days, summary.cycle_count = cycles(member, leads).get("", (None, 0))
    summary.links = _lead_links(member, period, filters)

    grouped = list(
        leads.annotate(cut=_cut_expr(cut)).values("cut").annotate(**_counts()).order_by()
    )
    cyc = cycles(member, leads, _cut_expr(cut))
    users = user_labels(r["cut"] for r in grouped) if cut == "owner" else {}
    teams = team_labels(member) if cut == "team" else {}
    rows = []
    for values in grouped:
        key = values["cut"] or ""
        row = _fill(Row(str(key), cut_label(cut, key, users, teams)), values)
        row.cycle_days, row.cycle_count = cyc.get(values["cut"], (None, 0))
        params = _cut_params(cut, key)
        if params:
            row.links = _lead_links(member, period, filters, **params)
        rows.append(row)
    rows.sort(key=lambda r: (-r.total, r.label))

    months = month_over_month(member=member, period=period, filters=filters)
    return Review(
        period=period,
        filters=filters,
        cut=cut,
        summary=summary,
        rows=rows,
        months=months,
        invalid_reasons=invalid_reasons(member, period, filters, leads, summary.invalid),
        lost_reasons=(lost := lost_reasons(member, period, filters))[0],
        lost_total=lost[1],
    )


def month_over_month(*, member: Membership, period: Period, filters: ReportFilter) -> list[Row]:
    """One row per calendar month of the period, plus the month before it, each with the change
    of the conversion rate (percentage points) against the month before. One query."""
    first = _month_start(period.start - dt.timedelta(days=1)) if period.month else None
    months = ([first] if first else []) + period.months()
    span = Period(months[0], _next_month(months[-1]) - dt.timedelta(days=1))
    tz = effective_zone(member.workspace, member.user)
    values = by_index(
        leads_of(member, span, filters)
        .annotate(m=bucket_index("created_at", local_midnights(months, tz)))
        .values("m")
        .annotate(**_counts())
        .order_by(),
        "m",
        months,
    )
    rows, before = [], None
    for month in months:
        end = _next_month(month) - dt.timedelta(days=1)
        row = _fill(Row(month.strftime("%Y-%m"), month.strftime("%Y-%m")), values.get(month, {}))
        row.links = _lead_links(member, Period(month, end), filters)
        if before is not None and before.conversion_rate is not None:
            current = row.conversion_rate
            row.change = None if current is None else current - before.conversion_rate
        rows.append(row)
        before = row
    return rows


def invalid_reasons(
    member: Membership, period: Period, filters: ReportFilter, leads: QuerySet[Lead], total: int
) -> list[Reason]:
    base = {
        "created_from": period.start.isoformat(),
        "created_to": period.end.isoformat(),
        "status": LeadStatus.INVALID,
        **filters.lead_params(member),
    }
    out = [
        Reason(
            code=r["invalid_reason"],
            label=invalid_reason_label(r["invalid_reason"]) or _("Not set"),
            count=r["n"],
            share=rate(r["n"], total),
            link=list_url("leads:list", **base, reason=r["invalid_reason"]),
        )
        for r in leads.filter(status=LeadStatus.INVALID)
        .values("invalid_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "invalid_reason")
    ]
    return out


def lost_opportunities(
    member: Membership, period: Period, filters: ReportFilter
) -> QuerySet[Opportunity]:
    """Opportunities closed lost in the period (their customer's country and industry, their
    owner and team narrow them; the lead source does not apply to opportunities)."""
    q = Q(status=OpportunityStatus.LOST) & period.q(member, "closed_at")
    return Opportunity.objects.visible_to(member).filter(q, filters.customer_q(member))


def lost_reasons(
    member: Membership, period: Period, filters: ReportFilter
) -> tuple[list[Reason], int]:
    grouped = list(
        lost_opportunities(member, period, filters)
        .values("close_reason_id", "close_reason__label")
        .annotate(n=Count("id"))
        .order_by("-n", "close_reason__label")
    )
    total = sum(r["n"] for r in grouped)
    base = {
        "status": OpportunityStatus.LOST,
        "closed_from": period.start.isoformat(),
        "closed_to": period.end.isoformat(),
        **filters.opportunity_params(member),
    }
    return [
        Reason(
            code=str(r["close_reason_id"] or ""),
            label=r["close_reason__label"] or _("No reason given"),
            count=r["n"],
            share=rate(r["n"], total),
            link=list_url("sales:list", **base, reason=r["close_reason_id"] or "none"),
        )
        for r in grouped
    ], total
