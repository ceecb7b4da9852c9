"""Dormant reactivation (待激活): dormant leads come back as "to reactivate" after the policy's
days (workspace-local), audited, owner told, ownerless ones back in the pool; the status table
allows the automatic move only to the job; a follow-up starts contacting again."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tradewind.activities.models import Notification
from tradewind.core.errors import Conflict
from tradewind.leads.choices import OPEN_STATUSES, LeadStatus
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.reactivation import leads_reactivate_dormant
from tradewind.leads.status import allowed_moves, lead_transition
from tradewind.workspaces.models import AuditEvent

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SH)


def dormant(lead: Lead, since: dt.datetime) -> None:
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DORMANT, status_changed_at=since)


def run(world, when: dt.datetime) -> set[int]:
    with time_machine.travel(when, tick=False):
        return set(leads_reactivate_dormant(workspace=world.ws))


def test_dormant_leads_come_back_after_the_policy_days_and_the_owner_is_told(world):
    policy = LeadPolicy.for_workspace(world.ws)
    policy.reactivate_after_days = 30
    policy.save()
    dormant(world.lead, at(2026, 3, 1, 23))
    dormant(world.pool_lead, at(2026, 3, 1, 9))
    assert run(world, at(2026, 3, 30, 23)) == set()
    assert run(world, at(2026, 3, 31, 1)) == {world.lead.pk, world.pool_lead.pk}
    lead = Lead.objects.get(pk=world.lead.pk)
    assert lead.status == LeadStatus.TO_REACTIVATE and lead.owner_id == world.rep.user_id
    assert lead.next_due_at == at(2026, 3, 31, 1)  # due today: it shows in "my follow-ups"
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.verb == "transition" and event.changes == {"status": ["dormant", "to_reactivate"]}
    note = Notification.objects.get(kind="lead.to_reactivate")
    assert note.user_id == world.rep.user_id and note.params["codes"] == [lead.code]
    # The ownerless one is back in the pool as an open lead anyone may claim.
    pooled = Lead.objects.get(pk=world.pool_lead.pk)
    assert pooled.owner_id is None and pooled.status in OPEN_STATUSES
    assert run(world, at(2026, 4, 2, 2)) == set()  # nothing twice


def test_zero_days_means_never(world):
    policy = LeadPolicy.for_workspace(world.ws)
    policy.reactivate_after_days = 0
    policy.save()
    dormant(world.lead, at(2025, 1, 1))
    assert run(world, at(2026, 3, 1)) == set()


def test_the_automatic_move_is_not_offered_or_taken_by_hand(world):
    dormant(world.lead, at(2026, 3, 1))
    lead = Lead.objects.get(pk=world.lead.pk)
    assert LeadStatus.TO_REACTIVATE not in {m.to for m in allowed_moves(lead, world.rep)}
    with pytest.raises(Conflict) as exc:
        lead_transition(actor=world.actor(world.rep), lead=lead, to_status="to_reactivate")
    assert exc.value.code == "illegal_transition"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DORMANT


def test_a_follow_up_on_a_lead_to_reactivate_starts_contacting(world):
    dormant(world.lead, at(2026, 1, 1))
    run(world, at(2026, 3, 1))
    lead = Lead.objects.get(pk=world.lead.pk)
    outcome = lead_followup_record(
        actor=world.actor(world.rep), lead=lead, channel="phone", summary="back", result="responded"
    )
    assert outcome.started_contacting and outcome.lead.status == LeadStatus.CONTACTING
    # The hand moves from "to reactivate": contacting or invalid.
    assert {m.to for m in allowed_moves(Lead(status="to_reactivate"), world.rep)} == {
        LeadStatus.CONTACTING,
        LeadStatus.INVALID,
    }


def test_status_filter_and_page_know_the_new_status(world, client_for):
    dormant(world.lead, at(2026, 1, 1))
    run(world, at(2026, 3, 1))
    resp = client_for(world.rep).get("/leads/?status=to_reactivate")
    assert resp.status_code == 200 and b"ALPHA-EAST-SECRET" in resp.content
    detail = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert b'data-testid="status-contacting"' in detail.content


def test_reactivation_queries_do_not_grow_with_the_leads(world, django_assert_max_num_queries):
    from tradewind.leads.services import lead_create

    def make(n: int) -> None:
        for i in range(n):
            lead = lead_create(
                actor=world.actor(world.rep if i % 2 else world.rep2),
                company_name=f"Sleepy {n}-{i}",
                allow_duplicates=True,
            )
            dormant(lead, at(2026, 1, 1))

    make(2)
    with (
        time_machine.travel(at(2026, 3, 1), tick=False),
        django_assert_max_num_queries(20) as first,
    ):
        leads_reactivate_dormant(workspace=world.ws)
    make(12)
    with (
        time_machine.travel(at(2026, 3, 2), tick=False),
        django_assert_max_num_queries(len(first.captured_queries)),
    ):
        assert len(leads_reactivate_dormant(workspace=world.ws)) == 12
