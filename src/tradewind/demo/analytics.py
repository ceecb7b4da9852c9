"""The demo's report data, through the services: repeat orders with receipts for a few customers
(so RFM, churn warnings and receivables have history, and some deposits are overdue), tasks for a
rep's day, two leads qualified today, and goals for the workspace, the two sales groups and their
reps (this month, on won amount, payments received and qualified leads) — so every dashboard chart
has data, and every goal progress, on whatever day the demo is loaded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradewind.activities.task_services import task_create
from tradewind.analytics.goals import goal_set, period_start_for
from tradewind.customers.models import Customer
from tradewind.leads.choices import LeadStatus
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.orders import orders, payments
from tradewind.orders.models import PaymentPlanItem
from tradewind.sales.closing import opportunity_close
from tradewind.sales.models import Product
from tradewind.sales.services import opportunity_create

from . import data
from .common import Demo

MONTH_START = -1  # as "days ago": the first day of the current month

# customer name fragment, product sku, quantity, currency, days ago of each order (oldest first),
# whether the newest order's deposit is left unpaid (it is overdue once its order date has passed).
# Walden's newest order, of the first of this month, is paid in full this month (receipts dated
# up to today), so the "payments received" goal of the month has progress on any day the demo is
# loaded — the first of the month included.
ORDER_HISTORY = [
    ("Hartmann", "KT-1708", 2000, "EUR", [300, 210, 120, 35], True),
    ("Maison", "KT-1212G", 1500, "EUR", [250, 160, 75], True),
    ("Brightline", "HK-1800", 800, "USD", [330, 240, 150, 100], True),
    ("Bella Casa", "TS-2S01", 1200, "EUR", [200, 95], True),
    ("Walden", "KT-1708", 1000, "USD", [90, MONTH_START], False),
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


# Leads that came in today and were qualified on the first call, for the "qualified leads" goals
# of the month (a cohort of leads created this month): the other demo leads are weeks old.
# owner e-mail, company, contact, country, industry, source
FRESH_LEADS = [
    ("zhangqiang@demo.test", "Nordlicht Küchen AG", "Anna Becker", "DE", "Retail", "web_form"),
    ("zhoujie@demo.test", "Sakura Home Trading K.K.", "Kenji Sato", "JP", "Wholesale", "email"),
]


def load_analytics(demo: Demo) -> None:
    _orders(demo)
    _tasks(demo)
    _fresh_leads(demo)
    _goals(demo)


def _fresh_leads(demo: Demo) -> None:
    for email, company, contact, country, industry, source in FRESH_LEADS:
        actor = demo.actor(email)
        lead = lead_create(
            actor=actor,
            allow_duplicates=True,
            owner=demo.users[email].pk,
            company_name=company,
            contact_name=contact,
            country=country,
            industry=industry,
            source=source,
            grade="A",
            need="Electric kettles, private label 电水壶贴牌",
        )
        lead = lead_followup_record(
            actor=actor,
            lead=lead,
            channel="phone",
            summary="First call: volumes, budget and decision maker confirmed 首次通话确认需求",
            result="interested",
            happened_at=demo.now,
        ).lead
        lead_transition(
            actor=actor, lead=lead, to_status=LeadStatus.QUALIFIED, note=data.QUALIFIED_NOTE
        )


def _orders(demo: Demo) -> None:
    boss = demo.actor(data.BOSS[0])
    for fragment, sku, quantity, currency, days_ago, unpaid_newest in ORDER_HISTORY:
        customer = Customer.objects.filter(
            workspace=demo.workspace, name__contains=fragment
        ).first()
        product = Product.objects.filter(workspace=demo.workspace, sku=sku).first()
        if customer is None or product is None:
            continue
        owner_id = customer.owner_id or demo.users[data.BOSS[0]].pk
        for n, ago in enumerate(days_ago):
            if ago == MONTH_START:
                ago = demo.today.day - 1
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
            if unpaid_newest and n == len(days_ago) - 1:
                # The newest order: the deposit was due on the order date and is still open.
                continue
            # Other orders were paid in full: the deposit, then the balance before shipment
            # (never after today).
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
    # Due later today whatever the hour the demo is loaded (17:00, else two hours on, else the
    # day's last minute), so "my day" shows one overdue task and one due today.
    later_today = max(demo.at(0, 17), min(demo.now + dt.timedelta(hours=2), demo.at(0, 23, 59)))
    for title, due in (
        ("Call Hartmann about the overdue deposit 催收定金", demo.at(-1, 10)),
        ("Send the revised quotation 发送修改后的报价", later_today),
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
