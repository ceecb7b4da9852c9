"""Adding a task with a fuzzy due time on a phone-sized screen, and completing it from My day."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import login

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"


@pytest.fixture
def size() -> str:
    return "phone"


def test_add_a_task_with_a_fuzzy_due_time_on_a_phone(page: Page, demo: object) -> None:
    from tradewind.activities.models import Task

    login(page, "zhangqiang@demo.test", PASSWORD)
    page.goto("/tasks/")
    page.click("[data-testid=task-new]")
    page.wait_for_url("**/tasks/new/**")
    # the exact time field only shows for "Pick a time"
    assert not page.locator("input[name=due_at]").is_visible()
    page.click("[data-testid=due-exact]")
    page.locator("input[name=due_at]").wait_for(state="visible")
    page.click("[data-testid=due-tonight]")
    page.locator("input[name=due_at]").wait_for(state="hidden")
    page.fill("input[name=title]", "给 Anna 回电话")
    with page.expect_navigation():
        page.click("[data-testid=task-save]")
    assert page.url.rstrip("/").endswith("/tasks")
    today = page.locator("[data-testid=tasks-today]")
    assert "给 Anna 回电话" in today.inner_text()
    assert "今晚" in today.inner_text()
    # readable at 390 px: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    task = Task.objects.get(title="给 Anna 回电话")
    assert task.due_kind == "tonight" and task.status == "open"
    with page.expect_navigation():
        page.click(f"#task-{task.pk} [data-testid=task-complete]")
    task.refresh_from_db()
    assert task.status == "done"
    assert "给 Anna 回电话" not in page.locator("#my-day").inner_text()
