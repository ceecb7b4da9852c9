"""The e-mail API: authorization of every write (anonymous / other workspace / no permission /
permitted, the side effect only for the last), bad input, lists with bounded queries."""

from __future__ import annotations

import pytest

from tradewind.mailing.models import EmailMessage, EmailTemplate, MailAccount
from tradewind.mailing.template_services import email_template_save
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models_jobs import Job

from .conftest import account_data

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE = {
    "name": "Intro",
    "record_type": "lead",
    "subject_en": "Hello {{ lead.company_name }}",
    "body_en": "Dear {{ recipient.name }},\n\n{{ me.full_name }}",
}


def _template(world) -> EmailTemplate:
    return email_template_save(actor=Actor.for_member(world.owner), **TEMPLATE)


def test_template_create_authorization(world, api, token_for):
    assert api("post", "/email/templates", json=TEMPLATE).status_code == 401
    for member in (world.readonly, world.rep):  # no Perm.EMAIL_MANAGE
        resp = api("post", "/email/templates", token=token_for(member), json=TEMPLATE)
        assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    assert not EmailTemplate.objects.exists()
    resp = api("post", "/email/templates", token=token_for(world.manager), json=TEMPLATE)
    assert resp.status_code == 201 and resp.json()["languages"] == ["en"]
    assert EmailTemplate.objects.get().workspace_id == world.ws.pk


@pytest.mark.parametrize("method", ["put", "delete"])
def test_template_change_authorization(world, api, token_for, method):
    template = _template(world)
    path = f"/email/templates/{template.pk}"
    body = {**TEMPLATE, "name": "Hijacked"} if method == "put" else None
    assert api(method, path, json=body).status_code == 401
    assert api(method, path, token=token_for(world.owner2), json=body).status_code == 404
    assert api(method, path, token=token_for(world.rep), json=body).status_code == 403
    template.refresh_from_db()
    assert template.name == "Intro" and template.version == 1
    resp = api(method, path, token=token_for(world.manager), json=body)
    assert resp.status_code == (200 if method == "put" else 204)
    if method == "put":
        assert resp.json()["name"] == "Hijacked"
    else:
        assert not EmailTemplate.objects.exists()


