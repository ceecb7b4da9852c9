"""Time-relative triggers (the hourly scan) and testing a rule against a record."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tradewind.activities.models import Comment, Notification, Task
from tradewind.automation.models import RuleRun
from tradewind.automation.rules_engine import rule_test
from tradewind.automation.time_triggers import rules_time_scan
from tradewind.customers.services import customer_create
from tradewind.leads.models import Lead
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import Job
from tradewind.workspaces.schedules import get_schedule, schedule_run
from tradewind.workspaces.timezones import workspace_today

from .conftest import outcomes, runs


def _opportunity(world, name: str, close: dt.date | None):
    customer = customer_create(
        actor=world.actor(world.rep), name=f"{name} Ltd", allow_duplicates=True
    )
    return opportunity_create(
        actor=world.actor(world.rep), customer=customer, name=name, expected_close_date=close
    )


def test_days_before_a_date_fire_once_per_record_and_date(world, make_rule, after_commit):
    today = workspace_today(world.ws)
    rule = make_rule(
        record_type="opportunity",
        trigger="time",
        trigger_field="expected_close_date",
        offset_days=-3,
        conditions=[[{"field": "status", "op": "eq", "value": "open"}]],
        actions=[{"type": "create_task", "title": "Closing soon: {record}", "to": "owner"}],
    )
    due = _opportunity(world, "Due", today + dt.timedelta(days=3))
    _opportunity(world, "Later", today + dt.timedelta(days=10))
    _opportunity(world, "Undated", None)
    with after_commit():
        first = rules_time_scan(workspace=world.ws)
        second = rules_time_scan(workspace=world.ws)  # run twice: nothing more
    assert first["queued"] == 1
    assert second["queued"] == 0
    assert outcomes(rule) == ["done"]
    assert runs(rule)[0].record_id == due.pk
    assert runs(rule)[0].event_data["date"] == (today + dt.timedelta(days=3)).isoformat()
    assert Task.objects.filter(target_type="opportunity", target_id=due.pk).count() == 1
    # the date moves: the record fires again for the new date
    new_close = today + dt.timedelta(days=2)
    Opportunity.objects.filter(pk=due.pk).update(expected_close_date=new_close)
    with after_commit():
        rules_time_scan(workspace=world.ws)
    assert outcomes(rule) == ["done", "done"]


def test_a_missed_day_is_caught_up_but_older_dates_are_not(world, make_rule, after_commit):
    today = workspace_today(world.ws)
    rule = make_rule(
        record_type="opportunity",
        trigger="time",
        trigger_field="expected_close_date",
        offset_days=0,
    )
    yesterday = _opportunity(world, "Yesterday", today - dt.timedelta(days=1))
    _opportunity(world, "Last week", today - dt.timedelta(days=7))
    with after_commit():
        rules_time_scan(workspace=world.ws)
    assert [r.record_id for r in runs(rule)] == [yesterday.pk]


def test_days_after_a_timestamp_in_the_workspace_day(world, make_rule, after_commit):
    rule = make_rule(trigger="time", trigger_field="next_due_at", offset_days=1)
    Lead.objects.filter(pk=world.lead.pk).update(next_due_at=timezone.now() - dt.timedelta(days=1))
    Lead.objects.filter(pk=world.other_lead.pk).update(next_due_at=timezone.now())
    with after_commit():
        rules_time_scan(workspace=world.ws)
        rules_time_scan(workspace=world.ws)
    assert [r.record_id for r in runs(rule)] == [world.lead.pk]
    assert outcomes(rule) == ["done"]


def test_the_scan_is_a_registered_hourly_schedule(world, make_rule, after_commit):
    make_rule(record_type="opportunity", trigger="time", trigger_field="expected_close_date")
    _opportunity(world, "Today", workspace_today(world.ws))
    item = get_schedule("automation.time_rules")
    assert item is not None and item.per_workspace
    with after_commit():
        schedule_run("automation.time_rules", workspace=world.ws)
        schedule_run("automation.time_rules", workspace=world.ws)
    assert RuleRun.objects.count() == 1


def _counts() -> tuple:
    return (
        Task.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
        Job.objects.count(),
        RuleRun.objects.count(),
        Comment.objects.count(),
    )


def test_rule_test_reports_every_check_and_changes_nothing(
    world, make_rule, django_assert_max_num_queries
):
    from tradewind.mailing.models import EmailMessage
    from tradewind.mailing.template_services import email_template_save

    template = email_template_save(
        actor=world.actor(world.owner),
        name="T",
        record_type="lead",
        subject_en="Hi {{ lead.company_name }}",
        body_en="Hello",
    )
    Lead.objects.filter(pk=world.lead.pk).update(grade="B", country="DE")
    lead = Lead.objects.get(pk=world.lead.pk)
    rule = make_rule(
        is_active=False,
        trigger="status_changed",
        trigger_value="contacting",
        conditions=[
            [{"field": "grade", "op": "eq", "value": "A"}],
            [
                {"field": "country", "op": "eq", "value": "DE"},
                {"field": "grade", "op": "in", "value": ["B"]},
            ],
        ],
        actions=[
            {"type": "create_task", "title": "Call {record}", "to": "owner", "due_days": 1},
            {"type": "set_field", "field": "grade", "value": "A"},
            {"type": "assign", "user_id": world.rep2.user_id},
            {"type": "notify", "to": "owner", "message": "Hot lead"},
            {"type": "send_email", "template_id": template.pk},
        ],
    )
    before, emails, version = _counts(), EmailMessage.objects.count(), lead.version
    result = rule_test(rule=rule, record=lead)
    assert _counts() == before
    assert EmailMessage.objects.count() == emails
    assert Lead.objects.get(pk=lead.pk).version == version
    assert result.trigger.ok is False  # the lead is "new", the rule waits for "contacting"
    assert "contacting" in result.trigger.text
    assert result.conditions_met is True
    assert [[c.ok for c in g] for g in result.groups] == [[False], [True, True]]
    assert result.groups[0][0].actual == "B"
    texts = [a.text for a in result.actions]
    assert str(lead) in texts[0]
    assert "“B” → “A”" in texts[1]
    assert "rep2" in texts[2]
    assert "Hot lead" in texts[3]
    assert "Hi ALPHA-EAST-SECRET GmbH" in texts[4] and "x@east.test" in texts[4]
    assert result.notes  # switched off
    assert result.would_run is False


def test_rule_test_for_a_time_trigger_says_when(world, make_rule):
    today = workspace_today(world.ws)
    rule = make_rule(
        record_type="opportunity",
        trigger="time",
        trigger_field="expected_close_date",
        offset_days=-3,
    )
    soon = _opportunity(world, "Soon", today + dt.timedelta(days=10))
    undated = _opportunity(world, "Undated", None)
    result = rule_test(rule=rule, record=soon)
    assert result.trigger.ok
    assert (today + dt.timedelta(days=7)).isoformat() in result.trigger.text
    assert rule_test(rule=rule, record=undated).trigger.ok is False
    assert rule_test(rule=rule, record=world.lead).trigger.ok is False  # another record type
