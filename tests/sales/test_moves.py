"""Stage moves and the stage-task gate: block / warn / off, backwards never gated, a skip checks
every stage passed, time in stage, ticking tasks, authorization, and concurrent moves of one card
keeping a consistent stage history (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.services import customer_create
from tradewind.sales.choices import GateMode
from tradewind.sales.models import (
    Opportunity,
    Pipeline,
    Stage,
    StageChange,
    StageTask,
    StageTaskCheck,
)
from tradewind.sales.moves import (
    MoveResult,
    missing_required_tasks,
    opportunity_move,
    stage_task_set,
)
from tradewind.sales.selectors import stage_checklist, stage_history
from tradewind.sales.services import opportunity_create
from tradewind.workspaces.models import AuditEvent


def tender_pipeline(ws, gate: str = GateMode.BLOCK) -> Pipeline:
    """Seed 004's tender process: five open stages with tasks, then won and lost."""
    pipeline = Pipeline.objects.create(workspace=ws, name="Tender", gate=gate, position=1)
    spec = [
        ("Qualify", 10, ["Confirm the tender", "Confirm our qualification"]),
        ("Decide to bid", 25, ["Collect needs", "ROI report"]),
        ("Bid", 50, ["Demo"]),
        ("Negotiate", 75, []),
        ("Agree", 90, ["Prepare contract"]),
    ]
    for i, (name, probability, tasks) in enumerate(spec):
        stage = Stage.objects.create(
            pipeline=pipeline, name=name, position=i, probability=probability
        )
        for j, title in enumerate(tasks):
            StageTask.objects.create(stage=stage, title=title, position=j)
        StageTask.objects.create(
            stage=stage, title=f"{name} optional", position=9, is_required=False
        )
    Stage.objects.create(pipeline=pipeline, name="Won", position=5, probability=100, is_won=True)
    Stage.objects.create(pipeline=pipeline, name="Lost", position=6, probability=0, is_lost=True)
    return pipeline


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


def task(pipeline: Pipeline, title: str) -> StageTask:
    return StageTask.objects.get(stage__pipeline=pipeline, title=title)


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Moves Buyer")


@pytest.fixture
def tender(world):
    return tender_pipeline(world.ws)


@pytest.fixture
def opp(world, customer, tender):
    return opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Tender deal", pipeline_id=tender.pk
    )


def move(world, opp, target: Stage, member=None, **kw) -> MoveResult:
    return opportunity_move(
        actor=world.actor(member or world.rep), opportunity_id=opp.pk, stage_id=target.pk, **kw
    )


def tick(world, opp, *titles: str) -> None:
    for title in titles:
        stage_task_set(
            actor=world.actor(world.rep),
            opportunity_id=opp.pk,
            task_id=task(opp.pipeline, title).pk,
            done=True,
        )


def test_create_starts_in_the_first_stage_with_a_history_row(world, opp, tender):
    assert opp.stage == stage(tender, "Qualify") and opp.pipeline == tender
    rows = stage_history(opp)
    assert [(r.kind, r.from_stage, r.to_stage.name, r.to_status) for r in rows] == [
        ("create", None, "Qualify", "open")
    ]


def test_block_refuses_and_lists_missing_tasks_and_writes_nothing(world, opp, tender):
    tick(world, opp, "Confirm the tender")
    audits = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        move(world, opp, stage(tender, "Decide to bid"))
    assert exc.value.code == "stage_tasks_missing" and exc.value.status == 422
    assert exc.value.fields == {"stage": ["Confirm our qualification"]}
    assert str(exc.value.message) == (
        "Finish the required stage tasks first — Qualify: Confirm our qualification."
    )
    current = Opportunity.objects.get(pk=opp.pk)
    assert current.stage_id == opp.stage_id and current.version == opp.version
    assert StageChange.objects.filter(opportunity=opp).count() == 1
    # ticking is audited, the refused move is not
    assert AuditEvent.objects.count() == audits


def test_a_skip_checks_every_stage_passed(world, opp, tender):
    tick(world, opp, "Confirm the tender", "Confirm our qualification", "Collect needs")
    target = stage(tender, "Negotiate")
    missing = missing_required_tasks(opp, target)
    assert [(t.stage.name, t.title) for t in missing] == [
        ("Decide to bid", "ROI report"),
        ("Bid", "Demo"),
    ]
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        move(world, opp, target)
    assert exc.value.fields["stage"] == ["ROI report", "Demo"]
    assert "Decide to bid: ROI report; Bid: Demo" in str(exc.value.message)
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        move(world, opp, target)
    assert "Decide to bid: ROI report; Bid: Demo" in str(exc.value.message)
    assert str(exc.value.message) != "Finish the required stage tasks first — " + (
        "Decide to bid: ROI report; Bid: Demo."
    )
    tick(world, opp, "ROI report", "Demo")
    result = move(world, opp, target)
    assert result.warnings == [] and result.opportunity.stage == target
    # optional tasks never gate; the target's own tasks are not "passed"
    assert missing_required_tasks(result.opportunity, stage(tender, "Agree")) == []


