"""The sales board (销售管道) in a real browser: drag a card to the next stage and see it saved; a
drag the pipeline's gate blocks puts the card back and lists the missing task; drop a card on Lost,
fill the dialog and close it lost; drop one on Won and confirm; on a phone, move a card with its
"Move to…" menu."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"
BOSS = "boss@demo.test"


def _setup(demo, names: list[str]) -> dict:
    from tradewind.customers.models import Customer
    from tradewind.sales.models import StageTask
    from tradewind.sales.services import opportunity_create, pipeline_default
    from tradewind.workspaces.actors import Actor
    from tradewind.workspaces.models import Membership

    boss = Membership.objects.select_related("user", "workspace").get(
        workspace=demo, user__email=BOSS
    )
    actor = Actor.for_member(boss)
    pipeline = pipeline_default(demo)
    # The demo's own stage checklists would gate these moves: start from a pipeline without a gate.
    pipeline.gate = "off"
    pipeline.save(update_fields=["gate"])
    StageTask.objects.filter(stage__pipeline=pipeline).update(is_required=False)
    stages = {s.key: s for s in pipeline.stages.all()}
    customer = Customer.objects.filter(workspace=demo).order_by("id").first()
    soon = dt.date.today() - dt.timedelta(days=400)  # closing "soonest": first in each column
    opps = {
        name: opportunity_create(
            actor=actor,
            customer=customer,
            name=name,
            stage_id=stages[stage].pk,
            amount="1000",
            currency="CNY",
            expected_close_date=soon,
            owner_id=boss.user_id,
        )
        for name, stage in names
    }
    return {"pipeline": pipeline, "stages": stages, "opps": opps}


def drag(page: Page, source: str, target: str) -> None:
    """Mouse drag with intermediate moves (SortableJS's pointer fallback follows the moves)."""
    page.locator(source).scroll_into_view_if_needed()
    box = page.locator(source).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 20, steps=4)
    end = page.locator(target).bounding_box()
    assert end is not None
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + min(40, end["height"] / 2), steps=15)
    page.mouse.move(end["x"] + end["width"] / 2 + 2, end["y"] + min(42, end["height"] / 2), steps=3)
    page.mouse.up()


def column(stage) -> str:
    return f'.board-cards[data-stage="{stage.pk}"]'


@pytest.fixture
def size() -> str:
    return "desktop"


def test_drag_to_the_next_stage_and_the_gate_refusal(page: Page, demo) -> None:
    from tradewind.sales.models import Opportunity, StageTask

    world = _setup(demo, [("Drag me 拖动", "needs_confirmed"), ("Gated 受阻", "initial_contact")])
    stages, moved, gated = (
        world["stages"],
        world["opps"]["Drag me 拖动"],
        world["opps"]["Gated 受阻"],
    )
    pipeline = world["pipeline"]
    pipeline.gate = "block"
    pipeline.save(update_fields=["gate"])
    StageTask.objects.create(stage=stages["initial_contact"], title="Send the catalogue 发目录")

    login(page, BOSS, PASSWORD)
    page.goto("/opportunities/board/")
    page.wait_for_selector(f"#card-{moved.pk}")
    drag(page, f"#card-{moved.pk}", column(stages["quotation"]))
    page.wait_for_selector("[data-testid=board-message].alert-success")
    assert page.locator(f"{column(stages['quotation'])} #card-{moved.pk}").count() == 1
    assert Opportunity.objects.get(pk=moved.pk).stage_id == stages["quotation"].pk
    page.reload()
    assert page.locator(f"{column(stages['quotation'])} #card-{moved.pk}").count() == 1

    drag(page, f"#card-{gated.pk}", column(stages["needs_confirmed"]))
    message = page.wait_for_selector("[data-testid=board-message].alert-danger")
    assert "Send the catalogue 发目录" in message.inner_text()
    assert page.locator(f"{column(stages['initial_contact'])} #card-{gated.pk}").count() == 1
    fresh = Opportunity.objects.get(pk=gated.pk)
    assert fresh.stage_id == stages["initial_contact"].pk and fresh.version == gated.version
    screenshot(page, "board-gate-refusal.png")


