"""Lead conversion review: a hand-computed table on the fixed dataset (tests/analytics/
conversion_data.py), visibility, drill-down links, the page, XLSX and the API."""

from __future__ import annotations

import io
from decimal import Decimal as D
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from tradewind.analytics import conversion as conv
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.sales.filters import OpportunityFilter
from tradewind.sales.models import Opportunity

from .conversion_data import build

pytestmark = pytest.mark.django_db


def _review(member, cut="source", **params):
    params = {"month": "2024-03", **params}
    return conv.review(
        member=member,
        period=conv.period_from(params, member),
        filters=conv.ReportFilter.from_params(params),
        cut=cut,
    )


def _line(row):
    g = row.grades
    return (
        row.total, row.valid, row.converted, row.conversion_rate,
        g["A"]["rate"], g["B"]["rate"], g["C"]["rate"], row.cycle_days,
    )  # fmt: skip


def test_summary_matches_the_hand_computed_table(world, django_assert_max_num_queries):
    data = build(world)
    with django_assert_max_num_queries(14):
        review = _review(world.owner)
    # 7 March leads (L8 is April 1st local, L9 February); L2, L5 invalid; L1, L3 converted.
    # A: L1 of L1 L2 L6; B: L3 of L3 L4; C: none of L5. Cycle: L1 20 days, L3 10 days.
    assert _line(review.summary) == (7, 5, 2, D("28.6"), D("33.3"), D("50.0"), D("0.0"), D("15.0"))
    assert review.summary.cycle_count == 2
    assert [(r.code, r.count, r.share) for r in review.invalid_reasons] == [
        ("no_budget", 2, D("100.0"))
    ]
    assert [(r.code, r.count, r.share) for r in review.lost_reasons] == [
        (str(data.opps["O_lost1"].close_reason_id), 2, D("66.7")),
        ("", 1, D("33.3")),
    ]


def test_cut_by_source_team_and_owner(world):
    build(world)
    by_source = {r.key: _line(r) for r in _review(world.owner, "source").rows}
    assert by_source == {
        "trade_show": (2, 1, 1, D("50.0"), D("50.0"), None, None, D("20.0")),
        "web_form": (2, 2, 1, D("50.0"), None, D("50.0"), None, D("10.0")),
        "alibaba_rfq": (2, 1, 0, D("0.0"), D("0.0"), None, D("0.0"), None),
        "other": (1, 1, 0, D("0.0"), None, None, None, None),
    }
    by_team = {r.key: (r.total, r.valid, r.converted) for r in _review(world.owner, "team").rows}
    assert by_team == {str(world.east.pk): (4, 3, 2), str(world.west.pk): (2, 1, 0), "": (1, 1, 0)}
    by_owner = {r.key: (r.total, r.converted) for r in _review(world.owner, "owner").rows}
    assert by_owner == {
        str(world.rep.user_id): (2, 1),
        str(world.rep2.user_id): (2, 1),
        str(world.other_rep.user_id): (2, 0),
        "": (1, 0),  # the pool
    }
    by_country = {r.key: r.total for r in _review(world.owner, "country").rows}
    assert by_country == {"DE": 1, "": 6}
    by_industry = {r.key: r.total for r in _review(world.owner, "industry").rows}
    assert by_industry == {"Machinery": 1, "": 6}


def test_month_over_month(world):
    build(world)
    months = _review(world.owner).months
    assert [(m.key, m.total, m.converted, m.conversion_rate, m.change) for m in months] == [
        ("2024-02", 1, 1, D("100.0"), None),
        ("2024-03", 7, 2, D("28.6"), D("-71.4")),
    ]
    ranged = _review(world.owner, start="2024-02-01", end="2024-04-30", month="").months
    assert [(m.key, m.total) for m in ranged] == [("2024-02", 1), ("2024-03", 7), ("2024-04", 1)]


def test_filters_narrow_the_review(world):
    build(world)
    assert _review(world.owner, source="web_form").summary.total == 2
    assert _review(world.owner, team=str(world.east.pk)).summary.total == 4
    # The April lead L8 is the only one with competitor_cheaper.
    april = _review(world.owner, month="2024-04")
    assert [(r.code, r.share) for r in april.invalid_reasons] == [
        ("competitor_cheaper", D("100.0"))
    ]


