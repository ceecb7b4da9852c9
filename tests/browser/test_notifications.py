"""The bell in a real browser, desktop and phone: it shows the unread count, its dropdown lists
the notifications (opened by mouse or keyboard), "mark all read" there clears the count without a
page load, the list page's "mark all read" clears it too, and the preferences page saves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import wait_until
from tradewind.activities.models import Notification, NotificationPreference
from tradewind.activities.notifications import notify
from tradewind.demo import data
from tradewind.workspaces.models import Membership

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tradewind.workspaces.models import Workspace

REP = "zhangqiang@demo.test"


def open_nav(page: Page, size: str) -> None:
    if size != "phone" or page.locator("#main-nav.show").count():
        return
    page.click("[data-testid=nav-toggle]")
    page.locator("#main-nav.show").wait_for(state="visible")
    wait_until(page, "!document.querySelector('#main-nav.collapsing')")


def send(workspace: Workspace, user_id: int, n: int) -> None:
    for i in range(n):
        notify(
            workspace=workspace,
            user_ids=[user_id],
            kind="task.reminder",
            params={"title": f"给 Anna 回电话 {i}"},
            url="/tasks/",
        )


def unread(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def test_bell_count_dropdown_and_mark_all_read(page: Page, demo: Workspace, size: str) -> None:
    member = Membership.objects.get(workspace=demo, user__email=REP)
    Notification.objects.filter(user_id=member.user_id).update(read_at="2026-01-01T00:00:00Z")
    send(demo, member.user_id, 3)

    login(page, REP, data.PASSWORD)
    open_nav(page, size)
    badge = page.locator("[data-testid=notification-unread]")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "3"

    bell = page.locator("[data-testid=notification-bell]")
    if size == "desktop":  # keyboard: focus the bell, Enter opens it, arrows walk the list
        bell.focus()
        page.keyboard.press("Enter")
    else:
        bell.click()
    items = page.locator("[data-testid=notification-menu-item]")
    items.first.wait_for(state="visible")
    # newest first; older (read) demo notifications follow
    newest = [items.nth(i).inner_text() for i in range(3)]
    assert [f"给 Anna 回电话 {i}" in text for i, text in zip((2, 1, 0), newest)] == [True] * 3
    if size == "desktop":
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.testid") in (
            "notification-menu-item",
            "notification-menu-read-all",
        )
    else:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "notifications-bell-phone.png")

    page.click("[data-testid=notification-menu-read-all]")
    badge.wait_for(state="detached")
    page.locator("[data-testid=notification-menu-read-all]").wait_for(state="detached")
    assert unread(member.user_id) == 0

    # the list page: one more arrives, the page shows it, "mark all read" clears it
    send(demo, member.user_id, 1)
    page.goto("/notifications/")
    open_nav(page, size)
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"
    with page.expect_navigation():
        page.click("[data-testid=notification-read-all]")
    open_nav(page, size)
    page.locator("[data-testid=notification-bell]").wait_for(state="visible")
    assert page.locator("[data-testid=notification-unread]").count() == 0
    assert unread(member.user_id) == 0


def test_preferences_page_saves_a_choice(page: Page, demo: Workspace, size: str) -> None:
    member = Membership.objects.get(workspace=demo, user__email=REP)
    login(page, REP, data.PASSWORD)
    page.goto("/notifications/preferences/")
    row = page.locator('[data-kind="lead.recycled"]')
    row.locator("select").select_option("digest")
    with page.expect_navigation():
        page.click("[data-testid=preferences-save]")
    assert page.locator('[data-kind="lead.recycled"] select').input_value() == "digest"
    assert NotificationPreference.objects.filter(
        workspace=demo, user_id=member.user_id, kind="lead.recycled", email="digest"
    ).exists()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "notification-preferences-phone.png")
