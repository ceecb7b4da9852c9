"""The demo's report data, through the services: repeat orders with receipts for a few customers
(so RFM, churn warnings and receivables have history, and some deposits are overdue), tasks for a
rep's day, and goals for the workspace, the two sales groups and their reps (this month, on won
amount, payments received and qualified leads) — so every dashboard chart has data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradewind.activities.task_services import task_create
from tradewind.analytics.goals import goal_set, period_start_for
from tradewind.customers.models import Customer
from tradewind.orders import orders, payments
from tradewind.orders.models import PaymentPlanItem
from tradewind.sales.closing import opportunity_close
from tradewind.sales.models import Product
from tradewind.sales.services import opportunity_create

from . import data
from .common import Demo

# customer name fragment, product sku, quantity, currency, days ago of each order (oldest first);
# the newest order's deposit is left unpaid (it is overdue once its order date has passed).
ORDER_HISTORY = [
    ("Hartmann", "KT-1708", 2000, "EUR", [300, 210, 120, 35]),
    ("Maison", "KT-1212G", 1500, "EUR", [250, 160, 75]),
    ("Brightline", "HK-1800", 800, "USD", [330, 240, 150, 100]),
    ("Bella Casa", "TS-2S01", 1200, "EUR", [200, 95]),
]

GOALS = [
    # metric, level ("workspace", a team key or a rep e-mail), target
    ("won_amount", "workspace", "900000"),
    ("won_amount", "west", "600000"),
    ("won_amount", "east", "300000"),
    ("won_amount", "zhangqiang@demo.test", "250000"),
    ("won_amount", "wangfang@demo.test", "200000"),
    ("payments_received", "workspace", "500000"),
    ("qualified_leads", "west", "12"),
    ("qualified_leads", "east", "10"),
    ("qualified_leads", "zhangqiang@demo.test", "5"),
    ("qualified_leads", "zhoujie@demo.test", "4"),
]


def load_analytics(demo: Demo) -> None:
    _orders(demo)
    _tasks(demo)
    _goals(demo)


def _orders(demo: Demo) -> None:
    boss = demo.actor(data.BOSS[0])
    for fragment, sku, quantity, currency, days_ago in ORDER_HISTORY:
        customer = Customer.objects.filter(
            workspace=demo.workspace, name__contains=fragment
        ).first()
        product = Product.objects.filter(workspace=demo.workspace, sku=sku).first()
        if customer is None or product is None:
            continue
        owner_id = customer.owner_id or demo.users[data.BOSS[0]].pk
        for n, ago in enumerate(days_ago):
            opportunity = opportunity_create(
                actor=boss,
                customer=customer,
                name=f"{product.name_en} · {fragment} #{n + 1}",
                currency=currency,
                owner_id=owner_id,
                expected_close_date=demo.today - dt.timedelta(days=ago),
                lines=[{"product_id": product.pk, "quantity": quantity + 100 * n}],
            )
            opportunity_close(actor=boss, opportunity_id=opportunity.pk, outcome="won")
            day = demo.today - dt.timedelta(days=ago)
            order = orders.order_create(actor=boss, opportunity_id=opportunity.pk, order_date=day)
            items = list(PaymentPlanItem.objects.filter(order=order).order_by("position"))
            if n == len(days_ago) - 1:
                # The newest order: the deposit was due on the order date and is still open.
                continue
            # Older orders were paid in full: the deposit, then the balance before shipment.
            for item, after in zip(items, (5, 30), strict=False):
                PaymentPlanItem.objects.filter(pk=item.pk, due_date__isnull=True).update(
                    due_date=day + dt.timedelta(days=after)
                )
                payments.receipt_record(
                    actor=boss,
                    order_id=order.pk,
                    amount=item.amount,
                    received_on=min(day + dt.timedelta(days=after), demo.today),
                    plan_item_id=item.pk,
                    reference=f"DEMO-{order.code}-{item.position}",
                )


def _tasks(demo: Demo) -> None:
    rep = demo.actor("zhangqiang@demo.test")
    for title, due in (
        ("Call Hartmann about the overdue deposit 催收定金", demo.at(-1, 10)),
        ("Send the revised quotation 发送修改后的报价", demo.at(0, 17)),
        ("Prepare samples for the trade show 准备展会样品", demo.at(2, 9)),
    ):
        task_create(actor=rep, title=title, due_kind="exact", due_at=due, now=demo.now)


def _goals(demo: Demo) -> None:
    boss = demo.actor(data.BOSS[0])
    start = period_start_for("month", demo.today)
    for metric, level, target in GOALS:
        team_id = demo.teams[level].pk if level in demo.teams else None
        rep_id = demo.users[level].pk if level in demo.users else None
        goal_set(
            actor=boss,
            metric=metric,
            period="month",
            period_start=start,
            target=Decimal(target),
            team_id=team_id,
            rep_id=rep_id,
            stretch=2 if level == "workspace" else 1,
        )
