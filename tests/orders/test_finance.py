"""The customer finance summary: hand-checked figures with orders in two currencies (each at its
order's locked rate), the drill-down links, the API, the customer 360 page panels, and visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client

from tests.conftest import login
from tests.orders.conftest import act
from tests.orders.order_helpers import add_rate, lines_of, make_order
from tradewind.orders import finance, orders, payments, quotes, shipments
from tradewind.sales.models import Opportunity


def two_currency_customer(world, qw):
    """USD order 1295.45 @ 7.1 and EUR order 1000 @ 7.8 on one customer, partly shipped and paid,
    one open opportunity worth 5000 CNY and one without a base amount."""
    rep = act(world.rep)
    usd = make_order(world, qw)  # base 9197.70
    add_rate(world.ws, "EUR", "7.8")
    quote = quotes.quote_create(
        actor=rep,
        customer_id=qw.customer.pk,
        currency="EUR",
        lines=[{"description": "Spare parts", "quantity": "10", "unit_price": "100"}],
    )
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
    eur = quotes.order_from_quote(actor=rep, quote_id=quote.pk)  # base 7800.00
    past = dt.date.today() - dt.timedelta(days=20)
    shipments.shipment_create(
        actor=rep, order_id=usd.pk, lines={lines_of(usd)[0].pk: "40"}, etd=past.isoformat()
    )  # 500 USD shipped; the USD balance (906.81) falls due on the ETD: overdue
    shipments.shipment_create(actor=rep, order_id=eur.pk, lines={lines_of(eur)[0].pk: "5"})
    payments.receipt_record(actor=rep, order_id=usd.pk, amount="388.64")
    payments.receipt_record(actor=rep, order_id=eur.pk, amount="300")
    stage = qw.opportunity.stage
    for code, base in (("SJF1", Decimal("5000")), ("SJF2", None)):
        Opportunity.objects.create(
            workspace=world.ws,
            code=code,
            name="More panels",
            customer=qw.customer,
            pipeline=qw.opportunity.pipeline,
            stage=stage,
            owner=world.rep.user,
            currency="CNY",
            base_amount=base,
        )
    return usd, eur


def test_finance_summary_numbers_by_hand(world, qw):
    two_currency_customer(world, qw)
    summary = finance.customer_finance(world.rep, qw.customer)
    figures = {f.key: f.amount for f in summary.figures}
    assert summary.currency == "CNY"
    assert figures == {
        "pipeline": Decimal("5000.00"),
        "contracted": Decimal("16997.70"),  # 9197.70 + 7800.00
        "shipped": Decimal("7450.00"),  # 500 USD × 7.1 + 500 EUR × 7.8
        "received": Decimal("5099.34"),  # 388.64 × 7.1 = 2759.34 + 300 × 7.8
        "receivable": Decimal("11898.35"),  # 906.81 × 7.1 = 6438.35 + 700 × 7.8
        "overdue": Decimal("6438.35"),  # the USD balance
    }
    assert summary.pipeline_unpriced == 1
    assert summary.get("contracted").count == 2
    assert summary.get("receivable").url == f"/orders/?customer={qw.customer.pk}&receivable=1"
    assert summary.get("received").url == f"/orders/receipts/?customer={qw.customer.pk}"


def test_cancelled_orders_count_nowhere_and_others_see_nothing(world, qw):
    usd = make_order(world, qw)
    orders.order_transition(actor=act(world.rep), order_id=usd.pk, to="cancelled")
    figures = {f.key: f.amount for f in finance.customer_finance(world.rep, qw.customer).figures}
    assert figures["contracted"] == figures["receivable"] == 0
    figures = {f.key: f.amount for f in finance.customer_finance(world.owner2, qw.customer).figures}
    assert set(figures.values()) == {Decimal("0.00")}


def test_finance_api_and_drill_downs(world, qw, api, token_for):
    usd, eur = two_currency_customer(world, qw)
    path = f"/customers/{qw.customer.pk}/finance"
    assert api("get", path).status_code == 401
    assert api("get", path, token=token_for(world.owner2)).status_code == 404
    assert api("get", path, token=token_for(world.other_rep)).status_code == 404
    data = api("get", path, token=token_for(world.rep)).json()
    amounts = {f["key"]: f["amount"] for f in data["figures"]}
    assert amounts["receivable"] == "11898.35" and amounts["overdue"] == "6438.35"
    rep = login(Client(), world.rep)
    links = {f["key"]: f["url"] for f in data["figures"]}
    receivable = rep.get(links["receivable"]).content
    assert usd.code.encode() in receivable and eur.code.encode() in receivable
    overdue = rep.get(links["overdue"]).content
    assert usd.code.encode() in overdue and eur.code.encode() not in overdue
    received = rep.get(links["received"]).content
    assert received.count(b'data-testid="receipt-row"') == 2
    assert rep.get(links["shipped"]).content.count(b'data-testid="order-row"') == 2
    assert rep.get(links["pipeline"]).status_code == 200


def test_customer_360_page_shows_the_panels(world, qw):
    usd, _eur = two_currency_customer(world, qw)
    html = login(Client(), world.rep).get(f"/customers/{qw.customer.pk}/").content.decode()
    assert 'data-testid="finance-panel"' in html and 'data-testid="documents-panel"' in html
    assert 'data-testid="finance-receivable" data-amount="11898.35"' in html
    assert "11,898.35" in html and usd.code in html
    assert 'data-testid="finance-placeholder"' not in html
