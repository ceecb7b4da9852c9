"""The application shell in a real browser: sign in and out, language, navigation, phone layout.

Runs at two sizes (the `size` fixture): desktop 1280x800 and phone 390x844. On the phone the
navbar is collapsed, so every step that uses it opens the toggler first.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import wait_until
from tradewind.demo import data
from tradewind.workspaces.models import User

from .conftest import login, new_context, screenshot

BOSS = data.BOSS[0]  # owner; stored language preference: zh-hans
REP = "zhangqiang@demo.test"  # sales rep; no stored language preference
PASSWORD = data.PASSWORD

NAV_KEYS = [
    "home",
    "leads",
    "customers",
    "tasks",
    "opportunities",
    "quotes",
    "products",
    "orders",
    "library",
    "campaigns",  # the boss holds Perm.CAMPAIGN_MANAGE (others do not see the entry)
    "reports",
    "settings",
]
HTML_LANG = {"zh-hans": "zh-CN", "en": "en"}
# The Leads navigation label per language; "线索" comes from src/tradewind/locale/zh_Hans.
LEADS_LABEL = {"zh-hans": "线索", "en": "Leads"}
LOGIN_HEADING = {"zh-hans": "登录", "en": "Sign In"}  # allauth's own catalogue


def html_lang(page: Page) -> str | None:
    return page.get_attribute("html", "lang")


def open_nav(page: Page, size: str) -> None:
    """On the phone the navbar is collapsed: open it (and wait for Bootstrap's animation to end)."""
    if size != "phone":
        return
    if page.locator("#main-nav.show").count():
        return
    page.click("[data-testid=nav-toggle]")
    page.locator("#main-nav.show").wait_for(state="visible")
    wait_until(page, "!document.querySelector('#main-nav.collapsing')")


def switch_language(page: Page, size: str, code: str) -> None:
    """Press a language button (login page or navbar) and wait for the page it redirects to."""
    if page.locator("#main-nav").count():
        open_nav(page, size)
        button = page.locator(f"#main-nav [data-testid=language-switch] [data-lang={code}]")
    else:
        button = page.locator(f"[data-testid=language-switch] [data-lang={code}]")
    with page.expect_navigation() as nav:
        button.click()
    assert nav.value is not None and nav.value.status == 200, nav.value and nav.value.status
    assert html_lang(page) == HTML_LANG[code], (
        f"pressed {code}, page {page.url} is in {html_lang(page)}"
    )


def leads_label(page: Page) -> str:
    return page.locator("#main-nav a[data-nav=leads]").inner_text().strip()


# --- sign in ------------------------------------------------------------------------------------


def test_login_in_chinese(page: Page, demo: object, size: str) -> None:
    """Chinese is the default: the login page and, after signing in, the shell are in Chinese."""
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    assert html_lang(page) == "zh-CN"
    expect(page.locator(".allauth h2")).to_have_text(LOGIN_HEADING["zh-hans"])
    expect(page.locator("[data-testid=language-switch] [data-lang=zh-hans]")).to_have_attribute(
        "aria-pressed", "true"
    )
    if size == "desktop":
        screenshot(page, "login-zh-desktop.png")

    login(page, BOSS, PASSWORD)
    assert html_lang(page) == "zh-CN"
    assert [
        a.get_attribute("data-nav") for a in page.locator("#main-nav a[data-nav]").all()
    ] == NAV_KEYS
    # Needs the zh_Hans catalogue (src/tradewind/locale/zh_Hans/LC_MESSAGES/django.po, "Leads" -> "线索").
    assert leads_label(page) == LEADS_LABEL["zh-hans"]


def test_login_in_english(page: Page, demo: object, size: str) -> None:
    """English picked on the login page is kept after signing in (user without a stored language)."""
    page.goto("/accounts/login/")
    switch_language(page, size, "en")
    assert "/accounts/login/" in page.url
    expect(page.locator(".allauth h2")).to_have_text(LOGIN_HEADING["en"])
    expect(page.locator("[data-testid=language-switch] [data-lang=en]")).to_have_attribute(
        "aria-pressed", "true"
    )

    login(page, REP, PASSWORD)
    assert html_lang(page) == "en"
    assert leads_label(page) == LEADS_LABEL["en"]


@pytest.mark.parametrize("size", ["desktop"])  # not about layout: one size is enough
def test_login_page_choice_beats_stored_language(page: Page, demo: object, size: str) -> None:
    """The boss has "zh-hans" stored on the account (demo data). Choosing English on the login page
    is the newer, explicit choice: the shell after signing in should be English, not Chinese."""
    assert User.objects.get(email=BOSS).language == "zh-hans"
    page.goto("/accounts/login/")
    switch_language(page, size, "en")
    login(page, BOSS, PASSWORD)
    assert html_lang(page) == "en", (
        f"chose English on the login page, got {html_lang(page)} after signing in"
    )
    assert leads_label(page) == LEADS_LABEL["en"]


# --- language switch after sign-in --------------------------------------------------------------


def test_switch_language_after_login(
    page: Page, demo: object, size: str, browser: Browser, live_server: LiveServer
) -> None:
    login(page, BOSS, PASSWORD)
    page.goto("/leads/")
    assert html_lang(page) == "zh-CN"

    switch_language(page, size, "en")
    assert page.url.endswith("/leads/"), "the switch returns to the page it was pressed on"
    assert leads_label(page) == "Leads"
    expect(page.locator("h1")).to_have_text("Leads")
    expect(page.locator("#main-nav [data-lang=en]")).to_have_attribute("aria-pressed", "true")

    # It sticks: on the next page load, and in a new browser (stored on the account).
    page.goto("/")
    assert html_lang(page) == "en"
    page.reload()
    assert html_lang(page) == "en"
    assert User.objects.get(email=BOSS).language == "en"
    other = new_context(browser, live_server.url, size)
    try:
        fresh = other.new_page()
        login(fresh, BOSS, PASSWORD)
        assert html_lang(fresh) == "en"
    finally:
        other.close()

    # And back.
    switch_language(page, size, "zh-hans")
    page.goto("/leads/")
    assert html_lang(page) == "zh-CN"
    assert User.objects.get(email=BOSS).language == "zh-hans"


# --- navigation -----------------------------------------------------------------------------------


def test_every_navigation_target_opens(page: Page, demo: object, size: str) -> None:
    login(page, BOSS, PASSWORD)
    keys = [a.get_attribute("data-nav") for a in page.locator("#main-nav a[data-nav]").all()]
    assert keys == NAV_KEYS

    for key in NAV_KEYS:
        open_nav(page, size)
        link = page.locator(f"#main-nav a[data-nav={key}]")
        with page.expect_navigation() as nav:
            link.click()
        response = nav.value
        assert response is not None and response.status == 200, (
            f"{key}: HTTP {response and response.status}"
        )
        link = page.locator(f"#main-nav a[data-nav={key}]")
        expect(link).to_have_class(re.compile(r"(^|\s)active(\s|$)"))
        expect(link).to_have_attribute("aria-current", "page")
        assert page.locator("#main-nav a[data-nav].active").count() == 1, (
            f"{key}: more than one active link"
        )
        if size == "desktop" and key == "leads":
            screenshot(page, "leads-zh-desktop.png")


# --- phone layout ----------------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const w = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > w + 1 && el.getClientRects().length)
    .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= w + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
         ' right=' + Math.round(el.getBoundingClientRect().right));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, wide};
}"""
SETTINGS_PAGES = [
    "/settings/",
    "/settings/members/",
    "/settings/teams/",
    "/settings/numbering/",
    "/settings/rates/",
    "/settings/tokens/",
    "/settings/profile/",
]


@pytest.mark.parametrize("size", ["phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_horizontal_scroll_on_phone(page: Page, demo: object, size: str, language: str) -> None:
    User.objects.filter(email=BOSS).update(language=language)
    login(page, BOSS, PASSWORD)
    page.goto("/leads/")
    detail = page.locator("[data-testid=lead-table] tbody a").first.get_attribute("href")
    assert detail

    problems = []
    for path in ["/", "/leads/", detail, *SETTINGS_PAGES]:
        response = page.goto(path)
        assert response is not None and response.status == 200, (
            f"{path}: HTTP {response and response.status}"
        )
        assert html_lang(page) == HTML_LANG[language]
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
            problems.append((path, page.evaluate(OVERFLOW_JS)))
    assert not problems, "horizontal scrollbar on the phone:\n" + "\n".join(
        f"{p}: {info}" for p, info in problems
    )


# --- sign out ---------------------------------------------------------------------------------------


def test_logout(page: Page, demo: object, size: str) -> None:
    login(page, BOSS, PASSWORD)
    page.goto("/leads/")
    open_nav(page, size)
    page.click("[data-testid=user-menu]")
    logout = page.locator("[data-testid=logout]")
    expect(logout).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/accounts/login/")) as nav:
        logout.click()
    assert nav.value is not None and nav.value.status == 200
    expect(page.locator("[data-testid=login-form]")).to_be_visible()
    assert page.locator("#main-nav").count() == 0

    # The session is really gone: a member page sends us back to the login page.
    page.goto("/leads/")
    assert "/accounts/login/" in page.url
    expect(page.locator("[data-testid=login-form]")).to_be_visible()


# --- screenshots for docs/screenshots ---------------------------------------------------------------


def test_screenshots(page: Page, demo: object, size: str) -> None:
    """The remaining documentation screenshots (login-zh-desktop and leads-zh-desktop are taken above).

    The language is set as a stored preference, so the pictures do not depend on the switch buttons.
    """
    login(page, BOSS, PASSWORD)
    if size == "desktop":
        page.goto("/settings/members/")
        assert html_lang(page) == "zh-CN"
        screenshot(page, "settings-members-zh-desktop.png")
        User.objects.filter(email=BOSS).update(language="en")
        page.goto("/leads/")
        assert html_lang(page) == "en"
        with page.expect_navigation():
            page.locator("[data-testid=lead-table] tbody a").first.click()
        assert re.search(r"/leads/\d+/$", page.url), page.url
        screenshot(page, "lead-detail-en-desktop.png")
    else:
        page.goto("/leads/")
        assert html_lang(page) == "zh-CN"
        screenshot(page, "leads-zh-phone.png")
        User.objects.filter(email=BOSS).update(language="en")
        page.goto("/")
        assert html_lang(page) == "en"
        screenshot(page, "home-en-phone.png")
