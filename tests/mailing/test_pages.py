"""The e-mail pages: settings, templates with preview, accounts, compose on a record, one message;
authorization of every posted page (anonymous / other workspace / no permission / permitted)."""

from __future__ import annotations

import pytest

from tradewind.mailing.models import EmailMessage, EmailTemplate, MailAccount
from tradewind.mailing.template_services import email_template_save
from tradewind.workspaces.actors import Actor

from .conftest import account_data

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "name": "Intro",
    "record_type": "lead",
    "subject_en": "Hello {{ lead.company_name }}",
    "body_en": "Dear {{ recipient.name }},\n\n{{ me.full_name }}",
    "subject_zh": "",
    "body_zh": "",
    "is_active": "on",
}


def test_settings_nav_and_overview(world, client_for):
    page = client_for(world.rep).get("/settings/email/")
    assert page.status_code == 200 and b'data-testid="settings-email"' in page.content
    assert client_for(world.readonly).get("/settings/email/").status_code == 403
    profile = client_for(world.readonly).get("/settings/profile/")
    assert b'data-testid="settings-email"' not in profile.content


def test_template_pages_authorization(world, client, client_for):
    assert client.post("/settings/email/templates/new/", FORM).status_code == 302  # to log in
    assert client_for(world.rep).post("/settings/email/templates/new/", FORM).status_code == 403
    assert not EmailTemplate.objects.exists()
    resp = client_for(world.manager).post("/settings/email/templates/new/", FORM)
    assert resp.status_code == 302
    template = EmailTemplate.objects.get()
    edit = f"/settings/email/templates/{template.pk}/"
    assert client_for(world.owner2).post(edit, {**FORM, "name": "x"}).status_code == 404
    assert client_for(world.rep).post(edit, {**FORM, "name": "x"}).status_code == 403
    delete = f"/settings/email/templates/{template.pk}/delete/"
    assert client_for(world.owner2).post(delete).status_code == 404
    assert client_for(world.rep).post(delete).status_code == 403
    template.refresh_from_db()
    assert template.name == "Intro"
    assert client_for(world.manager).post(edit, {**FORM, "name": "Intro 2"}).status_code == 302
    assert client_for(world.manager).post(delete).status_code == 302
    assert not EmailTemplate.objects.exists()