def test_unknown_merge_field_answers_a_translated_422(world, api, token_for):
    resp = api(
        "post",
        "/email/templates",
        token=token_for(world.manager),
        json={**TEMPLATE, "body_en": "Hi {{ lead.owner_password }}"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422
    data = resp.json()
    assert data["code"] == "email_template_unknown_field"
    assert "lead.owner_password" in data["message"] and "未知的合并字段" in data["message"]
    assert "body_en" in data["fields"]
    assert not EmailTemplate.objects.exists()


def test_preview_for_a_record(world, api, token_for):
    template = _template(world)
    path = f"/email/templates/{template.pk}/preview"
    body = {"target_type": "lead", "target_id": world.lead.pk}
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    # a colleague who cannot see the lead gets 404 for it
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    resp = api("post", path, token=token_for(world.rep), json=body)
    assert resp.status_code == 200
    assert resp.json()["subject"] == "Hello ALPHA-EAST-SECRET GmbH"


def test_workspace_account_authorization(world, api, token_for, smtp_server):
    body = account_data(smtp_server)
    assert api("put", "/email/accounts/workspace", json=body).status_code == 401
    resp = api("put", "/email/accounts/workspace", token=token_for(world.rep), json=body)
    assert resp.status_code == 403
    assert not MailAccount.objects.exists()
    resp = api("put", "/email/accounts/workspace", token=token_for(world.manager), json=body)
    assert resp.status_code == 200 and resp.json()["workspace_account"] is True


def test_own_account_authorization(world, api, token_for, smtp_server):
    body = {**account_data(smtp_server), "smtp_password": "pw-123"}
    assert api("put", "/email/accounts/me", json=body).status_code == 401
    resp = api("put", "/email/accounts/me", token=token_for(world.readonly), json=body)
    assert resp.status_code == 403  # read-only members send no e-mail
    assert not MailAccount.objects.exists()
    resp = api("put", "/email/accounts/me", token=token_for(world.rep), json=body)
    assert resp.status_code == 200 and resp.json()["owner_id"] == world.rep.user_id


@pytest.mark.parametrize("action", ["delete", "test", "poll"])
def test_account_actions_authorization(world, api, token_for, rep_account, action):
    method, path = {
        "delete": ("delete", f"/email/accounts/{rep_account.pk}"),
        "test": ("post", f"/email/accounts/{rep_account.pk}/test"),
        "poll": ("post", f"/email/accounts/{rep_account.pk}/poll"),
    }[action]
    body = None if method == "delete" else {}
    jobs = Job.objects.count()
    assert api(method, path, json=body).status_code == 401
    for outsider in (world.owner2, world.rep2, world.readonly):
        assert api(method, path, token=token_for(outsider), json=body).status_code == 404
    assert MailAccount.objects.filter(pk=rep_account.pk).exists()
    assert Job.objects.count() == jobs
    resp = api(method, path, token=token_for(world.rep), json=body)
    assert resp.status_code == {"delete": 204, "test": 200, "poll": 202}[action]
    if action == "delete":
        assert not MailAccount.objects.exists()


def test_send_authorization(world, api, token_for, rep_account, smtp_server):
    body = {
        "target_type": "lead",
        "target_id": world.lead.pk,
        "subject": "Samples",
        "body": "They left today.",
    }
    assert api("post", "/email/send", json=body).status_code == 401
    assert api("post", "/email/send", token=token_for(world.owner2), json=body).status_code == 404
    assert (
        api("post", "/email/send", token=token_for(world.other_rep), json=body).status_code == 404
    )
    resp = api("post", "/email/send", token=token_for(world.readonly), json=body)
    assert resp.status_code == 403
    assert not EmailMessage.objects.exists() and not smtp_server.messages
    resp = api(
        "post", "/email/send", token=token_for(world.rep), json={**body, "to": ["x@east.test"]}
    )
    assert resp.status_code == 201
    data = resp.json()
    assert data["state"] == "sent" and data["target_type"] == "lead"
    assert smtp_server.messages[0]["Subject"] == "Samples"


def test_send_a_template_to_the_records_address(world, api, token_for, rep_account, smtp_server):
    template = _template(world)
    resp = api(
        "post",
        "/email/send",
        token=token_for(world.rep),
        json={"target_type": "lead", "target_id": world.lead.pk, "template_id": template.pk},
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["to"] == ["x@east.test"]
    assert smtp_server.messages[0]["Subject"] == "Hello ALPHA-EAST-SECRET GmbH"


def test_send_bad_input_is_a_translated_422(world, api, token_for):
    resp = api(
        "post",
        "/email/send",
        token=token_for(world.rep),
        json={"to": ["not-an-address"], "subject": "", "body": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "email_bad_address"
    assert "不是有效的电子邮件地址" in resp.json()["fields"]["to"][0]
    assert not EmailMessage.objects.exists()


def test_record_mail_and_one_message(
    world, api, token_for, rep_account, smtp_server, django_assert_max_num_queries
):
    for n in range(3):
        api(
            "post",
            "/email/send",
            token=token_for(world.rep),
            json={
                "target_type": "lead",
                "target_id": world.lead.pk,
                "to": ["x@east.test"],
                "subject": f"Mail {n}",
                "body": "Hi",
            },
        )
    token = token_for(world.rep)
    with django_assert_max_num_queries(12):
        resp = api(
            "get", f"/email/messages?target_type=lead&target_id={world.lead.pk}", token=token
        )
    assert [m["subject"] for m in resp.json()] == ["Mail 2", "Mail 1", "Mail 0"]
    email_id = resp.json()[0]["id"]
    assert api("get", f"/email/messages/{email_id}", token=token).status_code == 200
    other = token_for(world.other_rep)
    assert api("get", f"/email/messages/{email_id}", token=other).status_code == 404
    assert (
        api(
            "get", f"/email/messages?target_type=lead&target_id={world.lead.pk}", token=other
        ).status_code
        == 404
    )
    # the owner (whole workspace) sees it; the other workspace does not
    assert (
        api("get", f"/email/messages/{email_id}", token=token_for(world.owner)).status_code == 200
    )
    assert (
        api("get", f"/email/messages/{email_id}", token=token_for(world.owner2)).status_code == 404
    )


def test_lists_cost_a_bounded_number_of_queries(
    world, api, token_for, django_assert_max_num_queries
):
    for n in range(5):
        email_template_save(actor=Actor.for_member(world.owner), **{**TEMPLATE, "name": f"T{n}"})
    token = token_for(world.rep)
    with django_assert_max_num_queries(10):
        assert len(api("get", "/email/templates", token=token).json()) == 5
    with django_assert_max_num_queries(10):
        assert api("get", "/email/unmatched", token=token).json() == []
    with django_assert_max_num_queries(10):
        assert api("get", "/email/accounts", token=token).status_code == 200
