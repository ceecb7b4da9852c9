"""Activity statistics: follow-ups by channel, rep and period, response rate, tasks done vs
overdue, SLA breaches, on the fixed dataset (tests/analytics/conversion_data.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tradewind.analytics import activity as act
from tradewind.analytics import conversion as conv

from .conversion_data import NOW, build

pytestmark = pytest.mark.django_db


def _activity(member, **params):
    params = {"month": "2024-03", **params}
    return act.activity(
        member=member,
        period=conv.period_from(params, member),
        filters=conv.ReportFilter.from_params(params),
        grain=params.get("grain", ""),
        now=NOW,
    )


def test_followups_and_response_rate(world, django_assert_max_num_queries):
    build(world)
    with django_assert_max_num_queries(11):  # one pass over the follow-ups for all four views
        data = _activity(world.owner)
    f = data.followups
    # 5 in March (the WhatsApp one is April 1st); answered: responded + interested; "other" out.
    assert (f.total, f.answered, f.no_response, f.response_rate) == (5, 2, 2, D("50.0"))
    assert {
        r.key: (r.total, r.answered, r.no_response, r.response_rate) for r in data.by_channel
    } == {
        "phone": (2, 2, 0, D("100.0")),
        "email": (2, 0, 2, D("0.0")),
        "wechat": (1, 0, 0, None),
    }
    assert [r.key for r in data.by_channel] == ["email", "phone", "wechat"]  # most, then by name
    assert {r.key: (r.total, r.response_rate) for r in data.by_rep} == {
        str(world.rep.user_id): (2, D("50.0")),
        str(world.rep2.user_id): (2, D("100.0")),
        str(world.other_rep.user_id): (1, D("0.0")),
    }
    assert data.grain == "day" and len(data.by_period) == 31
    assert [r.total for r in data.by_period if r.total] == [1, 1, 1, 1, 1]
    weekly = _activity(world.owner, grain="week")
    assert [(r.key, r.total) for r in weekly.by_period] == [
        ("2024-02-26", 1), ("2024-03-04", 2), ("2024-03-11", 2), ("2024-03-18", 0), ("2024-03-25", 0),
    ]  # fmt: skip
    mine = _activity(world.rep)
    assert (mine.followups.total, mine.followups.response_rate) == (2, D("50.0"))
    assert _activity(world.owner2).followups.total == 0


def test_tasks_done_vs_overdue(world):
    build(world)
    data = _activity(world.owner)
    assert data.tasks.counts == {
        "total": 5, "done": 2, "on_time": 1, "late": 1, "overdue": 1, "open": 1, "cancelled": 1,
    }  # fmt: skip
    assert data.tasks.done_rate == D("66.7")
    rep = next(t for t in data.tasks_by_rep if t.key == str(world.rep.user_id))
    assert (rep.counts["total"], rep.counts["done"], rep.counts["open"]) == (3, 2, 1)
    assert _activity(world.rep2).tasks.counts["overdue"] == 1
    assert _activity(world.rep).tasks.counts["overdue"] == 0


def test_sla_breaches(world):
    build(world)
    data = _activity(world.owner)
    s = data.sla
    # A leads: L1 on time (2 h), L2 late (48 h), L6 never contacted: late and an open breach.
    assert (s.a_leads, s.on_time, s.late, s.open_breach) == (3, 1, 2, 1)
    west = next(r for r in data.sla_by_rep if r.key == str(world.other_rep.user_id))
    assert (west.a_leads, west.late, west.open_breach) == (1, 1, 1)


def test_pages_records_export_api(world, client_for, client, token_for, api):
    data = build(world)
    url = "/reports/activity/?month=2024-03"
    assert client.get(url).status_code == 302
    for lang in ("en", "zh-hans"):
        page = client_for(world.owner).get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        assert 'data-testid="fu-channel"' in page.content.decode()
    records = client_for(world.owner).get(
        "/reports/activity/records/?month=2024-03&channel=email", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = records.content.decode()
    assert body.count("<tr data-id=") == 2 and data.leads["L2"].company_name in body
    rep_records = client_for(world.rep).get("/reports/activity/records/?month=2024-03")
    assert rep_records.content.decode().count("<tr data-id=") == 2
    tasks = client_for(world.owner).get("/reports/activity/records/?month=2024-03&kind=tasks")
    assert tasks.content.decode().count("<tr data-id=") == 5
    export = client_for(world.owner).get(url + "&export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert api("get", "/reports/activity?month=2024-03").status_code == 401
    got = api("get", "/reports/activity?month=2024-03", token=token_for(world.owner)).json()
    assert got["followups"]["total"] == 5 and got["followups"]["response_rate"] == "50.0"
    assert got["sla"]["a_leads"] == 3
