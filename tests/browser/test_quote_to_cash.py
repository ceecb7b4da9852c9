"""Quote to cash in the browser: a won opportunity gets a quote that is sent and accepted, a PI is
created and its PDF downloaded; the opportunity becomes an order; a partial shipment, then the
deposit and the balance are recorded through the htmx forms; the customer 360 page shows the
customer signed and nothing receivable. On a desktop and on a phone-sized screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"


def test_won_opportunity_to_pi_order_shipment_and_payments(page: Page, demo, size: str) -> None:
    from tradewind.customers.models import Customer
    from tradewind.orders.models import Order
    from tradewind.sales.models import Opportunity, OpportunityLine
    from tradewind.sales.services import pipeline_default
    from tradewind.workspaces.models import ExchangeRate, Membership

    boss = Membership.objects.filter(workspace=demo, role="owner").select_related("user").first()
    customer = Customer.objects.create(
        workspace=demo, code="KHQC1", name="Quote-to-Cash Trading LLC", owner=boss.user
    )
    pipeline = pipeline_default(demo)
    opportunity = Opportunity.objects.create(
        workspace=demo,
        code="SJQC1",
        name="LED panels for Dubai",
        customer=customer,
        pipeline=pipeline,
        stage=pipeline.stages.filter(is_won=True).first() or pipeline.stages.first(),
        owner=boss.user,
        currency="USD",
        incoterm="FOB",
        named_place="Ningbo",
        status="won",
    )
    OpportunityLine.objects.create(
        opportunity=opportunity,
        description="LED panel 600x600 面板灯",
        quantity=Decimal("100"),
        unit="pcs",
        unit_price=Decimal("10"),
        amount=Decimal("1000.00"),
    )
    if demo.base_currency != "USD":
        ExchangeRate.objects.create(
            workspace=demo,
            on_date=dt.date(2020, 1, 1),
            from_currency="USD",
            to_currency=demo.base_currency,
            rate=Decimal("7.1"),
        )

    login(page, boss.user.email, PASSWORD)
    # A quote from the won opportunity, sent and accepted; a PI from it, downloaded as PDF.
    page.goto(f"/opportunities/{opportunity.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=new-quote]")
    with page.expect_navigation():
        page.click("[data-testid=quote-create]")
    with page.expect_navigation():
        page.click("[data-testid=quote-send]")
    with page.expect_navigation():
        page.click("[data-testid=quote-accept]")
    with page.expect_navigation():
        page.click("[data-testid=create-pi]")
    with page.expect_download() as download:
        page.click("[data-testid=document-pdf]")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:5] == b"%PDF-"

    # The order from the opportunity page.
    page.goto(f"/opportunities/{opportunity.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=create-order]")
    order = Order.objects.get(opportunity=opportunity)
    assert page.locator("[data-testid=order-code]").inner_text() == order.code
    assert page.locator("[data-testid=order-receivable]").inner_text() == "USD 1,000.00"

    # A partial shipment through the htmx form.
    page.click("[data-testid=shipment-new]")
    page.locator("[data-testid=shipment-form]").wait_for()
    page.locator("[data-testid=ship-qty]").first.fill("40")
    page.fill("#bl_no", "NGB123456")
    page.select_option("#container_type", "40HQ")
    with page.expect_navigation():
        page.click("[data-testid=shipment-submit]")
    assert page.locator("[data-testid=order-status]").get_attribute("data-status") == (
        "partly_shipped"
    )
    assert page.locator("[data-testid=line-remaining]").first.inner_text() == "60"

    # The deposit (30 %) and the balance.
    for amount in ("300", "700"):
        page.click("[data-testid=receipt-new]")
        page.locator("[data-testid=receipt-form]").wait_for()
        page.fill("[data-testid=receipt-amount]", amount)
        with page.expect_navigation():
            page.click("[data-testid=receipt-submit]")
    assert page.locator("[data-testid=receipt-row]").count() == 2
    assert page.locator("[data-testid=order-receivable]").inner_text() == "USD 0.00"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the order page scrolls sideways by {overflow}px"
    screenshot(page, f"order-detail-{size}.png")

    # The customer is signed and owes nothing.
    page.goto(f"/customers/{customer.pk}/")
    assert Customer.objects.get(pk=customer.pk).stage == "signed"
    assert page.locator("[data-testid=customer-stage]").count() >= 1
    assert page.locator("[data-testid=finance-receivable]").get_attribute("data-amount") == "0.00"
    assert page.locator("[data-testid=finance-received]").get_attribute("data-amount") != "0.00"
