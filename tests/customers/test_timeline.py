"""The customer timeline: sources merged by time, keyset pages over (time, source, id), filters by
kind, milestones from the audit trail, the API, and who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradewind.activities.models import FollowUp
from tradewind.customers import timeline
from tradewind.customers.services import contact_create, customer_create, customer_update
from tradewind.sales.services import opportunity_create


@pytest.fixture
def buyer(world):
    customer = customer_create(
        actor=world.actor(world.rep), name="ALPHA-EAST-SECRET Timeline GmbH", country="DE"
    )
    return customer


def followup(world, customer, minutes_ago: int, summary: str) -> FollowUp:
    return FollowUp.objects.create(
        workspace=world.ws,
        target_type="customer",
        target_id=customer.pk,
        owner=world.rep.user,
        happened_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        channel="phone",
        summary=summary,
        result="responded",
    )


def test_sources_merge_newest_first_with_kinds(world, buyer):
    actor = world.actor(world.rep)
    followup(world, buyer, 60 * 24, "first call")
    customer_update(actor=actor, customer=buyer, rating=4)
    contact_create(actor=actor, customer=buyer, name="Hans Weber", email="hans@tl.de")
    opportunity_create(actor=actor, customer=buyer, name="LED order")
    customer_update(actor=world.actor(world.owner), customer=buyer, owner=world.rep2.user_id)
    page = timeline.timeline_page(customer=buyer, member=world.rep2, limit=50)
    kinds = [e.kind for e in page.entries]
    assert {"created", "field", "contact", "opportunity", "owner", "followup"} <= set(kinds)
    assert [e.key for e in page.entries] == sorted((e.key for e in page.entries), reverse=True)
    assert page.entries[-1].kind == "followup" and page.entries[-1].body == "first call"
    owner = next(e for e in page.entries if e.kind == "owner")
    assert ("rep", "rep2") in [(str(r[1]), str(r[2])) for r in owner.rows]
    assert page.next_cursor is None


def test_keyset_pages_cover_everything_once_in_order(world, buyer):
    actor = world.actor(world.rep)
    for i in range(12):
        customer_update(actor=actor, customer=buyer, city=f"City {i}")
    same = timezone.now() - dt.timedelta(minutes=5)
    for i in range(9):
        f = followup(world, buyer, 0, f"call {i}")
        FollowUp.objects.filter(pk=f.pk).update(happened_at=same)  # ties on time
    seen, cursor = [], None
    while True:
        page = timeline.timeline_page(customer=buyer, member=world.rep, cursor=cursor, limit=4)
        seen += page.entries
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    keys = [e.key for e in seen]
    assert len(keys) == len(set(keys)) == 12 + 9 + 1  # updates, follow-ups, created
    assert keys == sorted(keys, reverse=True)


def test_filter_by_kind_and_bad_input_is_ignored(world, buyer):
    actor = world.actor(world.rep)
    customer_update(actor=actor, customer=buyer, rating=3)
    followup(world, buyer, 1, "hello")
    only = timeline.timeline_page(customer=buyer, member=world.rep, kinds=["followup"])
    assert [e.kind for e in only.entries] == ["followup"]
    fields = timeline.timeline_page(customer=buyer, member=world.rep, kinds=["field", "nonsense"])
    assert {e.kind for e in fields.entries} == {"field"}
    broken = timeline.timeline_page(customer=buyer, member=world.rep, cursor="%%garbage")
    assert len(broken.entries) == 3  # first page, never a 500


def test_milestones_from_audit_rows(world, buyer):
    from tradewind.customers.lifecycle import customer_stage_set

    marks = {m.key: m for m in timeline.milestones(buyer)}
    assert marks["created"].reached and not marks["signed"].reached
    customer_stage_set(
        actor=world.actor(world.rep), customer=buyer, stage="signed", reason="contract signed"
    )
    marks = {m.key: m for m in timeline.milestones(buyer)}
    assert marks["signed"].reached and not marks["lost"].reached
    stage = timeline.timeline_page(customer=buyer, member=world.rep, kinds=["stage"])
    assert [e.kind for e in stage.entries] == ["stage"]


def test_timeline_query_count_does_not_grow(world, buyer, django_assert_max_num_queries):
    actor = world.actor(world.rep)
    for i in range(40):
        customer_update(actor=actor, customer=buyer, city=f"C{i}")
        followup(world, buyer, i, f"f{i}")
    with django_assert_max_num_queries(12):
        page = timeline.timeline_page(customer=buyer, member=world.rep, limit=30)
    assert len(page.entries) == 30


def test_api_timeline_and_isolation(world, buyer, api, token_for):
    followup(world, buyer, 1, "api call")
    token = token_for(world.rep)
    resp = api("get", f"/customers/{buyer.pk}/timeline?kind=followup", token=token)
    assert resp.status_code == 200
    body = resp.json()
    assert [i["kind"] for i in body["items"]] == ["followup"]
    assert {m["key"] for m in body["milestones"]} >= {"created", "signed", "lost"}
    resp = api("get", f"/customers/{buyer.pk}/timeline?limit=1", token=token)
    assert resp.json()["next_cursor"]
    for outsider in (world.owner2, world.other_rep):
        resp = api("get", f"/customers/{buyer.pk}/timeline", token=token_for(outsider))
        assert resp.status_code == 404 and b"SECRET" not in resp.content
    assert api("get", f"/customers/{buyer.pk}/timeline").status_code == 401
    bad = api("get", f"/customers/{buyer.pk}/timeline?limit=0", token=token)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_qualification_tasks_and_comments_join_the_timeline(world, buyer):
    from tradewind.activities.models_tasks import Comment
    from tradewind.customers.qualification import customer_qualify

    actor = world.actor(world.rep)
    customer_qualify(actor=actor, customer=buyer, qualitative="valuable")
    customer_update(actor=actor, customer=buyer, rating=5)
    Comment.objects.create(
        workspace=world.ws,
        target_type="customer",
        target_id=buyer.pk,
        author=world.rep.user,
        body="@rep2 please call them",
    )
    page = timeline.timeline_page(customer=buyer, member=world.rep)
    kinds = {e.kind for e in page.entries}
    assert {"qualification", "comment"} <= kinds
    marks = {m.key: m for m in timeline.milestones(buyer)}
    assert marks["qualified"].reached and marks["starred"].reached and not marks["lost"].reached