def test_drop_on_lost_and_on_won(page: Page, demo) -> None:
    from tradewind.sales.closing import close_reasons
    from tradewind.sales.models import Opportunity

    world = _setup(demo, [("Lose me 输单", "quotation"), ("Win me 赢单", "negotiation")])
    lose, win = world["opps"]["Lose me 输单"], world["opps"]["Win me 赢单"]
    reason = close_reasons(demo, "lost")[0]

    login(page, BOSS, PASSWORD)
    page.goto("/opportunities/board/")
    page.wait_for_selector(f"#card-{lose.pk}")
    drag(page, f"#card-{lose.pk}", "[data-testid=zone-lost]")
    dialog = page.locator("[data-testid=lost-dialog]")
    dialog.wait_for(state="visible")
    assert "Lose me 输单" in dialog.inner_text()
    page.click("[data-testid=lost-confirm]")  # nothing filled: the server says what is missing
    page.wait_for_selector("[data-testid=lost-dialog] .is-invalid")
    assert Opportunity.objects.get(pk=lose.pk).status == "open"
    page.select_option("[data-testid=lost-reason]", str(reason.pk))
    page.fill("[data-testid=lost-competitor]", "Acme Ltd")
    page.fill("[data-testid=lost-note]", "价格高出 8%")
    page.click("[data-testid=lost-confirm]")
    dialog.wait_for(state="hidden")
    page.wait_for_selector(f"#card-{lose.pk}", state="detached")
    lost = Opportunity.objects.get(pk=lose.pk)
    assert (lost.status, lost.close_reason_id, lost.close_competitor) == (
        "lost",
        reason.pk,
        "Acme Ltd",
    )

    drag(page, f"#card-{win.pk}", "[data-testid=zone-won]")
    page.locator("[data-testid=won-dialog]").wait_for(state="visible")
    page.click("[data-testid=won-confirm]")
    page.wait_for_selector(f"#card-{win.pk}", state="detached")
    assert Opportunity.objects.get(pk=win.pk).status == "won"
    assert "alert-success" in page.locator("[data-testid=board-message]").get_attribute("class")


@pytest.mark.parametrize("size", ["phone"])
def test_move_with_the_menu_on_a_phone(page: Page, demo, size) -> None:
    from tradewind.sales.models import Opportunity

    world = _setup(demo, [("Menu 菜单", "initial_contact")])
    opp, target = world["opps"]["Menu 菜单"], world["stages"]["needs_confirmed"]
    login(page, BOSS, PASSWORD)
    page.goto("/opportunities/board/")
    card = page.locator(f"#card-{opp.pk}")
    card.locator("[data-testid=move-menu]").click()
    card.locator(f'button[name=stage][value="{target.pk}"]').click()
    page.wait_for_selector("[data-testid=board-message].alert-success")
    assert page.locator(f"{column(target)} #card-{opp.pk}").count() == 1
    assert Opportunity.objects.get(pk=opp.pk).stage_id == target.pk
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page itself must not scroll sideways; only the board does"
    screenshot(page, "board-phone.png")


def test_forecast_page_draws_its_chart(page: Page, demo) -> None:
    _setup(demo, [("Forecast 预测", "quotation")])
    login(page, BOSS, PASSWORD)
    page.goto("/forecast/")
    page.wait_for_selector("[data-testid=forecast-chart] svg")
    assert page.locator("[data-testid=forecast-periods] tbody tr").count() == 9
    page.select_option("[data-testid=forecast-group]", "team")
    page.wait_for_selector("[data-testid=forecast-groups] caption:has-text('按团队')")
    page.wait_for_selector("[data-testid=forecast-chart] svg")
    screenshot(page, "forecast.png")
