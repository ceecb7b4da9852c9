"""Opportunity amounts: line amounts and totals exact to each currency's minor unit, product list
prices, and the base-currency equivalent at the rate in force on the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tradewind.core.errors import ServiceError
from tradewind.customers.services import customer_create
from tradewind.sales.amounts import base_equivalent, clean_lines, line_amount, lines_total
from tradewind.sales.models import OpportunityLine, Product, ProductPrice
from tradewind.sales.services import opportunity_create, opportunity_update
from tradewind.workspaces.models import ExchangeRate
from tradewind.workspaces.timezones import workspace_today

D = Decimal


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Amounts Buyer")


def rate(world, day: dt.date, src: str, value: str, dst: str = "CNY", ws=None) -> None:
    ExchangeRate.objects.create(
        workspace=ws or world.ws, on_date=day, from_currency=src, to_currency=dst, rate=D(value)
    )


def test_line_amount_rounds_half_up_to_the_minor_unit():
    assert line_amount(D("3"), D("0.335"), D("0"), "USD") == D("1.01")  # 1.005 -> 1.01
    assert line_amount(D("1"), D("2.675"), D("0"), "USD") == D("2.68")
    assert line_amount(D("7"), D("99.5"), D("0"), "JPY") == D("697")  # 696.5 -> 697, no decimals
    assert line_amount(D("1"), D("0.0005"), D("0"), "KWD") == D("0.001")  # three decimals
    assert line_amount(D("100"), D("12.34"), D("5"), "USD") == D("1172.30")
    assert line_amount(D("1000"), D("1.2345"), D("2.5"), "EUR") == D("1203.64")  # 1203.6375
    assert line_amount(D("2.5"), D("10"), D("100"), "USD") == D("0.00")


def test_total_is_the_sum_of_rounded_lines():
    lines = [
        {"quantity": D("1"), "unit_price": D("0.005"), "discount_percent": D("0")},
        {"quantity": D("1"), "unit_price": D("0.005"), "discount_percent": D("0")},
        {"quantity": D("1"), "unit_price": D("0.005")},
    ]
    # each line rounds to 0.01; the total is 0.03, not round(0.015) = 0.02
    assert lines_total(lines, "USD") == D("0.03")
    assert lines_total([], "JPY") == D("0")
    jpy = [{"quantity": D("3"), "unit_price": D("333.4"), "discount_percent": D("0")}] * 2
    assert lines_total(jpy, "JPY") == D("2000")  # 1000.2 -> 1000 each


def test_base_equivalent_uses_the_rate_in_force_on_the_day(world):
    day = dt.date(2026, 3, 10)
    rate(world, dt.date(2026, 3, 1), "USD", "7.1")
    rate(world, dt.date(2026, 3, 15), "USD", "7.3")
    assert base_equivalent(world.ws, D("100"), "USD", day) == (D("710.00"), D("7.1"))
    assert base_equivalent(world.ws, D("100"), "USD", dt.date(2026, 3, 15))[0] == D("730.00")
    assert base_equivalent(world.ws, D("100"), "USD", dt.date(2026, 2, 28)) == (None, None)
    assert base_equivalent(world.ws, D("5"), "CNY", day) == (D("5.00"), D("1"))
    assert base_equivalent(world.ws, None, "USD", day) == (None, None)
    # the reverse pair works too: 1 CNY = 20 JPY -> 1 JPY = 0.05 CNY
    rate(world, dt.date(2026, 3, 1), "CNY", "20", dst="JPY")
    assert base_equivalent(world.ws, D("1001"), "JPY", day) == (D("50.05"), D("0.05"))
    # another workspace's rates are not used
    assert base_equivalent(world.ws2, D("100"), "USD", day) == (None, None)


def test_create_with_lines_takes_list_prices_and_base_amount(world, customer):
    product = Product.objects.create(workspace=world.ws, sku="KT-1", name_en="Kettle", unit="pcs")
    ProductPrice.objects.create(product=product, currency="USD", unit_price=D("12.345"))
    today = workspace_today(world.ws)
    rate(world, today - dt.timedelta(days=3), "USD", "7.2")
    opp = opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Kettles",
        currency="USD",
        amount="999",  # ignored: lines decide
        lines=[
            {"product_id": product.pk, "quantity": "100", "discount_percent": "5"},
            {"description": "Custom gift box", "quantity": 100, "unit": "set", "unit_price": "0.8"},
        ],
    )
    lines = list(OpportunityLine.objects.filter(opportunity=opp))
    assert [line.amount for line in lines] == [D("1172.78"), D("80.00")]  # 1172.775 -> .78
    assert lines[0].unit_price == D("12.3450") and lines[0].unit == "pcs"
    assert lines[1].product is None and lines[1].unit == "set"
    assert opp.amount == D("1252.78") and opp.amount_from_lines
    assert opp.base_amount == D("9020.02") and opp.fx_rate == D("7.2")
    assert opp.fx_date == workspace_today(world.ws)


def test_lines_are_checked_together(world, customer):
    product = Product.objects.create(workspace=world.ws, sku="NO-PRICE", name_en="Bare")
    foreign = Product.objects.create(workspace=world.ws2, sku="B-1", name_en="Other ws")
    ProductPrice.objects.create(product=foreign, currency="USD", unit_price=D("1"))
    with pytest.raises(ServiceError) as exc:
        clean_lines(
            world.ws,
            [
                {"product_id": product.pk, "quantity": "1"},
                {"product_id": foreign.pk, "quantity": "1"},
                {"description": "x", "quantity": "0", "unit_price": "1"},
                {"description": "y", "quantity": "1", "unit_price": "-1"},
                {"description": "z", "quantity": "1", "unit_price": "1", "discount_percent": "101"},
                {"quantity": "1", "unit_price": "1"},
                {"description": "w", "quantity": "abc", "unit_price": "NaN"},
            ],
            "USD",
        )
    fields = exc.value.fields
    assert exc.value.code == "unknown_product"
    assert set(fields) == {
        "lines.0.unit_price",
        "lines.1.product_id",
        "lines.2.quantity",
        "lines.3.unit_price",
        "lines.4.discount_percent",
        "lines.5.description",
        "lines.6.quantity",
        "lines.6.unit_price",
    }
    with pytest.raises(ServiceError) as exc:
        clean_lines(world.ws, [{"product_id": product.pk, "quantity": "1"}], "USD")
    assert exc.value.code == "no_price" and "USD" in str(exc.value.fields["lines.0.unit_price"][0])
    # lines need a currency
    with pytest.raises(ServiceError) as exc:
        opportunity_create(
            actor=world.actor(world.rep),
            customer=customer,
            name="No currency",
            lines=[{"description": "a", "quantity": 1, "unit_price": 1}],
        )
    assert exc.value.code == "unknown_currency"


def test_update_lines_replace_and_clear_back_to_an_entered_amount(world, customer):
    actor = world.actor(world.rep)
    opp = opportunity_create(
        actor=actor,
        customer=customer,
        name="Deal",
        currency="JPY",
        lines=[{"description": "Rice cooker", "quantity": 3, "unit_price": "3333.5"}],
    )
    assert opp.amount == D("10001") and opp.amount_from_lines  # 10000.5 -> 10001
    with pytest.raises(ServiceError) as exc:
        opportunity_update(actor=actor, opportunity=opp, amount="5")
    assert exc.value.code == "amount_from_lines"
    with pytest.raises(ServiceError) as exc:
        opportunity_update(actor=actor, opportunity=opp, currency="USD")
    assert exc.value.code == "amount_from_lines"
    opp = opportunity_update(
        actor=actor,
        opportunity=opp,
        currency="USD",
        lines=[
            {"description": "Rice cooker", "quantity": 3, "unit_price": "33.335"},
            {"description": "Spare bowl", "quantity": 10, "unit_price": "2.5"},
        ],
    )
    assert opp.currency == "USD" and opp.amount == D("125.01")  # 100.005 -> 100.01, + 25
    assert list(opp.lines.values_list("amount", flat=True)) == [D("100.01"), D("25.00")]
    assert opp.version == 2
    opp = opportunity_update(actor=actor, opportunity=opp, lines=[], amount="300")
    assert not opp.lines.exists() and opp.amount == D("300.00") and not opp.amount_from_lines
    opp = opportunity_update(actor=actor, opportunity=opp, amount="400.456")
    assert opp.amount == D("400.46")


def test_base_amount_follows_the_day_of_the_change(world, customer):
    rate(world, dt.date(2026, 1, 1), "EUR", "7.8")
    rate(world, dt.date(2026, 2, 1), "EUR", "8")
    actor = world.actor(world.rep)
    with time_machine.travel(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        opp = opportunity_create(
            actor=actor, customer=customer, name="EU", amount="1000", currency="EUR"
        )
    assert opp.base_amount == D("7800.00") and opp.fx_date == dt.date(2026, 1, 20)
    with time_machine.travel(dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC), tick=False):
        same = opportunity_update(actor=actor, opportunity=opp, next_step="Call")
        assert same.base_amount == D("7800.00")  # the amount did not change: rate kept
        opp = opportunity_update(actor=actor, opportunity=opp, amount="1000.50")
    assert opp.base_amount == D("8004.00") and opp.fx_rate == D("8")
    assert opp.fx_date == dt.date(2026, 2, 10)
    opp = opportunity_update(actor=actor, opportunity=opp, currency="GBP")  # no GBP rate
    assert opp.base_amount is None and opp.fx_rate is None and opp.fx_date is None
