"""The customer 360 page on a phone-sized screen: no horizontal scroll, the click-to-chat links,
the placeholders, and the timeline filter swapping only the timeline (htmx)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"


@pytest.fixture
def size() -> str:
    return "phone"


def test_360_page_on_a_phone(page: Page, demo) -> None:
    from tradewind.activities.models import FollowUp
    from tradewind.customers.models import Contact, Customer
    from tradewind.workspaces.models import Membership

    boss = Membership.objects.filter(workspace=demo, role="owner").select_related("user").first()
    customer = Customer.objects.filter(workspace=demo).order_by("id").first()
    Contact.objects.create(
        workspace=demo,
        customer=customer,
        name="Phone Test Contact With A Rather Long Name",
        email="a-very-long-address-for-wrapping@example-company-domain.com",
        whatsapp="+49 151 2345678",
        phone="+49 40 1234567",
    )
    FollowUp.objects.create(
        workspace=demo,
        target_type="customer",
        target_id=customer.pk,
        owner=boss.user,
        channel="whatsapp",
        summary="Sent the catalogue; they want samples of model LX-200 before the fair.",
        result="interested",
    )
    login(page, boss.user.email, PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    page.wait_for_selector("[data-testid=timeline]")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390px"
    assert page.locator("a[data-testid=whatsapp-link][href='https://wa.me/491512345678']").count()
    assert page.locator("[data-testid=documents-panel]").is_visible()
    assert page.locator("[data-testid=milestone-created][data-reached='1']").is_visible()
    screenshot(page, "customer-360-phone.png")
    # Filter the timeline to follow-ups: only the timeline is swapped, the URL follows.
    page.locator("label[for=kind-followup]").click()
    page.wait_for_url("**kind=followup**")
    kinds = page.locator("[data-testid=timeline-entry]").evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    assert kinds and set(kinds) == {"followup"}
    assert page.locator("[data-testid=customer-facts]").is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
