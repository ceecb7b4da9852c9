"""The role dashboards in a real browser, on the demo workspace: the team dashboard (owner) and
"My dashboard" (a sales rep) in Chinese and in English, on a desktop and a phone — every chart
container holds a drawn ECharts SVG, and the tables beside them carry the same figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .conftest import login, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"
BOSS = "boss@demo.test"  # stored language preference: zh-hans
REP = "zhangqiang@demo.test"

TEAM_CHARTS = ("goal", "funnel", "forecast", "sla", "leads_by_source", "receivables")
REP_CHARTS = ("pipeline", "goal", "receivables")
TITLES = {
    "zh-hans": {"team": "团队仪表盘", "rep": "我的仪表盘"},
    "en": {"team": "Team dashboard", "rep": "My dashboard"},
}


def switch_language(page: Page, size: str, code: str) -> None:
    if size == "phone":
        page.click("[data-testid=nav-toggle]")
    button = page.locator(f"#main-nav [data-testid=language-switch] [data-lang={code}]")
    with page.expect_navigation():
        button.click()


def assert_charts(page: Page, keys: tuple[str, ...]) -> None:
    for key in keys:
        chart = page.locator(f"[data-testid=chart-{key}]")
        chart.scroll_into_view_if_needed()
        assert chart.get_attribute("data-rendered") == "1", key
        svg = chart.locator("svg")
        assert svg.count() == 1, key
        # Something was drawn: paths (bars, lines, slices, funnel steps) and a non-zero size.
        assert svg.locator("path").count() > 2, key
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, key


def test_dashboards_draw_every_chart_in_both_languages(demo, page: Page, size: str) -> None:
    login(page, BOSS, PASSWORD)
    for code in ("zh-hans", "en"):
        if code == "en":
            switch_language(page, size, "en")
        page.goto("/reports/dashboard/team/")
        assert TITLES[code]["team"] in page.title()
        assert_charts(page, TEAM_CHARTS)
        if size == "phone":  # no sideways scrolling on a phone
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, f"dashboard-team-{code}-{size}.png")
    page.goto("/reports/")
    assert page.locator("[data-testid=report-link]").count() >= 2


def test_my_dashboard_in_both_languages(demo, page: Page, size: str) -> None:
    login(page, REP, PASSWORD)
    page.goto("/")
    with page.expect_navigation():
        page.click("[data-testid=home-my-dashboard]")
    for code in ("en", "zh-hans"):
        if code != "en" or page.get_attribute("html", "lang") != "en":
            switch_language(page, size, code)
        page.goto("/reports/dashboard/")
        assert TITLES[code]["rep"] in page.title()
        assert_charts(page, REP_CHARTS)
        overdue = page.locator("[data-testid=figure-tasks_overdue]")
        assert overdue.inner_text().strip().startswith("1")
        if size == "desktop":
            screenshot(page, f"dashboard-rep-{code}.png")
