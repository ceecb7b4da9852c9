"""The stale rule: per-stage (else per-pipeline) thresholds, never closed ones, the owner notified
once, a move, an edit or an activity on the opportunity clears the flag; the daily job."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from tradewind.activities.models import Notification
from tradewind.activities.notifications import notifications_for
from tradewind.activities.services import followup_record
from tradewind.customers.models import CustomerJobRun
from tradewind.customers.services import customer_create
from tradewind.sales.closing import close_reasons, opportunity_close
from tradewind.sales.models import Opportunity, Stage
from tradewind.sales.moves import opportunity_move
from tradewind.sales.services import opportunity_create, opportunity_update, pipeline_default
from tradewind.sales.stale import opportunities_stale_check, opportunity_touch, stale_days_for
from tradewind.sales.tasks import daily_jobs_run
from tradewind.workspaces.models import AuditEvent

START = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return START + dt.timedelta(days=days)


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Stale Buyer")


def make(world, customer, name: str, member=None, **kw) -> Opportunity:
    with time_machine.travel(START, tick=False):
        return opportunity_create(
            actor=world.actor(member or world.rep), customer=customer, name=name, **kw
        )


def stages(world) -> dict[str, Stage]:
    return {s.key: s for s in pipeline_default(world.ws).stages.all()}


def flagged(*opps: Opportunity) -> list[bool]:
    return [Opportunity.objects.get(pk=o.pk).stale_since is not None for o in opps]


def test_threshold_is_the_stage_s_else_the_pipeline_s(world, customer):
    s = stages(world)
    Stage.objects.filter(pk=s["quotation"].pk).update(stale_days=7)
    first = make(world, customer, "Pipeline default")  # initial_contact: pipeline's 30 days
    quoted = make(world, customer, "Quoted", stage_id=s["quotation"].pk)
    assert stale_days_for(Opportunity.objects.get(pk=first.pk)) == 30
    assert stale_days_for(Opportunity.objects.get(pk=quoted.pk)) == 7
    assert opportunities_stale_check(workspace=world.ws, now=at(6.9)) == 0
    assert opportunities_stale_check(workspace=world.ws, now=at(7.1)) == 1
    assert flagged(first, quoted) == [False, True]
    assert opportunities_stale_check(workspace=world.ws, now=at(29.9)) == 0
    assert opportunities_stale_check(workspace=world.ws, now=at(30.1)) == 1
    assert flagged(first, quoted) == [True, True]
    assert Opportunity.objects.get(pk=quoted.pk).stale_since == at(7.1)
    # a stage with 0 days never goes stale
    Stage.objects.filter(pk=s["needs_confirmed"].pk).update(stale_days=0)
    quiet = make(world, customer, "Never", stage_id=s["needs_confirmed"].pk)
    assert opportunities_stale_check(workspace=world.ws, now=at(400)) == 0
    assert flagged(quiet) == [False]


def test_never_closed_ones_and_never_another_workspace(world, customer):
    won = make(world, customer, "Won deal")
    lost = make(world, customer, "Lost deal")
    opportunity_close(actor=world.actor(world.rep), opportunity_id=won.pk, outcome="won")
    opportunity_close(
        actor=world.actor(world.rep),
        opportunity_id=lost.pk,
        outcome="lost",
        reason_id=close_reasons(world.ws, "lost")[0].pk,
        note="x",
    )
    other_customer = customer_create(actor=world.actor(world.owner2), name="B buyer")
    other = make(world, other_customer, "Other ws", member=world.owner2)
    assert opportunities_stale_check(workspace=world.ws, now=at(100)) == 0
    assert flagged(won, lost, other) == [False, False, False]
    assert opportunities_stale_check(workspace=world.ws2, now=at(100)) == 1


def test_owner_is_notified_once_per_flagging(world, customer):
    mine = [make(world, customer, f"Mine {i}") for i in range(2)]
    manager_customer = customer_create(actor=world.actor(world.manager), name="Mgr buyer")
    theirs = make(world, manager_customer, "Manager's", member=world.manager)
    assert opportunities_stale_check(workspace=world.ws, now=at(31)) == 3
    assert opportunities_stale_check(workspace=world.ws, now=at(32)) == 0  # flagged once
    rows = Notification.objects.filter(workspace=world.ws, kind="opportunity.stale")
    assert rows.count() == 2
    mine_row = rows.get(user_id=world.rep.user_id)
    assert mine_row.params == {"codes": [o.code for o in mine]}
    assert rows.get(user_id=world.manager.user_id).params == {"codes": [theirs.code]}
    assert rows.get(user_id=world.manager.user_id).url == f"/opportunities/{theirs.pk}/"
    with translation.override("en"):
        shown = notifications_for(world.rep)[0]
    assert shown.title == "Opportunities without activity"
    assert mine[0].code in shown.body and mine[1].code in shown.body
    audits = AuditEvent.objects.filter(action="stale_flagged", target_type="opportunity")
    assert sorted(audits.values_list("target_id", flat=True)) == sorted(
        [o.pk for o in [*mine, theirs]]
    )
    assert audits.first().actor_label == "stale rule"


def test_a_move_an_edit_or_an_activity_clears_the_flag(
    world, customer, django_capture_on_commit_callbacks
):
    s = stages(world)
    moved, edited, followed, untouched = (make(world, customer, f"O{i}") for i in range(4))
    assert opportunities_stale_check(workspace=world.ws, now=at(31)) == 4
    actor = world.actor(world.rep)
    with time_machine.travel(at(32), tick=False):
        opportunity_move(actor=actor, opportunity_id=moved.pk, stage_id=s["quotation"].pk)
        opportunity_update(actor=actor, opportunity=edited, next_step="Send the samples")
        with django_capture_on_commit_callbacks(execute=True):
            followup_record(
                actor=actor,
                target=Opportunity.objects.get(pk=followed.pk),
                channel="phone",
                summary="Asked about the tender",
                result="responded",
            )
    assert flagged(moved, edited, followed, untouched) == [False, False, False, True]
    assert Opportunity.objects.get(pk=followed.pk).last_activity_at == at(32)
    # not flagged again until quiet for the threshold once more, then notified again
    assert opportunities_stale_check(workspace=world.ws, now=at(61)) == 0
    assert opportunities_stale_check(workspace=world.ws, now=at(62.1)) == 3
    assert Notification.objects.filter(user_id=world.rep.user_id).count() == 2


def test_touch_only_moves_forward(world, customer):
    opp = make(world, customer, "Touch")
    opportunities_stale_check(workspace=world.ws, now=at(31))
    assert opportunity_touch(opp.pk, at(-5))  # recorded, but too old to clear the flag
    assert flagged(opp) == [True]
    assert not opportunity_touch(opp.pk, at(-6))  # older than the one recorded: nothing
    assert opportunity_touch(opp.pk, at(33))
    assert flagged(opp) == [False]
    assert not opportunity_touch(opp.pk, at(32))
    assert Opportunity.objects.get(pk=opp.pk).last_activity_at == at(33)


def test_the_daily_job_runs_once_a_workspace_day(world, customer):
    make(world, customer, "Job")
    early = dt.datetime(2026, 7, 5, 17, 0, tzinfo=dt.UTC)  # 01:00 in Shanghai: before 02:00
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    assert daily_jobs_run(workspace=world.ws, now=early) == {}
    later = early + dt.timedelta(hours=2)
    assert daily_jobs_run(workspace=world.ws, now=later) == {"opportunity_stale": {"count": 1}}
    assert daily_jobs_run(workspace=world.ws, now=later + dt.timedelta(hours=1)) == {}
    assert CustomerJobRun.objects.filter(workspace=world.ws, job="opportunity_stale").count() == 1
