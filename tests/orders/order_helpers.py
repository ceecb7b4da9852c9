"""Helpers of the order, shipment, payment and finance tests: a won opportunity with a USD→CNY
rate, and an order made from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.orders.conftest import act
from tradewind.orders import orders
from tradewind.orders.models import Order
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import ExchangeRate

RATE_DAY = dt.date(2020, 1, 1)


def add_rate(ws, from_currency: str, rate: str, to_currency: str | None = None) -> None:
    ExchangeRate.objects.create(
        workspace=ws,
        on_date=RATE_DAY,
        from_currency=from_currency,
        to_currency=to_currency or ws.base_currency,
        rate=Decimal(rate),
    )


def win(opportunity: Opportunity) -> Opportunity:
    Opportunity.objects.filter(pk=opportunity.pk).update(status="won")
    opportunity.refresh_from_db()
    return opportunity


def make_order(world, qw, member=None, rate: str = "7.1") -> Order:
    """The rep's won USD opportunity (1295.45 USD: 100 × 12.50 + 100 × 0.505 −10 %) as an order."""
    if not ExchangeRate.objects.filter(workspace=world.ws, from_currency="USD").exists():
        add_rate(world.ws, "USD", rate)
    win(qw.opportunity)
    return orders.order_create(actor=act(member or world.rep), opportunity_id=qw.opportunity.pk)


def lines_of(order: Order) -> list:
    return list(order.lines.order_by("position"))
