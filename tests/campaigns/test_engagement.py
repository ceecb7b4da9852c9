"""After the send: tracked clicks raise the score once, a reply fetched over IMAP becomes a
follow-up, SMTP refusals and DSN bounce mails mark the address, the throttle spaces batches,
a scheduled campaign waits, a cancelled one stops, and automated mail honours unsubscribes."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage as MimeMessage
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tradewind.activities.models import FollowUp
from tradewind.campaigns.choices import CampaignStatus, ConsentStatus, RecipientState
from tradewind.campaigns.consent import consent_record, consent_unsubscribe
from tradewind.campaigns.lists import marketing_list_save
from tradewind.campaigns.models import CampaignRecipient, Consent
from tradewind.campaigns.report import campaign_report
from tradewind.campaigns.services import campaign_cancel, campaign_policy_save
from tradewind.core.errors import ServiceError
from tradewind.leads.models import Lead
from tradewind.leads.scoring import rescore_all
from tradewind.mailing.inbound import account_poll
from tradewind.mailing.sending import email_queue
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind
from tradewind.workspaces.jobs import jobs_work

from .test_sending import send, text_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(world, marketer, account, template, audience):
    actor = Actor.for_member(marketer)
    mlist = marketing_list_save(
        actor=actor, name="German leads", source="leads", saved_view_id=audience.view.pk
    )
    return actor, mlist


def test_a_click_redirects_to_the_stored_link_and_raises_the_score_once(
    world, setup, template, audience, smtp_server
):
    actor, mlist = setup
    consent_record(actor=actor, email="anna@kunde1.de")
    campaign_policy_save(actor=actor, click_points=7, reply_points=10)
    lead = audience.leads[0]
    before = Lead.objects.get(pk=lead.pk).score
    campaign = send(actor, "Spring", template, mlist)
    text = text_of(smtp_server.messages[0])
    link = urlsplit(re.search(r"https?://\S+/m/c/\S+/", text).group(0)).path
    reader = Client()
    first = reader.get(link)
    assert first.status_code == 302
    assert first["Location"] == "https://alpha.test/catalogue?utm=spring"
    assert Lead.objects.get(pk=lead.pk).score == before + 7
    assert reader.get(link).status_code == 302  # a second click counts nothing more
    assert Lead.objects.get(pk=lead.pk).score == before + 7
    rescore_all(workspace=world.ws)  # a rescore from the rules keeps the engagement points
    assert Lead.objects.get(pk=lead.pk).score == before + 7
    figures = campaign_report(campaign)
    assert figures["clicked"] == 1 and figures["opened"] == 1
    # a token that does not verify, or names another link, leads nowhere
    assert reader.get(link[:-3] + "xx/").status_code == 404
    token = link.split("/")[-2]
    forged = token.replace("-1.", "-2.", 1)
    assert reader.get(f"/m/c/{forged}/").status_code == 404
    pixel = re.search(
        r'src="https?://[^"]+(/m/o/[^"]+/)"',
        smtp_server.messages[0].get_body(("html",)).get_content(),
    )
    assert reader.get(pixel.group(1)).status_code == 200


def mime_reply(to_message, body: str = "Please send prices") -> MimeMessage:
    msg = MimeMessage()
    msg["From"] = "Person 1 <anna@kunde1.de>"
    msg["To"] = "news@a.test"
    msg["Subject"] = "Re: " + to_message["Subject"]
    msg["Date"] = "Tue, 03 Mar 2026 09:30:00 +0100"
    msg["Message-ID"] = "<reply-1@kunde1.de>"
    msg["In-Reply-To"] = to_message["Message-ID"]
    msg.set_content(body)
    return msg


def test_a_reply_fetched_over_imap_records_a_follow_up_and_raises_the_score(
    world, setup, template, audience, smtp_server, imap_server, account
):
    actor, mlist = setup
    consent_record(actor=actor, email="anna@kunde1.de")
    lead = audience.leads[0]
    before = Lead.objects.get(pk=lead.pk).score
    campaign = send(actor, "Spring", template, mlist)
    imap_server.add("INBOX", mime_reply(smtp_server.messages[0]))
    assert account_poll(account_id=account.pk)["stored"] == 1
    followup = FollowUp.objects.get(target_type="lead", target_id=lead.pk)
    assert followup.result == "responded" and followup.channel == "email"
    assert "Spring" in followup.summary and "Please send prices" in followup.feedback
    assert Lead.objects.get(pk=lead.pk).score >= before + 10
    recipient = CampaignRecipient.objects.get(campaign=campaign, email="anna@kunde1.de")
    assert recipient.replied_at is not None
    account_poll(account_id=account.pk)  # polling again files nothing twice
    assert FollowUp.objects.filter(target_type="lead", target_id=lead.pk).count() == 1
    assert campaign_report(campaign)["replied"] == 1


def test_an_smtp_refusal_marks_the_address_bounced_and_the_next_campaign_skips_it(
    world, setup, template, smtp_server
):
    actor, mlist = setup
    consent_record(actor=actor, email="anna@kunde1.de")
    smtp_server.fail_with = 550
    smtp_server.fail_message = "5.1.1 mailbox unavailable"
    first = send(actor, "Spring", template, mlist)
    recipient = CampaignRecipient.objects.get(campaign=first, email="anna@kunde1.de")
    assert recipient.state == RecipientState.BOUNCED and recipient.bounced_at is not None
    assert Consent.objects.get(email="anna@kunde1.de").status == ConsentStatus.BOUNCED
    assert campaign_report(first)["bounced"] == 1
    smtp_server.fail_with = 0
    second = send(actor, "Summer", template, mlist)
    assert smtp_server.messages == []
    skipped = CampaignRecipient.objects.get(campaign=second, email="anna@kunde1.de")
    assert skipped.skip_reason == "bounced"


def test_a_dsn_bounce_mail_marks_the_address(
    world, setup, template, smtp_server, imap_server, account
):
    actor, mlist = setup
    consent_record(actor=actor, email="ben@kunde2.de")
    campaign = send(actor, "Spring", template, mlist)
    sent = smtp_server.messages[0]
    dsn = MimeMessage()
    dsn["From"] = "MAILER-DAEMON@mx.kunde2.de"
    dsn["To"] = "news@a.test"
    dsn["Subject"] = "Undelivered Mail Returned to Sender"
    dsn["Message-ID"] = "<dsn-1@mx.kunde2.de>"
    dsn.set_content(
        "This is the mail system at host mx.kunde2.de.\n\n<ben@kunde2.de>: user unknown\n\n"
        f"Message-ID: {sent['Message-ID']}\nSubject: {sent['Subject']}\n"
    )
    imap_server.add("INBOX", dsn)
    account_poll(account_id=account.pk)
    recipient = CampaignRecipient.objects.get(campaign=campaign, email="ben@kunde2.de")
    assert recipient.state == RecipientState.BOUNCED
    assert Consent.objects.get(email="ben@kunde2.de").status == ConsentStatus.BOUNCED


def test_the_throttle_spaces_the_batches_and_a_scheduled_campaign_waits(
    world, setup, template, smtp_server
):
    actor, mlist = setup
    for address in ("anna@kunde1.de", "ben@kunde2.de"):
        consent_record(actor=actor, email=address)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=2)
    campaign = send(actor, "Later", template, mlist, batch_minutes=10, send_at=start)
    assert campaign.status == CampaignStatus.SCHEDULED
    jobs_work(once=True)
    assert smtp_server.messages == []  # not yet
    with time_machine.travel(start + dt.timedelta(seconds=5)):
        jobs_work(once=True)
    assert [m["To"] for m in smtp_server.messages] == ["anna@kunde1.de"]  # batch 0 only
    with time_machine.travel(start + dt.timedelta(minutes=5)):
        jobs_work(once=True)
    assert len(smtp_server.messages) == 1  # batch 1 waits ten minutes
    with time_machine.travel(start + dt.timedelta(minutes=11)):
        jobs_work(once=True)
    assert [m["To"] for m in smtp_server.messages] == ["anna@kunde1.de", "ben@kunde2.de"]
    with time_machine.travel(start + dt.timedelta(minutes=22)):
        jobs_work(once=True)  # batch 2: carl, without consent, is skipped
    assert len(smtp_server.messages) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_cancelled_campaign_sends_nothing_more(world, setup, template, smtp_server):
    actor, mlist = setup
    for address in ("anna@kunde1.de", "ben@kunde2.de"):
        consent_record(actor=actor, email=address)
    campaign = send(actor, "Slow", template, mlist, batch_minutes=30)
    assert len(smtp_server.messages) == 1
    campaign_cancel(actor=actor, campaign=campaign)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        jobs_work(once=True)
    assert len(smtp_server.messages) == 1
    assert campaign_report(campaign)["skipped_other"] == 2


def test_automated_mail_refuses_an_unsubscribed_address_and_a_person_may_still_write(
    world, marketer, account, smtp_server
):
    consent_unsubscribe(workspace_id=world.ws.pk, email="Gone@Example.com")
    robot = Actor.system(world.ws, label="rule", kind=ActorKind.AUTOMATION)
    with pytest.raises(ServiceError) as refused:
        email_queue(actor=robot, to=["gone@example.com"], subject="Hi", body_text="Hello")
    assert refused.value.code == "email_recipient_unsubscribed"
    email_queue(
        actor=Actor.for_member(marketer),
        to=["gone@example.com"],
        subject="Re: your question",
        body_text="Here is the answer.",
    )
    assert [m["To"] for m in smtp_server.messages] == ["gone@example.com"]
