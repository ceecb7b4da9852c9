"""The fixed dataset of the RFM and churn tests: eight customers with orders dated by their offset
in days from TODAY (2025-06-30, a Monday), chosen so that every one of the eight RFM segments and
every churn status appears once or twice.

Orders are bulk rows (the order services need an opportunity, a quote and a rate per order; only
the fields the reports read matter here). `base_total` is what orders.order_create stores: the
total at the order's locked rate, quantized to the base currency (to_base).

  customer  owner      window orders (offset: base amount)           outside / not counted
  C1        rep        24: USD 1000 @ 7.1234 = 7123.40, 54: 5000,     500: 9999 (outside)
                       84: 5000, 114: 3000
  C2        rep        241: 9000, 271: 8000, 301: 8000
  C3        rep2       29: 30000                                       400: 5000 (outside)
  C4        rep2       333: 20000                                      365: 7000 (outside: the
                                                                       window starts at 364)
  C5        other_rep  5: 1000 and 500 (same day), 20, 40, 61: 1000
  C6        other_rep  149, 249, 349: 500
  C7        rep        15: 800                                         3: cancelled 50000
  C8        rep        350: 600                                        1: cancelled 99999
  C9        (ws2)      10: 123456 — another workspace, never counted
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tradewind.customers.models import Customer
from tradewind.orders.models_orders import Order

TODAY = dt.date(2025, 6, 30)

# code: (owner attribute of the world, [(offset, currency, total, rate, status), ...])
PLAN: dict[str, tuple[str, list[tuple[int, str, str, str, str]]]] = {
    "C1": (
        "rep",
        [
            (24, "USD", "1000", "7.1234", "confirmed"),
            (54, "CNY", "5000", "1", "completed"),
            (84, "CNY", "5000", "1", "shipped"),
            (114, "CNY", "3000", "1", "completed"),
            (500, "CNY", "9999", "1", "completed"),
        ],
    ),
    "C2": (
        "rep",
        [
            (241, "CNY", "9000", "1", "completed"),
            (271, "CNY", "8000", "1", "completed"),
            (301, "CNY", "8000", "1", "completed"),
        ],
    ),
    "C3": (
        "rep2",
        [(29, "CNY", "30000", "1", "confirmed"), (400, "CNY", "5000", "1", "completed")],
    ),
    "C4": (
        "rep2",
        [(333, "CNY", "20000", "1", "completed"), (365, "CNY", "7000", "1", "completed")],
    ),
    "C5": (
        "other_rep",
        [
            (5, "CNY", "1000", "1", "confirmed"),
            (5, "CNY", "500", "1", "confirmed"),
            (20, "CNY", "1000", "1", "completed"),
            (40, "CNY", "1000", "1", "completed"),
            (61, "CNY", "1000", "1", "completed"),
        ],
    ),
    "C6": (
        "other_rep",
        [
            (149, "CNY", "500", "1", "completed"),
            (249, "CNY", "500", "1", "completed"),
            (349, "CNY", "500", "1", "completed"),
        ],
    ),
    "C7": ("rep", [(15, "CNY", "800", "1", "confirmed"), (3, "CNY", "50000", "1", "cancelled")]),
    "C8": ("rep", [(350, "CNY", "600", "1", "completed"), (1, "CNY", "99999", "1", "cancelled")]),
}


@dataclass
class Data:
    customers: dict[str, Customer]
    foreign: Customer  # in workspace B


def day(offset: int) -> dt.date:
    return TODAY - dt.timedelta(days=offset)


def build(world) -> Data:
    customers: dict[str, Customer] = {}
    orders: list[Order] = []
    n = 0
    for code, (owner, plan) in PLAN.items():
        member = getattr(world, owner)
        customer = Customer.objects.create(
            workspace=world.ws, code=code, name=f"Customer {code}", owner=member.user
        )
        customers[code] = customer
        for offset, currency, total, rate, status in plan:
            n += 1
            orders.append(
                _order(world.ws, customer, f"DD{n:03d}", offset, currency, total, rate, status)
            )
    foreign = Customer.objects.create(
        workspace=world.ws2, code="C9", name="BETA-SECRET buyer", owner=world.owner2.user
    )
    orders.append(_order(world.ws2, foreign, "DD999", 10, "CNY", "123456", "1", "completed"))
    Order.objects.bulk_create(orders)
    return Data(customers, foreign)


def _order(ws, customer, code, offset, currency, total, rate, status) -> Order:
    when = day(offset)
    amount = Decimal(total)
    return Order(
        workspace=ws,
        code=code,
        customer=customer,
        status=status,
        order_date=when,
        currency=currency,
        total=amount,
        base_currency="CNY",
        fx_rate=Decimal(rate),
        fx_date=when,
        base_total=(amount * Decimal(rate)).quantize(Decimal("0.01")),
    )
