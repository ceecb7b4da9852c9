"""Closing won / lost / invalid with reasons, the won gate, reopening to the last open stage, the
customer's life cycle, the close-reason list, audit rows and authorization."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import translation

from tests.sales.test_moves import stage, task, tender_pipeline
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.models import Customer
from tradewind.customers.services import customer_create
from tradewind.sales.choices import GateMode
from tradewind.sales.closing import (
    close_reasons,
    last_open_stage,
    opportunity_close,
    opportunity_reopen,
    reason_label,
)
from tradewind.sales.models import CloseReason, Opportunity, StageChange
from tradewind.sales.moves import opportunity_move, stage_task_set
from tradewind.sales.selectors import stage_history
from tradewind.sales.services import opportunity_create, opportunity_update
from tradewind.workspaces.models import AuditEvent


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Closing Buyer")


@pytest.fixture
def opp(world, customer):
    return opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Deal", amount="100", currency="USD"
    )


def reason(world, kind: str, ws=None) -> CloseReason:
    return close_reasons(ws or world.ws, kind)[0]


def close(world, opp, outcome: str, member=None, **kw) -> Opportunity:
    return opportunity_close(
        actor=world.actor(member or world.rep), opportunity_id=opp.pk, outcome=outcome, **kw
    )


def audit_actions(opp) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="opportunity", target_id=opp.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_close_reasons_are_seeded_once_and_translated(world):
    lost = close_reasons(world.ws, "lost")
    assert [r.label for r in lost][:3] == ["Price too high", "Chose a competitor", "No budget"]
    assert len(lost) == 7 and len(close_reasons(world.ws, "invalid")) == 3
    assert len(close_reasons(world.ws, "lost")) == 7  # not seeded twice
    lost[0].is_active = False
    lost[0].save()
    assert len(close_reasons(world.ws, "lost")) == 6  # inactive left out, defaults not back
    assert close_reasons(world.ws, "nonsense") == []
    assert CloseReason.objects.filter(workspace=world.ws2).count() == 0
    with translation.override("zh-hans"):
        assert reason_label(lost[1]) == "选择了竞争对手"
    own = CloseReason.objects.create(workspace=world.ws, kind="lost", label="Freight", position=9)
    with translation.override("zh-hans"):
        assert reason_label(own) == "Freight"


def test_won_moves_to_the_won_stage_and_counts_for_the_customer(world, opp, customer):
    assert Customer.objects.get(pk=customer.pk).stage == "potential"
    with time_machine.travel(dt.timedelta(hours=5)), translation.override("en"):
        won = close(world, opp, "won", note="Signed PI")
    assert won.status == "won" and won.stage.is_won and won.closed_by_id == world.rep.user_id
    assert won.closed_at is not None and won.close_note == "Signed PI"
    assert won.lines.count() == 0 and won.amount == 100  # lines and amount stay for orders
    row = StageChange.objects.filter(opportunity=opp).order_by("id").last()
    assert (row.kind, row.from_stage_id, row.to_stage_id, row.to_status) == (
        "close",
        opp.stage_id,
        won.stage_id,
        "won",
    )
    assert 5 * 3600 - 5 <= row.seconds_in_from_stage <= 5 * 3600 + 60
    assert Customer.objects.get(pk=customer.pk).stage == "signed"
    assert audit_actions(opp) == ["", "closed_won"]
    event = AuditEvent.objects.get(target_id=opp.pk, action="closed_won")
    assert event.changes["status"] == ["open", "won"]
    assert event.changes["stage"] == ["Initial contact", "Won"]


def test_lost_needs_reason_and_note(world, opp):
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        close(world, opp, "lost")
    assert exc.value.code == "reason_required"
    assert str(exc.value.message) == (
        "Say why the opportunity was lost: choose a reason and add a note."
    )
    assert set(exc.value.fields) == {"reason", "note"}
    with pytest.raises(ServiceError) as exc:
        close(world, opp, "lost", reason_id=reason(world, "lost").pk)
    assert exc.value.code == "note_required" and set(exc.value.fields) == {"note"}
    with pytest.raises(ServiceError) as exc:  # a reason of the other kind
        close(world, opp, "lost", reason_id=reason(world, "invalid").pk, note="x")
    assert exc.value.code == "unknown_reason"
    with pytest.raises(ServiceError) as exc:  # another workspace's reason
        close(world, opp, "lost", reason_id=reason(world, "lost", ws=world.ws2).pk, note="x")
    assert exc.value.code == "unknown_reason"
    inactive = reason(world, "lost")
    CloseReason.objects.filter(pk=inactive.pk).update(is_active=False)
    with pytest.raises(ServiceError) as exc:
        close(world, opp, "lost", reason_id=inactive.pk, note="x")
    assert exc.value.code == "unknown_reason"
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    assert StageChange.objects.filter(opportunity=opp).count() == 1
    price = reason(world, "lost")
    lost = close(world, opp, "lost", reason_id=price.pk, competitor=" Acme ", note="Too dear")
    assert lost.status == "lost" and lost.stage.is_lost and lost.close_reason == price
    assert lost.close_competitor == "Acme" and lost.close_note == "Too dear"
    event = AuditEvent.objects.get(target_id=opp.pk, action="closed_lost")
    assert event.changes["close_reason"] == [None, price.label]
    assert event.changes["competitor"] == ["", "Acme"]


def test_invalid_needs_a_reason_and_keeps_the_stage(world, opp):
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        close(world, opp, "invalid")
    assert exc.value.code == "reason_required"
    assert str(exc.value.message) == "Say why the opportunity is invalid: choose a reason."
    dup = reason(world, "invalid")
    invalid = close(world, opp, "invalid", reason_id=dup.pk, competitor="ignored")
    assert invalid.status == "invalid" and invalid.stage_id == opp.stage_id
    assert invalid.close_reason == dup and invalid.close_competitor == ""
    with pytest.raises(ServiceError) as exc:
        close(world, opp, "maybe")
    assert exc.value.code in ("closed", "bad_outcome")


def test_bad_outcome_and_closed_refusals(world, opp):
    with pytest.raises(ServiceError) as exc:
        close(world, opp, "maybe")
    assert exc.value.code == "bad_outcome"
    close(world, opp, "won")
    with pytest.raises(Conflict) as exc:
        close(world, opp, "won")
    assert exc.value.code == "closed"
    with pytest.raises(Conflict) as exc:
        opportunity_update(actor=world.actor(world.rep), opportunity=opp, name="Changed")
    assert exc.value.code == "closed"
    with pytest.raises(Conflict) as exc:
        opportunity_move(actor=world.actor(world.rep), opportunity_id=opp.pk, stage_id=opp.stage_id)
    assert exc.value.code == "closed"


def test_stale_version_refuses_a_close(world, opp):
    opportunity_update(actor=world.actor(world.rep), opportunity=opp, next_step="Call")
    with pytest.raises(Conflict) as exc:
        close(world, opp, "won", expected_version=opp.version)
    assert exc.value.code == "stale_version"
    assert close(world, opp, "won", expected_version=opp.version + 1).status == "won"


def test_won_is_gated_like_a_move_to_the_won_stage(world, customer):
    tender = tender_pipeline(world.ws, gate=GateMode.BLOCK)
    opp = opportunity_create(
        actor=world.actor(world.rep), customer=customer, name="Tender", pipeline_id=tender.pk
    )
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        close(world, opp, "won")
    assert exc.value.code == "stage_tasks_missing"
    assert exc.value.fields["stage"] == [
        "Confirm the tender",
        "Confirm our qualification",
        "Collect needs",
        "ROI report",
        "Demo",
        "Prepare contract",
    ]
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    # lost and invalid are never gated
    lost = close(world, opp, "lost", reason_id=reason(world, "lost").pk, note="Out")
    assert lost.stage == stage(tender, "Lost")
    # once every required task is ticked, won goes through
    opportunity_reopen(actor=world.actor(world.owner), opportunity_id=opp.pk)
    for t in tender.stages.all():
        for item in t.tasks.filter(is_required=True):
            stage_task_set(
                actor=world.actor(world.rep), opportunity_id=opp.pk, task_id=item.pk, done=True
            )
    assert close(world, opp, "won").stage == stage(tender, "Won")
    assert task(tender, "Demo")  # fixture helpers still resolve


def test_reopen_restores_the_last_open_stage(world, opp, customer):
    actor = world.actor(world.rep)
    quotation = opp.pipeline.stages.get(key="quotation")
    opportunity_move(actor=actor, opportunity_id=opp.pk, stage_id=quotation.pk)
    close(world, opp, "won")
    assert Customer.objects.get(pk=customer.pk).stage == "signed"
    with pytest.raises(PermissionDenied):  # a rep may not reopen
        opportunity_reopen(actor=actor, opportunity_id=opp.pk)
    reopened = opportunity_reopen(actor=world.actor(world.manager), opportunity_id=opp.pk)
    assert reopened.status == "open" and reopened.stage == quotation
    assert reopened.closed_at is None and reopened.closed_by is None
    assert reopened.close_reason is None and reopened.close_note == ""
    assert Customer.objects.get(pk=customer.pk).stage == "potential"
    rows = stage_history(opp)
    assert [r.kind for r in rows] == ["create", "move", "close", "reopen"]
    assert (rows[-1].from_status, rows[-1].to_status) == ("won", "open")
    for before, after in itertools.pairwise(rows):
        assert after.from_stage_id == before.to_stage_id
    assert audit_actions(opp)[-2:] == ["closed_won", "reopened"]
    with pytest.raises(Conflict) as exc:
        opportunity_reopen(actor=world.actor(world.manager), opportunity_id=opp.pk)
    assert exc.value.code == "not_closed"
    # invalid keeps its stage; reopen stays there; a lost one reopened into a chosen stage
    close(world, opp, "invalid", reason_id=reason(world, "invalid").pk)
    assert last_open_stage(Opportunity.objects.get(pk=opp.pk)) == quotation
    assert opportunity_reopen(actor=world.actor(world.owner), opportunity_id=opp.pk).stage == (
        quotation
    )
    close(world, opp, "lost", reason_id=reason(world, "lost").pk, note="Gone")
    first = opp.pipeline.stages.get(key="initial_contact")
    won_stage = opp.pipeline.stages.get(key="won")
    with pytest.raises(ServiceError) as exc:
        opportunity_reopen(
            actor=world.actor(world.owner), opportunity_id=opp.pk, stage_id=won_stage.pk
        )
    assert exc.value.code == "unknown_stage"
    again = opportunity_reopen(
        actor=world.actor(world.owner), opportunity_id=opp.pk, stage_id=first.pk
    )
    assert again.stage == first and again.close_competitor == ""


def test_close_and_reopen_authorization(world, opp):
    lost = reason(world, "lost")
    with pytest.raises(PermissionDenied):
        close(world, opp, "lost", member=world.readonly, reason_id=lost.pk, note="x")
    for member in (world.other_rep, world.rep2, world.owner2):
        with pytest.raises(NotFound):
            close(world, opp, "lost", member=member, reason_id=lost.pk, note="x")
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    close(world, opp, "lost", member=world.manager, reason_id=lost.pk, note="x")
    for member in (world.readonly, world.rep):
        with pytest.raises(PermissionDenied):
            opportunity_reopen(actor=world.actor(member), opportunity_id=opp.pk)
    with pytest.raises(NotFound):
        opportunity_reopen(actor=world.actor(world.owner2), opportunity_id=opp.pk)
    assert Opportunity.objects.get(pk=opp.pk).status == "lost"
    assert StageChange.objects.filter(opportunity=opp, kind="reopen").count() == 0
