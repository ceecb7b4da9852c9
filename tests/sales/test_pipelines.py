"""Pipeline settings services: templates, the one-default invariant, archive, reorder, stages (won
and lost last, used stages refused), stage tasks, close reasons; audited; PIPELINE_MANAGE only."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tradewind.core.errors import Conflict, PermissionDenied, ServiceError
from tradewind.customers.services import customer_create
from tradewind.sales import pipelines as svc
from tradewind.sales.models import (
    CloseReason,
    Opportunity,
    Pipeline,
    Stage,
    StageChange,
    StageTask,
    StageTaskCheck,
)
from tradewind.sales.pipeline_templates import TEMPLATES
from tradewind.sales.services import opportunity_create, pipeline_default
from tradewind.workspaces.models import AuditEvent


@pytest.fixture
def boss(world):
    return world.actor(world.owner)


def stage_shape(pipeline: Pipeline) -> list[tuple[str, bool, bool]]:
    return [(s.label, s.is_won, s.is_lost) for s in pipeline.stages.order_by("position", "id")]


def assert_closed_last(pipeline: Pipeline) -> None:
    stages = list(pipeline.stages.order_by("position", "id"))
    assert [s.position for s in stages] == list(range(len(stages)))
    assert [s.is_won for s in stages].count(True) == 1
    assert [s.is_lost for s in stages].count(True) == 1
    assert stages[-2].is_won and stages[-1].is_lost
    assert not any(s.is_closed for s in stages[:-2]) and len(stages) >= 3


@pytest.mark.parametrize("template", [t.key for t in TEMPLATES])
def test_every_template_builds_a_pipeline_ending_won_lost(world, boss, template):
    pipeline = svc.pipeline_create(actor=boss, name=f"P {template}", template=template)
    assert_closed_last(pipeline)
    assert not pipeline.is_default and pipeline.is_active
    assert pipeline_default(world.ws).pk != pipeline.pk  # the default was created, kept
    tpl = next(t for t in TEMPLATES if t.key == template)
    assert pipeline.gate == tpl.gate and pipeline.stale_days == tpl.stale_days
    tasks = StageTask.objects.filter(stage__pipeline=pipeline).count()
    assert tasks == sum(len(s.tasks) for s in tpl.stages)
    event = AuditEvent.objects.get(target_type="pipeline", target_id=pipeline.pk, verb="create")
    assert event.changes["template"] == [None, template]


def test_tender_template_follows_seed_004_and_reads_in_the_creators_language(world, boss):
    with translation.override("zh-hans"):
        tender = svc.pipeline_create(actor=boss, name="招标", template="tender")
    stages = list(tender.stages.order_by("position"))
    assert tender.gate == "block" and len(stages) == 7
    assert stages[0].name == "鉴定资质"
    assert [t.title for t in stages[0].tasks.all()] == ["确认客户招标书", "确认自身资质"]
    with translation.override("en"):  # the won/lost stages keep their keys: translated on display
        assert [s.label for s in stages[-2:]] == ["Won", "Lost"]
    standard = svc.pipeline_create(actor=boss, name="Std", template="standard")
    assert [s.key for s in standard.stages.order_by("position")][:2] == [
        "initial_contact",
        "needs_confirmed",
    ]


def test_create_validates_and_needs_permission(world, boss):
    for kwargs, code in (
        ({"name": " "}, "pipeline_name_required"),
        ({"name": "X", "template": "nope"}, "pipeline_unknown_template"),
        ({"name": "X", "gate": "maybe"}, "pipeline_bad_value"),
        ({"name": "X", "stale_days": 0}, "pipeline_bad_value"),
        ({"name": "x" * 121}, "pipeline_name_required"),
    ):
        with pytest.raises(ServiceError) as exc:
            svc.pipeline_create(actor=boss, **kwargs)
        assert exc.value.code == code, kwargs
    for member in (world.rep, world.readonly):
        with pytest.raises(PermissionDenied):
            svc.pipeline_create(actor=world.actor(member), name="Mine")
    assert not Pipeline.objects.filter(workspace=world.ws).exclude(is_default=True).exists()
    # a manager holds PIPELINE_MANAGE
    assert svc.pipeline_create(actor=world.actor(world.manager), name="Mgr").pk


def test_exactly_one_default_and_pipeline_default_follows_it(world, boss):
    first = pipeline_default(world.ws)
    second = svc.pipeline_create(actor=boss, name="Repeat", template="repeat_order")
    svc.pipeline_set_default(actor=boss, pipeline=second)
    assert Pipeline.objects.filter(workspace=world.ws, is_default=True).count() == 1
    assert pipeline_default(world.ws).pk == second.pk
    first.refresh_from_db()
    assert not first.is_default and first.version == 2
    # a new opportunity goes to the new default
    customer = customer_create(actor=world.actor(world.rep), name="Default Buyer")
    opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Reorder")
    assert opp.pipeline_id == second.pk
    # setting it again changes nothing; the database itself refuses a second default
    svc.pipeline_set_default(actor=boss, pipeline=second)
    assert AuditEvent.objects.filter(target_type="pipeline", target_id=second.pk).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Pipeline.objects.filter(pk=first.pk).update(is_default=True)
    with pytest.raises(PermissionDenied):
        svc.pipeline_set_default(actor=world.actor(world.rep), pipeline=first)
    assert pipeline_default(world.ws).pk == second.pk


def test_archive_refused_for_default_and_keeps_open_opportunities(world, boss):
    default = pipeline_default(world.ws)
    with pytest.raises(Conflict) as exc:
        svc.pipeline_update(actor=boss, pipeline=default, is_active=False)
    assert exc.value.code == "pipeline_default_archived"
    other = svc.pipeline_create(actor=boss, name="Tender", template="tender")
    customer = customer_create(actor=world.actor(world.rep), name="Tender Buyer")
    opp = opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Bid", pipeline_id=other.pk
    )
    svc.pipeline_update(actor=boss, pipeline=other, is_active=False)
    other.refresh_from_db()
    assert not other.is_active
    assert Opportunity.objects.get(pk=opp.pk).pipeline_id == other.pk  # kept
    with pytest.raises(ServiceError):  # takes no new ones
        opportunity_create(
            actor=world.actor(world.rep), customer=customer, name="Bid 2", pipeline_id=other.pk
        )
    with pytest.raises(Conflict):  # an archived pipeline cannot become the default
        svc.pipeline_set_default(actor=boss, pipeline=other)
    svc.pipeline_update(actor=boss, pipeline=other, is_active=True)
    assert Pipeline.objects.get(pk=other.pk).is_active


def test_update_audits_and_checks_the_version(world, boss):
    pipeline = pipeline_default(world.ws)
    svc.pipeline_update(
        actor=boss,
        pipeline=pipeline,
        expected_version=1,
        name="Export",
        description="Our export process",
        gate="block",
        stale_days=21,
    )
    pipeline.refresh_from_db()
    assert (pipeline.name, pipeline.gate, pipeline.stale_days, pipeline.version) == (
        "Export",
        "block",
        21,
        2,
    )
    event = AuditEvent.objects.filter(target_type="pipeline", target_id=pipeline.pk).last()
    assert event.changes["gate"] == ["warn", "block"]
    with pytest.raises(Conflict) as exc:
        svc.pipeline_update(actor=boss, pipeline=pipeline, expected_version=1, name="Old")
    assert exc.value.code == "stale_version"
    with pytest.raises(PermissionDenied):
        svc.pipeline_update(actor=world.actor(world.rep), pipeline=pipeline, name="Hijack")
    assert Pipeline.objects.get(pk=pipeline.pk).name == "Export"


def test_reorder_pipelines(world, boss):
    a = pipeline_default(world.ws)
    b = svc.pipeline_create(actor=boss, name="B")
    c = svc.pipeline_create(actor=boss, name="C")
    svc.pipeline_reorder(actor=boss, ids=[c.pk, a.pk, b.pk])
    assert [p.pk for p in svc.pipelines_of(world.ws)] == [c.pk, a.pk, b.pk]
    svc.pipeline_move(actor=boss, pipeline=b, direction="up")
    assert [p.pk for p in svc.pipelines_of(world.ws)] == [c.pk, b.pk, a.pk]
    for ids in ([a.pk, b.pk], [a.pk, a.pk, b.pk], [a.pk, b.pk, 999], ["x", a.pk, b.pk]):
        with pytest.raises(ServiceError) as exc:
            svc.pipeline_reorder(actor=boss, ids=ids)
        assert exc.value.code == "pipeline_bad_order"
    with pytest.raises(PermissionDenied):
        svc.pipeline_reorder(actor=world.actor(world.rep), ids=[a.pk, b.pk, c.pk])


def test_stages_add_rename_reorder_keep_won_and_lost_last(world, boss):
    pipeline = pipeline_default(world.ws)
    samples = svc.stage_create(
        actor=boss, pipeline=pipeline, name="Samples", probability=40, expected_days=14
    )
    assert_closed_last(pipeline)
    assert stage_shape(pipeline)[4] == ("Samples", False, False)
    first = pipeline.stages.get(key="initial_contact")
    svc.stage_update(actor=boss, stage=first, name="First call", probability=15, stale_days=5)
    first.refresh_from_db()
    assert (first.label, first.probability, first.stale_days, first.key) == (
        "First call",
        15,
        5,
        "initial_contact",
    )
    svc.stage_update(actor=boss, stage=first, name="")  # back to the translated label
    first.refresh_from_db()
    with translation.override("zh-hans"):
        assert first.label == "初步接洽"
    with pytest.raises(ServiceError) as exc:  # a stage of its own needs a name
        svc.stage_update(actor=boss, stage=samples, name=" ")
    assert exc.value.code == "pipeline_name_required"
    for value in (-1, 101, "x"):
        with pytest.raises(ServiceError) as exc:
            svc.stage_update(actor=boss, stage=samples, probability=value)
        assert exc.value.code == "pipeline_bad_value"
    won = pipeline.stages.get(is_won=True)
    with pytest.raises(ServiceError) as exc:
        svc.stage_update(actor=boss, stage=won, probability=50)
    assert exc.value.code == "stage_fixed"
    svc.stage_update(actor=boss, stage=won, name="Signed")
    assert Stage.objects.get(pk=won.pk).label == "Signed"

    open_ids = [s.pk for s in pipeline.stages.order_by("position") if not s.is_closed]
    new_order = [open_ids[-1], *open_ids[:-1]]
    svc.stage_reorder(actor=boss, pipeline=pipeline, ids=new_order)
    assert [s.pk for s in pipeline.stages.order_by("position")][:-2] == new_order
    assert_closed_last(pipeline)
    closed_ids = [s.pk for s in pipeline.stages.order_by("position")][-2:]
    svc.stage_reorder(actor=boss, pipeline=pipeline, ids=[*open_ids, *closed_ids])  # ok at the end
    for ids in ([closed_ids[0], *open_ids], open_ids[:-1], [*open_ids, closed_ids[1]]):
        with pytest.raises(ServiceError):
            svc.stage_reorder(actor=boss, pipeline=pipeline, ids=ids)
    assert_closed_last(pipeline)
    svc.stage_move(actor=boss, stage=samples, direction="up")
    assert [s.pk for s in pipeline.stages.order_by("position")][3] == samples.pk
    with pytest.raises(ServiceError):
        svc.stage_move(actor=boss, stage=won, direction="up")
    assert AuditEvent.objects.filter(
        target_type="pipeline", target_id=pipeline.pk, action="stages_reordered"
    ).exists()
    assert AuditEvent.objects.filter(target_type="sales.stage", target_id=first.pk).count() == 2


def test_stage_delete_refused_when_used_or_closed(world, boss):
    pipeline = pipeline_default(world.ws)
    spare = svc.stage_create(actor=boss, pipeline=pipeline, name="Spare")
    first = pipeline.stages.get(key="initial_contact")
    customer = customer_create(actor=world.actor(world.rep), name="Stage Buyer")
    opp = opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Deal", stage_id=first.pk
    )
    with pytest.raises(Conflict) as exc, translation.override("en"):
        svc.stage_delete(actor=boss, stage=first)
    assert exc.value.code == "stage_in_use" and exc.value.status == 409
    assert "1 opportunity" in str(exc.value.message)
    # moved on: the stage history still counts it
    second = pipeline.stages.get(key="needs_confirmed")
    Opportunity.objects.filter(pk=opp.pk).update(stage=second)
    assert StageChange.objects.filter(opportunity=opp, to_stage=first).exists()
    with pytest.raises(Conflict) as exc:
        svc.stage_delete(actor=boss, stage=first)
    assert exc.value.code == "stage_in_use"
    for closed in pipeline.stages.filter(is_won=True) | pipeline.stages.filter(is_lost=True):
        with pytest.raises(Conflict) as exc:
            svc.stage_delete(actor=boss, stage=closed)
        assert exc.value.code == "stage_fixed"
    with pytest.raises(PermissionDenied):
        svc.stage_delete(actor=world.actor(world.rep), stage=spare)
    task = svc.stage_task_create(actor=boss, stage=spare, title="Check")
    svc.stage_delete(actor=boss, stage=spare)
    assert not Stage.objects.filter(pk=spare.pk).exists()
    assert not StageTask.objects.filter(pk=task.pk).exists()
    assert_closed_last(pipeline)
    assert AuditEvent.objects.filter(
        target_type="sales.stage", target_id=spare.pk, verb="delete"
    ).exists()


def test_the_last_open_stage_stays(world, boss):
    pipeline = svc.pipeline_create(actor=boss, name="Tiny", template="blank")
    only = pipeline.stages.get(is_won=False, is_lost=False)
    with pytest.raises(Conflict) as exc:
        svc.stage_delete(actor=boss, stage=only)
    assert exc.value.code == "stage_fixed"


def test_stage_tasks_add_edit_reorder_delete_with_ticks(world, boss):
    pipeline = pipeline_default(world.ws)
    stage = pipeline.stages.get(key="quotation")
    a = svc.stage_task_create(actor=boss, stage=stage, title="  Send   PI ")
    b = svc.stage_task_create(actor=boss, stage=stage, title="Confirm terms", is_required=False)
    assert a.title == "Send PI" and a.is_required and not b.is_required
    svc.stage_task_update(actor=boss, task=b, title="Confirm payment terms", is_required=True)
    b.refresh_from_db()
    assert (b.title, b.is_required) == ("Confirm payment terms", True)
    svc.stage_task_reorder(actor=boss, stage=stage, ids=[b.pk, a.pk])
    assert list(stage.tasks.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]
    svc.stage_task_move(actor=boss, task=b, direction="down")
    assert list(stage.tasks.order_by("position").values_list("pk", flat=True)) == [a.pk, b.pk]
    with pytest.raises(ServiceError) as exc:
        svc.stage_task_create(actor=boss, stage=stage, title="")
    assert exc.value.code == "stage_task_title_required"
    with pytest.raises(ServiceError) as exc:
        svc.stage_task_create(actor=boss, stage=pipeline.stages.get(is_won=True), title="X")
    assert exc.value.code == "stage_fixed"
    with pytest.raises(PermissionDenied):
        svc.stage_task_create(actor=world.actor(world.rep), stage=stage, title="X")
    customer = customer_create(actor=world.actor(world.rep), name="Tick Buyer")
    opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Ticked")
    StageTaskCheck.objects.create(opportunity=opp, task=a, done_by=world.rep.user)
    assert svc.stage_task_ticks(a) == 1
    with pytest.raises(PermissionDenied):
        svc.stage_task_delete(actor=world.actor(world.rep), task=a)
    assert svc.stage_task_delete(actor=boss, task=a) == 1
    assert not StageTaskCheck.objects.filter(opportunity=opp).exists()
    event = AuditEvent.objects.get(target_type="sales.stagetask", target_id=a.pk, verb="delete")
    assert event.changes["ticks"] == [1, 0]


def test_close_reasons_seeded_added_renamed_deactivated_reordered(world, boss):
    lost = svc.close_reasons_all(world.ws, "lost")
    invalid = svc.close_reasons_all(world.ws, "invalid")
    assert len(lost) >= 3 and len(invalid) >= 2  # seeded by sales.closing.close_reasons
    added = svc.close_reason_create(actor=boss, kind="lost", label="Shipping too slow")
    assert svc.close_reasons_all(world.ws, "lost")[-1].pk == added.pk
    with pytest.raises(Conflict) as exc:
        svc.close_reason_create(actor=boss, kind="lost", label="shipping TOO slow")
    assert exc.value.code == "close_reason_taken"
    with pytest.raises(ServiceError) as exc:
        svc.close_reason_create(actor=boss, kind="maybe", label="X")
    assert exc.value.code == "close_reason_unknown_kind"
    with pytest.raises(ServiceError) as exc:
        svc.close_reason_create(actor=boss, kind="lost", label=" ")
    assert exc.value.code == "close_reason_label_required"
    svc.close_reason_update(actor=boss, reason=added, label="Lead time too long")
    with pytest.raises(Conflict):
        svc.close_reason_update(actor=boss, reason=added, label=lost[0].label)
    svc.close_reason_update(actor=boss, reason=added, is_active=False)
    from tradewind.sales.closing import close_reasons

    assert added.pk not in [r.pk for r in close_reasons(world.ws, "lost")]
    ids = [r.pk for r in svc.close_reasons_all(world.ws, "lost")]
    svc.close_reason_reorder(actor=boss, kind="lost", ids=list(reversed(ids)))
    assert [r.pk for r in svc.close_reasons_all(world.ws, "lost")] == list(reversed(ids))
    svc.close_reason_move(actor=boss, reason=added, direction="down")
    assert [r.pk for r in svc.close_reasons_all(world.ws, "lost")][1] == added.pk
    with pytest.raises(ServiceError):
        svc.close_reason_reorder(actor=boss, kind="lost", ids=ids[:-1])
    for call in (
        lambda a: svc.close_reason_create(actor=a, kind="lost", label="Rep reason"),
        lambda a: svc.close_reason_update(actor=a, reason=added, label="Rep"),
        lambda a: svc.close_reason_reorder(actor=a, kind="lost", ids=ids),
    ):
        with pytest.raises(PermissionDenied):
            call(world.actor(world.rep))
    assert not CloseReason.objects.filter(workspace=world.ws, label__startswith="Rep").exists()
    assert (
        AuditEvent.objects.filter(target_type="sales.closereason", target_id=added.pk).count() >= 3
    )
