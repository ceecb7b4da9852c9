"""Stored XSS in the real browser: hostile text saved through the services into lead, customer,
opportunity, follow-up, comment and quote fields is shown literally on every page that renders it
(lists, detail pages, the quotation's HTML preview) and never runs: any JavaScript dialog fails the
test, no injected element exists, no `javascript:` link is rendered. The pages carry the CSP."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from .conftest import login

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2) id=xss-img>',
    "'><svg onload=alert(3) id=xss-svg>",
    "{{7*7}} ${alert(4)} {% now 'Y' %}",
    '<a href="javascript:alert(5)" id=xss-link>x</a>',
    '<div x-data x-init="alert(6)" id=xss-alpine></div>',
]
JS_URL = "javascript:alert(7)//example.com"


def text(i: int) -> str:
    return f"XSS{i} {PAYLOADS[i % len(PAYLOADS)]}"


def seed(demo):
    from tradewind.activities.comments import comment_add
    from tradewind.activities.services import followup_record
    from tradewind.core.errors import ServiceError
    from tradewind.customers.services import customer_create
    from tradewind.leads.services import lead_create
    from tradewind.orders.quotes import quote_create
    from tradewind.sales.services import opportunity_create
    from tradewind.workspaces.actors import Actor
    from tradewind.workspaces.models import Membership

    boss = Membership.objects.filter(workspace=demo, role="owner").select_related("user").first()
    actor = Actor.for_member(boss)
    website_refused = []

    def with_website(create, **data):
        try:
            return create(actor=actor, allow_duplicates=True, website=JS_URL, **data)
        except ServiceError as exc:  # the capture rules refuse it: fine, store the rest
            website_refused.append(exc.code)
            return create(actor=actor, allow_duplicates=True, **data)

    lead = with_website(
        lead_create,
        company_name=text(0),
        contact_name=text(1),
        need=text(2),
        email="xss@lead.example",
    )
    customer = with_website(customer_create, name=text(1), short_name=text(3))
    opportunity = opportunity_create(
        actor=actor,
        customer=customer,
        name=text(2),
        need=text(3),
        next_step=text(4),
        competitors=text(5),
        currency="USD",
    )
    followup_record(actor=actor, target=lead, channel="phone", summary=text(4), result="responded")
    comment_add(actor=actor, target=customer, body=text(5))
    quote = quote_create(
        actor=actor,
        opportunity_id=opportunity.pk,
        title=text(0),
        lines=[{"description": text(1), "quantity": Decimal("2"), "unit_price": Decimal("3")}],
        notes=text(2),
    )
    return lead, customer, opportunity, quote, boss, website_refused


@pytest.mark.parametrize("size", ["desktop"])
def test_stored_payloads_render_as_text_and_never_run(page: Page, demo, size: str) -> None:
    lead, customer, opportunity, quote, boss, _refused = seed(demo)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, boss.user.email, PASSWORD)
    pages = {
        "/leads/": [0],
        f"/leads/{lead.pk}/": [0, 1, 2, 4],
        "/customers/": [1],
        f"/customers/{customer.pk}/": [1, 5],
        "/opportunities/": [2],
        f"/opportunities/{opportunity.pk}/": [2, 3, 4, 5],
        f"/quotes/{quote.pk}/": [0, 1],
        f"/quotes/{quote.pk}/quotation.html": [1, 2],
    }
    for url, shown in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        body = page.inner_text("body")
        for i in shown:
            assert text(i) in body, (url, text(i))  # literally, as typed
        for injected in ("#xss-img", "#xss-svg", "#xss-link", "#xss-alpine", "img[src=x]"):
            assert page.locator(injected).count() == 0, (url, injected)
        assert page.locator("a[href^='javascript:' i]").count() == 0, url
        assert "49" not in page.title()
        if not url.endswith(".html"):
            assert "script-src" in (response.headers.get("content-security-policy") or ""), url
    assert dialogs == []
