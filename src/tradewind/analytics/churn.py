"""Repurchase and churn warning (复购流失预警, seed 001).

For each repeat customer, from the last four purchase days (so the last three purchase
intervals — fewer when the customer bought on only two or three days):

- average interval = (last purchase − earliest of those days) ÷ number of intervals,
- days since the last purchase (today in the workspace zone),
- ratio = days since ÷ average interval.

A purchase is a day with at least one order that is not cancelled: two orders on the same day
are one purchase (an interval of 0 days would only distort the average), and a "repeat customer"
bought on at least two different days. The whole order history counts, not the RFM window.

Status by ratio, with the thresholds of the analytics settings (reorder-soon ratio < 1 ≤ churn
ratio, enforced by the settings service):
- "reorder soon" (likely to reorder): reorder_soon_ratio ≤ ratio < 1 — the usual interval is
  nearly over, a good moment to offer;
- "due": 1 ≤ ratio < churn_risk_ratio — later than usual, not yet alarming;
- "churn risk": ratio ≥ churn_risk_ratio;
- "not due": below the reorder-soon ratio.

Everything is computed in the database: a DENSE_RANK window over each customer's order dates keeps
the last four purchase days, one GROUP BY gives the first / last day and the number of days, and
the status conditions compare integers only (days × intervals × 100 against ratio × 100 × span),
so SQLite and PostgreSQL agree exactly. Figures are read through `Order.objects.visible_to()`;
the reminder job (tasks.py) reads the whole workspace and notifies each customer's owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Value, Window
from django.db.models.functions import DenseRank
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind
from tradewind.customers.models import Customer
from tradewind.orders.models_orders import Order, OrderStatus
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.timezones import workspace_today

from .models import AnalyticsSettings
from .rfm import DayNumber, day_number
from .settings_store import analytics_settings

PURCHASES = 4  # the last four purchase days: three intervals
PAGE_SIZE = 50

NOT_DUE, SOON, DUE, RISK = "not_due", "soon", "due", "risk"


@dataclass(frozen=True)
class Status:
    key: str
    label: Promise
    color: str


STATUSES: tuple[Status, ...] = (
    Status(SOON, _("Likely to reorder soon"), "#0d6efd"),
    Status(RISK, _("Churn risk"), "#dc3545"),
    Status(DUE, _("Later than usual"), "#ffc107"),
    Status(NOT_DUE, _("Not due yet"), "#198754"),
)
STATUS_KEYS = tuple(s.key for s in STATUSES)


def status_by_key(key: str) -> Status | None:
    return next((s for s in STATUSES if s.key == key), None)


KINDS.setdefault(
    "customer.reorder_soon",
    Kind(
        _("A customer is likely to reorder soon"),
        _(
            "%(customer)s usually orders every %(interval)s days; the last order was "
            "%(days)s days ago (%(last)s). A good moment to get in touch."
        ),
        "bi-arrow-repeat",
    ),
)
KINDS.setdefault(
    "customer.churn_risk",
    Kind(
        _("A customer may be lost"),
        _(
            "%(customer)s usually orders every %(interval)s days, but the last order was "
            "%(days)s days ago (%(last)s)."
        ),
        "bi-exclamation-octagon",
    ),
)


@dataclass(frozen=True)
class Thresholds:
    soon: Decimal
    risk: Decimal

    @property
    def soon_cents(self) -> int:
        return int((self.soon * 100).to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def risk_cents(self) -> int:
        return int((self.risk * 100).to_integral_value(rounding=ROUND_HALF_UP))


def thresholds_of(row: AnalyticsSettings) -> Thresholds:
    return Thresholds(Decimal(row.reorder_soon_ratio), Decimal(row.churn_risk_ratio))


def _orders(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.exclude(status=OrderStatus.CANCELLED).filter(order_date__lte=today)


def _per_customer(orders: QuerySet, today: dt.date) -> QuerySet:
    """One row per repeat customer: last / first of the last four purchase days, their day
    numbers, how many days (2–4), and the integers the status conditions compare:
    `weighted` = days since last × intervals × 100 and `span` = last − first (days)."""
    ranked = orders.annotate(
        rank=Window(DenseRank(), partition_by=[F("customer_id")], order_by=[F("order_date").desc()])
    )
    recent = orders.filter(pk__in=ranked.filter(rank__lte=PURCHASES).values("pk"))
    today_day = day_number(today)
    return (
        recent.values("customer_id")
        .annotate(
            last=Max("order_date"),
            first=Min("order_date"),
            last_day=Max(DayNumber("order_date")),
            first_day=Min(DayNumber("order_date")),
            purchases=Count("order_date", distinct=True),
        )
        .filter(purchases__gte=2)
        .annotate(
            span=F("last_day") - F("first_day"),
            weighted=(Value(today_day, output_field=IntegerField()) - F("last_day"))
            * (F("purchases") - 1)
            * 100,
        )
        .order_by()
    )


def _conditions(t: Thresholds) -> dict[str, Q]:
    """ratio = weighted ÷ (span × 100): compare weighted with ratio-in-cents × span."""
    soon = Q(weighted__gte=F("span") * t.soon_cents)
    due = Q(weighted__gte=F("span") * 100)
    risk = Q(weighted__gte=F("span") * t.risk_cents)
    return {SOON: soon & ~due, DUE: due & ~risk, RISK: risk, NOT_DUE: ~soon}


def _status(weighted: int, span: int, t: Thresholds) -> str:
    if weighted >= span * t.risk_cents:
        return RISK
    if weighted >= span * 100:
        return DUE
    if weighted >= span * t.soon_cents:
        return SOON
    return NOT_DUE


@dataclass(frozen=True)
class StatusRow:
    status: Status
    customers: int


@dataclass(frozen=True)
class Summary:
    today: dt.date
    thresholds: Thresholds
    repeat_customers: int
    rows: list[StatusRow]

    def count(self, key: str) -> int:
        return next(r.customers for r in self.rows if r.status.key == key)


def churn_summary(member: Membership, *, today: dt.date | None = None) -> Summary:
    """How many of the member's visible repeat customers are in each status (2 queries)."""
    workspace = member.workspace
    t = thresholds_of(analytics_settings(workspace))
    today = today or workspace_today(workspace)
    rows = _per_customer(_orders(Order.objects.visible_to(member), today), today)
    aggs: dict[str, Any] = {"all": Count("customer_id")}
    for key, cond in _conditions(t).items():
        aggs[key] = Count("customer_id", filter=cond)
    agg = rows.aggregate(**aggs)
    return Summary(
        today=today,
        thresholds=t,
        repeat_customers=agg["all"] or 0,
        rows=[StatusRow(s, agg[s.key] or 0) for s in STATUSES],
    )


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    last_order: dt.date
    first_counted: dt.date
    intervals: int  # 1–3
    average_interval: Decimal  # days, 0.1
    days_since: int
    ratio: Decimal  # 0.01
    status: Status


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    page: int
    has_next: bool


