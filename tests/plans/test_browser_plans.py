"""In a real browser: a rep starts a step plan on a customer from the 360 page (the panel loads
by htmx) and sees its first step with its due date and executor, on desktop and on a phone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import demo, login, page, screenshot, size  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"
pytestmark = pytest.mark.browser


def test_start_a_plan_on_a_customer_and_see_its_first_step(page: Page, demo, size) -> None:  # noqa: F811
    from tradewind.activities.models_tasks import Task
    from tradewind.customers.models import Customer
    from tradewind.plans.editing import plan_create
    from tradewind.plans.models import PlanRun
    from tradewind.workspaces.actors import Actor
    from tradewind.workspaces.models import Membership

    boss = (
        Membership.objects.filter(workspace=demo, role="owner")
        .select_related("user", "workspace")
        .first()
    )
    rep = (
        Membership.objects.filter(workspace=demo, role="sales", is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    customer = Customer.objects.filter(workspace=demo, owner=rep.user).order_by("pk").first()
    plan_create(
        actor=Actor.for_member(boss),
        name="新客户导入",
        applies_to="customer",
        steps=[
            {
                "title": "发送公司介绍和产品目录",
                "offset_days": 1,
                "executor": "owner",
                "action": "task",
                "advance": "event",
                "event": "task_done",
            },
            {
                "title": "电话回访",
                "offset_days": 3,
                "executor": "owner",
                "action": "task",
                "advance": "event",
                "event": "task_done",
            },
        ],
    )
    login(page, rep.user.email, PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    form = page.locator("[data-testid=plan-start-form]")
    form.wait_for()  # the panel came in by htmx
    form.locator("select[name=plan_id]").select_option(label="新客户导入")
    page.click("[data-testid=plan-start]")
    run = page.locator("[data-testid=plan-run]")
    run.wait_for()
    first = run.locator("[data-testid=plan-step]").first
    assert "发送公司介绍和产品目录" in first.inner_text()
    assert first.get_attribute("data-state") == "active"
    assert first.locator("[data-testid=plan-step-due]").is_visible()
    assert rep.user.display_name in first.locator("[data-testid=plan-step-who]").inner_text()
    assert run.locator("[data-testid=plan-step]").nth(1).get_attribute("data-state") == "pending"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    run.scroll_into_view_if_needed()
    screenshot(page, f"step-plan-panel-{size}.png")
    assert PlanRun.objects.filter(customer=customer, state="active").count() == 1
    # the page came back whole: the tasks panel lists the step's task
    assert "发送公司介绍和产品目录" in page.locator("[data-testid=tasks-panel]").inner_text()
    # stop asks first, then the plan is among the ended ones
    page.click("[data-testid=plan-stop-confirm] summary")
    page.click("[data-testid=plan-stop]")
    page.locator("[data-testid=plans-ended]").wait_for()
    assert PlanRun.objects.get(customer=customer).state == "stopped"
    task = Task.objects.get(
        target_type="customer", target_id=customer.pk, title="发送公司介绍和产品目录"
    )
    assert task.assignee_id == rep.user_id
