"""RFM segments (#7 item 6) against a hand-computed table (tests/analytics/rfm_helpers.py).

Window 365 days up to 2025-06-30: orders dated 2024-07-01 … 2025-06-30 (offset 0 … 364).

  customer  recency  frequency  monetary    R  F  M   segment
  C1        24       4          20123.40    ↑  ↑  ↑   key_value        重要价值客户
  C2        241      3          25000.00    ↓  ↑  ↑   key_keep         重要保持客户
  C3        29       1          30000.00    ↑  ↓  ↑   key_develop      重要发展客户
  C4        333      1          20000.00    ↓  ↓  ↑   key_winback      重要挽留客户
  C5        5        5           4500.00    ↑  ↑  ↓   regular_value    一般价值客户
  C6        149      3           1500.00    ↓  ↑  ↓   regular_keep     一般保持客户
  C7        15       1            800.00    ↑  ↓  ↓   regular_develop  一般发展客户
  C8        350      1            600.00    ↓  ↓  ↓   regular_winback  一般挽留客户

Baselines (workspace averages over the 8 customers):
  recency   (24+241+29+333+5+149+15+350) / 8 = 1146 / 8 = 143.25  → R ↑ when recency ≤ 143
  frequency (4+3+1+1+5+3+1+1) / 8 = 19 / 8 = 2.375 → 2.38          → F ↑ when orders ≥ 3
  monetary  102523.40 / 8 = 12815.425 → 12815.43                   → M ↑ when amount ≥ 12815.43
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.analytics.rfm_helpers import TODAY, build
from tradewind.analytics import rfm
from tradewind.analytics.settings_store import analytics_settings

EXPECTED = {
    # code: (recency, frequency, monetary, segment)
    "C1": (24, 4, Decimal("20123.40"), "key_value"),
    "C2": (241, 3, Decimal("25000.00"), "key_keep"),
    "C3": (29, 1, Decimal("30000.00"), "key_develop"),
    "C4": (333, 1, Decimal("20000.00"), "key_winback"),
    "C5": (5, 5, Decimal("4500.00"), "regular_value"),
    "C6": (149, 3, Decimal("1500.00"), "regular_keep"),
    "C7": (15, 1, Decimal("800.00"), "regular_develop"),
    "C8": (350, 1, Decimal("600.00"), "regular_winback"),
}


@pytest.fixture
def data(world):
    return build(world)


def _table(member, report):
    page = rfm.segment_customers(member, report)
    return {r.customer.code: (r.recency, r.frequency, r.monetary, r.segment.key) for r in page.rows}


def test_baselines_are_the_workspace_averages(world, data):
    report = rfm.rfm_report(world.owner, today=TODAY)
    assert report.window.start.isoformat() == "2024-07-01"
    b = report.baselines
    assert (b.recency_days, b.frequency, b.monetary) == (
        Decimal("143.25"),
        Decimal("2.38"),
        Decimal("12815.43"),
    )
    assert (b.recency_cutoff_days, b.min_orders, b.customers) == (143, 3, 8)
    assert b.recency_is_average and b.frequency_is_average and b.monetary_is_average


def test_every_customer_lands_in_its_segment(world, data, django_assert_max_num_queries):
    report = rfm.rfm_report(world.owner, today=TODAY)
    with django_assert_max_num_queries(2):
        table = _table(world.owner, report)
    assert table == EXPECTED
    counts = {r.segment.key: (r.customers, r.monetary) for r in report.rows}
    assert counts == {code_seg: (1, m) for _r, _f, m, code_seg in EXPECTED.values()}
    assert (report.customers, report.orders, report.monetary) == (8, 19, Decimal("102523.40"))
    assert [r.share for r in report.rows] == [Decimal("12.5")] * 8


def test_report_query_count_is_constant(world, data, django_assert_max_num_queries):
    analytics_settings(world.ws)
    with django_assert_max_num_queries(3):
        rfm.rfm_report(world.owner, today=TODAY)


def test_segment_list_filters(world, data):
    report = rfm.rfm_report(world.owner, today=TODAY)
    for code, (_r, _f, _m, key) in EXPECTED.items():
        page = rfm.segment_customers(world.owner, report, segment=key)
        assert [r.customer.code for r in page.rows] == [code]


def test_configured_baselines(world, data):
    row = analytics_settings(world.ws)
    row.rfm_recency_days, row.rfm_frequency, row.rfm_monetary = 30, Decimal(1), Decimal(20000)
    row.save()
    report = rfm.rfm_report(world.owner, today=TODAY)
    counts = {r.segment.key: r.customers for r in report.rows if r.customers}
    # R ↑: C1 C3 C5 C7 (≤ 30 days); F ↑: everybody; M ↑: C2 C3 C4 (≥ 20000; C1 has 20123.40 ✓)
    assert counts == {"key_value": 2, "key_keep": 2, "regular_value": 2, "regular_keep": 2}


def test_rep_sees_only_own_customers_but_the_same_segments(world, data):
    report = rfm.rfm_report(world.rep, today=TODAY)
    assert report.baselines.customers == 8  # baselines are the workspace's
    table = _table(world.rep, report)
    assert table == {k: v for k, v in EXPECTED.items() if k in ("C1", "C2", "C7", "C8")}
    assert report.customers == 4


def test_other_workspace_sees_nothing(world, data):
    report = rfm.rfm_report(world.owner2, today=TODAY)
    assert report.customers == 1  # only its own C9
    assert _table(world.owner2, report) == {"C9": (10, 1, Decimal("123456.00"), "key_value")}


@pytest.mark.parametrize(
    ("monetary", "c1_segment"), [("20123.40", "key_value"), ("20123.41", "regular_value")]
)
def test_monetary_boundary_is_inclusive(world, data, monetary, c1_segment):
    row = analytics_settings(world.ws)
    row.rfm_monetary = Decimal(monetary)
    row.save()
    report = rfm.rfm_report(world.owner, today=TODAY)
    assert _table(world.owner, report)["C1"][3] == c1_segment
    assert report.row(c1_segment).customers >= 1


@pytest.mark.parametrize(("recency", "c6_r_high"), [(149, True), (148, False)])
def test_recency_boundary_is_inclusive(world, data, recency, c6_r_high):
    row = analytics_settings(world.ws)
    row.rfm_recency_days = recency
    row.save()
    report = rfm.rfm_report(world.owner, today=TODAY)
    segment = rfm.segment_by_key(_table(world.owner, report)["C6"][3])
    assert segment is not None and segment.r_high is c6_r_high


def test_window_change(world, data):
    row = analytics_settings(world.ws)
    row.rfm_window_days = 30  # 2025-06-01 … 2025-06-30: C1 (24), C3 (29), C5 (5, 5, 20), C7 (15)
    row.save()
    report = rfm.rfm_report(world.owner, today=TODAY)
    assert report.window.start.isoformat() == "2025-06-01"
    # recency (24 + 29 + 5 + 15) / 4 = 18.25; frequency (1 + 1 + 3 + 1) / 4 = 1.5 → ≥ 2;
    # monetary (7123.40 + 30000 + 2500 + 800) / 4 = 10105.85
    b = report.baselines
    assert (b.recency_days, b.frequency, b.monetary) == (
        Decimal("18.25"),
        Decimal("1.50"),
        Decimal("10105.85"),
    )
    assert {k: v[3] for k, v in _table(world.owner, report).items()} == {
        "C1": "regular_winback",  # 24 > 18 days, 1 order < 2, 7123.40 < 10105.85
        "C3": "key_winback",  # 29 > 18, 1 order, 30000 ≥ 10105.85
        "C5": "regular_value",
        "C7": "regular_develop",
    }
