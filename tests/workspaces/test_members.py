"""People: invite, accept, change role/scope/team, deactivate (sessions and tokens end at once), reactivate."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.workspaces.conftest import fresh_client, session_user_id
from tradewind.core.errors import Conflict, ServiceError
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb, DataScope, Role
from tradewind.workspaces.models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    User,
    UserSession,
)


def events_for(target) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_id=target.pk, target_type=target._meta.label_lower
        ).order_by("id")
    )


# --- invite and accept ------------------------------------------------------------------------------


def test_invite_creates_membership_and_a_one_time_token(world):
    member, token = services.member_invite(
        actor=world.actor(world.owner),
        email="  New.Person@Example.COM ",
        role=Role.MANAGER,
        team_id=world.east.pk,
    )
    member.refresh_from_db()
    assert member.workspace == world.ws
    assert member.user.email == "new.person@example.com"
    assert member.role == Role.MANAGER
    assert member.data_scope == DataScope.SUBTREE  # the role's default scope
    assert member.team == world.east
    assert member.is_active
    assert not member.user.has_usable_password()
    invitation = Invitation.objects.get(membership=member)
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.accepted_at is None
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=6)
    assert services.invitation_for(token) == invitation
    assert services.invitation_for(token + "x") is None

    [event] = events_for(member)
    assert event.verb == AuditVerb.CREATE
    assert event.changes == {
        "role": [None, "manager"],
        "data_scope": [None, "subtree"],
        "team": [None, world.east.pk],
    }


def test_accept_sets_the_password_once_and_audits_nothing_else(world):
    member, token = services.member_invite(
        actor=world.actor(world.owner), email="fresh@a.test", role=Role.SALES
    )
    before = AuditEvent.objects.count()
    user = services.invitation_accept(
        token=token, password="a-Long-enough-passphrase", full_name="  Fresh Hire "
    )
    assert user.check_password("a-Long-enough-passphrase")
    assert user.full_name == "Fresh Hire"
    # exactly one event, carrying no secret
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target_id, event.actor_user_id) == (
        "invitation_accepted",
        member.pk,
        user.pk,
    )
    assert event.changes == {}
    assert "a-Long-enough-passphrase" not in str(list(AuditEvent.objects.values()))
    # the token is one-time
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=token, password="another-Long-passphrase")
    assert exc.value.code == "invitation_invalid"
    user.refresh_from_db()
    assert user.check_password("a-Long-enough-passphrase")


def test_accept_refuses_a_weak_password(world):
    _member, token = services.member_invite(actor=world.actor(world.owner), email="weak@a.test")
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=token, password="123")
    assert exc.value.code == "invalid"
    assert "password" in exc.value.fields
    assert services.invitation_for(token) is not None  # still usable


def test_expired_invitation_is_refused(world):
    _member, token = services.member_invite(actor=world.actor(world.owner), email="late@a.test")
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert services.invitation_for(token) is None
        with pytest.raises(ServiceError) as exc:
            services.invitation_accept(token=token, password="a-Long-enough-passphrase")
    assert exc.value.code == "invitation_invalid"


def test_accept_keeps_the_password_of_an_existing_user(world):
    member, token = services.member_invite(
        actor=world.actor(world.owner2), email=world.rep.user.email
    )
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=token, password="attacker-chosen-password")
    assert exc.value.code == "invitation_sign_in"
    services.invitation_accept(
        token=token, password="attacker-chosen-password", accepting_user=world.rep.user
    )
    user = User.objects.get(pk=world.rep.user_id)
    assert user.check_password(PASSWORD)
    assert not user.check_password("attacker-chosen-password")
    assert member.user_id == world.rep.user_id


def test_invitation_link_for_an_existing_user_does_not_sign_the_holder_in(world):
    """An admin of workspace B invites A's rep and opens the link himself: he must not become that rep."""
    _member, token = services.member_invite(
        actor=world.actor(world.owner2), email=world.rep.user.email
    )
    stranger = fresh_client()
    stranger.post(f"/invite/{token}/", {"full_name": "", "password": ""})
    assert session_user_id(stranger) != str(world.rep.user_id)


