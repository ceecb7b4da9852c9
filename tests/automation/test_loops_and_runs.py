"""Loops, chains and storms are stopped; runs are durable, atomic and run once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from tradewind.activities.models import Notification, Task
from tradewind.automation.models import RuleRun
from tradewind.automation.rules_engine import MAX_CHAIN, execute_run, queue_run
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_update
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models import Membership
from tradewind.workspaces.models_jobs import Job

from .conftest import outcomes, runs


def test_a_rule_is_not_triggered_by_its_own_action(world, make_rule, after_commit):
    """On every update it sets a field, which is an update: it runs once per outside change."""
    rule = make_rule(
        trigger="updated", actions=[{"type": "set_field", "field": "timeframe", "value": "Q3"}]
    )
    with after_commit():
        lead_update(actor=world.actor(world.rep), lead=world.lead, need="Valves")
    assert outcomes(rule) == ["done", "skipped_loop"]
    loop = runs(rule)[1]
    assert loop.chain == [rule.pk]
    assert Lead.objects.get(pk=world.lead.pk).timeframe == "Q3"


def test_two_rules_feeding_each_other_stop(world, make_rule, after_commit):
    ping = make_rule(
        name="ping",
        trigger="field_changed",
        trigger_field="need",
        actions=[{"type": "set_field", "field": "timeframe", "value": "soon"}],
    )
    pong = make_rule(
        name="pong",
        trigger="field_changed",
        trigger_field="timeframe",
        actions=[{"type": "set_field", "field": "need", "value": "more valves"}],
    )
    with after_commit():
        lead_update(actor=world.actor(world.rep), lead=world.lead, need="Valves")
    # ping (by hand) -> pong (chain [ping]) -> ping would run a second time: stopped
    assert outcomes(ping) == ["done", "skipped_loop"]
    assert outcomes(pong) == ["done"]
    assert runs(ping)[1].chain == [ping.pk, pong.pk]


def test_chains_stop_at_the_maximum_depth(world, make_rule):
    rule = make_rule()
    deep = list(range(10_000, 10_000 + MAX_CHAIN))
    run = queue_run(
        rule=rule, record_id=world.lead.pk, event="lead.created", data={}, chain=deep, run_key="d"
    )
    assert run.outcome == "skipped_loop"
    assert not Job.objects.filter(kind="automation.rule_run").exists()


def test_rate_limit_stops_a_storm_and_tells_the_author_once(world, make_rule, after_commit):
    rule = make_rule(trigger="updated", max_runs_per_hour=2)
    with after_commit():
        for n in range(5):
            lead_update(actor=world.actor(world.rep), lead=world.lead, need=f"need {n}")
    assert outcomes(rule) == ["done", "done", "skipped_rate", "skipped_rate", "skipped_rate"]
    warned = Notification.objects.filter(kind="automation.rate_limited")
    assert [n.user_id for n in warned] == [world.owner.user_id]
    assert Notification.objects.filter(kind="automation.rule_notice").count() == 2
    # an hour later the rule runs again
    later = timezone.now() + dt.timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False), after_commit():
        lead_update(actor=world.actor(world.rep), lead=world.lead, need="later")
    assert outcomes(rule)[-1] == "done"


def test_a_refused_action_fails_the_run_and_rolls_back_the_others(world, make_rule, after_commit):
    rule = make_rule(
        actions=[
            {"type": "create_task", "title": "Call", "to": "owner"},
            {"type": "assign", "user_id": world.rep2.user_id},
        ]
    )
    # rep2 leaves after the rule was saved: assigning to them is refused at run time
    Membership.objects.filter(pk=world.rep2.pk).update(is_active=False)
    with after_commit():
        lead = lead_create(actor=world.actor(world.rep), company_name="Fail GmbH")
    run = RuleRun.objects.get(rule=rule)
    assert run.outcome == "failed"
    assert run.error
    assert [a["ok"] for a in run.actions_result] == [True, False]
    assert run.actions_result[0]["rolled_back"] is True
    assert not Task.objects.filter(target_id=lead.pk, target_type="lead").exists()
    assert Lead.objects.get(pk=lead.pk).owner_id == world.rep.user_id


def test_an_unexpected_error_is_retried_by_the_job(world, make_rule, after_commit, monkeypatch):
    """A crash-like failure (not a refusal) leaves the run queued for the job's retry; the retry
    does the work once."""
    from tradewind.automation import actions

    rule = make_rule(actions=[{"type": "create_task", "title": "Call", "to": "owner"}])
    real = actions.task_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(actions, "task_create", flaky)
    with after_commit():
        lead = lead_create(actor=world.actor(world.rep), company_name="Retry GmbH")
    run = RuleRun.objects.get(rule=rule)
    assert run.outcome == "queued"
    assert "database went away" in run.error
    assert not Task.objects.filter(target_id=lead.pk).exists()
    job = Job.objects.get(kind="automation.rule_run")
    assert job.state == "queued"
    with time_machine.travel(job.run_after + dt.timedelta(seconds=1), tick=False):
        jobs_work(once=True)
    run.refresh_from_db()
    assert run.outcome == "done"
    assert run.attempts == 2
    assert Task.objects.filter(target_id=lead.pk).count() == 1


def test_a_finished_run_never_runs_again(world, make_rule, after_commit):
    """A worker killed after the run committed but before its job was marked done: the job runs
    again and finds the run final."""
    rule = make_rule(actions=[{"type": "create_task", "title": "Once", "to": "owner"}])
    with after_commit():
        lead = lead_create(actor=world.actor(world.rep), company_name="Once GmbH")
    run = RuleRun.objects.get(rule=rule)
    assert execute_run(run.pk) == "done"
    assert execute_run(run.pk) == "done"
    assert Task.objects.filter(target_id=lead.pk).count() == 1


def test_a_lost_ring_is_made_up_by_the_worker(world, make_rule):
    """The event queued the run and its job, but huey never heard (no on-commit here): the
    sweeper's `jobs_work` runs it."""
    rule = make_rule(actions=[{"type": "notify", "to": "owner", "message": "hi"}])
    queue_run(
        rule=rule, record_id=world.lead.pk, event="lead.created", data={}, chain=[], run_key="r"
    )
    assert outcomes(rule) == ["queued"]
    jobs_work(once=True)
    assert outcomes(rule) == ["done"]
    assert runs(rule)[0].record_label == str(world.lead)
