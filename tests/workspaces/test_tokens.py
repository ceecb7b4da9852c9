"""Personal API tokens: shown once, stored as SHA-256, scoped to one workspace, revocable, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.utils import timezone

from tradewind.core.errors import ServiceError
from tradewind.workspaces import services
from tradewind.workspaces.models import ApiToken, AuditEvent


def test_create_returns_the_secret_once_and_stores_only_its_hash(world):
    token, raw = services.token_create(actor=world.actor(world.rep), name="  laptop  ")
    assert raw.startswith(f"tw_{token.prefix}_")
    secret = raw[len(f"tw_{token.prefix}_") :]
    assert len(secret) >= 40
    row = ApiToken.objects.get(pk=token.pk)
    assert row.name == "laptop"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # the secret (or the whole raw token) appears nowhere in the stored row or its audit event
    stored = " ".join(str(v) for v in model_to_dict(row).values())
    stored += " ".join(str(v) for v in ApiToken.objects.filter(pk=token.pk).values_list()[0])
    assert secret not in stored and raw not in stored
    events = " ".join(
        str(e)
        for e in AuditEvent.objects.filter(target_id=token.pk).values_list("changes", flat=True)
    )
    assert secret not in events
    assert (row.workspace_id, row.user_id, row.revoked_at, row.last_used_at) == (
        world.ws.pk,
        world.rep.user_id,
        None,
        None,
    )


def test_two_tokens_have_different_secrets_and_prefixes(world):
    a = services.token_create(actor=world.actor(world.rep), name="a")
    b = services.token_create(actor=world.actor(world.rep), name="b")
    assert a[1] != b[1] and a[0].prefix != b[0].prefix


def test_create_needs_a_name(world):
    with pytest.raises(ServiceError) as exc:
        services.token_create(actor=world.actor(world.rep), name="  ")
    assert exc.value.code == "invalid"
    assert not ApiToken.objects.exists()


def test_a_read_only_members_token_reads_but_does_not_write(world, token_for, api):
    raw = token_for(world.readonly)
    assert api("get", "/leads", token=raw).status_code == 200
    response = api("post", "/leads", token=raw, json={"company_name": "Sneaky"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_authenticate_finds_the_token(world, token_for, api):
    raw = token_for(world.rep)
    token = services.token_authenticate(raw)
    assert token is not None and token.user_id == world.rep.user_id
    me = api("get", "/me", token=raw)
    assert me.status_code == 200
    body = me.json()
    assert (body["email"], body["role"], body["data_scope"]) == ("rep@a.test", "sales", "own")
    assert body["workspace"]["id"] == world.ws.pk


def _tamper(raw: str) -> list[str]:
    prefix, secret = raw[3:].split("_", 1)
    flipped = ("A" if secret[0] != "A" else "B") + secret[1:]
    return [
        f"tw_{prefix}_{flipped}",  # wrong secret, right prefix
        f"tw_{prefix}_",  # empty secret
        f"tw_0000000000_{secret}",  # right secret, unknown prefix
        f"xx_{prefix}_{secret}",  # wrong scheme
        secret,  # bare secret
        "",
    ]


def test_a_wrong_secret_answers_401(world, token_for, api):
    raw = token_for(world.rep)
    for bad in _tamper(raw):
        assert services.token_authenticate(bad) is None, bad
        response = api("get", "/me", token=bad) if bad else api("get", "/me")
        assert response.status_code == 401, bad
        assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_answers_401(world, api):
    token, raw = services.token_create(actor=world.actor(world.rep), name="x")
    services.token_revoke(actor=world.actor(world.rep), token=token)
    assert api("get", "/me", token=raw).status_code == 401


def test_an_expired_token_answers_401(world, api):
    expires = timezone.now() + dt.timedelta(days=1)
    _token, raw = services.token_create(actor=world.actor(world.rep), name="x", expires_at=expires)
    assert api("get", "/me", token=raw).status_code == 200
    with time_machine.travel(expires + dt.timedelta(seconds=1)):
        assert api("get", "/me", token=raw).status_code == 401


def test_a_token_of_workspace_b_never_sees_workspace_a(world, token_for, api):
    raw = token_for(world.owner2)
    listing = api("get", "/leads", token=raw)
    assert listing.status_code == 200
    assert [item["company_name"] for item in listing.json()["items"]] == ["BETA-SECRET Inc"]
    for lead in (world.lead, world.other_lead, world.pool_lead):
        assert api("get", f"/leads/{lead.pk}", token=raw).status_code == 404
        assert api("patch", f"/leads/{lead.pk}", token=raw, json={"need": "x"}).status_code == 404
    assert world.ws.name not in api("get", "/members", token=raw).content.decode()
    lead_ids = {t["id"] for t in api("get", "/teams", token=raw).json()}
    assert world.sales.pk not in lead_ids and world.east.pk not in lead_ids


def test_a_token_acts_with_its_members_scope(world, token_for, api):
    raw = token_for(world.rep)
    names = {item["company_name"] for item in api("get", "/leads", token=raw).json()["items"]}
    assert names == {"ALPHA-EAST-SECRET GmbH", "ALPHA-POOL Co"}
    assert api("get", f"/leads/{world.other_lead.pk}", token=raw).status_code == 404


def test_last_used_at_is_updated_at_most_once_a_minute(world, api):
    token, raw = services.token_create(actor=world.actor(world.rep), name="x")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api("get", "/me", token=raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api("get", "/me", token=raw)
    token.refresh_from_db()
    assert token.last_used_at == start  # within the resolution: no write per request
    later = start + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        api("get", "/me", token=raw)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_failed_authentication_does_not_touch_last_used_at(world, api):
    token, raw = services.token_create(actor=world.actor(world.rep), name="x")
    api("get", "/me", token=_tamper(raw)[0])
    token.refresh_from_db()
    assert token.last_used_at is None


def test_revoke_through_the_settings_page(world, client_for, api):
    token, raw = services.token_create(actor=world.actor(world.rep), name="phone")
    client = client_for(world.rep)
    page = client.get("/settings/tokens/")
    assert page.status_code == 200
    assert token.prefix.encode() in page.content and raw.encode() not in page.content
    response = client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api("get", "/me", token=raw).status_code == 401
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target_id, event.actor_user_id) == (
        "revoked",
        token.pk,
        world.rep.user_id,
    )


def test_the_settings_page_shows_a_new_secret_once(world, client_for, api):
    client = client_for(world.rep)
    response = client.post("/settings/tokens/", {"name": "script", "expires_at": ""})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.rep.user, name="script")
    raw = response.context["secret"]
    assert raw.startswith(f"tw_{token.prefix}_") and raw.encode() in response.content
    assert api("get", "/me", token=raw).status_code == 200
    assert raw.encode() not in client.get("/settings/tokens/").content


def test_nobody_else_revokes_my_token_through_the_page(world, client_for, api):
    token, raw = services.token_create(actor=world.actor(world.rep), name="mine")
    assert client_for(world.rep2).post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(world.owner2).post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api("get", "/me", token=raw).status_code == 200


def test_an_owner_may_revoke_a_members_token_through_the_service(world):
    token, _raw = services.token_create(actor=world.actor(world.rep), name="mine")
    with pytest.raises(ServiceError):
        services.token_revoke(actor=world.actor(world.rep2), token=token)
    services.token_revoke(actor=world.actor(world.owner), token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
