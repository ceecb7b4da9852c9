"""How a step plan run moves: the first task for the right executor and due date, advancing by
the task, by time (once, however often the scan runs), by follow-up and stage events, recurring
steps, pause/resume/stop, one running run per record, template edits leaving runs alone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tradewind.activities.models import FollowUp, Notification
from tradewind.activities.models_tasks import Task
from tradewind.activities.services import followup_record
from tradewind.activities.task_services import task_complete
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.lifecycle import customer_stage_set
from tradewind.plans import editing
from tradewind.plans.models import PlanRun, PlanRunStep
from tradewind.plans.services import (
    plan_run_pause,
    plan_run_resume,
    plan_run_stop,
    plan_start,
    plan_steps_run_due,
)
from tradewind.sales.moves import opportunity_move
from tradewind.workspaces.models import AuditEvent

from .conftest import MONDAY, TZ, task_step

pytestmark = pytest.mark.django_db


def time_step(title: str, **extra):
    return {
        "title": title,
        "executor": "owner",
        "action": "notify",
        "advance": "time",
        **extra,
    }


def steps_of(run: PlanRun) -> list[tuple[str, int, str]]:
    return list(
        PlanRunStep.objects.filter(run=run)
        .order_by("position", "occurrence")
        .values_list("title", "occurrence", "state")
    )


def start(world, plan, target, commit, when=MONDAY):
    with time_machine.travel(when, tick=False), commit(execute=True):
        return plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=target)


def test_start_creates_the_first_task_for_the_owner_due_on_the_offset(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(
        task_step("Send the catalogue", offset_days=2, offset_hours=3, instructions="PDF + prices"),
        task_step("Call about the catalogue", offset_days=1),
    )
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    task = Task.objects.get()
    assert task.title == "Send the catalogue"
    assert task.notes == "PDF + prices"
    assert task.assignee_id == world.rep.user_id
    assert task.target_type == "customer" and task.target_id == customer.pk
    # Monday 10:00 Shanghai + 2 days + 3 hours = Wednesday 13:00 Shanghai
    assert task.due_start == dt.datetime(2025, 3, 5, 13, 0, tzinfo=TZ)
    assert task.due_kind == "exact"
    assert steps_of(run) == [
        ("Send the catalogue", 1, "active"),
        ("Call about the catalogue", 1, "pending"),
    ]
    assert run.state == "active" and run.current_position == 0
    # the executor is told
    assert Notification.objects.filter(user=world.rep.user, kind="task.assigned").count() == 1
    assert AuditEvent.objects.filter(
        target_type="plan_run", target_id=run.pk, verb="create"
    ).exists()


def test_completing_the_task_advances_to_the_next_step(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("First"), task_step("Second", offset_days=3))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    first = Task.objects.get(title="First")
    done_at = MONDAY + dt.timedelta(hours=5)
    with time_machine.travel(done_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        task_complete(actor=world.actor(world.rep), task=first)
    second = Task.objects.get(title="Second")
    # counted from the previous step's completion: Monday 15:00 + 3 days
    assert second.due_start == dt.datetime(2025, 3, 6, 15, 0, tzinfo=TZ)
    assert second.assignee_id == world.rep.user_id
    assert steps_of(run) == [("First", 1, "done"), ("Second", 1, "active")]
    with time_machine.travel(done_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        task_complete(actor=world.actor(world.rep), task=second)
    run.refresh_from_db()
    assert run.state == "completed" and run.ended_at is not None
    assert run.current_position is None


def test_offset_from_the_plan_start_and_in_working_days(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(
        task_step("Friday", offset_days=4),
        task_step(
            "Two working days after the start",
            offset_days=6,
            offset_from="start",
            workdays_only=True,
        ),
    )
    start(world, plan, customer, django_capture_on_commit_callbacks)
    later = MONDAY + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        task_complete(actor=world.actor(world.rep), task=Task.objects.get(title="Friday"))
    task = Task.objects.get(title="Two working days after the start")
    # 6 working days after Monday 2025-03-03: Tue..Fri (4), Mon 10 (5), Tue 11 (6)
    assert task.due_start == dt.datetime(2025, 3, 11, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("executor", "who"), [("user", "rep2"), ("manager", "manager"), ("creator", "owner")]
)
def test_executor_is_resolved(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks, executor, who
):
    world.east.manager = world.manager.user
    world.east.save(update_fields=["manager"])
    extra = {"executor": executor}
    if executor == "user":
        extra["executor_user_id"] = world.rep2.user_id
    plan = make_plan(task_step("Visit", **extra))
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        plan_start(actor=world.actor(world.owner), plan_id=plan.pk, target=customer)
    assert Task.objects.get().assignee_id == getattr(world, who).user_id


def test_a_chosen_user_who_left_is_replaced_by_who_started_the_plan(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Visit", executor="user", executor_user_id=world.rep2.user_id))
    world.rep2.is_active = False
    world.rep2.save(update_fields=["is_active"])
    start(world, plan, customer, django_capture_on_commit_callbacks)
    assert Task.objects.get().assignee_id == world.rep.user_id


def test_a_time_step_fires_once_when_the_scan_runs_twice(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(time_step("Remind", offset_days=1), task_step("Then call"))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    assert plan_steps_run_due(now=MONDAY + dt.timedelta(hours=23)) == 0
    assert not Notification.objects.filter(kind="plan.step_due").exists()
    due = MONDAY + dt.timedelta(days=1, minutes=1)
    with time_machine.travel(due, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert plan_steps_run_due(now=due) == 1
        assert plan_steps_run_due(now=due) == 0
    assert Notification.objects.filter(user=world.rep.user, kind="plan.step_due").count() == 1
    assert Task.objects.filter(title="Then call").count() == 1
    assert steps_of(run) == [("Remind", 1, "done"), ("Then call", 1, "active")]
    done = AuditEvent.objects.filter(
        target_type="plan_run", target_id=run.pk, action="plan_step_done"
    )
    assert done.count() == 1


def test_a_recurring_step_repeats_n_times_then_the_plan_ends(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(
        task_step("Visit", offset_days=30, advance="time", repeat_every_days=30, repeat_count=3)
    )
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    for month in (1, 2, 3):
        when = MONDAY + dt.timedelta(days=30 * month, minutes=1)
        with (
            time_machine.travel(when, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert plan_steps_run_due(now=when) == 1
            assert plan_steps_run_due(now=when) == 0
    dues = list(Task.objects.order_by("due_start").values_list("due_start", flat=True))
    assert dues == [MONDAY + dt.timedelta(days=30 * k) for k in (1, 2, 3)]
    assert steps_of(run) == [("Visit", 1, "done"), ("Visit", 2, "done"), ("Visit", 3, "done")]
    run.refresh_from_db()
    assert run.state == "completed"


def test_an_endless_recurring_step_runs_until_the_plan_is_stopped(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Visit", offset_days=7, advance="time", repeat_every_days=7))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    when = MONDAY + dt.timedelta(days=14, minutes=1)
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert plan_steps_run_due(now=when) == 2  # the two visits that came due
    assert Task.objects.filter(status="open").count() == 3
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        plan_run_stop(actor=world.actor(world.rep), run_id=run.pk)
    # the next visit's task (due in a week) is cancelled with the plan; done ones stay
    assert list(Task.objects.order_by("due_start").values_list("status", flat=True)) == [
        "open",
        "open",
        "cancelled",
    ]
    assert steps_of(run)[-1] == ("Visit", 3, "cancelled")


def test_the_stage_event_advances_an_opportunity_plan(
    world, shanghai, opportunity, make_plan, django_capture_on_commit_callbacks
):
    stages = list(opportunity.pipeline.stages.order_by("position"))
    target = stages[2]
    plan = make_plan(
        time_step(
            "Wait for the quote stage",
            advance="event",
            event="opportunity_stage",
            event_stage_id=target.pk,
            offset_days=10,
        ),
        task_step("Prepare the PI"),
        applies_to="opportunity",
    )
    run = start(world, plan, opportunity, django_capture_on_commit_callbacks)
    day = MONDAY + dt.timedelta(days=1)
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        opportunity_move(
            actor=world.actor(world.rep), opportunity_id=opportunity.pk, stage_id=stages[1].pk
        )
    assert steps_of(run)[0][2] == "active"  # not there yet
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        opportunity_move(
            actor=world.actor(world.rep), opportunity_id=opportunity.pk, stage_id=stages[3].pk
        )
    # past the stage counts as reached; the reminder of step 1 was not due yet and is skipped
    assert steps_of(run) == [
        ("Wait for the quote stage", 1, "done"),
        ("Prepare the PI", 1, "active"),
    ]
    assert not Notification.objects.filter(kind="plan.step_due").exists()
    assert Task.objects.filter(title="Prepare the PI", target_type="opportunity").exists()


def test_the_customer_stage_event_and_the_follow_up_event(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(
        time_step("Log a first contact", advance="event", event="followup", offset_days=1),
        time_step(
            "Until signed", advance="event", event="customer_stage", event_customer_stage="signed"
        ),
        task_step("Welcome pack"),
    )
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        followup_record(
            actor=world.actor(world.rep),
            target=customer,
            channel="phone",
            summary="First call",
            result="responded",
        )
    assert FollowUp.objects.count() == 1
    assert [s[2] for s in steps_of(run)] == ["done", "active", "pending"]
    with django_capture_on_commit_callbacks(execute=True):
        customer_stage_set(
            actor=world.actor(world.rep), customer=customer, stage="repeat", reason="Known buyer"
        )
    assert [s[2] for s in steps_of(run)] == ["done", "done", "active"]


def test_pause_stops_firing_and_resume_catches_up(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call"), time_step("Remind", offset_days=1))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        plan_run_pause(actor=world.actor(world.rep), run_id=run.pk)
        task_complete(actor=world.actor(world.rep), task=Task.objects.get(title="Call"))
    assert [s[2] for s in steps_of(run)] == ["active", "pending"]  # the event did not count
    later = MONDAY + dt.timedelta(days=3)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert plan_steps_run_due(now=later) == 0
        plan_run_resume(actor=world.actor(world.rep), run_id=run.pk)
    # the completed task counts on resume; the reminder is a day after that
    assert [s[2] for s in steps_of(run)] == ["done", "active"]
    assert not Notification.objects.filter(kind="plan.step_due").exists()
    with pytest.raises(Conflict) as refused:
        plan_run_resume(actor=world.actor(world.rep), run_id=run.pk)
    assert refused.value.code == "plan_not_running"


def test_one_running_run_of_a_plan_per_record(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call"))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    with pytest.raises(Conflict) as refused:
        start(world, plan, customer, django_capture_on_commit_callbacks)
    assert refused.value.code == "plan_already_running" and refused.value.status == 409
    assert PlanRun.objects.count() == 1 and Task.objects.count() == 1
    plan_run_pause(actor=world.actor(world.rep), run_id=run.pk)
    with pytest.raises(Conflict):
        start(world, plan, customer, django_capture_on_commit_callbacks)
    plan_run_stop(actor=world.actor(world.rep), run_id=run.pk)
    again = start(world, plan, customer, django_capture_on_commit_callbacks)
    assert again.pk != run.pk and again.state == "active"


def test_editing_the_template_leaves_running_plans_alone(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("First"), task_step("Second", offset_days=2))
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    second = plan.steps.get(title="Second")
    manager = world.actor(world.manager)
    editing.plan_step_update(actor=manager, step=second, title="Renamed", offset_days=9)
    editing.plan_step_create(actor=manager, plan=plan, **task_step("Third"))
    editing.plan_step_delete(actor=manager, step=plan.steps.get(title="First"))
    assert [s[0] for s in steps_of(run)] == ["First", "Second"]
    with django_capture_on_commit_callbacks(execute=True):
        task_complete(actor=world.actor(world.rep), task=Task.objects.get(title="First"))
    assert Task.objects.filter(title="Second").exists()
    assert not Task.objects.filter(title="Renamed").exists()


def test_start_refuses_what_it_cannot_run(
    world, shanghai, customer, opportunity, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call"))
    with pytest.raises(ServiceError) as wrong:
        start(world, plan, opportunity, django_capture_on_commit_callbacks)
    assert wrong.value.code == "plan_wrong_target" and wrong.value.status == 422
    editing.plan_update(actor=world.actor(world.manager), plan=plan, is_active=False)
    with pytest.raises(ServiceError) as off:
        start(world, plan, customer, django_capture_on_commit_callbacks)
    assert off.value.code == "plan_inactive"
    # another team's rep does not see the customer: 404; a read-only member may not run plans
    with pytest.raises(NotFound):
        plan_start(actor=world.actor(world.other_rep), plan_id=plan.pk, target=customer)
    with pytest.raises(PermissionDenied):
        plan_start(actor=world.actor(world.readonly), plan_id=plan.pk, target=customer)
    # a plan of the other workspace is not found
    foreign = editing.plan_create(
        actor=world.actor(world.owner2), name="B", applies_to="customer", steps=[task_step()]
    )
    with pytest.raises(NotFound):
        plan_start(actor=world.actor(world.rep), plan_id=foreign.pk, target=customer)
    assert not PlanRun.objects.exists() and not Task.objects.exists()


def test_a_refused_email_is_kept_on_the_step_and_the_plan_goes_on(
    world, shanghai, customer, make_plan, django_capture_on_commit_callbacks
):
    from tradewind.mailing.models import EmailTemplate

    template = EmailTemplate.objects.create(
        workspace=world.ws, name="Hello", record_type="customer", subject_en="Hi", body_en="Hello"
    )
    plan = make_plan(
        time_step("Mail", action="email", email_template_id=template.pk), task_step("Call")
    )
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        plan_steps_run_due(now=MONDAY)
    first = PlanRunStep.objects.get(run=run, position=0)
    assert first.state == "done"
    assert first.action_error  # the customer has no e-mail address
    assert Task.objects.filter(title="Call").exists()


def test_an_email_step_queues_the_template_once_as_the_executor(
    world, shanghai, make_plan, django_capture_on_commit_callbacks
):
    from tradewind.customers.services import customer_create
    from tradewind.mailing.models import EmailMessage, EmailTemplate

    customer = customer_create(
        actor=world.actor(world.rep),
        name="Mail Buyer",
        email="buyer@example.com",
        allow_duplicates=True,
    )
    template = EmailTemplate.objects.create(
        workspace=world.ws,
        name="Intro",
        record_type="customer",
        subject_en="Hello {{ customer.name }}",
        body_en="Our catalogue",
    )
    plan = make_plan(
        time_step("Intro mail", action="email", email_template_id=template.pk, offset_days=1)
    )
    run = start(world, plan, customer, django_capture_on_commit_callbacks)
    due = MONDAY + dt.timedelta(days=1, minutes=1)
    with time_machine.travel(due, tick=False):
        assert plan_steps_run_due(now=due) == 1
        assert plan_steps_run_due(now=due) == 0
    message = EmailMessage.objects.get()
    step = PlanRunStep.objects.get(run=run)
    assert message.key == f"plan_step:{step.pk}"
    assert message.to == ["buyer@example.com"]
    assert message.target_type == "customer" and message.target_id == customer.pk
    assert step.state == "done" and step.action_error == ""
    run.refresh_from_db()
    assert run.state == "completed"


def test_the_database_refuses_a_second_running_run_of_a_plan_on_a_record(
    world, customer, make_plan
):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    plan = make_plan(task_step("Call"))
    fields = {
        "workspace": world.ws,
        "plan": plan,
        "plan_name": "x",
        "customer": customer,
        "started_at": timezone.now(),
    }
    PlanRun.objects.create(state="paused", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanRun.objects.create(state="active", **fields)
    PlanRun.objects.create(state="stopped", **fields)  # ended runs do not count
    assert PlanRun.objects.count() == 2
