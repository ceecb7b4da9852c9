"""Claiming from the customer public pool (公海) in a real browser: a rep claims a customer from
the pool page and lands on it as its owner; a second rep who had the same pool page open then
presses Claim and is told who was faster, back on the pool page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from .conftest import login

PASSWORD = "tradewind-demo"


@pytest.fixture
def size() -> str:
    return "desktop"


def test_claim_from_the_pool_and_lose_the_race(browser: Browser, live_server, demo) -> None:
    from tradewind.customers.models import Customer

    customer = (
        Customer.objects.filter(workspace=demo, owner__isnull=True)
        .exclude(stage="invalid")
        .order_by("-created_at", "-id")
        .first()
    )
    assert customer is not None
    first = new_context(browser, live_server.url, "desktop").new_page()
    second = new_context(browser, live_server.url, "desktop").new_page()
    try:
        login(first, "zhangqiang@demo.test", PASSWORD)
        login(second, "zhoujie@demo.test", PASSWORD)
        # Both open the pool while the customer is free.
        first.goto("/customers/pool/")
        second.goto("/customers/pool/")
        button = f"[data-testid=pool-claim][aria-label*='{customer.name}']"
        assert first.locator(button).count() == 1
        assert second.locator(button).count() == 1

        with first.expect_navigation():
            first.click(button)
        assert f"/customers/{customer.pk}/" in first.url
        assert customer.code in first.locator("body").inner_text()
        first.wait_for_selector("[data-testid=pool-owner]")
        assert "张强" in first.locator("[data-testid=pool-owner]").inner_text()
        customer.refresh_from_db()
        assert customer.owner is not None and customer.owner.email == "zhangqiang@demo.test"

        with second.expect_navigation() as nav:
            second.click(button)
        assert nav.value is not None and nav.value.status == 200
        assert second.url.rstrip("/").endswith("/customers/pool")
        text = second.locator("body").inner_text()
        assert "刚刚被" in text and "张强" in text, text[:500]
        assert second.locator(button).count() == 0  # no longer in the pool
        customer.refresh_from_db()
        assert customer.owner.email == "zhangqiang@demo.test"
    finally:
        first.context.close()
        second.context.close()