def test_invite_of_an_existing_member_is_a_coded_conflict(world):
    before = (Membership.objects.count(), Invitation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict) as exc:
        services.member_invite(actor=world.actor(world.owner), email="REP@a.test")
    assert exc.value.code == "already_member"
    assert exc.value.status == 409
    assert (
        Membership.objects.count(),
        Invitation.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_invite_of_a_person_from_another_workspace_reuses_the_user(world):
    member, _token = services.member_invite(actor=world.actor(world.owner), email="boss@b.test")
    assert member.user_id == world.owner2.user_id
    assert User.objects.filter(email="boss@b.test").count() == 1


@pytest.mark.parametrize("who", ["manager", "rep", "readonly"])
def test_only_owners_invite(world, who):
    with pytest.raises(ServiceError) as exc:
        services.member_invite(actor=world.actor(getattr(world, who)), email="nope@a.test")
    assert exc.value.code == "permission_denied"
    assert not User.objects.filter(email="nope@a.test").exists()


# --- role, scope, team ------------------------------------------------------------------------------


def test_change_role_scope_and_team_is_audited_with_old_and_new(world):
    member = services.member_update(
        actor=world.actor(world.owner),
        member=world.rep,
        role=Role.MANAGER,
        data_scope=DataScope.SUBTREE,
        team_id=world.west.pk,
    )
    member.refresh_from_db()
    assert (member.role, member.data_scope, member.team_id) == (
        Role.MANAGER,
        DataScope.SUBTREE,
        world.west.pk,
    )
    event = events_for(member)[-1]
    assert event.verb == AuditVerb.UPDATE
    assert event.actor_user_id == world.owner.user_id
    assert event.changes == {
        "role": ["sales", "manager"],
        "data_scope": ["own", "subtree"],
        "team": [world.east.pk, world.west.pk],
    }


def test_an_update_that_changes_nothing_writes_no_event(world):
    before = AuditEvent.objects.count()
    services.member_update(
        actor=world.actor(world.owner),
        member=world.rep,
        role=Role.SALES,
        data_scope=DataScope.OWN,
        team_id=world.east.pk,
    )
    assert AuditEvent.objects.count() == before


def test_member_update_refuses_a_team_of_another_workspace(world):
    root2 = world.owner2.team
    with pytest.raises(ServiceError) as exc:
        services.member_update(
            actor=world.actor(world.owner),
            member=world.rep,
            role=Role.SALES,
            data_scope=DataScope.OWN,
            team_id=root2.pk,
        )
    assert exc.value.code == "not_found"


def test_the_last_owner_cannot_be_demoted(world):
    with pytest.raises(ServiceError) as exc:
        services.member_update(
            actor=world.actor(world.owner),
            member=world.owner,
            role=Role.MANAGER,
            data_scope=DataScope.WORKSPACE,
            team_id=None,
        )
    assert exc.value.code == "last_owner"
    world.owner.refresh_from_db()
    assert world.owner.role == Role.OWNER


def test_an_owner_can_be_demoted_when_another_owner_remains(world):
    act = world.actor(world.owner)
    services.member_update(
        actor=act,
        member=world.manager,
        role=Role.OWNER,
        data_scope=DataScope.WORKSPACE,
        team_id=None,
    )
    services.member_update(
        actor=act,
        member=world.owner,
        role=Role.MANAGER,
        data_scope=DataScope.SUBTREE,
        team_id=world.sales.pk,
    )
    world.owner.refresh_from_db()
    assert world.owner.role == Role.MANAGER


def test_an_inactive_second_owner_does_not_count(world):
    act = world.actor(world.owner)
    services.member_update(
        actor=act,
        member=world.manager,
        role=Role.OWNER,
        data_scope=DataScope.WORKSPACE,
        team_id=None,
    )
    services.member_deactivate(actor=act, member=world.manager)
    with pytest.raises(ServiceError) as exc:
        services.member_update(
            actor=act, member=world.owner, role=Role.SALES, data_scope=DataScope.OWN, team_id=None
        )
    assert exc.value.code == "last_owner"


def test_the_last_owner_cannot_be_deactivated(world):
    ops = Actor.system(world.ws, "ops script")
    with pytest.raises(ServiceError) as exc:
        services.member_deactivate(actor=ops, member=world.owner)
    assert exc.value.code == "last_owner"
    world.owner.refresh_from_db()
    assert world.owner.is_active


def test_you_cannot_deactivate_yourself(world):
    act = world.actor(world.owner)
    services.member_update(
        actor=act,
        member=world.manager,
        role=Role.OWNER,
        data_scope=DataScope.WORKSPACE,
        team_id=None,
    )
    with pytest.raises(ServiceError) as exc:
        services.member_deactivate(actor=act, member=world.owner)
    assert exc.value.code == "self_deactivate"


def test_a_manager_cannot_deactivate_anyone(world):
    with pytest.raises(ServiceError) as exc:
        services.member_deactivate(actor=world.actor(world.manager), member=world.rep)
    assert exc.value.code == "permission_denied"


# --- deactivation ends sessions and tokens at once --------------------------------------------------


def test_deactivation_kills_sessions_and_tokens_at_once(world, form_login, token_for, api):
    client, response = form_login(world.rep)
    assert response.status_code == 302 and session_user_id(client) == str(world.rep.user_id)
    assert client.get("/").status_code == 200  # the session is now tracked
    assert UserSession.objects.filter(user=world.rep.user).count() == 1
    secret = token_for(world.rep)
    assert api("get", "/me", token=secret).status_code == 200

    services.member_deactivate(actor=world.actor(world.owner), member=world.rep)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert api("get", "/me", token=secret).status_code == 401
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.values("session_key")
    ).exists()
    assert ApiToken.objects.get(user=world.rep.user).revoked_at is not None
    assert not User.objects.get(pk=world.rep.user_id).is_active

    event = AuditEvent.objects.filter(action="deactivated").get()
    assert event.changes == {
        "is_active": [True, False],
        "tokens_revoked": [None, 1],
        "sessions_ended": [None, 1],
    }

    # a fresh login is refused while deactivated
    client2, _response = form_login(world.rep)
    assert session_user_id(client2) is None


