"""Repurchase / churn warning (#7 item 7) against a hand-computed table
(dataset: tests/analytics/rfm_helpers.py; today 2025-06-30; whole order history, cancelled
orders and same-day second orders left out; the last four purchase days = three intervals).

  customer  purchase days (offsets)  intervals  average  days since  ratio   status (0.8 / 1.5)
  C1        24 54 84 114 (500 dropped)  3        90/3 = 30.0     24   24×3/90  = 0.80  soon
  C2        241 271 301                2        60/2 = 30.0    241   241×2/60 = 8.03  risk
  C3        29 400                     1           371.0        29   29/371   = 0.08  not due
  C4        333 365                    1            32.0       333   333/32   = 10.41 risk
  C5        5 (×2 orders) 20 40 61     3        56/3 = 18.7      5   5×3/56   = 0.27  not due
  C6        149 249 349                2       200/2 = 100.0   149   149×2/200 = 1.49 due
  C7, C8    one purchase day (the other order is cancelled): not repeat customers
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.analytics.rfm_helpers import TODAY, build, day
from tradewind.analytics import churn
from tradewind.analytics.settings_store import analytics_settings

EXPECTED = {
    # code: (last order offset, intervals, average interval, days since, ratio, status)
    "C4": (333, 1, Decimal("32.0"), 333, Decimal("10.41"), "risk"),
    "C2": (241, 2, Decimal("30.0"), 241, Decimal("8.03"), "risk"),
    "C6": (149, 2, Decimal("100.0"), 149, Decimal("1.49"), "due"),
    "C1": (24, 3, Decimal("30.0"), 24, Decimal("0.80"), "soon"),
    "C5": (5, 3, Decimal("18.7"), 5, Decimal("0.27"), "not_due"),
    "C3": (29, 1, Decimal("371.0"), 29, Decimal("0.08"), "not_due"),
}


@pytest.fixture
def data(world):
    return build(world)


def _table(member, status=""):
    page = churn.churn_customers(member, status=status, today=TODAY)
    return {
        r.customer.code: (
            (TODAY - r.last_order).days,
            r.intervals,
            r.average_interval,
            r.days_since,
            r.ratio,
            r.status.key,
        )
        for r in page.rows
    }


def test_table_matches_hand_computed(world, data, django_assert_max_num_queries):
    analytics_settings(world.ws)
    with django_assert_max_num_queries(3):
        table = _table(world.owner)
    assert table == EXPECTED
    assert list(table) == list(EXPECTED)  # highest ratio first


def test_summary_counts(world, data, django_assert_max_num_queries):
    analytics_settings(world.ws)
    with django_assert_max_num_queries(2):
        summary = churn.churn_summary(world.owner, today=TODAY)
    assert summary.repeat_customers == 6
    assert {r.status.key: r.customers for r in summary.rows} == {
        "soon": 1,
        "due": 1,
        "risk": 2,
        "not_due": 2,
    }


@pytest.mark.parametrize(
    ("status", "codes"),
    [("soon", ["C1"]), ("risk", ["C4", "C2"]), ("due", ["C6"]), ("not_due", ["C5", "C3"])],
)
def test_status_lists(world, data, status, codes):
    assert list(_table(world.owner, status)) == codes


def test_ratio_boundaries_are_exact(world, data):
    """C1's ratio is exactly 0.80 (soon from 0.80, not from 0.81); C5's 0.2679 is below 0.27."""
    row = analytics_settings(world.ws)
    row.reorder_soon_ratio = Decimal("0.81")
    row.save()
    assert _table(world.owner)["C1"][5] == "not_due"
    row.reorder_soon_ratio = Decimal("0.27")
    row.save()
    assert list(_table(world.owner, "soon")) == ["C1"]


def test_thresholds_are_configurable(world, data):
    row = analytics_settings(world.ws)
    row.reorder_soon_ratio, row.churn_risk_ratio = Decimal("0.26"), Decimal("8.04")
    row.save()
    summary = churn.churn_summary(world.owner, today=TODAY)
    # soon ≥ 0.26: C1 0.80, C5 15/56 = 0.268 (shown 0.27); risk ≥ 8.04: C4 only (C2 is
    # 482/60 = 8.033); due: C2, C6
    assert {r.status.key: r.customers for r in summary.rows} == {
        "soon": 2,
        "due": 2,
        "risk": 1,
        "not_due": 1,
    }
    assert list(_table(world.owner, "soon")) == ["C1", "C5"]


def test_rep_sees_only_own_customers(world, data):
    assert list(_table(world.rep)) == ["C2", "C1"]  # C7, C8: one purchase day each
    assert list(_table(world.other_rep)) == ["C6", "C5"]
    assert _table(world.owner2) == {}  # C9 has one order


def test_a_new_purchase_resets_the_clock(world, data):
    from tests.analytics.rfm_helpers import _order
    from tradewind.orders.models_orders import Order

    c2 = data.customers["C2"]
    Order.objects.bulk_create([_order(world.ws, c2, "DDNEW", 0, "CNY", "100", "1", "confirmed")])
    # last four days 0 241 271 301: span 301 / 3 = 100.3, 0 days since → ratio 0
    assert _table(world.owner)["C2"] == (0, 3, Decimal("100.3"), 0, Decimal("0.00"), "not_due")
    assert day(0) == TODAY