def test_backwards_is_never_gated_and_forward_again_is(world, opp, tender):
    tick(world, opp, "Confirm the tender", "Confirm our qualification")
    move(world, opp, stage(tender, "Decide to bid"))
    back = move(world, opp, stage(tender, "Qualify"))
    assert back.opportunity.stage.name == "Qualify" and back.warnings == []
    StageTaskCheck.objects.filter(opportunity=opp).delete()
    assert move(world, opp, stage(tender, "Qualify")).opportunity.version == 3  # same: no-op
    with pytest.raises(ServiceError):
        move(world, opp, stage(tender, "Decide to bid"))


def test_warn_moves_and_returns_warnings(world, opp, tender):
    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.WARN)
    result = move(world, opp, stage(tender, "Bid"))
    assert result.opportunity.stage.name == "Bid"
    assert result.warnings == [
        "Confirm the tender",
        "Confirm our qualification",
        "Collect needs",
        "ROI report",
    ]
    event = AuditEvent.objects.filter(target_id=opp.pk, action="stage_moved").get()
    assert event.changes["stage"] == ["Qualify", "Bid"]
    assert event.changes["warnings"][1] == result.warnings


def test_off_moves_silently(world, opp, tender):
    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.OFF)
    result = move(world, opp, stage(tender, "Agree"))
    assert result.opportunity.stage.name == "Agree" and result.warnings == []


def test_move_refusals(world, opp, tender, customer):
    other = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Default")
    default_stage = other.stage
    for target, code in (
        (stage(tender, "Won"), "use_close"),
        (stage(tender, "Lost"), "use_close"),
        (default_stage, "unknown_stage"),
    ):
        with pytest.raises(ServiceError) as exc:
            move(world, opp, target)
        assert exc.value.code == code
    with pytest.raises(ServiceError) as exc:
        opportunity_move(actor=world.actor(world.rep), opportunity_id=opp.pk, stage_id="x")
    assert exc.value.code == "unknown_stage"
    Opportunity.objects.filter(pk=opp.pk).update(status="lost")
    with pytest.raises(Conflict) as exc:
        move(world, opp, stage(tender, "Bid"))
    assert exc.value.code == "closed"


def test_expected_version_refuses_a_stale_move(world, opp, tender):
    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.OFF)
    seen = opp.version
    move(world, opp, stage(tender, "Bid"), expected_version=seen)
    with pytest.raises(Conflict) as exc:
        move(world, opp, stage(tender, "Agree"), expected_version=seen)
    assert exc.value.code == "stale_version" and exc.value.status == 409
    assert Opportunity.objects.get(pk=opp.pk).stage.name == "Bid"


def test_seconds_in_from_stage_and_stage_clock(world, customer, tender):
    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.OFF)
    start = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        opp = opportunity_create(
            actor=world.actor(world.rep), customer=customer, name="Timed", pipeline_id=tender.pk
        )
    with time_machine.travel(start + dt.timedelta(days=3, hours=2, seconds=5), tick=False):
        moved = move(world, opp, stage(tender, "Bid")).opportunity
        assert moved.stage_entered_at == timezone.now() == moved.last_activity_at
    with time_machine.travel(start + dt.timedelta(days=10), tick=False):
        move(world, opp, stage(tender, "Decide to bid"))
    rows = stage_history(opp)
    assert [r.seconds_in_from_stage for r in rows] == [
        None,
        3 * 86400 + 7200 + 5,
        6 * 86400 + 79195,
    ]
    assert [(r.from_stage.name if r.from_stage else None, r.to_stage.name) for r in rows] == [
        (None, "Qualify"),
        ("Qualify", "Bid"),
        ("Bid", "Decide to bid"),
    ]
    assert rows[1].changed_by_id == world.rep.user_id


