"""Merging leads: a field-by-field choice, every follow-up, claim and history row kept (counts
before = after), merged leads gone from lists, their history readable from the survivor; the page,
the API and the authorization matrix."""

from __future__ import annotations

import pytest

from tradewind.activities.models import FollowUp
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.merge import leads_merge, merged_history
from tradewind.leads.models import Lead, LeadClaim
from tradewind.leads.pool import lead_claim
from tradewind.leads.services import lead_create
from tradewind.workspaces.models import AuditEvent


def dupes(world, member=None, n=2, tags=("web",)):
    actor = world.actor(member or world.rep)
    a = lead_create(
        actor=actor, company_name="Seawind GmbH", contact_name="Anna", tags=["fair"] if tags else []
    )
    others = [
        lead_create(
            actor=actor,
            allow_duplicates=True,
            company_name="Seawind GmbH",
            phone="+49 30 1234567",
            contact_name="",
            city="Berlin",
            tags=list(tags),
        )
        for _i in range(n - 1)
    ]
    return a, others


def record(world, lead, summary, member=None):
    lead_followup_record(
        actor=world.actor(member or world.rep),
        lead=lead,
        channel="phone",
        summary=summary,
        result="interested",
    )


def counts(world):
    return (
        FollowUp.objects.filter(workspace=world.ws).count(),
        LeadClaim.objects.filter(workspace=world.ws).count(),
        AuditEvent.objects.filter(workspace=world.ws).count(),
    )


def test_merge_keeps_every_record_and_applies_choices(world):
    survivor, [other] = dupes(world)
    pool = lead_create(
        actor=world.actor(world.owner), allow_duplicates=True, company_name="Seawind", owner=None
    )
    pool = lead_claim(actor=world.actor(world.rep), lead=pool)
    record(world, survivor, "first call")
    record(world, other, "second call")
    record(world, pool, "third call")
    followups, claims, audits = counts(world)
    result = leads_merge(
        actor=world.actor(world.rep),
        survivor_id=survivor.pk,
        merged_ids=[other.pk, pool.pk],
        choices={"phone": other.pk, "city": other.pk, "contact_name": survivor.pk},
    )
    assert result.pk == survivor.pk
    assert (result.phone, result.city, result.contact_name) == ("+49 30 1234567", "Berlin", "Anna")
    assert result.phone_e164 == "+49301234567"  # normalised through the lead service
    assert result.tags == ["fair", "web"]  # united
    # Counts before = after: every follow-up and claim now belongs to the survivor.
    assert FollowUp.objects.filter(workspace=world.ws).count() == followups
    assert set(FollowUp.objects.values_list("target_id", flat=True)) == {survivor.pk}
    assert LeadClaim.objects.filter(workspace=world.ws).count() == claims
    assert set(LeadClaim.objects.values_list("lead_id", flat=True)) == {survivor.pk}
    # History rows are only ever added: nothing of the merged leads is lost.
    assert AuditEvent.objects.filter(workspace=world.ws).count() > audits
    assert not Lead.objects.filter(pk__in=[other.pk, pool.pk]).exists()
    event = AuditEvent.objects.get(target_type="lead", target_id=survivor.pk, action="merged")
    assert event.changes["merged_leads"] == [None, f"{other.code}, {pool.code}"]
    gone = AuditEvent.objects.get(target_type="lead", target_id=other.pk, verb="delete")
    assert gone.changes["merged_into"] == [None, survivor.code]
    result.refresh_from_db()
    assert result.last_activity_at is not None


def test_merged_history_is_readable_from_the_survivor(world):
    survivor, [other] = dupes(world, tags=())
    pool = lead_create(
        actor=world.actor(world.owner), allow_duplicates=True, company_name="Seawind", owner=None
    )
    pool = lead_claim(actor=world.actor(world.rep), lead=pool)
    result = leads_merge(
        actor=world.actor(world.rep), survivor_id=survivor.pk, merged_ids=[other.pk, pool.pk]
    )
    history = dict(merged_history(result))
    assert set(history) == {other.code, pool.code}
    assert any(row.action_display for row in history[pool.code])  # the claim is still there
    assert history[other.code][0].verb_display  # the delete row with the values it had


def test_merged_history_is_shown_on_the_survivor_page(world, client_for):
    # No tags here: the lead page cannot show a tag change in its history yet (reported).
    survivor, [other] = dupes(world, tags=())
    leads_merge(actor=world.actor(world.rep), survivor_id=survivor.pk, merged_ids=[other.pk])
    resp = client_for(world.rep).get(f"/leads/{survivor.pk}/")
    assert resp.status_code == 200 and b'data-testid="merged-history"' in resp.content
    assert other.code.encode() in resp.content
    listing = client_for(world.rep).get("/leads/")
    assert other.code.encode() not in listing.content


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"merged_ids": []}, "merge_too_few"),
        ({"choices": {"status": "OTHER"}}, "merge_unknown_field"),
        ({"choices": {"phone": 987654}}, "merge_bad_source"),
    ],
)
def test_bad_input_is_coded_and_changes_nothing(world, kwargs, code):
    survivor, [other] = dupes(world)
    before = counts(world), Lead.objects.count()
    args = {"survivor_id": survivor.pk, "merged_ids": [other.pk], **kwargs}
    with pytest.raises(ServiceError) as exc:
        leads_merge(actor=world.actor(world.rep), **args)
    assert exc.value.code == code
    assert (counts(world), Lead.objects.count()) == before


