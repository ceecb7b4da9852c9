"""Races on PostgreSQL (threads need a server database): consumers scanning the same due step at
once carry it out once; members starting the same plan on the same record at once get one run."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from tradewind.activities.models import Notification
from tradewind.activities.models_tasks import Task
from tradewind.core.errors import Conflict
from tradewind.customers.services import customer_create
from tradewind.plans.editing import plan_create
from tradewind.plans.models import PlanRun, PlanRunStep
from tradewind.plans.services import plan_start, plan_steps_run_due
from tradewind.workspaces.models import AuditEvent

from .conftest import task_step

RACERS = 6


def race(count: int, work: Callable[[int], object]) -> list[object]:
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported by the main thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "a thread race needs a server database: the in-memory SQLite test database is shared "
            "between threads with table locks that fail instead of waiting"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_carry_a_due_step_out_once(world, postgresql_only):
    customer = customer_create(actor=world.actor(world.rep), name="Race", allow_duplicates=True)
    remind = {"title": "Remind", "executor": "owner", "action": "notify", "advance": "time"}
    plan = plan_create(
        actor=world.actor(world.manager),
        name="Race plan",
        applies_to="customer",
        steps=[{**remind, "offset_days": 1}, task_step("Then call")],
    )
    run = plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    due = run.started_at + dt.timedelta(days=1, minutes=1)
    results = race(RACERS, lambda _i: plan_steps_run_due(now=due))
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 1  # type: ignore[arg-type]
    assert Notification.objects.filter(kind="plan.step_due").count() == 1
    assert Task.objects.filter(title="Then call").count() == 1
    assert list(
        PlanRunStep.objects.filter(run=run).order_by("position").values_list("state", flat=True)
    ) == ["done", "active"]
    done = AuditEvent.objects.filter(target_type="plan_run", action="plan_step_done")
    assert done.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_give_one_run(world, postgresql_only):
    customer = customer_create(actor=world.actor(world.rep), name="Race", allow_duplicates=True)
    plan = plan_create(
        actor=world.actor(world.manager),
        name="Race plan",
        applies_to="customer",
        steps=[task_step("Call")],
    )
    results = race(
        RACERS,
        lambda _i: plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer),
    )
    runs = [r for r in results if isinstance(r, PlanRun)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(runs) == 1 and len(refused) == RACERS - 1, results
    assert all(r.code == "plan_already_running" for r in refused)
    assert PlanRun.objects.count() == 1 and Task.objects.count() == 1
