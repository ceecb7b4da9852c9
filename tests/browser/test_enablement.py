"""The issue's "done when": on an opportunity in the quotation stage whose last follow-up logged the
objection "price too high", the library panel suggests the script tagged with that stage and that
objection first; one click copies it (clipboard) and counts the copy on the opportunity. On a
desktop and on a phone-sized screen, without sideways scrolling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"


def test_script_suggested_by_stage_and_objection_is_copied(page: Page, demo, size: str) -> None:
    from tradewind.activities.services import followup_record
    from tradewind.customers.services import customer_create
    from tradewind.enablement import library
    from tradewind.enablement.models import LibraryUsage
    from tradewind.sales.services import opportunity_create, pipeline_default
    from tradewind.workspaces.actors import Actor
    from tradewind.workspaces.models import Membership

    boss = Membership.objects.filter(workspace=demo, role="owner").select_related("user").first()
    act = Actor.for_member(boss)
    quotation = pipeline_default(demo).stages.get(key="quotation")
    customer = customer_create(
        actor=act, name="Hamburg Lighting Import", industry="Lighting", allow_duplicates=True
    )
    opp = opportunity_create(
        actor=act, customer=customer, name="LED panels 2025", stage_id=quotation.pk
    )
    followup_record(
        actor=act,
        target=opp,
        channel="phone",
        summary="Went through the quote",
        feedback="They say the price is too high compared with Vietnam.",
        result="responded",
    )
    body = "先肯定客户的比较，再讲质保和交期：我们的价格包含三年质保。"
    script = library.item_create(
        actor=act,
        kind="script",
        title="报价阶段：价格太高怎么回",
        body=body,
        stages="报价",
        objections="price too high, 价格太高",
    )
    library.item_create(
        actor=act, kind="script", title="Any stage: price", body="x", objections="price too high"
    )
    library.item_create(
        actor=act, kind="script", title="Negotiation tips", body="y", stages="negotiation"
    )

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, boss.user.email, PASSWORD)
    page.goto(f"/opportunities/{opp.pk}/")
    panel = page.locator("[data-testid=library-panel]")
    panel.wait_for()
    assert "price is too high" in panel.locator("[data-testid=suggest-objection]").inner_text()
    first = panel.locator("[data-testid=suggestion]").first
    assert first.get_attribute("data-item") == str(script.pk)
    reasons = first.locator("[data-testid=suggestion-reasons] [data-reason]")
    assert {reasons.nth(i).get_attribute("data-reason") for i in range(reasons.count())} == {
        "objection",
        "stage",
    }
    assert "Negotiation tips" not in panel.inner_text()
    first.scroll_into_view_if_needed()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    screenshot(page, f"library-suggestions-zh-{size}.png")

    button = first.locator("[data-testid=copy-script]")
    with page.expect_response(lambda r: r.url.endswith(f"/library/items/{script.pk}/use/")) as used:
        button.click()
    assert used.value.status == 200
    page.locator(f"[data-item='{script.pk}'] [data-testid=copy-script][data-copied='1']").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == body
    usage = LibraryUsage.objects.get(item=script)
    assert (usage.action, usage.target_type, usage.opportunity_id) == (
        "copied",
        "opportunity",
        opp.pk,
    )
