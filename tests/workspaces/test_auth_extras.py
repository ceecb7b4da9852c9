"""Sign-in answers that leak nothing, sessions that end with a password change, reset links used once
(issue #10 item 7)."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD
from tests.workspaces.conftest import fresh_client, session_user_id

NEW_PASSWORD = "another-Long-passphrase-9"


def _page(response, *emails: str) -> str:
    """The answer with what legitimately differs between two requests taken out: the CSRF token
    and the e-mail address the form echoes back."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    for email in emails:
        text = text.replace(email, "EMAIL")
    return text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(world, form_login):
    _client, known = form_login(world.rep, password="wrong-password")
    _client, unknown = form_login("nobody@a.test", password="wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert _page(known, world.rep.user.email) == _page(unknown, "nobody@a.test")


def test_the_lockout_reads_the_same_for_unknown_users(world, form_login):
    for _ in range(5):
        form_login(world.rep, password="wrong-password")
        form_login("nobody@a.test", password="wrong-password")
    _client, known = form_login(world.rep, password="wrong-password")
    _client, unknown = form_login("nobody@a.test", password="wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert _page(known, world.rep.user.email) == _page(unknown, "nobody@a.test")


def test_changing_the_password_ends_the_other_sessions(world, form_login):
    here, _response = form_login(world.rep)
    elsewhere, _response = form_login(world.rep)
    assert elsewhere.get("/").status_code == 200
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # the session that changed it stays signed in
    assert elsewhere.get("/").status_code == 302  # the other one is sent to sign in
    assert session_user_id(elsewhere) is None


def _reset_link(mailoutbox) -> str:
    body = mailoutbox[-1].body
    match = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", body)
    assert match, body
    return "/" + match.group(0).split("/", 3)[3]


def test_a_password_reset_link_works_once(world, fresh_cache, mailoutbox):
    client = fresh_client()
    response = client.post("/accounts/password/reset/", {"email": world.rep.user.email})
    assert response.status_code == 302 and len(mailoutbox) == 1
    link = _reset_link(mailoutbox)
    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else link
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    world.rep.user.refresh_from_db()
    assert world.rep.user.check_password(NEW_PASSWORD)

    again = fresh_client()
    reopened = again.get(link, follow=True)
    reused = again.post(
        reopened.redirect_chain[-1][0] if reopened.redirect_chain else link,
        {"password1": "third-Long-passphrase-7", "password2": "third-Long-passphrase-7"},
    )
    assert reused.status_code == 200  # the "bad token" page, not a redirect to success
    world.rep.user.refresh_from_db()
    assert world.rep.user.check_password(NEW_PASSWORD)


def test_asking_a_reset_for_an_unknown_address_answers_alike_and_sends_nothing(
    world, fresh_cache, mailoutbox
):
    known = fresh_client().post("/accounts/password/reset/", {"email": world.rep.user.email})
    unknown = fresh_client().post("/accounts/password/reset/", {"email": "nobody@a.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mailoutbox] == [[world.rep.user.email]]
