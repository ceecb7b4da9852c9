"""Manual assignment (one and bulk): service, lead page panel, API, authorization matrix."""

from __future__ import annotations

import pytest
from django.test import Client

from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.leads.assignment import lead_assign, leads_assign_bulk
from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.models import Lead, LeadClaim
from tradewind.leads.pool import lead_claim
from tradewind.leads.status import lead_transition
from tradewind.workspaces.models import AuditEvent


def owner_of(lead) -> int | None:
    return Lead.objects.get(pk=lead.pk).owner_id


def test_assign_one_audits_and_closes_the_claim(world):
    lead_claim(actor=world.actor(world.rep2), lead=world.pool_lead)
    lead = lead_assign(
        actor=world.actor(world.manager),
        lead=world.pool_lead,
        owner_id=world.rep.user_id,
        note="rep speaks German",
    )
    assert lead.owner_id == world.rep.user_id
    event = AuditEvent.objects.filter(target_id=lead.pk, action="assigned").get()
    assert event.changes["owner"] == [world.rep2.user_id, world.rep.user_id]
    assert event.changes["note"] == [None, "rep speaks German"]
    assert not LeadClaim.objects.filter(lead=lead, released_at__isnull=True).exists()
    back = lead_assign(actor=world.actor(world.manager), lead=lead, owner_id=None)
    assert back.owner_id is None


def test_assign_refuses_closed_leads_and_ineligible_owners(world):
    actor = world.actor(world.owner)
    for target in (world.readonly, world.owner2):
        with pytest.raises(ServiceError) as exc:
            lead_assign(actor=actor, lead=world.lead, owner_id=target.user_id)
        assert exc.value.code == "owner_not_eligible"
    with pytest.raises(ServiceError) as exc:
        lead_assign(actor=actor, lead=world.lead, owner_id=world.rep2.user_id, note="x" * 501)
    assert exc.value.code == "note_too_long"
    lead_transition(actor=actor, lead=world.lead, to_status="invalid", reason="spam")
    with pytest.raises(ServiceError) as exc:
        lead_assign(actor=actor, lead=world.lead, owner_id=world.rep2.user_id)
    assert exc.value.code == "lead_closed"
    assert owner_of(world.lead) == world.rep.user_id


def test_bulk_assign_only_visible_open_leads(world):
    # the manager sees the sales subtree: rep's, other_rep's and pool leads, not workspace 2's
    n = leads_assign_bulk(
        actor=world.actor(world.manager),
        lead_ids=[world.lead.pk, world.pool_lead.pk, world.lead2.pk, 987654],
        owner_id=world.rep2.user_id,
    )
    assert n == 2
    assert owner_of(world.lead) == owner_of(world.pool_lead) == world.rep2.user_id
    assert owner_of(world.lead2) == world.owner2.user_id
    assert AuditEvent.objects.filter(action="assigned", target_id=world.lead.pk).count() == 1


def test_sales_rep_may_not_assign(world):
    with pytest.raises(PermissionDenied):
        lead_assign(actor=world.actor(world.rep), lead=world.lead, owner_id=world.rep2.user_id)
    with pytest.raises(PermissionDenied):
        leads_assign_bulk(actor=world.actor(world.rep), lead_ids=[world.lead.pk], owner_id=None)
    assert owner_of(world.lead) == world.rep.user_id


# --- pages ------------------------------------------------------------------------------------------


def test_lead_page_loads_the_panel_for_managers_only(world, client_for):
    page = client_for(world.manager).get(f"/leads/{world.lead.pk}/")
    assert f"/leads/{world.lead.pk}/assign/" in page.content.decode()
    page = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert f"/leads/{world.lead.pk}/assign/" not in page.content.decode()
    panel = client_for(world.manager).get(
        f"/leads/{world.lead.pk}/assign/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="assign-panel"
    )
    assert panel.status_code == 200
    body = panel.content.decode()
    assert 'id="assign-panel"' in body and "<html" not in body
    assert str(world.rep2.user) in body


def test_trial_partial_says_which_rule_fires(world, client_for):
    assignment_rule_create(
        actor=world.actor(world.owner),
        name="Germany desk",
        action="user",
        conditions={},
        target_user=world.rep2.user_id,
    )
    resp = client_for(world.manager).get(
        f"/leads/{world.pool_lead.pk}/assignment-trial/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="assign-panel",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "Germany desk" in body and "Nothing was changed" in body
    assert owner_of(world.pool_lead) is None


@pytest.mark.parametrize(
    ("who", "status", "moved"),
    [("anon", 302, False), ("owner2", 404, False), ("rep", 403, False), ("manager", 302, True)],
)
def test_page_assign_authorization_matrix(world, client_for, who, status, moved):
    client = Client() if who == "anon" else client_for(getattr(world, who))
    resp = client.post(f"/leads/{world.lead.pk}/assign/", {"owner": world.rep2.user_id})
    assert resp.status_code == status
    assert (owner_of(world.lead) == world.rep2.user_id) is moved


def test_page_bad_owner_is_a_message_and_changes_nothing(world, client_for):
    client = client_for(world.manager)
    resp = client.post(
        f"/leads/{world.lead.pk}/assign/",
        {"owner": world.readonly.user_id},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "who works leads" in resp.content.decode()
    assert owner_of(world.lead) == world.rep.user_id


# --- API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "moved"),
    [(None, 401, False), ("owner2", 404, False), ("rep", 403, False), ("manager", 200, True)],
)
def test_api_assign_authorization_matrix(world, api, token_for, who, status, moved):
    token = token_for(getattr(world, who)) if who else None
    resp = api(
        "post", f"/leads/{world.lead.pk}/assign", token=token, json={"owner_id": world.rep2.user_id}
    )
    assert resp.status_code == status
    assert (owner_of(world.lead) == world.rep2.user_id) is moved


def test_api_assign_bad_input(world, api, token_for):
    token = token_for(world.manager)
    resp = api("post", f"/leads/{world.lead.pk}/assign", token=token, json={})
    assert resp.status_code == 422 and "owner_id" in resp.json()["fields"]
    resp = api(
        "post",
        f"/leads/{world.lead.pk}/assign",
        token=token,
        json={"owner_id": world.readonly.user_id},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "owner_not_eligible"
    assert owner_of(world.lead) == world.rep.user_id


def test_api_bulk_and_trial(world, api, token_for):
    token = token_for(world.manager)
    resp = api(
        "post",
        "/leads/assign-bulk",
        token=token,
        json={"lead_ids": [world.lead.pk, world.lead2.pk], "owner_id": None},
    )
    assert resp.status_code == 200 and resp.json() == {"assigned": 1}
    assert owner_of(world.lead) is None
    rep_token = token_for(world.rep)
    assert (
        api(
            "post",
            "/leads/assign-bulk",
            token=rep_token,
            json={"lead_ids": [world.pool_lead.pk], "owner_id": None},
        ).status_code
        == 403
    )
    assert api("get", f"/leads/{world.lead.pk}/assignment-trial", token=token).json() == {
        "fires": False,
        "rule_id": None,
        "rule_name": "",
        "action": "",
        "owner_id": None,
        "owner_name": "",
    }
    assert (
        api("get", f"/leads/{world.pool_lead.pk}/assignment-trial", token=rep_token).status_code
        == 403
    )
