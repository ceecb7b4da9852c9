"""Erasure of a person: a lead's or a contact's personal data, its search and dedupe keys and the
personal values in its history are gone; the audit trail keeps a redacted entry; owners only."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, transaction

from tradewind.core.errors import NotFound, PermissionDenied
from tradewind.customers.dedupe import find_contact_matches
from tradewind.customers.models import Contact
from tradewind.customers.services import contact_create, customer_create
from tradewind.leads.capture import clean_lead
from tradewind.leads.dedupe import find_duplicates
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_update
from tradewind.workspaces.erasure import ERASED, erase_person
from tradewind.workspaces.models import AuditEvent

PERSON = {
    "company_name": "Quxiang Chemicals 曲香化工",
    "contact_name": "Zhang Weiming 张伟明",
    "email": "zhang.weiming@quxiang.test",
    "phone": "+86 138 0013 8000",
    "whatsapp": "+8613800138000",
    "wechat": "zwm_quxiang",
    "website": "https://www.quxiang.test",
    "need": "Zhang asked for 20 t of resin",
}
SEARCHES = ["Zhang Weiming", "张伟明", "伟明", "zhang.weiming", "Quxiang", "曲香"]


def _lead(world):
    lead = lead_create(actor=world.actor(world.rep), allow_duplicates=True, **PERSON)
    lead = Lead.objects.get(pk=lead.pk)
    lead_update(actor=world.actor(world.rep), lead=lead, contact_title="Buyer Zhang")
    return Lead.objects.get(pk=lead.pk)


def _found(api, token, q):
    resp = api("get", f"/leads?q={q}", token=token)
    assert resp.status_code == 200
    return [item["id"] for item in resp.json()["items"]]


def _dedupe_ids(world):
    keys = clean_lead(workspace=world.ws, data=dict(PERSON))
    return [m.lead_id for m in find_duplicates(workspace=world.ws, keys=keys)]


def test_erased_lead_is_blank_unsearchable_and_no_duplicate(world, api, token_for):
    lead = _lead(world)
    token = token_for(world.owner)
    searches = [*SEARCHES, lead.phone[-9:]]
    for q in searches:
        assert lead.pk in _found(api, token, q), q
    assert lead.pk in _dedupe_ids(world)

    erase_person(actor=world.actor(world.owner), kind="lead", record_id=lead.pk)

    lead.refresh_from_db()
    assert lead.company_name == ERASED and lead.contact_name == ERASED
    for field in ("email", "phone", "whatsapp", "wechat", "website", "need", "contact_title"):
        assert getattr(lead, field) == "", field
    for key in ("phone_e164", "email_domain", "web_domain", "company_key", "company_pinyin"):
        assert getattr(lead, key) == "", key
    assert lead.search_pairs == ""
    assert lead.status and lead.code  # the business facts stay
    for q in searches:
        assert lead.pk not in _found(api, token, q), q
    assert lead.pk not in _dedupe_ids(world)
    assert lead.pk in _found(api, token, lead.code)  # still listed by its code


def test_history_is_redacted_and_erasure_is_audited(world):
    lead = _lead(world)
    erase_person(actor=world.actor(world.owner), kind="lead", record_id=lead.pk)
    rows = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).order_by("id")
    text = json.dumps([[r.changes, r.target_repr] for r in rows], ensure_ascii=False)
    for value in ("Zhang", "张伟明", "quxiang", "Quxiang", "13800138000", "zwm_quxiang"):
        assert value not in text, value
    create = rows.filter(verb="create").get()
    assert create.changes["contact_name"] == [None, ERASED] and create.changes["_redacted"] is True
    assert create.actor_user_id == world.rep.user_id  # who and when stay as recorded
    erased = rows.get(action="person_erased")
    assert erased.actor_user_id == world.owner.user_id
    assert erased.changes["erased"] == [None, "lead"] and erased.target_id == lead.pk
    assert "_redacted" not in erased.changes


def test_trigger_still_refuses_ordinary_updates(world):
    lead = _lead(world)
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).first()
    attempts = [
        {"verb": "delete"},
        {"changes": {"x": [1, 2]}},  # no redaction flag
        {"changes": {"_redacted": True}, "actor_label": "someone else"},  # flag, but who changes
        {"changes": {"_redacted": True}, "target_id": 999},
    ]
    for values in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(**values)
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert fresh.changes == event.changes and fresh.verb == event.verb
    # The one exception: the flagged redaction of changes and target_repr.
    AuditEvent.objects.filter(pk=event.pk).update(
        changes={"_redacted": True}, target_repr="[erased]"
    )
    assert AuditEvent.objects.get(pk=event.pk).target_repr == "[erased]"


def test_erased_contact_leaves_search_dedupe_and_customer_history(world, api, token_for):
    actor = world.actor(world.rep)
    customer = customer_create(actor=actor, allow_duplicates=True, name="Harbor Light GmbH")
    contact = contact_create(
        actor=actor,
        customer=customer,
        name="Ingrid Vollmer",
        email="ingrid.vollmer@harbor.test",
        phone="+49 30 1234 5678",
        linkedin="linkedin.com/in/ivollmer",
        notes="Prefers calls",
    )
    token = token_for(world.owner)
    keys = {"email": "ingrid.vollmer@harbor.test", "phone_e164": "+493012345678"}
    assert find_contact_matches(workspace=world.ws, keys=keys)
    for q in ("Vollmer", "ingrid.vollmer"):
        ids = [c["id"] for c in api("get", f"/customers?q={q}", token=token).json()["items"]]
        assert customer.pk in ids

    erase_person(actor=world.actor(world.owner), kind="contact", record_id=contact.pk)

    contact = Contact.objects.get(pk=contact.pk)
    assert contact.name == ERASED and contact.email == contact.phone == contact.phone_e164 == ""
    assert contact.linkedin == contact.notes == ""
    assert not find_contact_matches(workspace=world.ws, keys=keys)
    for q in ("Vollmer", "ingrid.vollmer", "1234 5678"):
        ids = [c["id"] for c in api("get", f"/customers?q={q}", token=token).json()["items"]]
        assert customer.pk not in ids, q
    history = AuditEvent.objects.filter(workspace=world.ws).exclude(action="person_erased")
    text = json.dumps([[r.changes, r.target_repr] for r in history], ensure_ascii=False)
    assert "Vollmer" not in text and "ivollmer" not in text
    assert "Harbor Light GmbH" in text  # the company is not a person: kept


def test_service_refuses_without_permission_and_outside_workspace(world):
    lead = _lead(world)
    for member in (world.manager, world.rep, world.readonly):
        with pytest.raises(PermissionDenied):
            erase_person(actor=world.actor(member), kind="lead", record_id=lead.pk)
    with pytest.raises(NotFound):
        erase_person(actor=world.actor(world.owner2), kind="lead", record_id=lead.pk)
    with pytest.raises(NotFound):
        erase_person(actor=world.actor(world.owner), kind="lead", record_id=world.lead2.pk)
    lead.refresh_from_db()
    assert lead.contact_name == PERSON["contact_name"]
    assert Lead.objects.get(pk=world.lead2.pk).company_name == "BETA-SECRET Inc"


def test_api_authorization(world, api, token_for):
    lead = _lead(world)
    body = {"kind": "lead", "id": lead.pk}
    assert api("post", "/workspace/erasures", json=body).status_code == 401
    for member in (world.manager, world.rep, world.readonly):
        assert (
            api("post", "/workspace/erasures", token=token_for(member), json=body).status_code
            == 403
        )
    resp = api("post", "/workspace/erasures", token=token_for(world.owner2), json=body)
    assert resp.status_code == 404
    resp = api("post", "/workspace/erasures", token=token_for(world.owner), json={"id": 0})
    assert resp.status_code == 404
    lead.refresh_from_db()
    assert lead.contact_name == PERSON["contact_name"]
    assert not AuditEvent.objects.filter(action="person_erased").exists()

    resp = api("post", "/workspace/erasures", token=token_for(world.owner), json=body)
    assert resp.status_code == 200 and resp.json() == {
        "kind": "lead",
        "id": lead.pk,
        "erased": True,
    }
    lead.refresh_from_db()
    assert lead.contact_name == ERASED


def test_page_previews_confirms_and_refuses(world, client_for):
    lead = _lead(world)
    url = "/settings/data/"
    assert client_for(world.manager).get(url).status_code == 403
    resp = client_for(world.manager).post(
        url, {"kind": "lead", "record_id": lead.pk, "confirm": "on"}
    )
    assert resp.status_code == 403
    owner = client_for(world.owner)
    preview = owner.get(url, {"kind": "lead", "record_id": lead.pk})
    assert b'data-testid="erasure-preview"' in preview.content
    foreign = owner.get(url, {"kind": "lead", "record_id": world.lead2.pk})
    assert b"BETA-SECRET" not in foreign.content and b"erasure-preview" not in foreign.content
    unconfirmed = owner.post(url, {"kind": "lead", "record_id": lead.pk})
    assert unconfirmed.status_code == 200
    lead.refresh_from_db()
    assert lead.contact_name == PERSON["contact_name"]
    done = owner.post(url, {"kind": "lead", "record_id": lead.pk, "confirm": "on"})
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.contact_name == ERASED
    assert Lead.objects.get(pk=world.lead2.pk).company_name == "BETA-SECRET Inc"
