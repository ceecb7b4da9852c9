import pytest
from django.db import transaction

from tradewind.core.errors import ServiceError
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_delete, lead_update
from tradewind.workspaces.models import AuditEvent


def test_create_numbers_owns_and_audits(world):
    lead = lead_create(actor=world.actor(world.rep), company_name="  Foo Ltd ", source="trade_show")
    assert lead.company_name == "Foo Ltd"
    assert lead.owner_id == world.rep.user_id
    assert lead.code.startswith("XL") and lead.code.endswith("000004")  # the world made 3 before
    event = AuditEvent.objects.get(target_type="lead", target_id=lead.pk)
    assert event.verb == "create" and event.actor_user_id == world.rep.user_id
    assert event.changes["company_name"] == [None, "Foo Ltd"]


def test_create_refuses_blank_company_and_foreign_owner(world):
    before = Lead.objects.count()
    with pytest.raises(ServiceError) as exc:
        lead_create(actor=world.actor(world.rep), company_name=" ")
    assert "company_name" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        lead_create(actor=world.actor(world.rep), company_name="X", owner=world.owner2.user_id)
    assert "owner" in exc.value.fields
    assert Lead.objects.count() == before


def test_read_only_cannot_create(world):
    with pytest.raises(ServiceError) as exc:
        lead_create(actor=world.actor(world.readonly), company_name="X")
    assert exc.value.code == "permission_denied"


def test_update_diffs_and_bumps_version(world):
    lead = lead_update(
        actor=world.actor(world.manager),  # handing the lead on needs lead.assign
        lead=world.lead,
        version=1,
        phone="+49 30 1234",
        owner=world.rep2.user_id,
    )
    assert lead.version == 2
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk, verb="update").get()
    assert event.changes == {
        "phone": ["", "+49 30 1234"],
        "owner": [world.rep.user_id, world.rep2.user_id],
    }


def test_update_without_change_writes_nothing(world):
    lead_update(actor=world.actor(world.rep), lead=world.lead, company_name=world.lead.company_name)
    assert not AuditEvent.objects.filter(
        target_type="lead", target_id=world.lead.pk, verb="update"
    ).exists()


def test_stale_version_is_refused_and_changes_nothing(world):
    lead_update(actor=world.actor(world.rep), lead=world.lead, version=1, contact_name="First")
    with pytest.raises(ServiceError) as exc:
        lead_update(
            actor=world.actor(world.rep2), lead=world.lead, version=1, contact_name="Second"
        )
    assert exc.value.code == "stale_version" and exc.value.status == 409
    assert Lead.objects.get(pk=world.lead.pk).contact_name == "First"


def test_delete_keeps_the_trail(world):
    pk = world.lead.pk
    lead_delete(actor=world.actor(world.manager), lead=world.lead)
    assert not Lead.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(target_type="lead", target_id=pk, verb="delete")
    assert event.changes["company_name"] == ["ALPHA-EAST-SECRET GmbH", None]


def test_failed_create_leaves_no_number_gap(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        lead_create(actor=world.actor(world.rep), company_name="Rolled back")
        raise RuntimeError
    lead = lead_create(actor=world.actor(world.rep), company_name="Kept")
    assert lead.code.endswith("000004")
