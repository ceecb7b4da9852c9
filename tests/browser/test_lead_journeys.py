"""The main lead journeys through a real browser: create from the keyboard, log a follow-up, lose
a claim race and be told who won, bulk-grade from the list, save a view."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import login, new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "tradewind-demo"


@pytest.fixture
def size() -> str:
    # Journeys run once, on the desktop; the shell tests cover the phone layout of every page.
    return "desktop"


def _pool_lead(demo):
    from tradewind.leads.models import Lead

    return (
        Lead.objects.filter(workspace=demo, owner__isnull=True, status="new").order_by("id").first()
    )


def test_create_lead_from_the_keyboard(page: Page, demo: object) -> None:
    login(page, "zhangqiang@demo.test", PASSWORD)
    page.goto("/leads/")
    page.keyboard.press("n")
    page.wait_for_url("**/leads/new/")
    # Submitting the empty form names every missing field, in Chinese.
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".is-invalid")
    assert page.locator(".invalid-feedback").count() >= 1
    page.fill("#id_company_name", "键盘贸易有限公司")
    page.fill("#id_contact_name", "Anna Keys")
    page.fill("#id_phone", "+49 30 1234 5678")
    page.fill("#id_need", "200 pallets of kitchen ware")
    page.fill("#id_decision_chain", "Anna decides with the CFO")
    page.fill("#id_budget_min", "10000")
    page.select_option("#id_source", "trade_show")
    page.locator("#id_company_name").focus()
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "/leads/new/" not in page.url
    assert "键盘贸易有限公司" in page.locator("h1").inner_text()


def test_log_a_follow_up(page: Page, demo: object) -> None:
    from tradewind.leads.models import Lead

    lead = Lead.objects.filter(
        workspace=demo, owner__email="zhangqiang@demo.test", status__in=["new", "contacting"]
    ).first()
    assert lead is not None
    login(page, "zhangqiang@demo.test", PASSWORD)
    page.goto(f"/leads/{lead.pk}/")
    form = page.locator("[data-testid=followup-form]")
    form.locator("select[name=channel]").select_option("whatsapp")
    form.locator("select[name=result]").select_option(index=1)
    form.locator("textarea[name=summary]").fill("Sent the catalogue on WhatsApp; asked for MOQ")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "Sent the catalogue on WhatsApp" in page.locator("#followups").inner_text()
    lead.refresh_from_db()
    assert lead.last_activity_at is not None


def test_claim_race_tells_the_loser_who_won(browser: Browser, live_server, demo) -> None:
    lead = _pool_lead(demo)
    assert lead is not None
    first = new_context(browser, live_server.url, "desktop").new_page()
    second = new_context(browser, live_server.url, "desktop").new_page()
    try:
        login(first, "zhangqiang@demo.test", PASSWORD)
        login(second, "zhoujie@demo.test", PASSWORD)
        # Both open the pool lead while it is free.
        first.goto(f"/leads/{lead.pk}/")
        second.goto(f"/leads/{lead.pk}/")
        with first.expect_navigation():
            first.click("[data-testid=pool-claim] button")
        with second.expect_navigation() as nav:
            second.click("[data-testid=pool-claim] button")
        assert nav.value is not None and nav.value.status == 200
        text = second.locator("body").inner_text()
        assert "已被" in text and "张强" in text, text[:500]
        lead.refresh_from_db()
        assert lead.owner.email == "zhangqiang@demo.test"
    finally:
        first.context.close()
        second.context.close()


def test_bulk_grade_and_save_a_view(page: Page, demo: object) -> None:
    from tradewind.leads.models import Lead
    from tradewind.workspaces.models import SavedView

    login(page, "chenwei@demo.test", PASSWORD)
    page.goto("/leads/?status=new")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() >= 2
    picked = [int(boxes.nth(i).get_attribute("value")) for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    bar = page.locator("[data-testid=bulk-bar]")
    bar.wait_for(state="visible")
    page.select_option("[data-testid=bulk-action]", "grade")
    bar.locator("select[name=value_grade]").select_option("C")
    with page.expect_navigation():
        page.click("[data-testid=bulk-apply]")
    assert "已处理 2 条线索" in page.locator("body").inner_text()
    assert set(Lead.objects.filter(pk__in=picked).values_list("grade", flat=True)) == {"C"}
    # Save the current filters as a view and find it in the views bar.
    page.click("[data-testid=save-view] summary")
    page.fill("#view-name", "新线索")
    with page.expect_navigation():
        page.click("[data-testid=save-view] button")
    assert page.locator("[data-testid=saved-view]", has_text="新线索").count() == 1
    assert SavedView.objects.get(name="新线索").query == "status=new"
