"""An opportunity from a customer's 360 page with two product lines (one picked from the catalogue,
one free text): the form shows the running total, the page the saved total; then closed lost with
a reason, reopened, and closed won. On a desktop and on a phone-sized screen, without sideways
scrolling."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_create_with_two_lines_close_lost_reopen_and_win(page: Page, demo, size: str) -> None:
    from tradewind.customers.models import Customer
    from tradewind.sales.models import Opportunity, Product, ProductPrice
    from tradewind.workspaces.models import Membership

    boss = Membership.objects.filter(workspace=demo, role="owner").select_related("user").first()
    customer = Customer.objects.filter(workspace=demo).order_by("id").first()
    panel = Product.objects.create(
        workspace=demo, sku="LX-200", name_en="LED panel 600x600", name_zh="LED 面板", unit="pcs"
    )
    ProductPrice.objects.create(product=panel, currency="USD", unit_price=Decimal("12.50"))

    login(page, boss.user.email, PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=new-opportunity]")
    assert f"customer={customer.pk}" in page.url
    page.fill("input[name=name]", "春季 LED 订单")
    page.select_option("select[name=currency]", "USD")
    # Line 1 from the catalogue: the picker fills the description, unit and list price.
    page.click("[data-testid=add-line]")
    no_sideways_scroll(page)
    row = page.locator("[data-testid=line-row]").nth(0)
    search = row.locator(".ts-control input")
    search.fill("LX")
    page.locator(".ts-dropdown .option.active", has_text="LX-200").wait_for()
    search.press("Enter")  # by keyboard: the first match is the active option
    assert Decimal(row.locator("[data-testid=line-price]").input_value()) == Decimal("12.5")
    row.locator("[data-testid=line-quantity]").fill("100")
    # Line 2 in free text.
    page.click("[data-testid=add-line]")
    row2 = page.locator("[data-testid=line-row]").nth(1)
    row2.locator("[data-testid=line-description]").fill("Custom frame")
    row2.locator("[data-testid=line-quantity]").fill("2")
    row2.locator("[data-testid=line-price]").fill("75")
    total = page.locator("[data-testid=lines-form-total]")
    assert "1,400.00" in total.inner_text() and "USD" in total.inner_text()
    with page.expect_navigation():
        page.click("[data-testid=save]")
    opp = Opportunity.objects.get(workspace=demo, name="春季 LED 订单")
    assert opp.amount == Decimal("1400.00") and opp.lines.count() == 2
    assert page.url.rstrip("/").endswith(f"/opportunities/{opp.pk}")
    assert "1,400.00 USD" in page.locator("[data-testid=lines-total]").inner_text()
    no_sideways_scroll(page)
    screenshot(page, f"opportunity-detail-zh-{size}.png")

    # Lost: reason and note are required.
    page.click("[data-testid=close-lost-open]")
    page.locator("#close-lost").wait_for(state="visible")
    page.select_option("[data-testid=lost-reason]", index=1)
    page.fill("[data-testid=lost-note]", "客户选择了更便宜的供应商")
    with page.expect_navigation():
        page.click("[data-testid=close-lost-submit]")
    assert page.locator("[data-testid=opportunity-status]").get_attribute("data-status") == "lost"
    assert page.locator("[data-testid=close-reason]").is_visible()

    # Reopen (the boss may), then win.
    with page.expect_navigation():
        page.click("[data-testid=reopen]")
    assert page.locator("[data-testid=opportunity-status]").get_attribute("data-status") == "open"
    page.click("[data-testid=close-won-open]")
    page.locator("#close-won").wait_for(state="visible")
    with page.expect_navigation():
        page.click("[data-testid=close-won-submit]")
    assert page.locator("[data-testid=opportunity-status]").get_attribute("data-status") == "won"
    opp.refresh_from_db()
    assert opp.status == "won" and opp.lines.count() == 2

    # The list shows it, on a phone too.
    page.goto("/opportunities/?status=won")
    assert page.locator("[data-testid=opportunity-row]", has_text="春季 LED 订单").count() == 1
    no_sideways_scroll(page)
