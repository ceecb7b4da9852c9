"""A marketer creates a campaign in a real browser on a phone-sized screen (Chinese locale): the
form, the detail page with its preview and counts, no sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, new_context
from tests.conftest import PASSWORD
from tradewind.campaigns.consent import consent_record
from tradewind.campaigns.lists import marketing_list_save
from tradewind.campaigns.models import Campaign
from tradewind.workspaces.actors import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_campaign_on_a_phone(browser, live_server, world, marketer, template, audience):
    actor = Actor.for_member(marketer)
    marketing_list_save(
        actor=actor, name="German leads", source="leads", saved_view_id=audience.view.pk
    )
    consent_record(actor=actor, email="anna@kunde1.de", source="form")
    context = new_context(browser, live_server.url, "phone")
    page = context.new_page()
    try:
        login(page, marketer.user.email, PASSWORD)
        page.goto("/campaigns/")
        page.locator("[data-testid=campaigns-empty]").wait_for()
        with page.expect_navigation():
            page.click("[data-testid=campaign-new]")
        page.fill("[data-testid=campaign-name]", "春季目录")
        page.select_option("[data-testid=campaign-template]", value=str(template.pk))
        page.select_option("[data-testid=campaign-list-select]", label="German leads")
        with page.expect_navigation():
            page.click("[data-testid=campaign-save]")
        assert "营销活动已保存" in page.inner_text("main")
        preview = page.locator("[data-testid=campaign-preview]")
        assert preview.locator("[data-count=total]").inner_text() == "3"
        assert preview.locator("[data-count=with_consent]").inner_text() == "1"
        assert "anna@kunde1.de" in preview.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    assert Campaign.objects.get().name == "春季目录"
