"""The issue's "done when", end to end against a real SMTP server on loopback: a campaign reaches
only the consenting addresses; the unsubscribe link in the received mail stops the next one."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tradewind.campaigns.choices import CampaignStatus, ConsentStatus, RecipientState
from tradewind.campaigns.consent import consent_record
from tradewind.campaigns.lists import marketing_list_save
from tradewind.campaigns.models import Campaign, CampaignRecipient, Consent
from tradewind.campaigns.report import campaign_report
from tradewind.campaigns.services import campaign_save, campaign_schedule
from tradewind.mailing.models import EmailMessage
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def send(actor, name, template, mlist, **more) -> Campaign:
    campaign = campaign_save(
        actor=actor,
        name=name,
        template_id=template.pk,
        list_id=mlist.pk,
        batch_size=more.pop("batch_size", 1),
        batch_minutes=more.pop("batch_minutes", 0),
    )
    campaign_schedule(actor=actor, campaign=campaign, **more)
    campaign.refresh_from_db()
    return campaign


def test_only_consenting_addresses_get_it_and_the_link_unsubscribes(
    world, marketer, account, template, audience, smtp_server
):
    actor = Actor.for_member(marketer)
    consent_record(actor=actor, email="ANNA@kunde1.de", source="form")
    consent_record(actor=actor, email="ben@kunde2.de", source="trade_show")
    mlist = marketing_list_save(
        actor=actor, name="German leads", source="leads", saved_view_id=audience.view.pk
    )

    first = send(actor, "Spring", template, mlist)

    # three addresses on the list, two consenting: exactly two messages, one each
    assert sorted(m["To"] for m in smtp_server.messages) == ["anna@kunde1.de", "ben@kunde2.de"]
    assert sorted(rcpt for _from, rcpts in smtp_server.envelopes for rcpt in rcpts) == [
        "anna@kunde1.de",
        "ben@kunde2.de",
    ]
    assert first.status == CampaignStatus.SENT and first.batches == 3  # one per batch
    skipped = CampaignRecipient.objects.get(campaign=first, email="carl@kunde3.de")
    assert skipped.state == RecipientState.SKIPPED and skipped.skip_reason == "no_consent"
    anna = next(m for m in smtp_server.messages if m["To"] == "anna@kunde1.de")
    assert anna["Subject"] == "New catalogue for Person 1"  # a German lead: English
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = text_of(anna)
    assert "https://alpha.test/catalogue" not in text  # the link is tracked
    assert "/m/c/" in text

    # follow the unsubscribe link of the received message, as the reader would
    url = re.search(r"https?://\S+/m/u/\S+/", text).group(0)
    assert anna["List-Unsubscribe"].strip() == f"<{url}>"
    reader = Client()  # nobody is signed in
    page = reader.get(urlsplit(url).path)
    assert page.status_code == 200 and b'data-testid="unsubscribe-confirm"' in page.content
    assert (
        Consent.objects.get(email="anna@kunde1.de").status == ConsentStatus.OPTED_IN
    )  # a GET does nothing
    done = reader.post(urlsplit(url).path)
    assert done.status_code == 200 and b'data-testid="unsubscribed"' in done.content
    row = Consent.objects.get(email="anna@kunde1.de")
    assert row.status == ConsentStatus.UNSUBSCRIBED and row.source == "unsubscribe_link"
    assert AuditEvent.objects.filter(target_type="consent", target_id=row.pk).count() == 2

    second = send(actor, "Summer", template, mlist)
    assert [m["To"] for m in smtp_server.messages[2:]] == ["ben@kunde2.de"]
    assert CampaignRecipient.objects.get(campaign=second, email="anna@kunde1.de").skip_reason == (
        "unsubscribed"
    )

    figures = campaign_report(first)
    assert figures["recipients"] == 3 and figures["sent"] == 2 and figures["delivered"] == 2
    assert figures["unsubscribed"] == 1 and figures["skipped_no_consent"] == 1
    assert EmailMessage.objects.filter(key__startswith=f"campaign:{first.pk}:").count() == 2
