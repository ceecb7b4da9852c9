"""The lead status machine: the table, every legal and illegal move, reasons, reopen, versions, and
the same rules through the pages and the API (permission matrix, translated errors)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.utils import translation

from tradewind.core.errors import ServiceError
from tradewind.leads.choices import LeadStatus
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.status import TRANSITIONS, allowed_moves, invalid_reasons, lead_transition
from tradewind.workspaces.events import subscribe, unsubscribe
from tradewind.workspaces.models import AuditEvent

S = LeadStatus
LEGAL = {
    (S.NEW, S.CONTACTING),
    (S.NEW, S.INVALID),
    (S.CONTACTING, S.QUALIFIED),
    (S.CONTACTING, S.DORMANT),
    (S.CONTACTING, S.INVALID),
    (S.QUALIFIED, S.INVALID),
    (S.DORMANT, S.CONTACTING),
    (S.DORMANT, S.INVALID),
    (S.TO_REACTIVATE, S.CONTACTING),
    (S.TO_REACTIVATE, S.INVALID),
    (S.INVALID, S.NEW),
}
# Taken only by the daily reactivation job (leads/reactivation.py), refused by hand.
AUTOMATIC = {(S.DORMANT, S.TO_REACTIVATE)}
ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL)


def put(lead: Lead, status: str, **fields) -> Lead:
    """Place a lead in a status without the machine (test setup only)."""
    Lead.objects.filter(pk=lead.pk).update(status=status, **fields)
    return Lead.objects.get(pk=lead.pk)


def audit_count(lead: Lead) -> int:
    return AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).count()


def extra(to: str) -> dict:
    return {"reason": "no_budget"} if to == S.INVALID else {}


# --- the table --------------------------------------------------------------------------------


def test_table_is_exactly_the_agreed_moves():
    hand = {
        (f, m.to)
        for f, moves in TRANSITIONS.items()
        for m in moves
        if not m.by_conversion and not m.automatic
    }
    automatic = {(f, m.to) for f, moves in TRANSITIONS.items() for m in moves if m.automatic}
    assert automatic == AUTOMATIC
    conversion = {(f, m.to) for f, moves in TRANSITIONS.items() for m in moves if m.by_conversion}
    assert hand == LEGAL
    assert conversion == {(S.QUALIFIED, S.CONVERTED)}
    assert set(TRANSITIONS) == set(S) and TRANSITIONS[S.CONVERTED] == ()


# --- the service ------------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), sorted(LEGAL))
def test_every_legal_move_works_and_writes_one_audit_row(world, from_status, to_status):
    lead = put(world.lead, from_status)
    before = audit_count(lead)
    moved = lead_transition(
        actor=world.actor(world.manager),
        lead=lead,
        to_status=to_status,
        version=lead.version,
        **extra(to_status),
    )
    fresh = Lead.objects.get(pk=lead.pk)
    assert moved.status == fresh.status == to_status
    assert fresh.version == lead.version + 1 and fresh.status_changed_at is not None
    assert audit_count(lead) == before + 1
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.verb == "transition" and event.actor_user_id == world.manager.user_id
    assert event.changes["status"] == [from_status, to_status]


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_move_is_refused_and_changes_nothing(world, from_status, to_status):
    lead = put(world.lead, from_status)
    before = (lead.status, lead.version, audit_count(lead))
    with pytest.raises(ServiceError) as exc, translation.override("en"):
        lead_transition(
            actor=world.actor(world.owner), lead=lead, to_status=to_status, **extra(to_status)
        )
    if (from_status, to_status) == (S.QUALIFIED, S.CONVERTED):
        assert exc.value.code == "use_conversion"
        assert "conversion" in str(exc.value.message)
    else:
        assert exc.value.code == "illegal_transition"
        with translation.override("en"):
            assert f"“{from_status.label}” to “{to_status.label}”" in str(exc.value.message)
    assert exc.value.status == 409
    fresh = Lead.objects.get(pk=lead.pk)
    assert (fresh.status, fresh.version, audit_count(lead)) == before


def test_unknown_status_is_refused(world):
    for bad in ("", "bogus"):
        with pytest.raises(ServiceError) as exc:
            lead_transition(actor=world.actor(world.rep), lead=world.lead, to_status=bad)
        assert exc.value.code == "unknown_status" and exc.value.status == 422
    assert Lead.objects.get(pk=world.lead.pk).version == world.lead.version


def test_invalid_needs_a_reason_from_the_policy(world):
    actor = world.actor(world.rep)
    for reason, code in (
        ("", "reason_required"),
        ("  ", "reason_required"),
        ("bogus", "unknown_reason"),
    ):
        with pytest.raises(ServiceError) as exc:
            lead_transition(actor=actor, lead=world.lead, to_status=S.INVALID, reason=reason)
        assert exc.value.code == code and "reason" in exc.value.fields
    assert Lead.objects.get(pk=world.lead.pk).status == S.NEW
    lead = lead_transition(
        actor=actor, lead=world.lead, to_status=S.INVALID, reason="spam", note=" bot form "
    )
    assert (lead.status, lead.invalid_reason, lead.status_note) == (S.INVALID, "spam", "bot form")
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.changes == {
        "status": ["new", "invalid"],
        "invalid_reason": ["", "spam"],
        "status_note": ["", "bot form"],
    }


def test_a_custom_reason_list_replaces_the_defaults(world):
    policy = LeadPolicy.for_workspace(world.ws)
    policy.invalid_reasons = ["price_war", "no_need"]
    policy.save()
    with pytest.raises(ServiceError) as exc:
        lead_transition(
            actor=world.actor(world.rep), lead=world.lead, to_status=S.INVALID, reason="spam"
        )
    assert exc.value.code == "unknown_reason"
    lead = lead_transition(
        actor=world.actor(world.rep), lead=world.lead, to_status=S.INVALID, reason="price_war"
    )
    assert lead.invalid_reason == "price_war"
    with translation.override("zh-hans"):
        assert invalid_reasons(world.ws) == [("price_war", "price_war"), ("no_need", "无需求")]
    # the other workspace keeps the defaults
    assert [code for code, _label in invalid_reasons(world.ws2)][:2] == ["no_need", "no_budget"]


def test_reopen_is_for_managers_and_owners_only(world):
    lead = put(world.lead, S.INVALID, invalid_reason="no_need")
    with pytest.raises(ServiceError) as exc:
        lead_transition(actor=world.actor(world.rep), lead=lead, to_status=S.NEW)
    assert exc.value.code == "permission_denied" and exc.value.status == 403
    assert Lead.objects.get(pk=lead.pk).status == S.INVALID
    assert allowed_moves(lead, world.rep) == []
    assert [m.to for m in allowed_moves(lead, world.manager)] == [S.NEW]
    reopened = lead_transition(actor=world.actor(world.manager), lead=lead, to_status=S.NEW)
    assert reopened.status == S.NEW and reopened.invalid_reason == ""
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.changes["invalid_reason"] == ["no_need", ""]
    lead = put(world.other_lead, S.INVALID, invalid_reason="spam")
    assert (
        lead_transition(actor=world.actor(world.owner), lead=lead, to_status=S.NEW).status == "new"
    )


def test_read_only_may_not_move(world):
    with pytest.raises(ServiceError) as exc:
        lead_transition(actor=world.actor(world.readonly), lead=world.lead, to_status=S.CONTACTING)
    assert exc.value.code == "permission_denied"
    assert allowed_moves(world.lead, world.readonly) == []


def test_allowed_moves_follow_the_table_without_conversion(world):
    lead = put(world.lead, S.QUALIFIED)
    assert [m.to for m in allowed_moves(lead, world.rep)] == [S.INVALID]
    lead = put(world.lead, S.CONTACTING)
    assert [m.to for m in allowed_moves(lead, world.rep)] == [S.QUALIFIED, S.DORMANT, S.INVALID]
    assert allowed_moves(put(world.lead, S.CONVERTED), world.owner) == []


def test_stale_version_is_409_and_changes_nothing(world):
    lead_transition(
        actor=world.actor(world.rep), lead=world.lead, to_status=S.CONTACTING, version=1
    )
    with pytest.raises(ServiceError) as exc:
        lead_transition(
            actor=world.actor(world.manager), lead=world.lead, to_status=S.DORMANT, version=1
        )
    assert exc.value.code == "stale_version" and exc.value.status == 409
    fresh = Lead.objects.get(pk=world.lead.pk)
    assert (fresh.status, fresh.version) == (S.CONTACTING, 2)


def test_first_contact_is_stamped_once(world):
    actor = world.actor(world.rep)
    lead = lead_transition(actor=actor, lead=world.lead, to_status=S.CONTACTING)
    first = lead.first_contacted_at
    assert first is not None and lead.status_changed_at == first
    lead = lead_transition(actor=actor, lead=lead, to_status=S.DORMANT)
    lead = lead_transition(actor=actor, lead=lead, to_status=S.CONTACTING)
    assert lead.first_contacted_at == first and lead.status_changed_at > first


def test_the_lead_of_another_workspace_cannot_be_moved(world):
    with pytest.raises(Lead.DoesNotExist):
        lead_transition(actor=world.actor(world.owner), lead=world.lead2, to_status=S.CONTACTING)
    assert Lead.objects.get(pk=world.lead2.pk).status == S.NEW


def test_status_changed_is_emitted_after_commit(world, django_capture_on_commit_callbacks):
    seen = []

    def handler(name, payload):
        seen.append((name, payload))

    subscribe("lead.status_changed", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lead_transition(actor=world.actor(world.rep), lead=world.lead, to_status=S.CONTACTING)
            assert seen == []
    finally:
        unsubscribe("lead.status_changed", handler)
    assert seen == [
        (
            "lead.status_changed",
            {
                "workspace_id": world.ws.pk,
                "lead_id": world.lead.pk,
                "from_status": "new",
                "to_status": "contacting",
                "invalid_reason": "",
            },
        )
    ]


# --- pages ------------------------------------------------------------------------------------


def test_page_permission_matrix(world, client_for):
    url = f"/leads/{world.lead.pk}/status/"
    data = {"to_status": "contacting", "version": "1"}
    resp = Client().post(url, data)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert client_for(world.owner2).post(url, data).status_code == 404
    assert client_for(world.other_rep).post(url, data).status_code == 404
    assert client_for(world.readonly).post(url, data).status_code == 403
    assert client_for(world.rep).get(url).status_code == 405
    fresh = Lead.objects.get(pk=world.lead.pk)
    assert (fresh.status, fresh.version, audit_count(fresh)) == (S.NEW, 1, 1)
    resp = client_for(world.rep).post(url, data)
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.lead.pk}/"
    assert Lead.objects.get(pk=world.lead.pk).status == S.CONTACTING


def test_page_reopen_by_a_rep_is_403(world, client_for):
    lead = put(world.lead, S.INVALID, invalid_reason="spam")
    resp = client_for(world.rep).post(f"/leads/{lead.pk}/status/", {"to_status": "new"})
    assert resp.status_code == 403
    assert Lead.objects.get(pk=lead.pk).status == S.INVALID
    resp = client_for(world.manager).post(f"/leads/{lead.pk}/status/", {"to_status": "new"})
    assert resp.status_code == 302 and Lead.objects.get(pk=lead.pk).status == S.NEW


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A lead cannot move from “New” to “Converted”."),
        ("zh-hans", "线索不能从“新建”改为“已转化”。"),
    ],
)
def test_page_bad_move_shows_translated_message_in_the_users_language(
    world, client_for, language, expected
):
    world.rep.user.language = language
    world.rep.user.save(update_fields=["language"])
    other = "zh-hans" if language == "en" else "en"  # the saved language wins over the header
    resp = client_for(world.rep).post(
        f"/leads/{world.lead.pk}/status/",
        {"to_status": "converted"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE=other,
    )
    assert resp.status_code == 200
    assert expected in resp.content.decode()
    fresh = Lead.objects.get(pk=world.lead.pk)
    assert (fresh.status, fresh.version) == (S.NEW, 1)


def test_page_mark_invalid_with_reason_and_without(world, client_for):
    client = client_for(world.rep)
    url = f"/leads/{world.lead.pk}/status/"
    resp = client.post(url, {"to_status": "invalid", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 302 and Lead.objects.get(pk=world.lead.pk).status == S.NEW
    resp = client.post(url, {"to_status": "invalid", "reason": "no_need", "note": "not a buyer"})
    lead = Lead.objects.get(pk=world.lead.pk)
    assert (lead.status, lead.invalid_reason, lead.status_note) == (
        S.INVALID,
        "no_need",
        "not a buyer",
    )


def test_page_stale_version_is_a_message(world, client_for):
    url = f"/leads/{world.lead.pk}/status/"
    client_for(world.rep).post(url, {"to_status": "contacting", "version": "1"})
    world.manager.user.language = "en"
    world.manager.user.save(update_fields=["language"])
    resp = client_for(world.manager).post(
        url, {"to_status": "dormant", "version": "1"}, follow=True
    )
    assert "Someone else changed this lead" in resp.content.decode()
    assert Lead.objects.get(pk=world.lead.pk).status == S.CONTACTING


def test_page_htmx_answers_with_the_detail_page(world, client_for):
    resp = client_for(world.rep).post(
        f"/leads/{world.lead.pk}/status/", {"to_status": "contacting"}, HTTP_HX_REQUEST="true"
    )
    assert resp.status_code == 200 and resp["HX-Push-Url"] == f"/leads/{world.lead.pk}/"
    assert b'data-testid="history"' in resp.content
    assert b'data-testid="status-qualified"' in resp.content


def test_detail_shows_the_allowed_buttons(world, client_for):
    world.rep.user.language = "en"
    world.rep.user.save(update_fields=["language"])
    html = client_for(world.rep).get(f"/leads/{world.lead.pk}/").content.decode()
    assert 'data-testid="status-contacting"' in html and 'data-testid="status-invalid"' in html
    assert 'data-testid="status-qualified"' not in html
    assert (
        'id="status-invalid-modal"' in html
        and '<option value="no_budget">No budget</option>' in html
    )
    html = client_for(world.readonly).get(f"/leads/{world.lead.pk}/").content.decode()
    assert 'data-testid="status-' not in html and "status-invalid-modal" not in html


def test_detail_shows_the_invalid_reason_and_reopen_for_managers(world, client_for):
    put(world.lead, S.INVALID, invalid_reason="no_budget")
    world.manager.user.language = "zh-hans"
    world.manager.user.save(update_fields=["language"])
    html = client_for(world.manager).get(f"/leads/{world.lead.pk}/").content.decode()
    assert 'data-testid="status-new"' in html and "无预算" in html
    html = client_for(world.rep).get(f"/leads/{world.lead.pk}/").content.decode()
    assert 'data-testid="status-new"' not in html


# --- API --------------------------------------------------------------------------------------


def test_api_permission_matrix(world, api, token_for):
    path = f"/leads/{world.lead.pk}/transition"
    body = {"to_status": "contacting", "version": 1}
    assert api("post", path, None, body).status_code == 401
    for member, status in ((world.owner2, 404), (world.other_rep, 404), (world.readonly, 403)):
        resp = api("post", path, token_for(member), body)
        assert resp.status_code == status, member
    fresh = Lead.objects.get(pk=world.lead.pk)
    assert (fresh.status, fresh.version, audit_count(fresh)) == (S.NEW, 1, 1)
    resp = api("post", path, token_for(world.rep), body)
    assert resp.status_code == 200, resp.content
    out = resp.json()
    assert out["status"] == "contacting" and out["version"] == 2 and out["id"] == world.lead.pk
    event = AuditEvent.objects.filter(target_type="lead", target_id=world.lead.pk).latest("id")
    assert event.verb == "transition" and event.actor_kind == "token"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A lead cannot move from “New” to “Dormant”."),
        ("zh-hans", "线索不能从“新建”改为“待激活”。"),
    ],
)
def test_api_illegal_move_is_coded_and_translated(world, api, token_for, language, expected):
    resp = api(
        "post",
        f"/leads/{world.lead.pk}/transition",
        token_for(world.rep),
        {"to_status": "dormant"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert resp.status_code == 409
    assert resp.json() == {"code": "illegal_transition", "message": expected, "fields": {}}
    assert Lead.objects.get(pk=world.lead.pk).version == 1


def test_api_conversion_invalid_reason_and_versions(world, api, token_for):
    token = token_for(world.rep)
    path = f"/leads/{world.lead.pk}/transition"
    put(world.lead, S.QUALIFIED)
    resp = api("post", path, token, {"to_status": "converted"})
    assert resp.status_code == 409 and resp.json()["code"] == "use_conversion"
    resp = api("post", path, token, {"to_status": "invalid"})
    assert resp.status_code == 422 and resp.json()["code"] == "reason_required"
    assert "reason" in resp.json()["fields"]
    resp = api("post", path, token, {})
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_status"
    resp = api("post", path, token, {"to_status": "nonsense"})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    resp = api("post", path, token, {"to_status": "invalid", "reason": "spam", "version": 99})
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"
    resp = api(
        "post", path, token, {"to_status": "invalid", "reason": "spam", "note": "bot", "version": 1}
    )
    assert resp.status_code == 200
    out = resp.json()
    assert (out["status"], out["invalid_reason"], out["status_note"]) == ("invalid", "spam", "bot")
    resp = api("post", path, token, {"to_status": "new"})
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    resp = api("post", path, token_for(world.manager), {"to_status": "new", "version": 2})
    assert resp.status_code == 200 and resp.json()["status"] == "new"


def test_api_schema_documents_the_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/leads/{lead_id}/transition"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(op["responses"])
