"""Signing in: allauth's login form with throttling, TOTP required for owners, password change."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.workspaces.conftest import fresh_client, session_user_id
from tradewind.workspaces import services

MFA_ACTIVATE = "/accounts/2fa/totp/activate/"


# --- throttling -------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_the_right_password_too(world, form_login):
    for _ in range(5):
        client, response = form_login(world.rep, password="wrong-password")
        assert response.status_code == 200 and session_user_id(client) is None
    client, response = form_login(world.rep)  # the RIGHT password, sixth attempt
    assert response.status_code == 200
    assert session_user_id(client) is None
    assert client.get("/").status_code == 302
    # the limit is per login: a colleague on the same network still gets in
    client2, response2 = form_login(world.rep2)
    assert response2.status_code == 302 and session_user_id(client2) == str(world.rep2.user_id)
    # and the lock lifts after the window
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5, seconds=5)):
        client3 = fresh_client()
        response3 = client3.post(
            "/accounts/login/", {"login": world.rep.user.email, "password": PASSWORD}
        )
        assert response3.status_code == 302
        assert session_user_id(client3) == str(world.rep.user_id)


def test_four_failures_do_not_lock(world, form_login):
    for _ in range(4):
        form_login(world.rep, password="wrong-password")
    client, response = form_login(world.rep)
    assert response.status_code == 302 and session_user_id(client) == str(world.rep.user_id)


def test_the_login_key_ignores_case(world, form_login):
    for _ in range(5):
        form_login("REP@A.TEST", password="wrong-password")
    client, _response = form_login("rep@a.test")
    assert session_user_id(client) is None


def test_sign_up_is_closed(world, fresh_cache):
    client = fresh_client()
    client.post(
        "/accounts/signup/", {"email": "walk-in@x.test", "password1": "a-Long-passphrase-9"}
    )
    from tradewind.workspaces.models import User

    assert not User.objects.filter(email="walk-in@x.test").exists()


# --- TOTP for owners ------------------------------------------------------------------------------------


@pytest.fixture
def mfa_required(world):
    services.workspace_update(actor=world.actor(world.owner), require_mfa_for_admins=True)
    return world


def test_an_owner_without_totp_is_sent_to_activate_it(mfa_required, form_login):
    world = mfa_required
    client, response = form_login(world.owner)
    assert session_user_id(client) == str(world.owner.user_id)
    for path in ("/", "/leads/", "/settings/", "/settings/tokens/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == MFA_ACTIVATE
    # the way out is reachable: allauth asks for the password again, then shows the activation page
    response = client.get(MFA_ACTIVATE)
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == MFA_ACTIVATE
    assert client.get(MFA_ACTIVATE).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(MFA_ACTIVATE, {"code": _current_code(secret)})
    assert response.status_code == 302
    # with TOTP in place the workspace opens
    assert client.get("/").status_code == 200


def test_a_sales_rep_is_not_asked_for_totp(mfa_required, form_login):
    client, _response = form_login(mfa_required.rep)
    assert client.get("/").status_code == 200


def test_an_owner_of_a_workspace_without_the_rule_is_not_asked(world, form_login):
    client, _response = form_login(world.owner)
    assert client.get("/").status_code == 200


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_an_owner_with_totp_signs_in_with_a_code_and_works(mfa_required, form_login):
    world = mfa_required
    secret = generate_totp_secret()
    TOTP.activate(world.owner.user, secret)
    client, response = form_login(world.owner)
    # the password alone is not enough: allauth asks for the second factor
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    assert session_user_id(client) is None
    response = client.post(
        "/accounts/2fa/authenticate/",
        {"code": "000000" if _current_code(secret) != "000000" else "111111"},
    )
    assert session_user_id(client) is None
    response = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    assert session_user_id(client) == str(world.owner.user_id)
    assert client.get("/").status_code == 200


def test_an_owner_without_totp_cannot_use_the_api_through_the_session(mfa_required, form_login):
    client, _response = form_login(mfa_required.owner)
    assert client.get("/api/v1/leads").status_code in (401, 403)


# --- password change ---------------------------------------------------------------------------------


def test_password_change_page(world, form_login):
    assert (
        fresh_client().get("/accounts/password/change/").status_code == 302
    )  # anonymous: to the login page
    client, _response = form_login(world.rep)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-fresh-Long-passphrase",
            "password2": "a-fresh-Long-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    world.rep.user.refresh_from_db()
    assert world.rep.user.check_password("a-fresh-Long-passphrase")
    _client, response = form_login(world.rep)  # the old one no longer works
    assert response.status_code == 200


def test_password_change_refuses_a_wrong_old_password(world, form_login):
    client, _response = form_login(world.rep)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not-my-password",
            "password1": "a-fresh-Long-passphrase",
            "password2": "a-fresh-Long-passphrase",
        },
    )
    assert response.status_code == 200
    world.rep.user.refresh_from_db()
    assert world.rep.user.check_password(PASSWORD)