def _row(data: dict, customer: Customer, t: Thresholds, today: dt.date) -> CustomerRow:
    intervals = data["purchases"] - 1
    span = data["span"]
    days = (today - data["last"]).days
    key = _status(data["weighted"], span, t)
    return CustomerRow(
        customer=customer,
        last_order=data["last"],
        first_counted=data["first"],
        intervals=intervals,
        average_interval=(Decimal(span) / intervals).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        ),
        days_since=days,
        ratio=(Decimal(days * intervals) / Decimal(span)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ),
        status=status_by_key(key) or STATUSES[-1],
    )


def _rows(
    orders: QuerySet, t: Thresholds, today: dt.date, status: str, offset: int, limit: int
) -> tuple[list[CustomerRow], bool]:
    rows = _per_customer(_orders(orders, today), today)
    if status:
        rows = rows.filter(_conditions(t)[status])
    # Most overdue first: ratio descending = weighted / span, compared without division.
    chunk = list(
        rows.annotate(
            ratio_order=F("weighted") * 1000 / F("span"),
        ).order_by("-ratio_order", "customer_id")[offset : offset + limit + 1]
    )
    has_next = len(chunk) > limit
    chunk = chunk[:limit]
    customers = Customer.objects.select_related("owner").in_bulk([r["customer_id"] for r in chunk])
    return [
        _row(r, customers[r["customer_id"]], t, today)
        for r in chunk
        if r["customer_id"] in customers
    ], has_next


def churn_customers(
    member: Membership,
    *,
    status: str = "",
    page: int = 1,
    limit: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> CustomerPage:
    """The member's repeat customers in one status (all when empty), highest ratio first."""
    workspace = member.workspace
    t = thresholds_of(analytics_settings(workspace))
    today = today or workspace_today(workspace)
    page = max(1, page)
    rows, has_next = _rows(
        Order.objects.visible_to(member), t, today, status, (page - 1) * limit, limit
    )
    return CustomerPage(rows, page, has_next)


def churn_export_rows(member: Membership, *, status: str = "") -> list[list]:
    out: list[list] = []
    page = 1
    while True:
        chunk = churn_customers(member, status=status, page=page, limit=2000)
        for r in chunk.rows:
            out.append(
                [
                    r.customer.code,
                    r.customer.name,
                    str(r.customer.owner) if r.customer.owner else "",
                    str(r.status.label),
                    r.last_order,
                    r.intervals,
                    r.average_interval,
                    r.days_since,
                    r.ratio,
                ]
            )
        if not chunk.has_next:
            return out
        page += 1


def workspace_warnings(
    workspace: Workspace, *, today: dt.date | None = None, limit: int = 5000
) -> list[CustomerRow]:
    """Every customer of the workspace likely to reorder soon or at churn risk (for the job)."""
    t = thresholds_of(analytics_settings(workspace))
    today = today or workspace_today(workspace)
    out: list[CustomerRow] = []
    for status in (SOON, RISK):
        rows, _more = _rows(Order.objects.filter(workspace=workspace), t, today, status, 0, limit)
        out.extend(rows)
    return out