def test_stage_task_set_ticks_unticks_and_is_checked(world, opp, tender, customer):
    t = task(tender, "Confirm the tender")
    actor = world.actor(world.rep)
    stage_task_set(actor=actor, opportunity_id=opp.pk, task_id=t.pk, done=True)
    stage_task_set(actor=actor, opportunity_id=opp.pk, task_id=t.pk, done=True)  # idempotent
    check = StageTaskCheck.objects.get(opportunity=opp, task=t)
    assert check.done_by_id == world.rep.user_id
    checklist = stage_checklist(opp)
    assert [s.name for s, _items in checklist] == [
        "Qualify",
        "Decide to bid",
        "Bid",
        "Negotiate",
        "Agree",
    ]
    assert [i.done for i in checklist[0][1]] == [True, False, False]
    stage_task_set(actor=actor, opportunity_id=opp.pk, task_id=t.pk, done=False)
    assert not StageTaskCheck.objects.filter(opportunity=opp).exists()
    assert list(
        AuditEvent.objects.filter(target_id=opp.pk, target_type="opportunity")
        .exclude(verb="create")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["stage_task_done", "stage_task_undone"]
    assert Opportunity.objects.get(pk=opp.pk).version == opp.version  # no version bump
    other = opportunity_create(actor=actor, customer=customer, name="Default pipeline")
    with pytest.raises(ServiceError) as exc:  # a task of another pipeline
        stage_task_set(actor=actor, opportunity_id=other.pk, task_id=t.pk, done=True)
    assert exc.value.code == "unknown_task"


def test_authorization(world, opp, tender):
    target = stage(tender, "Negotiate")
    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.OFF)
    t = task(tender, "Demo")
    # no permission: 403 before anything is read
    with pytest.raises(PermissionDenied):
        move(world, opp, target, member=world.readonly)
    with pytest.raises(PermissionDenied):
        stage_task_set(
            actor=world.actor(world.readonly), opportunity_id=opp.pk, task_id=t.pk, done=True
        )
    # outside the scope (another rep) or another workspace: 404
    for member in (world.other_rep, world.rep2, world.owner2):
        with pytest.raises(NotFound):
            move(world, opp, target, member=member)
        with pytest.raises(NotFound):
            stage_task_set(
                actor=world.actor(member), opportunity_id=opp.pk, task_id=t.pk, done=True
            )
    assert StageChange.objects.filter(opportunity=opp).count() == 1
    assert not StageTaskCheck.objects.exists()
    assert Opportunity.objects.get(pk=opp.pk).stage.name == "Qualify"
    # with permission: the manager (team scope) may
    assert move(world, opp, target, member=world.manager).opportunity.stage == target


# --- concurrent moves (PostgreSQL) -----------------------------------------------------------------

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
    assert not any(t.is_alive() for t in threads), "a mover hung"
    return results


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "a thread race needs a server database: the in-memory SQLite test database is shared "
            "between threads with table locks that fail instead of waiting"
        )


def assert_consistent_history(opp: Opportunity) -> list[StageChange]:
    rows = list(StageChange.objects.filter(opportunity=opp).order_by("changed_at", "id"))
    for before, after in itertools.pairwise(rows):
        assert after.from_stage_id == before.to_stage_id, (before, after)
    current = Opportunity.objects.get(pk=opp.pk)
    assert current.stage_id == rows[-1].to_stage_id
    return rows


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_a_consistent_history_on_postgresql(world, customer):
    skip_unless_postgresql()
    tender = tender_pipeline(world.ws, gate=GateMode.OFF)
    opp = opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Race", pipeline_id=tender.pk
    )
    targets = [s for s in tender.stages.all() if not s.is_closed and s.pk != opp.stage_id]
    assert len(targets) == 4

    def go(i: int) -> MoveResult:
        return opportunity_move(
            actor=world.actor(world.rep),
            opportunity_id=opp.pk,
            stage_id=targets[i % len(targets)].pk,
        )

    results = race(RACERS, go)
    assert all(isinstance(r, MoveResult) for r in results), results
    rows = assert_consistent_history(opp)
    # a racer whose target equalled the stage it found is a no-op; every other one wrote a row
    assert 1 + 1 <= len(rows) <= 1 + RACERS
    current = Opportunity.objects.get(pk=opp.pk)
    assert current.version == len(rows)  # one bump per move written


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_with_expected_version_let_one_win_on_postgresql(world, customer):
    skip_unless_postgresql()
    tender = tender_pipeline(world.ws, gate=GateMode.OFF)
    opp = opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Race v", pipeline_id=tender.pk
    )
    targets = [s for s in tender.stages.all() if not s.is_closed and s.pk != opp.stage_id]
    seen = opp.version

    def go(i: int) -> MoveResult:
        with translation.override("en"):
            return opportunity_move(
                actor=world.actor(world.rep),
                opportunity_id=opp.pk,
                stage_id=targets[i % len(targets)].pk,
                expected_version=seen,
            )

    results = race(4, go)
    winners = [r for r in results if isinstance(r, MoveResult)]
    losers = [r for r in results if not isinstance(r, MoveResult)]
    assert len(winners) == 1, results
    for exc in losers:
        assert isinstance(exc, Conflict) and exc.code == "stale_version", repr(exc)
    rows = assert_consistent_history(opp)
    assert len(rows) == 2 and rows[-1].to_stage_id == winners[0].opportunity.stage_id


def test_stage_moves_show_on_the_customer_timeline(world, opp, tender, customer):
    from tradewind.customers.timeline import timeline_page

    Pipeline.objects.filter(pk=tender.pk).update(gate=GateMode.OFF)
    with translation.override("en"):
        move(world, opp, stage(tender, "Bid"))
        page = timeline_page(customer=customer, member=world.rep, kinds=["opportunity"])
    moved = [e for e in page.entries if e.detail.get("action") == "stage_moved"]
    assert len(moved) == 1 and opp.code in moved[0].title
    assert "moved to another stage" in moved[0].title
    assert ("stage", "Qualify", "Bid") in [(str(a), b, c) for a, b, c in moved[0].rows]
