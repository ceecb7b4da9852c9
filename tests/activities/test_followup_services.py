"""The generic follow-up service and selectors of the activities app (a lead serves as the target:
activities knows only `target_type` + `target_id`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradewind.activities.models import FollowUp
from tradewind.activities.selectors import my_followups, timeline_for
from tradewind.activities.services import followup_record
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.events import subscribe, unsubscribe
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.permissions import Perm


def record(world, member=None, target=None, **kw):
    data = {"channel": "phone", "summary": "Called about the retrofit", "result": "responded"}
    return followup_record(
        actor=world.actor(member or world.rep), target=target or world.lead, **(data | kw)
    )


def test_record_writes_the_follow_up_an_audit_row_and_emits_after_commit(
    world, django_capture_on_commit_callbacks
):
    seen: list[tuple[str, dict]] = []

    def handler(name, payload):
        seen.append((name, payload))

    subscribe("followup.recorded", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            followup = record(
                world,
                feedback="Efficiency gain unclear",
                next_action="Send the case study",
                next_due_at=timezone.now() + dt.timedelta(days=2),
            )
    finally:
        unsubscribe("followup.recorded", handler)
    fresh = FollowUp.objects.get(pk=followup.pk)
    assert (fresh.target_type, fresh.target_id) == ("lead", world.lead.pk)
    assert fresh.owner_id == world.rep.user_id and fresh.workspace_id == world.ws.pk
    assert (
        fresh.feedback == "Efficiency gain unclear" and fresh.next_action == "Send the case study"
    )
    event = AuditEvent.objects.get(target_type="followup", target_id=followup.pk)
    assert event.verb == "create" and event.actor_user_id == world.rep.user_id
    assert event.changes["summary"] == [None, "Called about the retrofit"]
    assert event.changes["target_id"] == [None, world.lead.pk]
    assert seen == [
        (
            "followup.recorded",
            {
                "workspace_id": world.ws.pk,
                "followup_id": followup.pk,
                "target_type": "lead",
                "target_id": world.lead.pk,
                "owner_id": world.rep.user_id,
                "channel": "phone",
                "result": "responded",
            },
        )
    ]


def test_nothing_is_emitted_when_the_transaction_rolls_back(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ServiceError):
        record(world, summary="")
    assert callbacks == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"channel": ""}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"result": ""}, "result"),
        ({"result": "maybe"}, "result"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"next_action": "x" * 501}, "next_action"),
        ({"happened_at": timezone.now() + dt.timedelta(hours=1)}, "happened_at"),
        (
            {
                "happened_at": timezone.now() - dt.timedelta(days=1),
                "next_due_at": timezone.now() - dt.timedelta(days=2),
            },
            "next_due_at",
        ),
    ],
)
def test_invalid_input_is_refused_with_field_errors(world, kw, field):
    with pytest.raises(ServiceError) as exc:
        record(world, **kw)
    assert exc.value.code == "invalid" and exc.value.status == 422
    assert field in exc.value.fields
    assert not FollowUp.objects.exists() and not AuditEvent.objects.filter(target_type="followup")


def test_a_target_of_another_workspace_is_not_found(world):
    with pytest.raises(NotFound):
        record(world, target=world.lead2)
    assert not FollowUp.objects.exists()


def test_perm_is_checked_when_given(world):
    with pytest.raises(PermissionDenied):
        record(world, member=world.readonly, perm=Perm.LEAD_EDIT)
    assert record(world, member=world.rep, perm=Perm.LEAD_EDIT).pk


def test_a_system_actor_records_in_the_name_of_the_owner(world):
    actor = Actor.system(world.ws, "mail sync")
    followup = followup_record(
        actor=actor, target=world.lead, channel="email", summary="Auto-logged", result="other"
    )
    assert followup.owner_id == world.rep.user_id
    with pytest.raises(ServiceError) as exc:
        followup_record(
            actor=actor, target=world.pool_lead, channel="email", summary="x", result="other"
        )
    assert exc.value.code == "followup_no_owner"


def test_naive_datetimes_are_read_in_the_active_zone(world):
    with timezone.override("Asia/Shanghai"):
        followup = record(world, happened_at=dt.datetime(2026, 1, 5, 9, 30))
    assert followup.happened_at == dt.datetime(2026, 1, 5, 1, 30, tzinfo=dt.UTC)


def test_timeline_is_newest_first_and_scoped_to_the_target(world):
    now = timezone.now()
    old = record(world, happened_at=now - dt.timedelta(days=3))
    new = record(world, happened_at=now - dt.timedelta(hours=1))
    middle = record(world, happened_at=now - dt.timedelta(days=1))
    record(world, member=world.other_rep, target=world.other_lead)
    assert [f.pk for f in timeline_for(world.lead)] == [new.pk, middle.pk, old.pk]
    assert timeline_for(world.pool_lead) == []


def test_my_followups_lists_only_mine_in_a_range(world):
    now = timezone.now()
    mine = record(world, happened_at=now - dt.timedelta(hours=2))
    record(world, happened_at=now - dt.timedelta(days=2))
    record(world, member=world.rep2, target=world.lead)
    record(world, member=world.other_rep, target=world.other_lead)
    since = now - dt.timedelta(days=1)
    assert [f.pk for f in my_followups(world.rep, since=since)] == [mine.pk]
    assert my_followups(world.rep).count() == 2
    assert my_followups(world.rep, target_type="customer").count() == 0
    assert my_followups(world.owner2).count() == 0
