"""Mail accounts: passwords encrypted at rest and never shown back; the connection test."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.support.smtp import LoopbackSMTP, free_port
from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.mailing import crypto
from tradewind.mailing.accounts import mail_account_save, mail_account_test
from tradewind.mailing.models import MailAccount
from tradewind.workspaces.actors import Actor

from .conftest import IMAP_PASSWORD, SMTP_PASSWORD, account_data

pytestmark = pytest.mark.django_db(transaction=True)


def raw_columns(account_id: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT smtp_password_enc, imap_password_enc FROM mailing_mailaccount WHERE id = %s",
            [account_id],
        )
        return cursor.fetchone()


def test_passwords_are_stored_encrypted(world, rep_account):
    smtp_raw, imap_raw = raw_columns(rep_account.pk)
    assert smtp_raw and SMTP_PASSWORD not in smtp_raw
    assert imap_raw and IMAP_PASSWORD not in imap_raw
    assert crypto.decrypt(smtp_raw) == SMTP_PASSWORD
    assert crypto.decrypt(imap_raw) == IMAP_PASSWORD
    # the audit trail says "changed", never the password
    from tradewind.workspaces.models import AuditEvent

    trail = str(list(AuditEvent.objects.filter(target_type="mail_account").values("changes")))
    assert SMTP_PASSWORD not in trail and IMAP_PASSWORD not in trail


def test_a_blank_password_keeps_the_stored_one_and_clear_removes_it(
    world, rep_account, smtp_server
):
    actor = Actor.for_member(world.rep)
    before = raw_columns(rep_account.pk)
    mail_account_save(
        actor=actor, data=account_data(smtp_server, from_name="Rep East"), smtp_password=""
    )
    assert raw_columns(rep_account.pk)[0] == before[0]
    mail_account_save(actor=actor, data=account_data(smtp_server), clear_smtp_password=True)
    assert raw_columns(rep_account.pk)[0] == ""


def test_passwords_are_never_returned_by_the_api_or_the_pages(
    world, rep_account, api, token_for, client_for
):
    resp = api("get", "/email/accounts", token=token_for(world.rep))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert SMTP_PASSWORD not in body and IMAP_PASSWORD not in body
    assert "password_enc" not in body
    (item,) = resp.json()
    assert item["smtp_password_set"] is True and item["imap_password_set"] is True
    one = api("get", f"/email/accounts/{rep_account.pk}", token=token_for(world.rep))
    assert SMTP_PASSWORD not in one.content.decode()
    saved = api(
        "put",
        "/email/accounts/me",
        token=token_for(world.rep),
        json={**account_data(None), "smtp_port": 2525, "smtp_password": "new-secret-1"},
    )
    assert saved.status_code == 200 and "new-secret-1" not in saved.content.decode()
    page = client_for(world.rep).get("/settings/email/account/")
    assert page.status_code == 200
    assert b"new-secret-1" not in page.content and IMAP_PASSWORD.encode() not in page.content
    assert b'data-testid="smtp-password-set"' in page.content
    assert crypto.decrypt(raw_columns(rep_account.pk)[0]) == "new-secret-1"


def test_the_key_can_be_rotated(world, rep_account, monkeypatch):
    old_token = raw_columns(rep_account.pk)[0]
    new_key = Fernet.generate_key().decode()
    # the new key first, the old one (derived from SECRET_KEY) after it
    monkeypatch.setenv(crypto.ENV_VAR, f"{new_key},{crypto.key_entries()[0]}")
    assert crypto.decrypt(old_token) == SMTP_PASSWORD
    rotated = crypto.rotate(old_token)
    monkeypatch.setenv(crypto.ENV_VAR, new_key)
    assert crypto.decrypt(rotated) == SMTP_PASSWORD
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(old_token)


def test_connection_test_succeeds_and_sends_the_test_mail(world, rep_account, smtp_server):
    actor = Actor.for_member(world.rep)
    result = mail_account_test(actor=actor, account_id=rep_account.pk)
    assert result["smtp"] is True and result["imap"] is True
    mail_account_test(actor=actor, account_id=rep_account.pk, send_to="rep@a.test")
    assert smtp_server.messages[-1]["Subject"].startswith("Tradewind")
    assert smtp_server.messages[-1]["To"] == "rep@a.test"


def test_connection_test_failure_says_why_in_the_users_language(world, client_for):
    port = free_port()
    account = mail_account_save(
        actor=Actor.for_member(world.rep), data=account_data(LoopbackSMTP(port=port))
    )
    with pytest.raises(ServiceError) as exc:
        mail_account_test(actor=Actor.for_member(world.rep), account_id=account.pk)
    assert exc.value.code == "email_connection_failed"
    world.rep.user.language = "zh-hans"
    world.rep.user.save()
    page = client_for(world.rep).post(f"/settings/email/accounts/{account.pk}/test/", follow=True)
    assert "SMTP 连接失败" in page.content.decode()


def test_the_workspace_account_needs_email_manage(world, smtp_server):
    with pytest.raises(PermissionDenied):
        mail_account_save(
            actor=Actor.for_member(world.rep),
            workspace_account=True,
            data=account_data(smtp_server),
        )
    shared = mail_account_save(
        actor=Actor.for_member(world.manager),
        workspace_account=True,
        data=account_data(smtp_server),
    )
    assert shared.owner_id is None
    assert MailAccount.objects.count() == 1


def test_bad_input_is_refused_with_translated_messages_and_changes_nothing(world, api, token_for):
    resp = api(
        "put",
        "/email/accounts/me",
        token=token_for(world.rep),
        json={
            "from_address": "nope",
            "smtp_host": "http://x",
            "smtp_port": 0,
            "imap_polling": True,
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422
    data = resp.json()
    assert data["code"] == "email_invalid"
    assert set(data["fields"]) >= {"from_address", "smtp_host", "smtp_port", "imap_host"}
    assert "请输入发件地址" in data["fields"]["from_address"][0]
    assert not MailAccount.objects.exists()


def test_rotate_command_re_encrypts_every_account(world, rep_account, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV_VAR, f"{new_key},{crypto.key_entries()[0]}")
    out = StringIO()
    call_command("mail_rotate_key", stdout=out)
    assert "re-encrypted 1 account(s)" in out.getvalue()
    monkeypatch.setenv(crypto.ENV_VAR, new_key)  # the old key is gone now
    assert crypto.decrypt(raw_columns(rep_account.pk)[0]) == SMTP_PASSWORD