def test_a_rep_sees_only_their_own_numbers(world):
    build(world)
    review = _review(world.rep)
    # Their L1 and L2, and L7 in the pool (unowned leads are visible to everyone).
    assert _line(review.summary) == (3, 2, 1, D("33.3"), D("50.0"), None, None, D("20.0"))
    assert [(r.label, r.count) for r in review.lost_reasons] == [("Price too high", 1)]
    other = _review(world.owner2)
    assert other.summary.total == 0 and other.lost_reasons == [] and other.invalid_reasons == []


def _drill(member, link, model, filter_cls):
    params = QueryDict(urlsplit(link).query)
    filters = filter_cls.from_params(params)
    qs = filters.apply(model.objects.visible_to(member), user_id=member.user_id, member=member)
    return sorted(qs.values_list("code", flat=True))


def test_every_figure_drills_down_to_its_records(world):
    data = build(world)
    review = _review(world.owner)
    links = review.summary.links
    assert _drill(world.owner, links["total"], Lead, LeadFilter) == [f"TL{i}" for i in range(1, 8)]
    assert _drill(world.owner, links["valid"], Lead, LeadFilter) == [
        "TL1",
        "TL3",
        "TL4",
        "TL6",
        "TL7",
    ]
    assert _drill(world.owner, links["converted"], Lead, LeadFilter) == ["TL1", "TL3"]
    assert _drill(world.owner, links["converted_A"], Lead, LeadFilter) == ["TL1"]
    reason = review.invalid_reasons[0]
    assert _drill(world.owner, reason.link, Lead, LeadFilter) == ["TL2", "TL5"]
    lost = review.lost_reasons[0]
    assert _drill(world.owner, lost.link, Opportunity, OpportunityFilter) == ["O_lost1", "O_lost2"]
    team_row = next(r for r in _review(world.owner, "team").rows if r.key == str(world.east.pk))
    assert _drill(world.owner, team_row.links["total"], Lead, LeadFilter) == [
        "TL1", "TL2", "TL3", "TL4",
    ]  # fmt: skip
    pool_row = next(r for r in _review(world.owner, "owner").rows if r.key == "")
    assert _drill(world.owner, pool_row.links["total"], Lead, LeadFilter) == ["TL7"]
    assert data.leads["L7"].owner_id is None


def test_period_parsing_never_fails(world):
    member = world.owner
    assert conv.period_from({"month": "nonsense"}, member).month  # this month
    swapped = conv.period_from({"start": "2024-03-31", "end": "2024-03-01"}, member)
    assert (swapped.start.isoformat(), swapped.end.isoformat()) == ("2024-03-01", "2024-03-31")
    long = conv.period_from({"start": "2000-01-01", "end": "2024-01-01"}, member)
    assert (long.end - long.start).days == conv.MAX_DAYS


def test_page_xlsx_and_authorization(world, client_for, client):
    build(world)
    url = "/reports/conversion/?month=2024-03&cut=team"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    page = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="conversion-cuts"' in body and "mom-data" in body
    assert "East" in body and "28.6%" in body
    empty = client_for(world.owner2).get(url)
    assert 'data-testid="empty-state"' in empty.content.decode()
    export = client_for(world.owner).get(url + "&export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[2][:5] == ["Total", 7, 5, 2, "28.6%"]
    assert ["East", 4, 3, 2, "50.0%"] in [r[:5] for r in rows]


def test_page_in_chinese(world, client_for):
    build(world)
    c = client_for(world.owner)
    page = c.get("/reports/conversion/?month=2024-03", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200


def test_api(world, token_for, api):
    build(world)
    assert api("get", "/reports/conversion?month=2024-03").status_code == 401
    token = token_for(world.rep)
    response = api("get", "/reports/conversion?month=2024-03&cut=owner", token=token)
    assert response.status_code == 200
    data = response.json()
    assert data["summary"]["total"] == 3 and data["summary"]["cycle_days"] == "20.0"
    assert parse_qs(urlsplit(data["summary"]["links"]["converted"]).query)["status"] == [
        "converted"
    ]
    foreign = api("get", "/reports/conversion?month=2024-03", token=token_for(world.owner2)).json()
    assert foreign["summary"]["total"] == 0
