"""Receivables (应收): open plan items past their due date, and the daily reminder job.

An item is overdue when it is not settled, its due date is before today (workspace zone) and its
order is not cancelled. The job notifies the customer's owner (or, for a pool customer, whoever
created the order) once per item per day at most: the notification key holds the item and the day,
and `last_reminded_on` marks the item, so running the job twice a day sends nothing new."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind, notify_each
from tradewind.core.money import quantize
from tradewind.workspaces.models import Membership, Workspace

from .models_orders import Order, OrderStatus, PaymentPlanItem
from .orders import to_base, today_for

KINDS.setdefault(
    "order.overdue",
    Kind(
        _("Payment overdue"),
        _("%(order)s · %(customer)s: %(amount)s was due on %(due)s."),
        "bi-cash-coin",
    ),
)


def overdue_items(qs: QuerySet, today: dt.date) -> QuerySet:
    """Plan items of the orders in `qs` that are overdue on `today`."""
    return (
        PaymentPlanItem.objects.filter(order__in=qs, closed_at__isnull=True, due_date__lt=today)
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


def overdue_rows(
    member: Membership, *, customer_id: int | None = None, limit: int = 500
) -> list[OverdueRow]:
    today = today_for(member.workspace)
    orders = Order.objects.visible_to(member)
    if customer_id:
        orders = orders.filter(customer_id=customer_id)
    rows = []
    for item in overdue_items(orders, today)[:limit]:
        remaining = quantize(item.remaining, item.order.currency)
        if remaining <= 0:
            continue
        rows.append(
            OverdueRow(
                item=item,
                order=item.order,
                remaining=remaining,
                base_remaining=to_base(remaining, item.order),
                days=(today - item.due_date).days if item.due_date else 0,
            )
        )
    return rows


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
