"""Customer recycling: the nightly run checked against its preview, the rules (no follow-up, no
opportunity, signed exempt unless configured, never while work is due), the warning once a day,
the once-a-day runner, constant queries, and the preview page and API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tradewind.activities.models import FollowUp, Notification
from tradewind.core.errors import ServiceError
from tradewind.customers.models import Customer, CustomerClaim, CustomerJobRun, CustomerPolicy
from tradewind.customers.pool import customer_claim
from tradewind.customers.recycling import customers_recycle, recycle_candidates, recycle_warnings
from tradewind.customers.services import customer_create
from tradewind.customers.tasks import daily_jobs_run
from tradewind.sales.models import Opportunity
from tradewind.sales.services import pipeline_default
from tradewind.workspaces.models import AuditEvent

# 02:00 in Shanghai on 20 May 2026 (the world's workspace zone): after the 01:00 run hour.
NOW = dt.datetime(2026, 5, 19, 18, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 5, 20)


def policy(world, **values) -> CustomerPolicy:
    p = CustomerPolicy.for_workspace(world.ws)
    for key, value in values.items():
        setattr(p, key, value)
    p.save()
    return p


def made(world, name: str, days_ago: int, owner: int | str | None = "rep", **extra) -> Customer:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        return customer_create(
            actor=world.actor(world.owner),
            allow_duplicates=True,
            name=name,
            owner=world.rep.user_id if owner == "rep" else owner,
            **extra,
        )


def followup(world, customer: Customer, days_ago: int, next_due: dt.datetime | None = None):
    return FollowUp.objects.create(
        workspace=world.ws,
        target_type="customer",
        target_id=customer.pk,
        owner=world.rep.user,
        happened_at=NOW - dt.timedelta(days=days_ago),
        channel="phone",
        summary="called",
        result="responded",
        next_due_at=next_due,
    )


@pytest.fixture
def scene(world):
    policy(world, recycle_no_followup_days=10, recycle_no_opportunity_days=0)
    s = {
        "idle": made(world, "Idle Old", 20),
        "fresh": made(world, "Fresh", 2),
        "due_today": made(world, "Due Today", 20),
        "due_later": made(world, "Due Later", 20),
        "overdue": made(world, "Overdue Plan", 20),
        "followed": made(world, "Followed Up", 20),
        "planned_in_followup": made(world, "Planned In Follow-up", 20),
        "signed": made(world, "Signed Old", 20),
        "lost": made(world, "Lost Old", 20),
        "other": made(world, "Other Rep Old", 20, owner=world.other_rep.user_id),
        "pooled": made(world, "Already Pooled", 20, owner=None),
    }
    Customer.objects.filter(pk=s["due_today"].pk).update(
        next_followup_at=NOW + dt.timedelta(hours=3)
    )
    Customer.objects.filter(pk=s["due_later"].pk).update(
        next_followup_at=NOW + dt.timedelta(days=4)
    )
    Customer.objects.filter(pk=s["overdue"].pk).update(next_followup_at=NOW - dt.timedelta(days=3))
    followup(world, s["followed"], 3)
    followup(world, s["planned_in_followup"], 15, next_due=NOW + dt.timedelta(days=1))
    Customer.objects.filter(pk=s["signed"].pk).update(stage="signed")
    Customer.objects.filter(pk=s["lost"].pk).update(stage="lost", stage_manual=True)
    return s


def names(customers) -> set[str]:
    return {c.name for c in customers}


def test_the_run_recycles_exactly_what_the_preview_showed(world, scene):
    with time_machine.travel(NOW, tick=False):
        preview = recycle_candidates(workspace=world.ws, on_date=TODAY)
        assert names(c.customer for c in preview) == {"Idle Old", "Overdue Plan", "Other Rep Old"}
        moved = customers_recycle(workspace=world.ws)
    assert set(moved) == {c.customer.pk for c in preview}
    stored = Customer.objects.in_bulk(moved)
    assert all(c.owner_id is None for c in stored.values())
    # none of them had work due on or after the run day
    due_from = dt.datetime(2026, 5, 19, 16, 0, tzinfo=dt.UTC)  # 20 May 00:00 Shanghai
    assert not any(c.next_followup_at and c.next_followup_at >= due_from for c in stored.values())
    for key in (
        "fresh",
        "due_today",
        "due_later",
        "followed",
        "planned_in_followup",
        "signed",
        "lost",
    ):
        assert Customer.objects.get(pk=scene[key].pk).owner_id is not None, key
    # audited, stints closed as recycled (so the cool-down applies), owners told
    events = AuditEvent.objects.filter(target_type="customer", action="pool_recycled")
    assert sorted(e.target_id for e in events) == sorted(moved)
    idle = events.get(target_id=scene["idle"].pk)
    assert idle.changes["owner"] == [world.rep.user_id, None]
    assert idle.changes["rule"] == [None, "no_followup"] and idle.changes["idle_days"] == [None, 20]
    assert CustomerClaim.objects.filter(customer_id__in=moved, recycled=True).count() == len(moved)
    assert set(
        Notification.objects.filter(kind="customer.recycled").values_list("user_id", flat=True)
    ) == {world.rep.user_id, world.other_rep.user_id}
    # a second run the same night finds nothing
    with time_machine.travel(NOW, tick=False):
        assert customers_recycle(workspace=world.ws) == []


def test_signed_customers_are_recycled_when_configured(world, scene):
    policy(world, recycle_signed=True)
    with time_machine.travel(NOW, tick=False):
        preview = names(c.customer for c in recycle_candidates(workspace=world.ws, on_date=TODAY))
    assert "Signed Old" in preview and "Lost Old" not in preview


def test_recycled_customers_cool_down_for_their_former_owner(world, scene):
    policy(world, release_cooldown_days=5)
    with time_machine.travel(NOW, tick=False):
        customers_recycle(workspace=world.ws)
        with pytest.raises(ServiceError) as exc:
            customer_claim(actor=world.actor(world.rep), customer=scene["idle"])
        assert exc.value.code == "cooldown"
        assert customer_claim(actor=world.actor(world.rep2), customer=scene["idle"]).owner_id


def test_a_claim_restarts_the_clock(world):
    policy(world, recycle_no_followup_days=10, recycle_no_opportunity_days=0)
    c = made(world, "Claimed Recently", 30, owner=None)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        customer_claim(actor=world.actor(world.rep), customer=c)
    with time_machine.travel(NOW, tick=False):
        assert recycle_candidates(workspace=world.ws, on_date=TODAY) == []
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        rows = recycle_candidates(workspace=world.ws, on_date=TODAY + dt.timedelta(days=8))
        assert [r.customer.pk for r in rows] == [c.pk] and rows[0].idle_days == 10


def test_the_opportunity_rule(world):
    policy(world, recycle_no_followup_days=0, recycle_no_opportunity_days=30)
    busy = made(world, "Busy Deal", 60)
    quiet = made(world, "Quiet Deal", 60)
    none = made(world, "No Deal", 60)
    young = made(world, "Young", 10)
    pipeline = pipeline_default(world.ws)
    for i, (customer, days) in enumerate(((busy, 5), (quiet, 45))):
        Opportunity.objects.create(
            workspace=world.ws,
            code=f"SJT{i}",
            name="deal",
            customer=customer,
            pipeline=pipeline,
            stage=pipeline.stages.first(),
            owner=world.rep.user,
            updated_at=NOW - dt.timedelta(days=days),
        )
    with time_machine.travel(NOW, tick=False):
        rows = recycle_candidates(workspace=world.ws, on_date=TODAY)
    assert names(r.customer for r in rows) == {"Quiet Deal", "No Deal"}
    assert {r.rule for r in rows} == {"no_opportunity"}
    assert young.pk not in {r.customer.pk for r in rows} and none.pk in {
        r.customer.pk for r in rows
    }
    with translation.override("en"):
        assert "No opportunity activity for" in rows[0].reason


def test_warning_is_sent_once_a_day_to_the_owners_of_tomorrows_run(world):
    policy(world, recycle_no_followup_days=10, recycle_no_opportunity_days=0, warn_days_before=1)
    tomorrow = made(world, "Goes Tomorrow", 9)
    made(world, "Goes Later", 5)
    with time_machine.travel(NOW, tick=False):
        assert recycle_warnings(workspace=world.ws) == 1
        assert recycle_warnings(workspace=world.ws) == 1  # asked again, stored once
    [note] = Notification.objects.filter(kind="customer.recycle_warning")
    assert note.user_id == world.rep.user_id and note.params == {"codes": [tomorrow.code]}
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert customers_recycle(workspace=world.ws) == [tomorrow.pk]  # the warned one, as said
        assert recycle_warnings(workspace=world.ws) == 0
    assert Notification.objects.filter(kind="customer.recycle_warning").count() == 1
    policy(world, warn_days_before=0)
    with time_machine.travel(NOW, tick=False):
        assert recycle_warnings(workspace=world.ws) == 0


def test_jobs_run_once_per_workspace_day_after_one_oclock(world, scene):
    early = dt.datetime(2026, 5, 19, 16, 30, tzinfo=dt.UTC)  # 00:30 Shanghai
    assert daily_jobs_run(workspace=world.ws, now=early) == {}
    ran = daily_jobs_run(workspace=world.ws, now=NOW)
    assert ran["recycle"] == {"count": 3} and "recycle_warnings" in ran
    assert daily_jobs_run(workspace=world.ws, now=NOW + dt.timedelta(hours=5)) == {}
    assert set(CustomerJobRun.objects.values_list("job", flat=True)) == {
        "recycle",
        "recycle_warnings",
    }


def test_recycling_queries_do_not_grow_with_the_customers(world):
    policy(world, recycle_no_followup_days=10, recycle_no_opportunity_days=0)

    def run(count: int) -> int:
        for i in range(count):
            made(world, f"Bulk {count}-{i}", 20)
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            moved = customers_recycle(workspace=world.ws)
        assert len(moved) == count
        return len(ctx.captured_queries)

    assert run(2) == run(7)


# --- the preview page and API ----------------------------------------------------------------------


def test_preview_page_shows_own_or_all(world, scene, client_for):
    with time_machine.travel(NOW, tick=False):
        rep = client_for(world.rep).get("/customers/pool/recycling/").content.decode()
        manager = client_for(world.manager).get("/customers/pool/recycling/").content.decode()
        outsider = client_for(world.owner2).get("/customers/pool/recycling/").content.decode()
    assert "Idle Old" in rep and "Other Rep Old" not in rep and "Due Today" not in rep
    assert "Idle Old" in manager and "Other Rep Old" in manager
    assert "Idle Old" not in outsider


def test_preview_api(world, scene, api, token_for):
    assert api("get", "/customers/recycling-preview").status_code == 401
    with time_machine.travel(NOW, tick=False):
        resp = api("get", "/customers/recycling-preview", token=token_for(world.manager))
        outsider = api("get", "/customers/recycling-preview", token=token_for(world.owner2))
        daily_jobs_run(workspace=world.ws, now=NOW)
        after = api("get", "/customers/recycling-preview", token=token_for(world.manager))
    assert resp.status_code == 200 and resp.json()["on_date"] == "2026-05-20"
    assert {r["name"] for r in resp.json()["items"]} == {
        "Idle Old",
        "Overdue Plan",
        "Other Rep Old",
    }
    assert outsider.json()["items"] == []
    assert after.json()["on_date"] == "2026-05-21"  # today's run is done: the next one
