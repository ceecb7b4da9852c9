"""The demo workspace's dashboards have data in every chart (issue #7: "the demo workspace's
dashboards show every chart with data"), whatever day the demo is loaded: mid-month and on the
first day of a month (in the workspace's zone), when "this month" has only just begun."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from tradewind.analytics import dashboards
from tradewind.workspaces.models import Membership

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")  # the demo workspace's zone
BOSS = "boss@demo.test"
REP = "zhangqiang@demo.test"
TEAM_BLOCKS = ["goal", "funnel", "forecast", "sla", "leads_by_source", "receivables"]
REP_BLOCKS = ["my_day", "pipeline", "goal", "receivables"]


def _load():
    from tradewind.demo.management.commands.demo import load

    workspace = load()
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    }
    return members[BOSS], members[REP]


def _series_values(block: dashboards.Block) -> list[Decimal]:
    chart = block.chart()
    values = [Decimal(v) for v in chart["values"]]
    values += [Decimal(v) for s in chart["series"] for v in s["values"]]
    return values


def _assert_every_chart_has_data(dashboard: dashboards.Dashboard, keys: list[str]) -> None:
    assert [b.key for b in dashboard.blocks] == keys
    for block in dashboard.blocks:
        assert block.rows, block.key
        assert not block.empty, block.key
        assert any(v > 0 for v in _series_values(block)), block.key
        assert all(r.url for r in block.rows), block.key
    # Every goal shown has progress: no bar at 0 % (the demo's payments received included).
    for row in dashboard.block("goal").rows:
        assert row.value > 0, row.label


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 3, 17, 10, 0, tzinfo=SHANGHAI),
        dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI),  # still March 31st in UTC
    ],
    ids=["mid-month", "first-of-month"],
)
def test_demo_dashboards_have_data_in_every_chart(when):
    with time_machine.travel(when, tick=False):
        boss, rep = _load()
        team = dashboards.team_dashboard(boss)
        _assert_every_chart_has_data(team, TEAM_BLOCKS)
        keys = {r.detail.metric for r in team.block("goal").rows}
        assert "payments_received" in keys
        mine = dashboards.rep_dashboard(rep)
        _assert_every_chart_has_data(mine, REP_BLOCKS)
        # The series the browser draws: the line chart's sources and the forecast's two bars.
        assert team.block("leads_by_source").series
        assert len(team.block("forecast").series) == 2
