"""RFM (seed 001): each customer's recency, frequency and monetary value from the orders in a
window, compared with three baselines, gives one of eight segments (重要价值客户 … 一般挽留客户).

- The window is the last `rfm_window_days` calendar days up to today (workspace zone), today
  included: orders dated `today − (N − 1)` … `today`. Cancelled orders never count.
- Recency = days since the customer's last order in the window; frequency = number of orders;
  monetary = Σ of each order's `base_total` (the order's total at its locked rate, in the base
  currency). Orders locked in another base currency (the workspace changed it) add no money.
- Baselines come from the settings; an empty one is the workspace average over the customers
  with orders in the window (whole workspace, so a customer's segment is the same for everybody
  who sees it and for the reminder job), rounded to 0.01.
- R is high when recency ≤ its baseline; F and M are high when ≥ their baselines.

Every figure other than the baselines is read through `Order.objects.visible_to(member)`. All
aggregation runs in the database: one GROUP BY per customer, wrapped by conditional aggregates;
the segment conditions are plain comparisons (a date cut-off, an integer minimum, a money
minimum) so they run the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.customers.models import Customer
from tradewind.orders.models_orders import Order, OrderStatus
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import workspace_today

from .models import AnalyticsSettings
from .settings_store import analytics_settings

CENT = Decimal("0.01")
ZERO = Decimal(0)
PAGE_SIZE = 50
MAX_WINDOW_DAYS = 3660  # ten years
MONEY_FIELD: DecimalField = DecimalField(max_digits=24, decimal_places=3)


class DayNumber(Func):
    """Days since 1970-01-01 of a date, as an integer: portable date arithmetic (julianday on
    SQLite, date − date on PostgreSQL)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra
        )


EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


# --- the eight segments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    key: str
    r_high: bool
    f_high: bool
    m_high: bool
    name: Promise  # English msgid; the Chinese is the seed's name (重要价值客户 …)
    advice: Promise
    color: str

    @property
    def code(self) -> str:
        """R/F/M as ↑ (high) or ↓ (low), e.g. "↑↑↑"."""
        return "".join("↑" if high else "↓" for high in (self.r_high, self.f_high, self.m_high))


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "key_value",
        True,
        True,
        True,
        _("Key value customers"),
        _("Recent, frequent and big buyers: look after them first."),
        "#198754",
    ),
    Segment(
        "key_keep",
        False,
        True,
        True,
        _("Key customers to keep"),
        _("Frequent big buyers who have not ordered lately: get back in touch."),
        "#0d6efd",
    ),
    Segment(
        "key_develop",
        True,
        False,
        True,
        _("Key customers to develop"),
        _("Recent big buyers who seldom order: help them order more often."),
        "#6f42c1",
    ),
    Segment(
        "key_winback",
        False,
        False,
        True,
        _("Key customers to win back"),
        _("Big buyers who seldom order and not lately: win them back."),
        "#dc3545",
    ),
    Segment(
        "regular_value",
        True,
        True,
        False,
        _("Regular value customers"),
        _("Recent, frequent, small orders: raise the order value."),
        "#20c997",
    ),
    Segment(
        "regular_keep",
        False,
        True,
        False,
        _("Regular customers to keep"),
        _("Frequent small buyers who have not ordered lately."),
        "#0dcaf0",
    ),
    Segment(
        "regular_develop",
        True,
        False,
        False,
        _("Regular customers to develop"),
        _("Recent small buyers who seldom order."),
        "#ffc107",
    ),
    Segment(
        "regular_winback",
        False,
        False,
        False,
        _("Regular customers to win back"),
        _("Small buyers who seldom order and not lately."),
        "#adb5bd",
    ),
)
SEGMENT_KEYS = tuple(s.key for s in SEGMENTS)


def segment_by_key(key: str) -> Segment | None:
    return next((s for s in SEGMENTS if s.key == key), None)


def segment_of(r_high: bool, f_high: bool, m_high: bool) -> Segment:
    return next(s for s in SEGMENTS if (s.r_high, s.f_high, s.m_high) == (r_high, f_high, m_high))


# --- window and baselines -----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # today
    days: int


def window_for(workspace: Workspace, days: int, today: dt.date | None = None) -> Window:
    today = today or workspace_today(workspace)
    days = max(1, min(int(days), MAX_WINDOW_DAYS))
    return Window(today - dt.timedelta(days=days - 1), today, days)


@dataclass(frozen=True)
class Baselines:
    recency_days: Decimal  # R high: recency ≤ this
    frequency: Decimal  # F high: orders ≥ this
    monetary: Decimal  # M high: amount ≥ this (base currency)
    recency_is_average: bool
    frequency_is_average: bool
    monetary_is_average: bool
    customers: int  # workspace customers with orders in the window (the averages' base)

    @property
    def recency_cutoff_days(self) -> int:
        """Recency (whole days) ≤ baseline ⇔ recency ≤ ⌊baseline⌋."""
        return math.floor(self.recency_days)

    @property
    def min_orders(self) -> int:
        """Orders (whole) ≥ baseline ⇔ orders ≥ ⌈baseline⌉."""
        return math.ceil(self.frequency)


