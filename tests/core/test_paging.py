"""Keyset paging over leads: no overlap, no skip, cursors that round-trip, constant cost per page."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradewind.core.paging import keyset_page
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.leads.selectors import LIST_ORDER, lead_list
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, User

N = 40
BASE = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def owner(db) -> Membership:
    user = User.objects.create_user(email="pager@p.test", password="x-Long-password-1")
    ws, member = services.workspace_create(name="Pager", owner=user, slug="pager")
    # Rows come in groups of three sharing one created_at, so page edges fall inside ties and the id
    # must break them; a few get microseconds, which the cursor must carry exactly.
    Lead.objects.bulk_create(
        Lead(
            workspace=ws,
            code=f"P{i:04d}",
            company_name=f"Company {i:02d}",
            owner=user if i % 2 else None,
            created_at=BASE + dt.timedelta(minutes=i // 3, microseconds=7 if i % 5 == 0 else 0),
        )
        for i in range(N)
    )
    return Membership.objects.select_related("user", "workspace", "team").get(pk=member.pk)


def expected_order(member: Membership) -> list[int]:
    return list(
        Lead.objects.visible_to(member).order_by("-created_at", "-id").values_list("id", flat=True)
    )


def walk_forward(member: Membership, limit: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = lead_list(member=member, filters=LeadFilter(), cursor=cursor, limit=limit)
        pages.append([lead.pk for lead in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) <= N, "no end"


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 13, 40, 41])
def test_pages_never_overlap_or_skip(owner, limit):
    pages = walk_forward(owner, limit)
    flat = [pk for page in pages for pk in page]
    assert flat == expected_order(owner)
    assert len(flat) == len(set(flat)) == N
    assert all(len(p) == limit for p in pages[:-1])
    assert 1 <= len(pages[-1]) <= limit


def test_next_and_prev_cursors_round_trip(owner):
    limit = 6
    forward = []
    cursor = None
    while True:
        page = keyset_page(
            Lead.objects.visible_to(owner), order=LIST_ORDER, cursor=cursor, limit=limit
        )
        forward.append(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert forward[0].prev_cursor is None
    assert all(p.prev_cursor for p in forward[1:])
    assert forward[-1].next_cursor is None
    # from every page, next then prev comes back to the same rows, and prev then next too
    for k, page in enumerate(forward):
        ids = [r.pk for r in page.items]
        if page.next_cursor:
            nxt = keyset_page(
                Lead.objects.visible_to(owner),
                order=LIST_ORDER,
                cursor=page.next_cursor,
                limit=limit,
            )
            assert [r.pk for r in nxt.items] == [r.pk for r in forward[k + 1].items]
            back = keyset_page(
                Lead.objects.visible_to(owner),
                order=LIST_ORDER,
                cursor=nxt.prev_cursor,
                limit=limit,
            )
            assert [r.pk for r in back.items] == ids
            assert back.next_cursor == page.next_cursor
        if page.prev_cursor:
            prev = keyset_page(
                Lead.objects.visible_to(owner),
                order=LIST_ORDER,
                cursor=page.prev_cursor,
                limit=limit,
            )
            assert [r.pk for r in prev.items] == [r.pk for r in forward[k - 1].items]
            assert (prev.prev_cursor is None) == (k - 1 == 0)


def test_walking_backwards_from_the_last_page_reproduces_every_page(owner):
    limit = 7
    pages = walk_forward(owner, limit)
    page = None
    cursor = None
    for _ in pages[:-1]:
        page = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=limit)
        cursor = page.next_cursor
    last = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=limit)
    backwards = [[r.pk for r in last.items]]
    cursor = last.prev_cursor
    while cursor:
        page = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=limit)
        backwards.append([r.pk for r in page.items])
        cursor = page.prev_cursor
    assert list(reversed(backwards)) == pages


def test_a_new_row_between_requests_neither_repeats_nor_shifts_the_next_page(owner):
    first = lead_list(member=owner, filters=LeadFilter(), cursor=None, limit=10)
    expected_second = expected_order(owner)[10:20]
    lead_create(
        actor=Actor.for_member(owner), company_name="Brand new"
    )  # newest: would shift OFFSET paging
    second = lead_list(member=owner, filters=LeadFilter(), cursor=first.next_cursor, limit=10)
    assert [r.pk for r in second.items] == expected_second


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!!",
        "%%%",
        "bm90IGpzb24",  # base64 of "not json"
        _b64({"a": 1}),  # JSON, but not a list
        _b64(42),
        _b64("a string"),
        "\u00e9\u4e2d",  # not ASCII at all
    ],
)
def test_a_garbage_cursor_is_page_one(owner, cursor):
    first = lead_list(member=owner, filters=LeadFilter(), cursor=None, limit=5)
    page = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=5)
    assert [r.pk for r in page.items] == [r.pk for r in first.items]
    assert page.prev_cursor is None
    assert page.next_cursor == first.next_cursor


@pytest.mark.parametrize("values", [["2026-03-01T08:00:00+00:00"], [], ["a", "b", "c"]])
def test_a_cursor_of_the_wrong_length_is_page_one(owner, values):
    page = lead_list(member=owner, filters=LeadFilter(), cursor=_b64(values), limit=5)
    assert [r.pk for r in page.items] == expected_order(owner)[:5]
    assert page.prev_cursor is None


@pytest.mark.parametrize("cursor", ["<", "<garbage!!", "<<<"])
def test_a_backwards_marker_without_a_position_is_page_one(owner, cursor):
    page = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=5)
    assert [r.pk for r in page.items] == expected_order(owner)[:5]


@pytest.mark.parametrize(
    "values",
    [["not-a-date", 1], ["2026-03-01T08:00:00+00:00", "abc"], [None, None], [{"a": 1}, [2]]],
)
def test_a_well_formed_cursor_with_wrong_values_is_page_one(owner, values):
    page = lead_list(member=owner, filters=LeadFilter(), cursor=_b64(values), limit=5)
    assert [r.pk for r in page.items] == expected_order(owner)[:5]


def test_page_one_and_a_deep_page_cost_the_same_single_query(owner, django_assert_num_queries):
    cursor = None
    counts = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as ctx:
            page = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=5)
            _ = [lead.owner.email if lead.owner else None for lead in page.items]
        counts.append(len(ctx.captured_queries))
        cursor = page.next_cursor
    assert counts == [1] * 6
    with django_assert_num_queries(1):
        deep = lead_list(member=owner, filters=LeadFilter(), cursor=cursor, limit=5)
        _ = [lead.owner.email if lead.owner else None for lead in deep.items]
    assert "OFFSET" not in ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" not in ctx.captured_queries[0]["sql"].upper()


def test_limit_is_clamped(owner):
    assert len(keyset_page(Lead.objects.all(), order=LIST_ORDER, cursor=None, limit=0).items) == 1
    page = keyset_page(
        Lead.objects.all(), order=LIST_ORDER, cursor=None, limit=10_000, max_limit=25
    )
    assert len(page.items) == 25 and page.limit == 25


def test_paging_respects_visibility(world):
    rep = Membership.objects.select_related("user", "workspace", "team").get(pk=world.rep.pk)
    pages = walk_forward(rep, 1)
    assert [pk for page in pages for pk in page] == [world.pool_lead.pk, world.lead.pk]


def test_the_api_pages_with_cursors(owner, api):
    _token, raw = services.token_create(actor=Actor.for_member(owner), name="pager")
    seen, cursor = [], None
    while True:
        query = f"/leads?limit=9{'&cursor=' + cursor if cursor else ''}"
        body = api("get", query, token=raw).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected_order(owner)
    assert api("get", "/leads?cursor=garbage!!&limit=3", token=raw).status_code == 200


def test_capped_count_stops_at_the_cap(world):
    from tradewind.core.paging import capped_count
    from tradewind.leads.models import Lead

    qs = Lead.objects.filter(workspace=world.ws)
    assert capped_count(qs) == (3, False)
    assert capped_count(qs, cap=2) == (2, True)


def test_home_tiles_show_counts(world, client_for):
    resp = client_for(world.owner).get("/")
    assert resp.context["my_leads"] == (0, False) and resp.context["pool_leads"] == (1, False)
    assert b'data-testid="pool-leads">1<' in resp.content
