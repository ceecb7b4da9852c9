"""Inbound e-mail against a real IMAP server on loopback: matching, once-only storage, the ID
command, UIDVALIDITY, threading, unmatched mail."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage

import pytest

from tests.support.imap import LoopbackIMAP
from tradewind.customers.models import Contact, Customer
from tradewind.leads.models import Lead
from tradewind.mailing.choices import Direction, EmailState
from tradewind.mailing.inbound import account_poll
from tradewind.mailing.models import EmailLink, EmailMessage
from tradewind.mailing.selectors import unmatched_for
from tradewind.mailing.sending import email_queue
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.schedules import schedule_run

from .conftest import IMAP_PASSWORD, IMAP_USER

pytestmark = pytest.mark.django_db(transaction=True)


def mime(sender: str, subject: str, body: str = "Hello", **headers: str) -> MimeMessage:
    msg = MimeMessage()
    msg["From"] = sender
    msg["To"] = headers.pop("to", "Rep A <rep@a.test>")
    msg["Subject"] = subject
    msg["Date"] = "Tue, 03 Mar 2026 09:30:00 +0100"
    msg["Message-ID"] = headers.pop("message_id", f"<{abs(hash(subject))}@mueller-handel.de>")
    for name, value in headers.items():
        msg[name.replace("_", "-").title()] = value
    msg.set_content(body)
    return msg


def test_mail_from_a_contact_is_logged_on_its_timeline_once(
    world, buyer, rep_account, imap_server, client_for
):
    imap_server.add(
        "INBOX", mime("Anna Müller <ANNA@mueller-handel.de>", "Re: samples", "Got them")
    )
    first = account_poll(account_id=rep_account.pk)
    assert first["stored"] == 1 and first["id_sent"] is True
    second = account_poll(account_id=rep_account.pk)  # polling twice stores nothing more
    assert second["stored"] == 0
    email = EmailMessage.objects.get()
    assert email.direction == Direction.IN and email.state == EmailState.RECEIVED
    assert email.from_address == "anna@mueller-handel.de" and email.subject == "Re: samples"
    assert "Got them" in email.body_text
    assert list(email.links.values_list("target_type", "target_id")) == [
        ("contact", buyer.contact.pk)
    ]
    page = client_for(world.rep).get(f"/customers/{buyer.customer.pk}/")
    assert page.content.count(b"Re: samples") == 1
    # the ID command went out, after LOGIN and before the folder was opened
    assert imap_server.id_sent and imap_server.id_sent[0]["name"] == "Tradewind"
    names = [c[0] for c in imap_server.commands]
    assert names.index("LOGIN") < names.index("ID") < names.index("EXAMINE")


def test_a_new_message_after_the_first_poll_is_fetched(world, buyer, rep_account, imap_server):
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "one"))
    account_poll(account_id=rep_account.pk)
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "two"))
    assert account_poll(account_id=rep_account.pk)["stored"] == 1
    assert sorted(EmailMessage.objects.values_list("subject", flat=True)) == ["one", "two"]
    search = [c[1] for c in imap_server.commands if c[0] == "UID SEARCH"]
    assert "UID 2:*" in search[-1]  # only what is above the last stored UID


def test_a_lead_sender_is_logged_on_the_lead(world, rep_account, imap_server, client_for):
    imap_server.add("INBOX", mime("x@east.test", "Question about MOQ"))
    account_poll(account_id=rep_account.pk)
    link = EmailLink.objects.get()
    assert (link.target_type, link.target_id) == ("lead", world.lead.pk)
    page = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert b"Question about MOQ" in page.content


def test_an_unknown_sender_creates_nothing(world, buyer, rep_account, imap_server, client_for):
    counts = (Lead.objects.count(), Customer.objects.count(), Contact.objects.count())
    imap_server.add("INBOX", mime("Stranger <someone@unknown.example>", "Buy our SEO"))
    account_poll(account_id=rep_account.pk)
    assert (Lead.objects.count(), Customer.objects.count(), Contact.objects.count()) == counts
    email = EmailMessage.objects.get()
    assert not email.links.exists()
    assert [e.pk for e in unmatched_for(world.rep)] == [email.pk]
    assert unmatched_for(world.rep2) == []  # another member's account is not theirs
    page = client_for(world.rep).get("/settings/email/unmatched/")
    assert b"Buy our SEO" in page.content


def test_a_reply_is_threaded_to_our_message(world, buyer, rep_account, smtp_server, imap_server):
    sent = email_queue(
        actor=Actor.for_member(world.rep),
        to=["anna@mueller-handel.de"],
        subject="Quotation",
        body_text="Please find our offer.",
        target=buyer.customer,
    )
    # the reply comes from a colleague of Anna whom the CRM does not know
    imap_server.add(
        "INBOX",
        mime("boss@mueller-handel.de", "Re: Quotation", in_reply_to=sent.message_id),
    )
    account_poll(account_id=rep_account.pk)
    reply = EmailMessage.objects.get(direction=Direction.IN)
    assert reply.reply_to_email_id == sent.pk
    assert list(reply.links.values_list("target_type", "target_id")) == [
        ("customer", buyer.customer.pk)
    ]


def test_a_copy_of_our_own_sent_mail_is_filed_under_its_recipient(
    world, buyer, rep_account, imap_server
):
    imap_server.add(
        "INBOX",
        mime("Rep A <rep@a.test>", "Sent from my phone", to="anna@mueller-handel.de"),
    )
    account_poll(account_id=rep_account.pk)
    link = EmailLink.objects.get()
    assert (link.target_type, link.target_id) == ("contact", buyer.contact.pk)


def test_a_new_uidvalidity_starts_over_without_duplicates(world, buyer, rep_account, imap_server):
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "one"))
    account_poll(account_id=rep_account.pk)
    imap_server.folder("INBOX").rebuild(uidvalidity=99)
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "two"))
    assert account_poll(account_id=rep_account.pk)["stored"] == 1
    rep_account.refresh_from_db()
    assert rep_account.imap_uidvalidity == 99 and rep_account.imap_last_uid == 2
    assert EmailMessage.objects.count() == 2


def test_a_server_that_wants_id_before_select_is_read(world, buyer, imap_server, rep_account):
    imap_server.require_id = True  # like imap.163.com: "Unsafe Login" without ID
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "from 163"))
    assert account_poll(account_id=rep_account.pk)["stored"] == 1


def test_no_id_command_when_the_server_does_not_offer_it(world, buyer, rep_account):
    from tradewind.mailing.models import MailAccount

    with LoopbackIMAP(
        users={IMAP_USER: IMAP_PASSWORD}, offer_id=False, more_capabilities="IDLE"
    ) as plain:
        MailAccount.objects.filter(pk=rep_account.pk).update(imap_port=plain.port)
        plain.add("INBOX", mime("anna@mueller-handel.de", "plain server"))
        result = account_poll(account_id=rep_account.pk)
        assert result["stored"] == 1 and result["id_sent"] is False
        assert not plain.commands_named("ID")


def test_a_wrong_password_is_kept_on_the_account(world, rep_account, imap_server):
    imap_server.users[IMAP_USER] = "changed"
    result = account_poll(account_id=rep_account.pk)
    rep_account.refresh_from_db()
    assert "error" in result and "AUTHENTICATIONFAILED" in rep_account.imap_error
    assert not EmailMessage.objects.exists()


def test_the_schedule_polls_every_account_that_polls(world, buyer, rep_account, imap_server):
    imap_server.add("INBOX", mime("anna@mueller-handel.de", "scheduled"))
    runs = schedule_run("mailing.imap_poll", workspace=world.ws)
    assert runs[0].ok and runs[0].result["stored"] == 1
    schedule_run("mailing.imap_poll", workspace=world.ws)
    assert EmailMessage.objects.count() == 1
