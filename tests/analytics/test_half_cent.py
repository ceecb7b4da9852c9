"""Payments received are rounded per receipt, half up, with Decimal — the same result on SQLite
and PostgreSQL. SQLite multiplies binary floats: 10.05 × 0.5 is 5.02499…, 2.675 is 2.67499…, and
its round() gave 5.02 and 2.67 where PostgreSQL's numeric gave 5.03 and 2.68.

Hand-computed: 10.050 USD × 0.5 = 5.025 → 5.03; 2.675 × 1 = 2.675 → 2.68; 1.005 × 1 → 1.01;
total 8.72 CNY for world.rep in March 2025, on the goal actual, the commission statement (its
rows and its total) and the drill-down page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tradewind.analytics import commission, goals
from tradewind.customers.models import Customer
from tradewind.orders.models_orders import Order, Receipt

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)


def _data(world) -> None:
    customer = Customer.objects.create(
        workspace=world.ws, code="HC1", name="Half Cent Ltd", owner=world.rep.user
    )

    def order(code: str, rate: str) -> Order:
        return Order.objects.create(
            workspace=world.ws, code=code, customer=customer, status="confirmed",
            order_date=dt.date(2025, 2, 1), currency="USD", total=D("100"), base_currency="CNY",
            fx_rate=D(rate), fx_date=dt.date(2025, 2, 1), base_total=D("100") * D(rate),
        )  # fmt: skip

    half, one = order("SO-H", "0.5"), order("SO-1", "1")
    for o, amount in ((half, "10.050"), (one, "2.675"), (one, "1.005")):
        Receipt.objects.create(
            workspace=world.ws, order=o, received_on=dt.date(2025, 3, 10), amount=D(amount),
            currency="USD", rate=D(1), amount_order_currency=D(amount),
        )  # fmt: skip


def test_half_cents_round_up_on_every_engine(world, django_assert_num_queries):
    _data(world)
    end = goals.period_end("month", MARCH)
    with django_assert_num_queries(1):
        actual = goals.actuals_by_user(world.owner, "payments_received", MARCH, end)
    assert actual == {world.rep.user_id: D("8.72")}
    (statement,) = commission.statements(world.owner, MARCH, rep_id=world.rep.user_id)
    assert [r.base_amount for r in statement.rows] == [D("5.03"), D("2.68"), D("1.01")]
    assert statement.base_total == D("8.72")
    records = goals.metric_records(world.owner, "payments_received", MARCH, end)
    assert goals.money_total(records, "payments_received", "CNY") == (3, D("8.72"))


def test_the_drill_down_page_shows_the_same_cents(world, client_for):
    _data(world)
    page = client_for(world.owner).get(
        reverse("analytics:goal_records"),
        {"metric": "payments_received", "period": "month", "start": "2025-03-01"},
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "8.72" in body and "5.03" in body and "2.68" in body and "1.01" in body
    assert "5.02" not in body and "2.67" not in body