def test_reactivation_restores_access_for_a_fresh_login(world, form_login, token_for, api):
    old_client, _ = form_login(world.rep)
    old_client.get("/")
    secret = token_for(world.rep)
    act = world.actor(world.owner)
    services.member_deactivate(actor=act, member=world.rep)
    services.member_reactivate(actor=act, member=world.rep)

    assert old_client.get("/").status_code == 302  # the old session stays dead
    assert api("get", "/me", token=secret).status_code == 401  # revoked tokens stay revoked
    client, response = form_login(world.rep)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"ALPHA-EAST-SECRET" in page.content
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.changes) == ("reactivated", {"is_active": [False, True]})


def test_deactivation_in_one_workspace_keeps_the_other(world, token_for, api):
    member_b, token = services.member_invite(
        actor=world.actor(world.owner2), email=world.rep.user.email
    )
    services.invitation_accept(token=token, accepting_user=world.rep.user)
    secret_a = token_for(world.rep)
    secret_b = token_for(Membership.objects.select_related("workspace", "user").get(pk=member_b.pk))
    services.member_deactivate(actor=world.actor(world.owner), member=world.rep)
    assert api("get", "/me", token=secret_a).status_code == 401
    me = api("get", "/me", token=secret_b)
    assert me.status_code == 200 and me.json()["workspace"]["id"] == world.ws2.pk
    assert User.objects.get(pk=world.rep.user_id).is_active


def test_a_session_survives_no_key_change_after_deactivation(world, form_login):
    client, _ = form_login(world.rep)
    assert client.get("/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-Long-passphrase",
            "password2": "a-new-Long-passphrase",
        },
    )
    assert response.status_code == 302
    assert (
        client.get("/").status_code == 200
    )  # still signed in (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE=False)
    act = world.actor(world.owner)
    services.member_deactivate(actor=act, member=world.rep)
    services.member_reactivate(actor=act, member=world.rep)
    assert client.get("/").status_code == 302


def test_deactivate_through_the_members_page(world, client_for, form_login):
    rep_client, _ = form_login(world.rep)
    rep_client.get("/")
    owner = client_for(world.owner)
    response = owner.post(f"/settings/members/{world.rep.pk}/deactivate/")
    assert response.status_code == 302
    assert rep_client.get("/").status_code == 302
    world.rep.refresh_from_db()
    assert not world.rep.is_active
    # a manager may not use the page
    assert (
        client_for(world.manager).post(f"/settings/members/{world.rep2.pk}/deactivate/").status_code
        == 403
    )
    # and another workspace's member answers 404
    assert owner.post(f"/settings/members/{world.owner2.pk}/deactivate/").status_code == 404
    world.owner2.refresh_from_db()
    assert world.owner2.is_active


def test_audit_actor_of_an_accepting_user(world):
    member, token = services.member_invite(actor=world.actor(world.owner), email="joiner@a.test")
    services.invitation_accept(token=token, password="a-Long-enough-passphrase")
    event = AuditEvent.objects.latest("id")
    assert event.actor_kind == ActorKind.USER
    assert event.actor_user_id == member.user_id
    assert event.workspace_id == world.ws.pk
