"""Funnels: lead, opportunity stage (with median days in stage), 三定 node funnel and cohorts on
the fixed dataset (tests/analytics/conversion_data.py)."""

from __future__ import annotations

from decimal import Decimal as D
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from tradewind.analytics import conversion as conv
from tradewind.analytics import funnels as fun
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead

from .conversion_data import build

pytestmark = pytest.mark.django_db


def _args(member, **params):
    params = {"month": "2024-03", **params}
    return {
        "member": member,
        "period": conv.period_from(params, member),
        "filters": conv.ReportFilter.from_params(params),
    }


def test_lead_funnel(world, django_assert_max_num_queries):
    build(world)
    with django_assert_max_num_queries(3):
        steps = fun.lead_funnel(**_args(world.owner))
    # contacted: L1 L2 L3 L4 (first contact) + L7 (qualified); qualified: L1 L3 L7;
    # converted: L1 L3; won: both customers signed.
    assert [(s.key, s.count, s.from_previous, s.from_first) for s in steps] == [
        ("new", 7, None, None),
        ("contacted", 5, D("71.4"), D("71.4")),
        ("qualified", 3, D("60.0"), D("42.9")),
        ("converted", 2, D("66.7"), D("28.6")),
        ("won", 2, D("100.0"), D("28.6")),
    ]
    member = world.owner
    for step, expected in zip(steps, (7, 5, 3, 2, 2), strict=True):
        filters = LeadFilter.from_params(QueryDict(urlsplit(step.link).query))
        qs = filters.apply(Lead.objects.visible_to(member), user_id=member.user_id, member=member)
        assert qs.count() == expected, step.key


def test_stage_funnel_and_median_days(world, django_assert_max_num_queries):
    data = build(world)
    with django_assert_max_num_queries(6):
        funnel = fun.stage_funnel(**_args(world.owner))
    assert funnel.pipeline == data.pipeline
    rows = [
        (s.label, s.count, s.from_previous, s.median_days, s.median_count) for s in funnel.steps
    ]
    keys = ["initial_contact", "needs_confirmed", "quotation", "negotiation", "won"]
    assert [s.key for s in funnel.steps] == [str(data.stages[k].pk) for k in keys]
    assert [r[1:] for r in rows] == [
        (5, None, D("3.0"), 5),
        (4, D("80.0"), D("2.0"), 3),
        (3, D("75.0"), D("2.0"), 3),
        (2, D("66.7"), D("2.5"), 2),
        (1, D("50.0"), None, 0),
    ]
    assert (funnel.total, funnel.won, funnel.lost, funnel.open) == (5, 1, 3, 1)
    # A rep: O_lost1 and O_open (and nothing else) are theirs.
    mine = fun.stage_funnel(**_args(world.rep))
    assert [s.count for s in mine.steps] == [2, 2, 1, 0, 0]
    # Only their exits: initial contact 2 and 5 days (an even count: the mean of the middle two).
    assert [(s.median_days, s.median_count) for s in mine.steps] == [
        (D("3.5"), 2),
        (D("2.0"), 1),
        (D("1.0"), 1),
        (None, 0),
        (None, 0),
    ]
    assert fun.stage_funnel(**_args(world.owner2)).total == 0


def test_node_funnel(world, client_for, django_assert_max_num_queries):
    build(world)
    fun.node_funnel(**_args(world.owner))  # the node list is seeded on first use
    with django_assert_max_num_queries(3):
        steps = fun.node_funnel(**_args(world.owner))
    # Furthest node in March: C1 price_discussed (4), C2 inquiry (1), C4 needs_obtained (2).
    assert [(s.key, s.count, s.from_previous) for s in steps] == [
        ("inquiry", 3, None),
        ("needs_obtained", 2, D("66.7")),
        ("needs_confirmed", 1, D("50.0")),
        ("price_discussed", 1, D("100.0")),
        ("price_confirmed", 0, D("0.0")),
    ]
    assert [s.count for s in fun.node_funnel(**_args(world.rep))] == [1, 1, 1, 1, 0]
    # The step's link lists exactly the customers it counts (reached in March, this node or a
    # later one): C1 and C4 — not C3, whose one node was reached in February.
    assert steps[1].link.startswith("/reports/funnels/nodes/?")
    page = client_for(world.owner).get(steps[1].link)
    assert page.status_code == 200
    body = page.content.decode()
    assert "C1 Machinery" in body and "C4 West" in body and "C3 Feb" not in body
    assert body.count("<tr data-id=") == 2


def test_the_funnel_and_the_cohort_share_one_pass_over_the_leads(world, django_assert_num_queries):
    build(world)
    args = _args(world.owner, month="", start="2024-02-01", end="2024-03-31")
    with django_assert_num_queries(1):
        rows = fun.lead_rows(**args)
    with django_assert_num_queries(0):
        shared = fun.lead_funnel(**args, rows=rows)
        cohort = fun.cohort(**args, rows=rows)
    assert [(s.key, s.count) for s in shared] == [(s.key, s.count) for s in fun.lead_funnel(**args)]
    assert [s.count for s in shared] == [8, 6, 4, 3, 3]
    assert cohort.cells == fun.cohort(**args).cells


def test_cohort(world):
    build(world)
    cohort = fun.cohort(**_args(world.owner, month="", start="2024-02-01", end="2024-03-31"))
    assert cohort.months == ["2024-02", "2024-03"]
    table = {k: (c.converted, c.total) for k, c in cohort.cells.items()}
    assert table == {
        ("2024-02", "trade_show"): (1, 1),
        ("2024-03", "trade_show"): (1, 2),
        ("2024-03", "web_form"): (1, 2),
        ("2024-03", "alibaba_rfq"): (0, 2),
        ("2024-03", "other"): (0, 1),
    }
    assert (cohort.month_totals["2024-03"].converted, cohort.month_totals["2024-03"].total) == (
        2,
        7,
    )
    link = cohort.cells[("2024-03", "web_form")].link
    member = world.owner
    filters = LeadFilter.from_params(QueryDict(urlsplit(link).query))
    qs = filters.apply(Lead.objects.visible_to(member), user_id=member.user_id, member=member)
    assert sorted(qs.values_list("code", flat=True)) == ["TL3", "TL4"]


def test_page_export_api(world, client_for, client, token_for, api):
    build(world)
    url = "/reports/funnels/?month=2024-03"
    assert client.get(url).status_code == 302
    for lang in ("en", "zh-hans"):
        page = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-testid="stage-funnel"' in body and 'data-testid="node-funnel"' in body
    export = client_for(world.owner).get(url + "&export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    response = api("get", "/reports/funnels?month=2024-03", token=token_for(world.owner))
    assert response.status_code == 200
    data = response.json()
    assert [s["count"] for s in data["leads"]] == [7, 5, 3, 2, 2]
    assert [s["count"] for s in data["stages"]["steps"]] == [5, 4, 3, 2, 1]
    foreign = api("get", "/reports/funnels?month=2024-03", token=token_for(world.owner2)).json()
    assert [s["count"] for s in foreign["leads"]] == [0, 0, 0, 0, 0]
