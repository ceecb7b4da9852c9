"""The rule builder in a real browser: htmx swaps the builder as the record type, fields and
operators change, rows are added, the rule is saved, then tested on a lead. Keyboard only for the
selects (no mouse-only widgets)."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import wait_until
from tests.conftest import PASSWORD
from tradewind.automation.models import WorkflowRule

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, browser):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def swap(page, action) -> None:
    """Do something that posts the builder, and wait until htmx has swapped the answer in."""
    with page.expect_response(lambda r: r.request.method == "POST"):
        action()
    wait_until(page, "!document.querySelector('.htmx-request, .htmx-settling')")


def test_build_save_and_test_a_rule(transactional_db, world, page):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", world.owner.user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    page.goto("/settings/automation/new/")
    page.fill("[data-testid=rule-name]", "Grade A welcome")
    # record type -> the builder is swapped with the opportunity's fields, then back
    swap(page, lambda: page.select_option("[data-testid=rule-record-type]", "opportunity"))
    swap(page, lambda: page.select_option("[data-testid=rule-trigger]", "time"))
    page.wait_for_selector("#rule-date-field option[value=expected_close_date]", state="attached")
    assert page.input_value("[data-testid=rule-name]") == "Grade A welcome"
    swap(page, lambda: page.select_option("[data-testid=rule-record-type]", "lead"))
    swap(page, lambda: page.select_option("[data-testid=rule-trigger]", "field_changed"))
    page.wait_for_selector("#rule-trigger-field")
    page.select_option("#rule-trigger-field", "grade")
    swap(page, lambda: page.click("[data-testid=add-group]"))
    page.wait_for_selector("#c-0-0-field")
    swap(page, lambda: page.select_option("#c-0-0-field", "grade"))
    page.wait_for_selector("#c-0-0-value option[value=A]", state="attached")
    page.select_option("#c-0-0-value", "A")
    page.fill("#a-0-title", "Call {record} today")
    swap(page, lambda: page.click("[data-testid=add-action]"))
    page.wait_for_selector("#a-1-type")
    swap(page, lambda: page.select_option("#a-1-type", "notify"))
    page.wait_for_selector("#a-1-message")
    page.fill("#a-1-message", "Grade A lead")
    page.focus("#a-1-message")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter saves (not "add a condition")
    rule = WorkflowRule.objects.get()
    assert rule.trigger == "field_changed" and rule.trigger_field == "grade"
    assert rule.conditions == [[{"field": "grade", "op": "eq", "value": "A"}]]
    assert [a["type"] for a in rule.actions] == ["create_task", "notify"]
    assert f"/settings/automation/{rule.pk}/" in page.url
    page.fill("[data-testid=test-q]", world.lead.code)
    page.click("[data-testid=test-run]")
    page.wait_for_selector("[data-testid=test-verdict]")
    assert page.locator("[data-testid=test-condition]").count() == 1
    assert page.locator("[data-testid=test-action]").count() == 2
