"""Receivables (应收): open plan items past their due date, and the daily reminder job.

An item is overdue when it is not settled, its due date is before today (workspace zone), money
remains on it and its order is not cancelled (`forms_orders.overdue_item_q`, shared with the order
list's `overdue=` filter and the dashboards). The job notifies the customer's owner (or, for a pool customer, whoever
created the order) once per item per day at most: the notification key holds the item and the day,
and `last_reminded_on` marks the item, so running the job twice a day sends nothing new."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind, notify_each
from tradewind.core.money import quantize
from tradewind.workspaces.models import Membership, Workspace

from .forms_orders import OrderFilter, aging_bucket, filtered, overdue_item_q
from .models_orders import Order, OrderStatus, PaymentPlanItem
from .orders import today_for

KINDS.setdefault(
    "order.overdue",
    Kind(
        _("Payment overdue"),
        _("%(order)s · %(customer)s: %(amount)s was due on %(due)s."),
        "bi-cash-coin",
    ),
)


def overdue_items(qs: QuerySet, today: dt.date, bucket: str = "") -> QuerySet:
    """Plan items of the orders in `qs` that are overdue on `today` (in one aging bucket)."""
    return (
        PaymentPlanItem.objects.filter(overdue_item_q(today, bucket), order__in=qs)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order", "order__customer", "order__customer__owner")
        .order_by("due_date", "order_id", "position")
    )


@dataclass(frozen=True)
class OverdueRow:
    item: PaymentPlanItem
    order: Order
    remaining: Decimal
    base_remaining: Decimal
    days: int


def remaining_amounts(
    rest: Decimal, currency: str, fx_rate: Decimal, base_currency: str
) -> tuple[Decimal, Decimal]:
    """An item's remainder as the overdue list shows it: rounded to the order's currency, then
    converted at the order's locked rate and rounded to the base currency (orders.to_base) — in
    Python with Decimal, so SQLite (binary floats) and PostgreSQL agree to the cent."""
    remaining = quantize(max(rest, Decimal(0)), currency)
    return remaining, quantize(remaining * fx_rate, base_currency)


def overdue_rows(
    member: Membership,
    *,
    customer_id: int | None = None,
    filters: OrderFilter | None = None,
    limit: int | None = 500,
) -> list[OverdueRow]:
    """The overdue items of the orders the member sees, narrowed by the order list's filter
    (owner, team, customer, an aging bucket in `overdue` …), oldest due first."""
    today = today_for(member.workspace)
    filters = filters or OrderFilter()
    if customer_id:
        filters = dataclasses.replace(filters, customer=str(customer_id))
    bucket = "" if filters.overdue in ("", "1") else filters.overdue
    items = overdue_items(filtered(member, filters), today, bucket)
    rows = []
    for item in items[:limit] if limit else items:
        order = item.order
        rest = item.amount - item.received - item.charges
        remaining, base = remaining_amounts(
            rest, order.currency, order.fx_rate, order.base_currency
        )
        days = (today - item.due_date).days if item.due_date else 0
        rows.append(
            OverdueRow(item=item, order=order, remaining=remaining, base_remaining=base, days=days)
        )
    return rows


@dataclass(frozen=True)
class AgingCell:
    orders: int
    items: int
    base: Decimal


def aging_totals(member: Membership, filters: OrderFilter) -> dict[str, AgingCell]:
    """Per aging bucket: how many orders, how many items and Σ of each item's base remainder
    (rounded per item as the list shows it). One query reading the overdue items."""
    today = today_for(member.workspace)
    items = overdue_items(filtered(member, filters), today).values_list(
        "order_id",
        "due_date",
        "amount",
        "received",
        "charges",
        "order__currency",
        "order__fx_rate",
        "order__base_currency",
    )
    orders: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    sums: dict[str, Decimal] = {}
    for order_id, due, amount, received, charges, currency, rate, base_currency in items:
        key = aging_bucket((today - due).days)
        base = remaining_amounts(amount - received - charges, currency, rate, base_currency)[1]
        orders.setdefault(key, set()).add(order_id)
        counts[key] = counts.get(key, 0) + 1
        sums[key] = sums.get(key, Decimal(0)) + base
    return {k: AgingCell(len(orders[k]), counts[k], sums[k]) for k in orders}


def receivables_remind(*, workspace: Workspace, today: dt.date | None = None) -> int:
    """Notify the owners of overdue items not yet reminded today. Returns how many were sent."""
    today = today or today_for(workspace)
    items = list(
        overdue_items(Order.objects.filter(workspace=workspace), today).exclude(
            last_reminded_on=today
        )
    )
    sent = 0
    for item in items:
        order = item.order
        user_id = order.customer.owner_id or order.created_by_id
        remaining = quantize(item.remaining, order.currency)
        if user_id is None or remaining <= 0:
            continue
        sent += notify_each(
            workspace=workspace,
            items=[
                (
                    user_id,
                    {
                        "order": order.code,
                        "customer": order.customer.name,
                        "amount": f"{order.currency} {remaining}",
                        "due": item.due_date.isoformat() if item.due_date else "",
                    },
                    reverse("orders:detail", args=[order.pk]),
                )
            ],
            kind="order.overdue",
            key=f"order.overdue:{item.pk}:{today.isoformat()}",
        )
        PaymentPlanItem.objects.filter(pk=item.pk).update(last_reminded_on=today)
    return sent


# --- the daily reminder (a schedule, hourly; once per item per day by the notification key) --------


def receivables_remind_all() -> int:
    from tradewind.workspaces.schedules import schedule_run

    return sum(r.result.get("count", 0) for r in schedule_run("orders.receivables") if r.ok)


def _schedule() -> None:
    from huey import crontab

    from tradewind.workspaces.daily_jobs import local_date
    from tradewind.workspaces.schedules import schedule

    @schedule(
        "orders.receivables",
        label=_("Overdue receivables: remind the owners"),
        cron=crontab(minute="15"),
    )
    def receivables_remind_scheduled(*, workspace: Workspace, now: dt.datetime) -> int:
        return receivables_remind(workspace=workspace, today=local_date(now, workspace))


_schedule()