def test_converted_leads_cannot_be_merged(world):
    survivor, [other] = dupes(world)
    Lead.objects.filter(pk=other.pk).update(status="converted")
    with pytest.raises(Conflict) as exc:
        leads_merge(actor=world.actor(world.rep), survivor_id=survivor.pk, merged_ids=[other.pk])
    assert exc.value.code == "merge_converted" and Lead.objects.filter(pk=other.pk).exists()


def test_scope_and_permissions(world):
    survivor, [other] = dupes(world)
    hidden = world.other_lead  # another team's lead: not visible to the rep
    with pytest.raises(NotFound):
        leads_merge(actor=world.actor(world.rep), survivor_id=survivor.pk, merged_ids=[hidden.pk])
    with pytest.raises(NotFound):
        leads_merge(
            actor=world.actor(world.rep), survivor_id=survivor.pk, merged_ids=[world.lead2.pk]
        )
    with pytest.raises(PermissionDenied):
        leads_merge(
            actor=world.actor(world.readonly), survivor_id=survivor.pk, merged_ids=[other.pk]
        )
    # The manager sees both teams, but taking another rep's lead needs lead.assign: managers have it.
    leads_merge(actor=world.actor(world.manager), survivor_id=survivor.pk, merged_ids=[hidden.pk])
    assert not Lead.objects.filter(pk=hidden.pk).exists()


def test_rep_cannot_merge_away_a_colleagues_lead(world):
    from tradewind.workspaces.choices import DataScope
    from tradewind.workspaces.models import Membership

    Membership.objects.filter(pk=world.rep.pk).update(data_scope=DataScope.WORKSPACE)
    world.rep.refresh_from_db()
    with pytest.raises(PermissionDenied) as exc:
        leads_merge(
            actor=world.actor(world.rep),
            survivor_id=world.lead.pk,
            merged_ids=[world.other_lead.pk],
        )
    assert exc.value.code == "merge_other_owner"
    assert Lead.objects.filter(pk=world.other_lead.pk).exists()


# --- the page ---------------------------------------------------------------------------------


def test_page_flow_pick_choose_confirm(world, client_for):
    survivor, [other] = dupes(world, tags=())
    record(world, other, "call on the duplicate")
    client = client_for(world.rep)
    pick = client.get(f"/leads/{survivor.pk}/merge/")
    assert pick.status_code == 200 and other.code.encode() in pick.content  # a likely duplicate
    found = client.get(f"/leads/{survivor.pk}/merge/?q={other.code}")
    assert other.code.encode() in found.content
    table = client.get(f"/leads/{survivor.pk}/merge/?with={other.pk}")
    assert b'data-testid="merge-table"' in table.content and b'name="choice_phone"' in table.content
    resp = client.post(
        f"/leads/{survivor.pk}/merge/",
        {"with": [other.pk], "choice_phone": other.pk, "choice_company_name": survivor.pk},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{survivor.pk}/"
    survivor.refresh_from_db()
    assert survivor.phone == "+49 30 1234567" and survivor.company_name == "Seawind GmbH"
    assert FollowUp.objects.get().target_id == survivor.pk


def test_page_refusal_is_a_message(world, client_for):
    survivor, _others = dupes(world)
    resp = client_for(world.rep).post(f"/leads/{survivor.pk}/merge/", {}, follow=True)
    assert resp.status_code == 200 and b"alert-danger" in resp.content


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_page_authorization_matrix(world, client_for, client, who):
    survivor, [other] = dupes(world)
    c = client if who == "anonymous" else client_for(getattr(world, who))
    expected = {"anonymous": 302, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    assert c.get(f"/leads/{survivor.pk}/merge/").status_code == expected
    assert c.post(f"/leads/{survivor.pk}/merge/", {"with": [other.pk]}).status_code == expected
    assert Lead.objects.filter(pk=other.pk).exists()


# --- the API ----------------------------------------------------------------------------------


def test_api_merge(world, api, token_for):
    survivor, [other] = dupes(world)
    record(world, other, "x")
    resp = api(
        "post",
        "/leads/merge",
        token_for(world.rep),
        {"survivor_id": survivor.pk, "merged_ids": [other.pk], "choices": {"city": other.pk}},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["id"] == survivor.pk and resp.json()["city"] == "Berlin"
    assert FollowUp.objects.get().target_id == survivor.pk


def test_api_bad_input_translated(world, api, token_for):
    survivor, _others = dupes(world)
    resp = api(
        "post",
        "/leads/merge",
        token_for(world.rep),
        {"survivor_id": survivor.pk, "merged_ids": []},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "merge_too_few"
    assert resp.json()["message"] == "请再选择至少一条线索合并到这条线索中。"


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_api_authorization_matrix(world, api, token_for, who):
    survivor, [other] = dupes(world)
    token = None if who == "anonymous" else token_for(getattr(world, who))
    expected = {"anonymous": 401, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    resp = api(
        "post", "/leads/merge", token, {"survivor_id": survivor.pk, "merged_ids": [other.pk]}
    )
    assert resp.status_code == expected
    assert Lead.objects.filter(pk=other.pk).exists()