def test_template_form_shows_the_unknown_field_and_saves_nothing(world, client_for):
    resp = client_for(world.manager).post(
        "/settings/email/templates/new/",
        {**FORM, "body_en": "Hi {{ lead.nonsense }}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 200
    assert "Unknown merge field “lead.nonsense”" in resp.content.decode()
    assert not EmailTemplate.objects.exists()


def test_template_preview_fragment(world, client_for):
    client = client_for(world.rep)
    resp = client.post("/settings/email/templates/preview/", {**FORM, "record": world.lead.code})
    assert resp.status_code == 200
    assert b"Hello ALPHA-EAST-SECRET GmbH" in resp.content
    blank = client.post("/settings/email/templates/preview/", FORM)
    assert b"Hello [lead.company_name]" in blank.content
    # a lead the member cannot see is not found: placeholders, no data
    hidden = client_for(world.other_rep).post(
        "/settings/email/templates/preview/", {**FORM, "record": world.lead.code}
    )
    assert b"ALPHA-EAST-SECRET" not in hidden.content


def test_account_pages(world, client_for, smtp_server):
    data = {**account_data(smtp_server), "smtp_password": "pw-1", "imap_ssl": "on"}
    assert client_for(world.readonly).post("/settings/email/account/", data).status_code == 403
    assert client_for(world.rep).post("/settings/email/workspace-account/", data).status_code == 403
    assert not MailAccount.objects.exists()
    assert client_for(world.rep).post("/settings/email/account/", data).status_code == 302
    account = MailAccount.objects.get()
    assert account.owner_id == world.rep.user_id
    page = client_for(world.rep).get("/settings/email/account/")
    assert b"pw-1" not in page.content and b'data-testid="smtp-password-set"' in page.content
    test = client_for(world.rep).post(f"/settings/email/accounts/{account.pk}/test/", follow=True)
    assert test.status_code == 200
    assert (
        client_for(world.manager).post("/settings/email/workspace-account/", data).status_code
        == 302
    )
    assert MailAccount.objects.filter(owner__isnull=True).exists()


def test_compose_sends_to_the_lead(world, client_for, rep_account, smtp_server):
    url = f"/settings/email/send/lead/{world.lead.pk}/"
    form = {"to": "x@east.test", "subject": "Samples", "body": "They left.", "key": "k1"}
    assert client_for(world.readonly).post(url, form).status_code == 403
    assert client_for(world.other_rep).post(url, form).status_code == 404
    assert client_for(world.owner2).post(url, form).status_code == 404
    assert not EmailMessage.objects.exists()
    page = client_for(world.rep).get(url)
    assert page.status_code == 200 and b'value="x@east.test"' in page.content
    resp = client_for(world.rep).post(url, form)
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.lead.pk}/"
    assert smtp_server.messages[0]["Subject"] == "Samples"
    # the same form posted twice (a double click) queues one message
    client_for(world.rep).post(url, form)
    assert EmailMessage.objects.count() == 1
    lead_page = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert b'data-testid="send-email-lead"' in lead_page.content
    assert b'data-testid="email-item"' in lead_page.content


def test_compose_fills_in_a_template_and_previews(world, client_for):
    template = email_template_save(
        actor=Actor.for_member(world.owner),
        **{k: v for k, v in FORM.items() if k != "is_active"},
    )
    url = f"/settings/email/send/lead/{world.lead.pk}/"
    client = client_for(world.rep)
    applied = client.post(
        url,
        {"action": "template", "template": template.pk, "to": "x@east.test"},
        HTTP_HX_REQUEST="true",
    )
    assert applied.status_code == 200
    assert b'id="compose-fields"' in applied.content and b"<html" not in applied.content
    assert b'value="Hello ALPHA-EAST-SECRET GmbH"' in applied.content
    preview = client.post(
        url, {"action": "preview", "subject": "Hi", "body": "<b>bold</b>"}, HTTP_HX_REQUEST="true"
    )
    assert b"&lt;b&gt;bold&lt;/b&gt;" in preview.content and b"<b>bold</b>" not in preview.content
    assert not EmailMessage.objects.exists()


def test_compose_bad_input_shows_a_translated_error(world, client_for):
    resp = client_for(world.rep).post(
        f"/settings/email/send/lead/{world.lead.pk}/",
        {"to": "nope", "subject": "x", "body": "y"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 200
    assert "“nope”不是有效的电子邮件地址" in resp.content.decode()
    assert not EmailMessage.objects.exists()


def test_customer_page_offers_sending_to_the_customer_and_its_contacts(world, buyer, client_for):
    page = client_for(world.rep).get(f"/customers/{buyer.customer.pk}/")
    assert b'data-testid="send-email-customer"' in page.content
    assert b'data-testid="send-email-contact"' in page.content
    compose = client_for(world.rep).get(f"/settings/email/send/contact/{buyer.contact.pk}/")
    assert b'value="anna@mueller-handel.de"' in compose.content
    assert (
        b"send-email-customer"
        not in client_for(world.readonly).get(f"/customers/{buyer.customer.pk}/").content
    )


def test_message_page_shows_inbound_html_as_text(world, client_for, rep_account):
    email = EmailMessage.objects.create(
        workspace=world.ws,
        account=rep_account,
        direction="in",
        state="received",
        subject="Hi",
        from_address="evil@x.example",
        body_html="<p>Hello</p><script>alert(1)</script>",
    )
    page = client_for(world.rep).get(f"/settings/email/messages/{email.pk}/")
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    assert client_for(world.rep2).get(f"/settings/email/messages/{email.pk}/").status_code == 404
