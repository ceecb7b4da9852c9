"""The main lead journeys through a real browser: create from the keyboard, log a follow-up, lose
a claim race and be told who won, bulk-grade from the list, save a view."""

from __future__ import annotations

from pathlib import Path
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


IMPORT_CSV = (
    "公司名称 Company name,联系人 Contact,电话 Phone,邮箱 E-mail,来源 Source,国家 Country,"
    "需求 Need,预算 Budget,决策链 Decision chain\n"
    "Import Good GmbH,Hans,+49 30 1234567,hans@import-good.example,Trade show,Germany,"
    "pumps,10000 EUR,Hans\n"
    "Import Bad Ltd,Bob,12,bob@import-bad.example,展会,中国,valves,5000 USD,Bob\n"
    "Import Good,Hans 2,,hans@import-good.example,,,pumps,10000 EUR,Hans\n"
)


def test_import_with_errors_and_duplicates(page: Page, demo: object, tmp_path, settings) -> None:
    from tradewind.leads.models import Lead

    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, "chenwei@demo.test", PASSWORD)
    page.goto("/leads/")
    with page.expect_navigation():
        page.click("[data-testid=imports-link]")
    page.goto("/leads/imports/new/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "展会线索.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode("gb18030")}
        ],
    )
    page.check("input[name=mode][value=skip_bad_rows]")
    with page.expect_navigation():
        page.click("[data-testid=import-upload]")
    # The Chinese/English headers were mapped on their own; check the file without writing.
    with page.expect_navigation():
        page.click("[data-testid=preview-button]")
    preview = page.locator("[data-testid=import-preview]")
    # Row 3 (the bad phone) is listed with its column and reason; row 4 repeats row 2.
    errors = preview.locator("[data-testid=import-errors] tbody tr")
    assert errors.count() == 1 and errors.first.locator("td").first.inner_text() == "3"
    assert preview.locator("[data-testid=preview-duplicates]").count() == 1
    assert Lead.objects.filter(company_name__startswith="Import").count() == 0
    with page.expect_navigation():
        page.click("[data-testid=import-start]")
    counts = page.locator("[data-testid=import-counts]")
    counts.wait_for()
    page.wait_for_selector("[data-testid=error-file]")
    assert Lead.objects.filter(company_name="Import Good GmbH").count() == 1
    assert not Lead.objects.filter(company_name="Import Bad Ltd").exists()
    with page.expect_download() as download:
        page.click("[data-testid=error-file]")
    errors = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Import Bad Ltd" in errors and "Import Good GmbH" not in errors


def test_convert_a_qualified_lead(page: Page, demo: object) -> None:
    from tradewind.leads.models import Lead

    lead = Lead.objects.filter(workspace=demo, status="qualified", owner__isnull=False).first()
    assert lead is not None, "the demo has a qualified lead"
    owner_email = lead.owner.email
    login(page, owner_email, PASSWORD)
    page.goto(f"/leads/{lead.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=convert-link]")
    form = page.locator("[data-testid=convert-form]")
    form.locator("input[name=target][value=new]").check()
    form.locator("input[name=create_opportunity]").check()
    form.locator("input[name=opportunity_name]").fill("首单 First order")
    form.locator("input[name=amount]").fill("25000")
    with page.expect_navigation():
        page.click("[data-testid=convert-submit]")
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert lead.converted_customer_id and lead.converted_opportunity_id
    page.goto(f"/leads/{lead.pk}/")
    links = page.locator("[data-testid=converted-links]").inner_text()
    assert lead.converted_customer.name in links


def test_bulk_bar_appears_only_with_a_selection(page: Page, demo: object) -> None:
    login(page, "chenwei@demo.test", PASSWORD)
    page.goto("/leads/")
    bar = page.locator("[data-testid=bulk-bar]")
    assert not bar.is_visible()
    page.locator("input[name=ids]").first.check()
    bar.wait_for(state="visible")
    page.locator("input[name=ids]").first.uncheck()
    bar.wait_for(state="hidden")
