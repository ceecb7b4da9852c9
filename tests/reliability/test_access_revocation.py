"""Issue #10 item 1, revocation: the next request after losing access is refused, for the browser
session and the API token alike, and a refused write changes nothing.

tests/workspaces/test_members.py covers deactivation through the service and the members page;
tests/workspaces/test_tokens.py a revoked or expired token. Here: every way of losing access —
the membership deactivated, the person deactivated everywhere, the membership removed outright,
the token revoked — against both kinds of credential, on a read and on a write."""

from __future__ import annotations

import pytest

from tradewind.leads.models import Lead
from tradewind.workspaces import services
from tradewind.workspaces.models import Membership, User

from .access_probe import call


def _deactivate(world) -> None:
    services.member_deactivate(actor=world.actor(world.owner), member=world.rep)


def _user_inactive(world) -> None:
    User.objects.filter(pk=world.rep.user_id).update(is_active=False)


def _removed(world) -> None:
    Membership.objects.filter(pk=world.rep.pk).delete()


@pytest.mark.parametrize("lose", [_deactivate, _user_inactive, _removed], ids=lambda f: f.__name__)
def test_losing_access_refuses_the_next_page_and_api_request(world, client_for, token_for, lose):
    client, token = client_for(world.rep), token_for(world.rep)
    lead = world.lead
    assert client.get(f"/leads/{lead.pk}/").status_code == 200
    assert call("get", f"/leads/{lead.pk}", token).status_code == 200

    lose(world)

    page = client.get(f"/leads/{lead.pk}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert b"ALPHA-EAST-SECRET" not in page.content
    write = client.post(f"/leads/{lead.pk}/edit/", {"company_name": "after"})
    assert write.status_code == 302
    assert call("get", f"/leads/{lead.pk}", token).status_code == 401
    api_write = call("patch", f"/leads/{lead.pk}", token, {"company_name": "after"})
    assert api_write.status_code == 401 and api_write.json()["code"] == "unauthenticated"
    assert Lead.objects.get(pk=lead.pk).company_name == "ALPHA-EAST-SECRET GmbH"


def test_a_revoked_token_is_refused_at_once_and_the_session_lives_on(world, client_for, token_for):
    from tradewind.workspaces.models import ApiToken

    client, token = client_for(world.rep), token_for(world.rep)
    assert call("get", "/me", token).status_code == 200
    services.token_revoke(
        actor=world.actor(world.rep), token=ApiToken.objects.get(user=world.rep.user)
    )
    assert call("get", "/me", token).status_code == 401
    resp = call("patch", f"/leads/{world.lead.pk}", token, {"company_name": "after"})
    assert resp.status_code == 401
    assert Lead.objects.get(pk=world.lead.pk).company_name == "ALPHA-EAST-SECRET GmbH"
    assert client.get(f"/leads/{world.lead.pk}/").status_code == 200  # the token was revoked only


def test_a_person_in_two_workspaces_loses_only_the_one_left(world, client_for, token_for):
    """Deactivated in A, still a member of B: A's records are gone from the session at once (it
    ends, or carries on in B where they answer 404), and B's token keeps working."""
    member_b, invite = services.member_invite(actor=world.actor(world.owner2), email="rep@a.test")
    services.invitation_accept(token=invite, accepting_user=world.rep.user)
    client = client_for(world.rep)
    token_b = token_for(Membership.objects.select_related("workspace", "user").get(pk=member_b.pk))
    assert client.get(f"/leads/{world.lead.pk}/").status_code == 200
    _deactivate(world)
    page = client.get(f"/leads/{world.lead.pk}/")
    assert page.status_code in (302, 404) and b"ALPHA-EAST-SECRET" not in page.content
    assert b"ALPHA-EAST-SECRET" not in client.get("/", follow=True).content
    assert call("get", "/me", token_b).json()["workspace"]["id"] == world.ws2.pk
    assert call("get", f"/leads/{world.lead.pk}", token_b).status_code == 404