def _avg(total: Any, count: int) -> Decimal:
    if not count:
        return ZERO
    return (Decimal(total or 0) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _orders(qs: QuerySet, window: Window) -> QuerySet:
    return qs.filter(order_date__gte=window.start, order_date__lte=window.end).exclude(
        status=OrderStatus.CANCELLED
    )


def _per_customer(qs: QuerySet, base_currency: str) -> QuerySet:
    """One row per customer: last order date, its day number, order count, money (base)."""
    return (
        qs.values("customer_id")
        .annotate(
            last=Max("order_date"),
            last_day=Max(DayNumber("order_date")),
            n=Count("pk"),
            m=Cast(
                Sum("base_total", filter=Q(base_currency=base_currency), default=ZERO),
                MONEY_FIELD,
            ),
        )
        .order_by()
    )


def baselines_for(
    workspace: Workspace, settings_row: AnalyticsSettings, window: Window
) -> Baselines:
    """The configured baselines, the empty ones replaced by the workspace averages (one query)."""
    rows = _per_customer(
        _orders(Order.objects.filter(workspace=workspace), window), workspace.base_currency
    )
    agg = rows.aggregate(
        customers=Count("customer_id"),
        days=Sum("last_day"),
        orders=Sum("n"),
        money=Sum("m"),
    )
    customers = agg["customers"] or 0
    today_day = day_number(window.end)
    recency_total = today_day * customers - (agg["days"] or 0)
    recency = settings_row.rfm_recency_days
    frequency = settings_row.rfm_frequency
    monetary = settings_row.rfm_monetary
    return Baselines(
        recency_days=Decimal(recency) if recency is not None else _avg(recency_total, customers),
        frequency=Decimal(frequency) if frequency is not None else _avg(agg["orders"], customers),
        monetary=Decimal(monetary) if monetary is not None else _avg(agg["money"], customers),
        recency_is_average=recency is None,
        frequency_is_average=frequency is None,
        monetary_is_average=monetary is None,
        customers=customers,
    )


def _conditions(b: Baselines, window: Window) -> dict[str, Q]:
    cutoff = window.end - dt.timedelta(days=b.recency_cutoff_days)
    r_high = Q(last__gte=cutoff)
    f_high = Q(n__gte=b.min_orders)
    m_high = Q(m__gte=Value(b.monetary, output_field=MONEY_FIELD))
    out = {}
    for s in SEGMENTS:
        out[s.key] = (
            (r_high if s.r_high else ~r_high)
            & (f_high if s.f_high else ~f_high)
            & (m_high if s.m_high else ~m_high)
        )
    return out


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    customers: int
    monetary: Decimal
    share: Decimal | None  # of the customers, in %, 0.1


@dataclass(frozen=True)
class Report:
    window: Window
    baselines: Baselines
    base_currency: str
    rows: list[SegmentRow]
    customers: int
    orders: int
    monetary: Decimal
    settings: AnalyticsSettings = field(repr=False)

    def row(self, key: str) -> SegmentRow:
        return next(r for r in self.rows if r.segment.key == key)


def visible_orders(member: Membership, window: Window) -> QuerySet:
    return _orders(Order.objects.visible_to(member), window)


def rfm_report(member: Membership, *, today: dt.date | None = None) -> Report:
    """Segment counts and money of the customers whose orders the member sees (3 queries)."""
    workspace = member.workspace
    settings_row = analytics_settings(workspace)
    window = window_for(workspace, settings_row.rfm_window_days, today)
    b = baselines_for(workspace, settings_row, window)
    rows = _per_customer(visible_orders(member, window), workspace.base_currency)
    aggs: dict[str, Any] = {
        "customers": Count("customer_id"),
        "orders": Sum("n"),
        "money": Sum("m"),
    }
    for key, cond in _conditions(b, window).items():
        aggs[f"{key}__n"] = Count("customer_id", filter=cond)
        aggs[f"{key}__m"] = Sum("m", filter=cond)
    agg = rows.aggregate(**aggs)
    total = agg["customers"] or 0
    currency = workspace.base_currency
    out = []
    for s in SEGMENTS:
        n = agg[f"{s.key}__n"] or 0
        out.append(
            SegmentRow(
                segment=s,
                customers=n,
                monetary=money(agg[f"{s.key}__m"]),
                share=(Decimal(100 * n) / Decimal(total)).quantize(Decimal("0.1"))
                if total
                else None,
            )
        )
    return Report(
        window=window,
        baselines=b,
        base_currency=currency,
        rows=out,
        customers=total,
        orders=agg["orders"] or 0,
        monetary=money(agg["money"]),
        settings=settings_row,
    )


def money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the customers of a segment -----------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    last_order: dt.date
    recency: int
    frequency: int
    monetary: Decimal
    segment: Segment


@dataclass(frozen=True)
class CustomerPage:
    rows: list[CustomerRow]
    page: int
    has_next: bool


def _row(data: dict, customer: Customer, b: Baselines, window: Window) -> CustomerRow:
    recency = (window.end - data["last"]).days
    m = money(data["m"])
    r_high = recency <= b.recency_cutoff_days
    f_high = data["n"] >= b.min_orders
    m_high = m >= b.monetary
    return CustomerRow(
        customer=customer,
        last_order=data["last"],
        recency=recency,
        frequency=data["n"],
        monetary=m,
        segment=segment_of(r_high, f_high, m_high),
    )


def segment_customers(
    member: Membership,
    report: Report,
    *,
    segment: str = "",
    page: int = 1,
    limit: int = PAGE_SIZE,
) -> CustomerPage:
    """The customers of one segment (all when `segment` is empty), biggest money first (2
    queries). Offset paging: a report page is read, not scrolled through millions of rows."""
    page = max(1, page)
    rows = _per_customer(visible_orders(member, report.window), report.base_currency)
    if segment:
        rows = rows.filter(_conditions(report.baselines, report.window)[segment])
    offset = (page - 1) * limit
    chunk = list(rows.order_by("-m", "customer_id")[offset : offset + limit + 1])
    has_next = len(chunk) > limit
    chunk = chunk[:limit]
    customers = Customer.objects.select_related("owner").in_bulk([r["customer_id"] for r in chunk])
    out = [
        _row(r, customers[r["customer_id"]], report.baselines, report.window)
        for r in chunk
        if r["customer_id"] in customers
    ]
    return CustomerPage(out, page, has_next)


def segment_export_rows(member: Membership, report: Report, *, segment: str = "") -> list[list]:
    """Every customer of the segment (or all) as spreadsheet rows, biggest money first."""
    rows_out: list[list] = []
    page = 1
    while True:
        chunk = segment_customers(member, report, segment=segment, page=page, limit=2000)
        for r in chunk.rows:
            rows_out.append(
                [
                    r.customer.code,
                    r.customer.name,
                    str(r.customer.owner) if r.customer.owner else "",
                    str(r.segment.name),
                    r.segment.code,
                    r.last_order,
                    r.recency,
                    r.frequency,
                    r.monetary,
                ]
            )
        if not chunk.has_next:
            return rows_out
        page += 1


# --- settings (owners and managers) -------------------------------------------------------------

SETTING_FIELDS = (
    "rfm_window_days",
    "rfm_recency_days",
    "rfm_frequency",
    "rfm_monetary",
    "reorder_soon_ratio",
    "churn_risk_ratio",
)


def _invalid(fields: dict[str, list[Any]]) -> ServiceError:
    return ServiceError(
        ErrorCode.INVALID, _("Please correct the marked fields."), fields=fields, status=422
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _clean(data: dict[str, Any], row: AnalyticsSettings) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {name: getattr(row, name) for name in SETTING_FIELDS}
    limits: dict[str, tuple[Decimal, Decimal, bool]] = {
        # name: (lowest, highest, may be empty)
        "rfm_window_days": (Decimal(1), Decimal(MAX_WINDOW_DAYS), False),
        "rfm_recency_days": (Decimal(0), Decimal(MAX_WINDOW_DAYS), True),
        "rfm_frequency": (Decimal(0), Decimal("99999999"), True),
        "rfm_monetary": (Decimal(0), Decimal("9999999999999999"), True),
        "reorder_soon_ratio": (Decimal("0.01"), Decimal("0.99"), False),
        "churn_risk_ratio": (Decimal(1), Decimal("999"), False),
    }
    for name in SETTING_FIELDS:
        if name not in data:
            continue
        low, high, optional = limits[name]
        try:
            number = _decimal(data[name])
        except ValueError:
            errors[name] = [_("Enter a number.")]
            continue
        if number is None:
            if optional:
                values[name] = None
            else:
                errors[name] = [_("This field is required.")]
            continue
        if number < low or number > high:
            errors[name] = [
                _("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            continue
        if name in ("rfm_window_days", "rfm_recency_days"):
            if number != number.to_integral_value():
                errors[name] = [_("Enter a whole number of days.")]
                continue
            values[name] = int(number)
        else:
            values[name] = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if errors:
        raise _invalid(errors)
    return values


@transaction.atomic
def analytics_settings_set(*, actor: Actor, data: dict[str, Any]) -> AnalyticsSettings:
    """Change the RFM window and baselines and the reorder / churn thresholds (owners and
    managers). Keys left out keep their value; an empty baseline means "the workspace average".
    The reorder-soon ratio is below 1 and the churn-risk ratio at least 1, so the two lists never
    overlap."""
    require(actor, Perm.GOAL_MANAGE)
    row = analytics_settings(actor.workspace)
    row = AnalyticsSettings.objects.select_for_update().get(pk=row.pk)
    values = _clean(data, row)
    before = audit.snapshot(row, list(SETTING_FIELDS))
    for name, value in values.items():
        setattr(row, name, value)
    after = audit.snapshot(row, list(SETTING_FIELDS))
    changes = audit.diff(before, after)
    if changes:
        row.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=row, changes=changes)
    return row
