"""Task services: create in the assignee's zone, permissions, recurrence, reminders once, My day,
and the recycling of leads and customers skipping records with a task due."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tradewind.activities import task_selectors, task_services
from tradewind.activities.models import Notification, Task
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.models import AuditEvent

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)  # Wed 10:00 Shanghai, Tue 22:00 New York


def make(world, member=None, **kw):
    member = member or world.rep
    data = {"title": "Send the catalogue", "due_kind": "tomorrow", "now": NOW}
    data.update(kw)
    return task_services.task_create(actor=world.actor(member), **data)


def test_create_resolves_in_the_assignees_zone_and_audits(world):
    world.rep2.user.time_zone = "America/New_York"
    world.rep2.user.save()
    mine = make(world)  # the rep: the workspace's zone (Asia/Shanghai)
    theirs = make(
        world, assignee_id=world.rep2.user_id, target_type="lead", target_id=world.lead.pk
    )
    assert mine.due_start == dt.datetime(2026, 3, 12, tzinfo=SH)
    assert theirs.due_start == dt.datetime(2026, 3, 11, tzinfo=NY)  # tomorrow in New York
    assert (theirs.target_type, theirs.target_id, theirs.created_by_id) == (
        "lead",
        world.lead.pk,
        world.rep.user_id,
    )
    assert AuditEvent.objects.filter(
        target_type="task", target_id=theirs.pk, verb="create"
    ).exists()
    note = Notification.objects.get(user=world.rep2.user, kind="task.assigned")
    assert note.params["title"] == "Send the catalogue"


def test_bad_input_is_a_coded_error_and_writes_nothing(world):
    with pytest.raises(ServiceError) as exc:
        make(
            world, title=" ", due_kind="someday", priority="vital", assignee_id=world.owner2.user_id
        )
    assert exc.value.code == "task_invalid"
    assert set(exc.value.fields) == {"title", "due_kind", "priority", "assignee"}
    with pytest.raises(ServiceError) as exc:
        make(world, due_kind="exact")
    assert "due_at" in exc.value.fields
    assert not Task.objects.exists()


def test_a_record_out_of_sight_is_404(world):
    with pytest.raises(NotFound):
        make(world, target_type="lead", target_id=world.other_lead.pk)
    with pytest.raises(NotFound):
        make(world, target_type="lead", target_id=world.lead2.pk)
    with pytest.raises(NotFound):
        make(world, target_type="invoice", target_id=world.lead.pk)
    assert not Task.objects.exists()


def test_who_may_change_a_task(world):
    task = make(world, assignee_id=world.rep2.user_id)  # created by rep, for rep2
    # the other rep cannot see it; the read-only viewer may see it but not change it
    assert not Task.objects.visible_to(world.other_rep).filter(pk=task.pk).exists()
    assert Task.objects.visible_to(world.readonly).filter(pk=task.pk).exists()
    with pytest.raises(PermissionDenied):
        task_services.task_complete(actor=world.actor(world.readonly), task=task)
    # creator, assignee and their manager may
    task_services.task_update(actor=world.actor(world.rep), task=task, title="Call back")
    task_services.task_update(actor=world.actor(world.rep2), task=task, priority="high")
    done, following = task_services.task_complete(actor=world.actor(world.manager), task=task)
    assert done.status == "done" and done.done_at is not None and following is None
    with pytest.raises(Conflict):
        task_services.task_complete(actor=world.actor(world.rep2), task=done)
    task_services.task_reopen(actor=world.actor(world.rep2), task=done)
    task_services.task_cancel(actor=world.actor(world.rep2), task=done)
    verbs = list(
        AuditEvent.objects.filter(target_type="task", target_id=task.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert verbs == ["", "", "", "completed", "reopened", "cancelled"]


def test_update_resolves_a_new_due_from_now_and_refuses_a_stale_version(world):
    task = make(world, due_kind="tonight")
    later = NOW + dt.timedelta(days=2)
    task_services.task_update(actor=world.actor(world.rep), task=task, title="x", now=later)
    task.refresh_from_db()
    assert task.due_start == dt.datetime(2026, 3, 11, 18, tzinfo=SH)  # kept
    task_services.task_update(
        actor=world.actor(world.rep), task=task, due_kind="tomorrow", now=later
    )
    task.refresh_from_db()
    assert task.due_start == dt.datetime(2026, 3, 14, tzinfo=SH)
    with pytest.raises(Conflict):
        task_services.task_update(actor=world.actor(world.rep), task=task, version=1, title="y")


def test_completing_a_recurring_task_plans_the_next_one(world):
    at = dt.datetime(2026, 2, 13, 9, tzinfo=SH)  # Friday before the Spring Festival
    task = make(
        world,
        due_kind="exact",
        due_at=at,
        recurrence="daily",
        workdays_only=True,
        remind_at=at - dt.timedelta(minutes=30),
        now=at - dt.timedelta(hours=2),
    )
    _done, sat = task_services.task_complete(actor=world.actor(world.rep), task=task, now=at)
    assert sat.due_start == dt.datetime(2026, 2, 14, 9, tzinfo=SH)  # make-up Saturday
    assert sat.remind_at == dt.datetime(2026, 2, 14, 8, 30, tzinfo=SH)
    assert sat.previous_id == task.pk and sat.status == "open"
    _done, nxt = task_services.task_complete(
        actor=world.actor(world.rep), task=sat, now=sat.due_start
    )
    assert nxt.due_start == dt.datetime(2026, 2, 24, 9, tzinfo=SH)


def test_reminder_is_sent_exactly_once(world):
    task = make(world, remind_at=NOW + dt.timedelta(minutes=5))
    assert task_services.task_reminders_send(now=NOW) == 0
    later = NOW + dt.timedelta(minutes=6)
    assert task_services.task_reminders_send(now=later) == 1
    assert task_services.task_reminders_send(now=later + dt.timedelta(minutes=1)) == 0
    notes = Notification.objects.filter(user=world.rep.user, kind="task.reminder")
    assert notes.count() == 1
    # a new reminder time is sent again; a closed task is not reminded
    task_services.task_update(
        actor=world.actor(world.rep), task=task, remind_at=later + dt.timedelta(minutes=2)
    )
    assert task_services.task_reminders_send(now=later + dt.timedelta(minutes=3)) == 1
    closed = make(world, remind_at=NOW)
    task_services.task_cancel(actor=world.actor(world.rep), task=closed)
    assert task_services.task_reminders_send(now=later + dt.timedelta(hours=1)) == 0
    assert notes.count() == 2


def test_huey_job_sends_due_reminders(world):
    from tradewind.activities.tasks import task_reminders

    make(world, remind_at=NOW - dt.timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        task_reminders.call_local()
    assert Notification.objects.filter(kind="task.reminder").count() == 1


def test_my_day_sorts_overdue_today_upcoming(world):
    with time_machine.travel(NOW, tick=False):
        overdue = make(world, due_kind="exact", due_at=NOW - dt.timedelta(hours=3))
        tonight = make(world, due_kind="tonight")
        week = make(world, due_kind="this_week")
        tomorrow = make(world, due_kind="tomorrow")
        make(world, assignee_id=world.rep2.user_id)  # somebody else's
        day = task_selectors.my_day(world.rep)
        assert [t.pk for t in day.overdue] == [overdue.pk]
        assert [t.pk for t in day.due_today] == [tonight.pk, week.pk]
        assert [t.pk for t in day.upcoming] == [tomorrow.pk]
        assert task_selectors.my_day_counts(world.rep) == {"overdue": 1, "today": 2}


def test_lead_recycling_skips_a_lead_with_a_task_due_that_day(world):
    from tradewind.leads.models import Lead
    from tradewind.leads.recycling import recycle_candidates

    Lead.objects.filter(pk=world.lead.pk).update(
        created_at=NOW - dt.timedelta(days=90), last_activity_at=None, status_changed_at=None
    )
    AuditEvent.objects.filter(target_type="lead", target_id=world.lead.pk).delete()
    on_date = dt.date(2026, 3, 12)
    before = {c.lead.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)}
    assert world.lead.pk in before
    task = make(world, target_type="lead", target_id=world.lead.pk)  # due tomorrow = 03-12
    after = {c.lead.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)}
    assert world.lead.pk not in after
    task_services.task_complete(actor=world.actor(world.rep), task=task)
    again = {c.lead.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)}
    assert world.lead.pk in again


def test_customer_recycling_skips_a_customer_with_an_open_task_due(world):
    from tradewind.customers.models import Customer
    from tradewind.customers.models_pool import CustomerPolicy
    from tradewind.customers.recycling import recycle_candidates

    policy = CustomerPolicy.for_workspace(world.ws)
    policy.recycle_no_followup_days = 10
    policy.recycle_no_opportunity_days = 0
    policy.save()
    old = NOW - dt.timedelta(days=30)
    customer = Customer.objects.create(
        workspace=world.ws, code="KHT1", name="Idle Buyer", owner=world.rep.user, created_at=old
    )
    on_date = dt.date(2026, 3, 12)
    assert customer.pk in {
        c.customer.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)
    }
    task = make(world, target_type="customer", target_id=customer.pk, due_kind="next_week")
    assert customer.pk not in {
        c.customer.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)
    }
    task_services.task_cancel(actor=world.actor(world.rep), task=task)
    assert customer.pk in {
        c.customer.pk for c in recycle_candidates(workspace=world.ws, on_date=on_date)
    }
