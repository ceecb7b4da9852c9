"""The fixed dataset of the goal and commission tests: March 2025 in the workspace's zone
(Asia/Shanghai), records as bulk rows (only the fields the reports read matter here).

  won opportunities (closed_at local, base_amount)
    rep        03-05 10:00 10000.00; 03-31 23:30 5000.50; 04-01 00:30 999 (April, not counted)
    rep2       03-10 20000.00
    other_rep  03-15 7000.00; a lost one 03-16 3000 (not counted)
    owner2     (workspace B) 03-10 50000 — never counted
  receipts (received_on, order-currency amount × order rate = base)
    rep        03-03 USD 1000.00 × 7.1234 = 7123.40; 03-20 USD 333.33 × 7.1234 = 2374.44;
               02-28 CNY 500 (February); 03-31 CNY 1500.00
    rep2       03-12 EUR 2000.00 × 7.8 = 15600.00
    other_rep  03-25 CNY 4000.00
  new customers (created in March): rep 1, other_rep 1, the pool 1; rep2's is from February
  qualified leads (created in March, now qualified or converted): rep 2 (+1 new), other_rep 1,
    rep2 0 (one invalid)
  follow-ups (happened in March): rep 3 (+1 in April), other_rep 2
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from tradewind.activities.models import FollowUp
from tradewind.analytics.models import CommissionRule, Goal
from tradewind.customers.models import Customer
from tradewind.leads.models import Lead
from tradewind.orders.models_orders import Order, Receipt
from tradewind.sales.models import Opportunity
from tradewind.sales.services import pipeline_default

MARCH = dt.date(2025, 3, 1)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Data:
    customers: dict[str, Customer]
    orders: dict[str, Order]
    receipts: dict[str, Receipt]


def build(world) -> Data:
    ws = world.ws
    ws.time_zone = "Asia/Shanghai"
    ws.base_currency = "CNY"
    ws.save(update_fields=["time_zone", "base_currency"])
    for m in (world.owner, world.manager, world.rep, world.rep2, world.other_rep, world.readonly):
        m.workspace.time_zone = "Asia/Shanghai"
    rep, rep2, west = world.rep.user, world.rep2.user, world.other_rep.user
    customers = {
        "rep": _customer(ws, "GC1", "Goal buyer east", rep, at(3, 2)),
        "rep2": _customer(ws, "GC2", "Goal buyer east two", rep2, at(2, 20)),
        "west": _customer(ws, "GC3", "ALPHA-WEST-SECRET goal buyer", west, at(3, 20)),
        "pool": _customer(ws, "GC4", "Pool buyer", None, at(3, 21)),
    }
    foreign = _customer(world.ws2, "GC9", "BETA buyer", world.owner2.user, at(3, 5))

    pipeline = pipeline_default(ws)
    stage = pipeline.stages.order_by("position").first()
    pipeline2 = pipeline_default(world.ws2)
    stage2 = pipeline2.stages.order_by("position").first()
    opps = [
        (ws, customers["rep"], rep, "won", at(3, 5), "10000.00", pipeline, stage),
        (ws, customers["rep"], rep, "won", at(3, 31, 23, 30), "5000.50", pipeline, stage),
        (ws, customers["rep"], rep, "won", at(4, 1, 0, 30), "999.00", pipeline, stage),
        (ws, customers["rep2"], rep2, "won", at(3, 10), "20000.00", pipeline, stage),
        (ws, customers["west"], west, "won", at(3, 15), "7000.00", pipeline, stage),
        (ws, customers["west"], west, "lost", at(3, 16), "3000.00", pipeline, stage),
        (world.ws2, foreign, world.owner2.user, "won", at(3, 10), "50000.00", pipeline2, stage2),
    ]
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                workspace=w,
                code=f"GO{i}",
                name=f"Goal deal {i}",
                customer=c,
                owner=u,
                status=status,
                closed_at=when,
                amount=Decimal(amount),
                currency="CNY",
                base_amount=Decimal(amount),
                pipeline=p,
                stage=s,
            )
            for i, (w, c, u, status, when, amount, p, s) in enumerate(opps)
        ]
    )

    orders = {
        "usd": _order(ws, customers["rep"], "GO-USD", "USD", "7.1234"),
        "cny": _order(ws, customers["rep"], "GO-CNY", "CNY", "1"),
        "eur": _order(ws, customers["rep2"], "GO-EUR", "EUR", "7.8"),
        "west": _order(ws, customers["west"], "GO-WEST", "CNY", "1"),
        "foreign": _order(world.ws2, foreign, "GO-B", "CNY", "1"),
    }
    receipts = {
        "usd1": _receipt(orders["usd"], dt.date(2025, 3, 3), "1000.00"),
        "usd2": _receipt(orders["usd"], dt.date(2025, 3, 20), "333.33"),
        "feb": _receipt(orders["cny"], dt.date(2025, 2, 28), "500.00"),
        "cny": _receipt(orders["cny"], dt.date(2025, 3, 31), "1500.00"),
        "eur": _receipt(orders["eur"], dt.date(2025, 3, 12), "2000.00"),
        "west": _receipt(orders["west"], dt.date(2025, 3, 25), "4000.00"),
        "foreign": _receipt(orders["foreign"], dt.date(2025, 3, 25), "9000.00"),
    }

    leads = [
        (rep, "qualified", at(3, 3)),
        (rep, "converted", at(3, 4)),
        (rep, "new", at(3, 5)),
        (rep, "qualified", at(2, 27)),  # February
        (rep2, "invalid", at(3, 6)),
        (west, "qualified", at(3, 7)),
    ]
    for i, (owner, status, when) in enumerate(leads):
        lead = Lead.objects.create(
            workspace=ws, code=f"GL{i}", company_name=f"Goal lead {i}", owner=owner, status=status
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=when)
    follow = [
        (rep, at(3, 1, 0, 10)),
        (rep, at(3, 10)),
        (rep, at(3, 31, 23, 59)),
        (rep, at(4, 1, 0, 1)),  # April
        (west, at(3, 11)),
        (west, at(3, 12)),
    ]
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                workspace=ws,
                target_type="lead",
                target_id=world.lead.pk,
                owner=owner,
                happened_at=when,
                channel="phone",
                summary=f"call {i}",
                result="progress",
            )
            for i, (owner, when) in enumerate(follow)
        ]
    )
    return Data(customers, orders, receipts)


def _customer(ws, code, name, owner, created) -> Customer:
    return Customer.objects.create(
        workspace=ws, code=code, name=name, owner=owner, created_at=created
    )


def _order(ws, customer, code, currency, rate) -> Order:
    return Order.objects.create(
        workspace=ws,
        code=code,
        customer=customer,
        status="confirmed",
        order_date=dt.date(2025, 2, 1),
        currency=currency,
        total=Decimal("100000"),
        base_currency="CNY",
        fx_rate=Decimal(rate),
        fx_date=dt.date(2025, 2, 1),
        base_total=Decimal("100000") * Decimal(rate),
    )


def _receipt(order, day, amount) -> Receipt:
    return Receipt.objects.create(
        workspace=order.workspace,
        order=order,
        received_on=day,
        amount=Decimal(amount),
        currency=order.currency,
        rate=Decimal(1),
        amount_order_currency=Decimal(amount),
    )


def goal_objects(world) -> dict[str, object]:
    """Isolation targets: a goal and a commission rule of world.rep, and world.rep's user."""
    goal, _new = Goal.objects.get_or_create(
        workspace=world.ws,
        metric="won_amount",
        period="month",
        period_start=MARCH,
        rep=world.rep.user,
        defaults={"target": Decimal("100")},
    )
    rule, _new = CommissionRule.objects.get_or_create(
        workspace=world.ws,
        name="walker commission",
        rep=world.rep.user,
        defaults={"rate": Decimal("1"), "valid_from": MARCH},
    )
    return {"goal": goal, "commission_rule": rule, "goal_rep": world.rep.user}


def goal_state(world) -> tuple:
    return (
        list(Goal.objects.filter(workspace=world.ws).values_list("pk", "target", "version")),
        list(
            CommissionRule.objects.filter(workspace=world.ws).values_list("pk", "rate", "version")
        ),
    )
