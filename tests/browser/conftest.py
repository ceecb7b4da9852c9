"""Browser tests: playwright's sync API driving Debian's chromium against pytest-django's live server.

Every test here gets the `browser` marker, a fresh demo workspace (loaded through the services,
exactly as `tradewind demo` does) and a new browser context sized for the requested viewport.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

    from tradewind.workspaces.models import Workspace

# Playwright's sync API runs an asyncio event loop in the test thread; Django's ORM then refuses
# to run there ("You cannot call this from an async context") unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "docs" / "screenshots"

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# The session's one `browser` lives in tests/conftest.py: playwright's sync API refuses a second
# instance in a process, and xdist may run tests of several directories in one worker.


@pytest.fixture
def demo(live_server: LiveServer) -> Workspace:
    """The demo workspace, in the database the live server reads."""
    from django.db import transaction

    from tradewind.demo.management.commands.demo import load

    with transaction.atomic():  # as `tradewind demo` does; one commit instead of hundreds
        return load()


@pytest.fixture(params=list(VIEWPORTS))
def size(request: pytest.FixtureRequest) -> str:
    """The viewport name: "desktop" (1280x800) or "phone" (390x844)."""
    return request.param


def new_context(browser: Browser, base_url: str, size: str) -> BrowserContext:
    """A fresh browser context (no cookies): Chinese browser locale, relative URLs to the live server."""
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        reduced_motion="reduce",  # Bootstrap then skips its collapse/fade transitions
        **VIEWPORTS[size],
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, size: str) -> Iterator[Page]:
    context = new_context(browser, live_server.url, size)
    yield context.new_page()
    context.close()


def login(page: Page, email: str, password: str) -> None:
    """Sign in through the login form, in whatever language the page currently shows."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    assert "/accounts/login/" not in page.url, f"still on the login page: {page.url}"


def screenshot(page: Page, name: str) -> Path:
    """Save docs/screenshots/<name> (overwritten each run) once the web fonts have loaded."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def wait_until(
    page: Page, expression: str, arg: object = None, timeout: float = TIMEOUT_MS / 1000
) -> None:
    """Poll a JavaScript expression until it is truthy. Instead of `page.wait_for_function`, which
    re-evaluates its predicate as a string inside the page: under our `script-src 'self'` policy
    that races with the CSP and fails now and then with EvalError (microsoft/playwright#36982);
    one-shot `page.evaluate` is exempt."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.05)
