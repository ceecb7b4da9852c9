"""Outbound e-mail against a real SMTP server on loopback: rendering, the timeline, retries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.support.smtp import LoopbackSMTP
from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.mailing.choices import EmailState
from tradewind.mailing.models import EmailMessage
from tradewind.mailing.sending import email_queue, email_queue_template
from tradewind.mailing.template_services import email_template_save
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models_jobs import Job, JobState

from .conftest import SMTP_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _template(world, **more):
    values = {
        "name": "First contact",
        "record_type": "customer",
        "subject_en": "Offer for {{ customer.name }}",
        "body_en": "Dear {{ contact.name }},\n\nregards,\n{{ me.full_name }}\n{{ workspace.name }}",
        "subject_zh": "给{{ customer.name }}的报价",
        "body_zh": "{{ contact.name }}您好：\n\n{{ me.full_name }}",
    }
    values.update(more)
    return email_template_save(actor=Actor.for_member(world.owner), **values)


def test_template_mail_arrives_rendered_and_shows_on_the_timelines(
    world, buyer, rep_account, smtp_server, client_for
):
    template = _template(world)
    email = email_queue_template(
        actor=Actor.for_member(world.rep), template_id=template.pk, record=buyer.customer
    )
    # huey is immediate in tests: the job ran after commit
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["Subject"] == "Offer for Müller Handel GmbH"  # a German buyer: English
    assert received["Message-ID"] == email.message_id
    assert received["To"] == "anna@mueller-handel.de"
    assert "Rep A" in received["From"] and "rep@a.test" in received["From"]
    text = received.get_body(("plain",)).get_content()
    assert "Dear Anna Müller," in text and "rep" in text and "Alpha Trading" in text
    html = received.get_body(("html",)).get_content()
    assert "Dear Anna Müller,</p>" in html or "Dear Anna Müller," in html
    assert smtp_server.logins == [("rep", SMTP_PASSWORD)]
    email.refresh_from_db()
    assert email.state == EmailState.SENT and email.sent_at is not None
    assert email.language == "en" and email.template_id == template.pk

    page = client_for(world.rep).get(f"/customers/{buyer.customer.pk}/")
    assert b"Offer for M\xc3\xbcller Handel GmbH" in page.content
    assert b'data-kind="email"' in page.content


def test_chinese_buyer_gets_the_chinese_version(world, rep_account, smtp_server):
    actor = Actor.for_member(world.rep)
    from tradewind.customers.services import contact_create, customer_create

    customer = customer_create(actor=actor, allow_duplicates=True, name="宁波贸易", country="CN")
    contact_create(actor=actor, customer=customer, name="王芳", email="wang@nb.cn")
    template = _template(world)
    email_queue_template(actor=actor, template_id=template.pk, record=customer)
    received = smtp_server.messages[-1]
    assert received["Subject"] == "给宁波贸易的报价"
    assert "王芳您好" in received.get_body(("plain",)).get_content()


def test_lead_mail_shows_on_the_lead_page(world, rep_account, smtp_server, client_for):
    template = _template(
        world,
        name="Lead hello",
        record_type="lead",
        subject_en="Hello {{ lead.company_name }}",
        body_en="Hi {{ recipient.name }}",
        subject_zh="",
        body_zh="",
    )
    email_queue_template(
        actor=Actor.for_member(world.rep), template_id=template.pk, record=world.lead
    )
    assert smtp_server.messages[-1]["To"] == "x@east.test"
    page = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert b"Hello ALPHA-EAST-SECRET GmbH" in page.content
    assert b'data-testid="email-item"' in page.content


def test_smtp_down_stays_queued_then_is_sent_once_with_the_same_message_id(world, buyer):
    from tradewind.mailing.accounts import mail_account_save

    from .conftest import account_data

    down = LoopbackSMTP()  # a port nobody listens on yet
    from tests.support.smtp import free_port

    down.port = free_port()
    mail_account_save(
        actor=Actor.for_member(world.rep),
        data=account_data(down),
        smtp_password=SMTP_PASSWORD,
    )
    email = email_queue(
        actor=Actor.for_member(world.rep),
        to=["anna@mueller-handel.de"],
        subject="Samples",
        body_text="The samples left today.",
        target=buyer.contact,
    )
    email.refresh_from_db()
    assert email.state == EmailState.QUEUED and email.error
    job = Job.objects.get(kind="mailing.send", payload__email_id=email.pk)
    assert job.state == JobState.QUEUED and job.attempts == 1
    assert jobs_work(once=True) == 0  # the retry is not due yet

    with down:  # the server comes up on the same port
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=True):
            assert jobs_work(once=True) == 1
            assert jobs_work(once=True) == 0
        assert len(down.messages) == 1
        assert down.messages[0]["Message-ID"] == email.message_id
    email.refresh_from_db()
    job.refresh_from_db()
    assert email.state == EmailState.SENT and email.attempts == 2 and email.error == ""
    assert job.state == JobState.DONE


def test_a_permanent_refusal_fails_with_the_servers_words(world, buyer, rep_account, smtp_server):
    smtp_server.fail_with = 550
    smtp_server.fail_message = "5.7.1 Message rejected as spam"
    email = email_queue(
        actor=Actor.for_member(world.rep),
        to=["anna@mueller-handel.de"],
        subject="Samples",
        body_text="Hello",
        target=buyer.contact,
    )
    email.refresh_from_db()
    assert email.state == EmailState.FAILED
    assert "550" in email.error and "rejected as spam" in email.error
    from tradewind.activities.models import Notification

    assert Notification.objects.filter(user=world.rep.user, kind="email.failed").count() == 1
    assert Job.objects.get(kind="mailing.send", payload__email_id=email.pk).state == JobState.DONE


def test_a_temporary_refusal_is_retried(world, buyer, rep_account, smtp_server):
    smtp_server.fail_with = 451
    email = email_queue(
        actor=Actor.for_member(world.rep),
        to=["anna@mueller-handel.de"],
        subject="Samples",
        body_text="Hello",
        target=buyer.contact,
    )
    email.refresh_from_db()
    assert email.state == EmailState.QUEUED and "451" in email.error
    smtp_server.fail_with = 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=True):
        jobs_work(once=True)
    email.refresh_from_db()
    assert email.state == EmailState.SENT
    assert len(smtp_server.messages) == 1


def test_without_an_account_the_system_settings_send(world, buyer):
    email = email_queue(
        actor=Actor.for_member(world.rep),
        to=["anna@mueller-handel.de"],
        subject="Via the system",
        body_text="Hello",
        target=buyer.contact,
    )
    email.refresh_from_db()
    assert email.account_id is None and email.state == EmailState.SENT
    assert mail.outbox[-1].subject == "Via the system"
    assert mail.outbox[-1].reply_to == ["rep@a.test"]


def test_same_key_gives_the_same_message(world, buyer, rep_account, smtp_server):
    kwargs = {
        "actor": Actor.for_member(world.rep),
        "to": ["anna@mueller-handel.de"],
        "subject": "Once",
        "body_text": "Hello",
        "key": "rule-7-contact-1",
    }
    first = email_queue(**kwargs)
    second = email_queue(**kwargs)
    assert first.pk == second.pk
    assert EmailMessage.objects.filter(key="rule-7-contact-1").count() == 1
    assert len(smtp_server.messages) == 1


def test_bad_addresses_and_missing_permission_change_nothing(world, buyer):
    actor = Actor.for_member(world.rep)
    with pytest.raises(ServiceError) as bad:
        email_queue(actor=actor, to=["not an address"], subject="x", body_text="y")
    assert bad.value.code == "email_bad_address" and "to" in bad.value.fields
    with pytest.raises(ServiceError) as empty:
        email_queue(actor=actor, to=[], subject="x", body_text="y")
    assert empty.value.code == "email_no_recipient"
    with pytest.raises(PermissionDenied):
        email_queue(
            actor=Actor.for_member(world.readonly), to=["a@b.de"], subject="x", body_text="y"
        )
    assert not EmailMessage.objects.exists()
    assert not Job.objects.filter(kind="mailing.send").exists()


def test_a_template_for_leads_does_not_fit_a_customer(world, buyer):
    template = _template(
        world,
        name="Lead only",
        record_type="lead",
        subject_en="Hi {{ lead.company_name }}",
        body_en="Hello",
        subject_zh="",
        body_zh="",
    )
    with pytest.raises(ServiceError) as exc:
        email_queue_template(
            actor=Actor.for_member(world.rep), template_id=template.pk, record=buyer.customer
        )
    assert exc.value.code == "email_template_record_type"
    assert not EmailMessage.objects.exists()
