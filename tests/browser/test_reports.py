"""The reports in a real browser, on the demo workspace, as the demo boss: the conversion review,
the funnels, the activity report, goals, a commission statement, RFM and churn — in Chinese and in
English, on a desktop and a phone. Every chart container holds a drawn ECharts SVG (or canvas),
the page raises no JavaScript error and a phone never scrolls sideways."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .conftest import login

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "tradewind-demo"
BOSS = "boss@demo.test"  # stored language preference: zh-hans
REP = "zhangqiang@demo.test"

# Chart containers of the report pages (each report's own markup; see the templates).
CHARTS = ".tw-chart, #goals-chart, [data-testid=rfm-chart], [data-testid=churn-chart]"

# (path, heading words in Chinese, in English, the smallest number of charts the demo draws)
PAGES: tuple[tuple[str, str, str, int], ...] = (
    ("/reports/conversion/", "转化", "onversion", 1),
    ("/reports/funnels/", "漏斗", "unnel", 2),
    ("/reports/activity/", "活动", "ctivity", 2),
    ("/reports/goals/", "目标", "oal", 1),
    ("/reports/commission/{rep}/", "提成", "ommission", 0),
    ("/reports/customers/rfm/", "RFM", "RFM", 1),
    ("/reports/customers/churn/", "流失", "hurn", 1),
)


def switch_language(page: Page, size: str, code: str) -> None:
    if size == "phone":
        page.click("[data-testid=nav-toggle]")
    button = page.locator(f"#main-nav [data-testid=language-switch] [data-lang={code}]")
    with page.expect_navigation():
        button.click()


def assert_charts_drawn(page: Page, path: str, at_least: int) -> None:
    charts = page.locator(CHARTS)
    assert charts.count() >= at_least, (path, charts.count())
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        drawn = chart.locator("svg, canvas")
        assert drawn.count() >= 1, (path, i)
        # Something was drawn: paths (bars, lines, slices, funnel steps) and a non-zero size.
        assert chart.locator("svg path").count() > 1 or chart.locator("canvas").count(), (path, i)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 150 and box["height"] > 150, (path, i)


def test_reports_draw_every_chart_in_both_languages(demo, page: Page, size: str) -> None:
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.get(email=REP)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, BOSS, PASSWORD)
    for code in ("zh-hans", "en"):
        if code == "en":
            switch_language(page, size, "en")
        for path, zh, en, at_least in PAGES:
            url = path.format(rep=rep.pk)
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert (page.get_attribute("html", "lang") or "").startswith(code[:2]), url
            heading = page.locator("h1").first.inner_text()
            assert (zh if code == "zh-hans" else en) in heading + page.title(), (url, heading)
            page.wait_for_load_state("load")
            assert_charts_drawn(page, url, at_least)
            if size == "phone":  # no sideways scrolling on a phone
                assert page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth + 1"
                ), url
            # The live server has no favicon: the browser logs its 404, which is no page error.
            errors[:] = [e for e in errors if "404" not in e]
            assert not errors, (url, errors)


def test_team_dashboard_narrowed_to_a_team_in_both_languages(demo, page: Page, size: str) -> None:
    """The team and owner pickers reload the dashboard narrowed (the URL keeps them, so does the
    export link); every chart is still drawn, in Chinese and in English."""
    from tradewind.workspaces.models import Team

    west = Team.objects.get(workspace=demo, name__startswith="欧美组")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, BOSS, PASSWORD)
    for code in ("zh-hans", "en"):
        if code == "en":
            switch_language(page, size, "en")
        page.goto("/reports/dashboard/team/")
        with page.expect_navigation():
            page.select_option("[data-testid=dashboard-team]", str(west.pk))
        assert f"team={west.pk}" in page.url
        assert f"team={west.pk}" in (
            page.get_attribute("[data-testid=dashboard-export]", "href") or ""
        )
        assert (page.get_attribute("html", "lang") or "").startswith(code[:2])
        for key in ("goal", "funnel", "forecast", "leads_by_source"):
            chart = page.locator(f"[data-testid=chart-{key}]")
            chart.scroll_into_view_if_needed()
            assert chart.get_attribute("data-rendered") == "1", (code, key)
            assert chart.locator("svg path").count() > 2, (code, key)
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not errors, errors
