"""The list's filters on every field, sorts over keyset pages, and the due lists in the member's zone."""

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict

from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.leads.selectors import lead_list
from tradewind.leads.services import lead_create


def _codes(member, query: str, limit: int = 50) -> list[str]:
    page = lead_list(
        member=member, filters=LeadFilter.from_params(QueryDict(query)), cursor=None, limit=limit
    )
    return [lead.company_name for lead in page.items]


@pytest.fixture
def spread(world):
    act = world.actor(world.owner)
    made = {}
    for name, extra in {
        "Acme US": {
            "country": "US",
            "industry": "Retail chain",
            "company_size": "51-200",
            "tags": ["展会", "vip"],
        },
        "Bolt DE": {
            "country": "DE",
            "industry": "Hardware",
            "company_size": "1-10",
            "tags": ["vip"],
        },
        "Ceres BR": {"country": "BR", "industry": "Retail", "company_size": "1-10", "tags": []},
    }.items():
        made[name] = lead_create(
            actor=act, company_name=name, owner=world.owner.user_id, allow_duplicates=True, **extra
        )
    return made


def test_filters_on_every_field(world, spread):
    owner = world.owner
    assert _codes(owner, "country=US") == ["Acme US"]
    assert _codes(owner, "country=us") == ["Acme US"]
    assert sorted(_codes(owner, "industry=retail")) == ["Acme US", "Ceres BR"]
    assert sorted(_codes(owner, "company_size=1-10")) == ["Bolt DE", "Ceres BR"]
    assert sorted(_codes(owner, "tag=vip")) == ["Acme US", "Bolt DE"]
    assert _codes(owner, "tag=展会") == ["Acme US"]
    assert _codes(owner, "tag=vi") == []  # a tag matches whole, not a fragment
    # Unknown values are ignored, not errors: the filter falls back to "any".
    assert len(_codes(owner, "country=XX&company_size=huge&due=later&sort=evil")) >= 3


def test_created_range_is_in_the_members_zone(world):
    act = world.actor(world.owner)
    # 2026-03-01 23:30 in Shanghai is still 2026-03-01 15:30 UTC.
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        lead_create(actor=act, company_name="Late evening Co", owner=world.owner.user_id)
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    assert _codes(world.owner, "created_from=2026-03-01&created_to=2026-03-01") == [
        "Late evening Co"
    ]
    assert _codes(world.owner, "created_to=2026-02-28") == []
    assert "Late evening Co" not in _codes(world.owner, "created_from=2026-03-02")


def test_sorts_page_through_every_row_once(world, spread):
    for sort in ("", "created", "company", "-score", "-updated"):
        seen, cursor = [], None
        while True:
            page = lead_list(
                member=world.owner,
                filters=LeadFilter.from_params(QueryDict(f"sort={sort}")),
                cursor=cursor,
                limit=2,
            )
            seen += [lead.pk for lead in page.items]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(
            Lead.objects.filter(workspace=world.ws).values_list("pk", flat=True)
        ), sort
    names = _codes(world.owner, "sort=company")
    assert names == sorted(names)


def test_due_filters_follow_the_members_day(world):
    act = world.actor(world.rep)
    now = dt.datetime(2026, 6, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    due = {
        "today": dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC),
        "overdue": dt.datetime(2026, 6, 9, 1, 0, tzinfo=dt.UTC),
        "tomorrow": dt.datetime(2026, 6, 11, 2, 0, tzinfo=dt.UTC),
    }
    for name, when in due.items():
        lead = lead_create(actor=act, company_name=f"Due {name}", owner=world.rep.user_id)
        Lead.objects.filter(pk=lead.pk).update(next_due_at=when)
    with time_machine.travel(now, tick=False):
        for name in due:
            assert _codes(world.rep, f"due={name}&owner=me") == [f"Due {name}"]
        assert "Due today" not in _codes(world.rep, "due=none")
        # The "due" sort orders by the next follow-up when a due list is chosen.
        assert _codes(world.rep, "due=today&sort=due") == ["Due today"]


def test_list_page_renders_filters_views_and_bulk_bar(world, client_for, spread):
    resp = client_for(world.owner).get(
        "/leads/?country=US&sort=company", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Acme US" in body and "Bolt DE" not in body
    assert 'data-testid="bulk-bar"' in body and "保存当前视图" in body
    assert 'name="ids"' in body
    # The readonly member sees no bulk controls.
    body = client_for(world.readonly).get("/leads/").content.decode()
    assert 'name="ids"' not in body


def test_api_list_takes_the_same_filters(world, api, token_for, spread):
    token = token_for(world.owner)
    resp = api("get", "/leads?country=DE&tag=vip&sort=company", token=token)
    assert resp.status_code == 200
    assert [i["company_name"] for i in resp.json()["items"]] == ["Bolt DE"]
