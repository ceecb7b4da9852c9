"""Sending from a lead's page in a real browser on a phone-sized screen: the template is filled in
through htmx, previewed, sent to the loopback SMTP server and shown on the lead's timeline."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, new_context
from tests.conftest import PASSWORD
from tradewind.mailing.template_services import email_template_save
from tradewind.workspaces.actors import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_a_template_from_the_lead_page_on_a_phone(
    browser,
    live_server,
    world,
    rep_account,
    smtp_server,
):
    email_template_save(
        actor=Actor.for_member(world.owner),
        name="Intro",
        record_type="lead",
        subject_en="Hello {{ lead.company_name }}",
        body_en="Dear {{ recipient.name }},\n\nregards",
        subject_zh="您好 {{ lead.company_name }}",
        body_zh="{{ recipient.name }}您好",
    )
    context = new_context(browser, live_server.url, "phone")
    page = context.new_page()
    try:
        login(page, world.rep.user.email, PASSWORD)
        page.goto(f"/leads/{world.lead.pk}/")
        with page.expect_navigation():
            page.click("[data-testid=send-email-lead]")
        page.select_option("[data-testid=compose-template]", label="Intro")
        page.click("[data-testid=compose-apply]")
        page.locator("[data-testid=compose-applied]").wait_for()
        # the workspace is in China and the lead has no country: the Chinese version
        assert page.input_value("[data-testid=compose-subject]") == "您好 ALPHA-EAST-SECRET GmbH"
        page.click("[data-testid=compose-preview-button]")
        page.locator("#compose-preview strong").wait_for()
        assert "ALPHA-EAST-SECRET GmbH" in page.inner_text("#compose-preview")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click("[data-testid=compose-send]")
        assert page.url.rstrip("/").endswith(f"/leads/{world.lead.pk}")
        item = page.locator("[data-testid=email-item]")
        assert "您好 ALPHA-EAST-SECRET GmbH" in item.inner_text()
    finally:
        context.close()
    assert smtp_server.messages[0]["Subject"] == "您好 ALPHA-EAST-SECRET GmbH"
