"""The pages: lists from a saved view with hand-added addresses, consent recorded and imported
with its history, a campaign saved, sent and reported (XLSX), both languages, and the compose
page's warning for an unsubscribed address."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tradewind.campaigns.consent import consent_unsubscribe
from tradewind.campaigns.models import Campaign, Consent, MarketingList

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_consent_campaign_through_the_pages(
    world, marketer, account, template, audience, smtp_server, client_for
):
    client = client_for(marketer)
    resp = client.post(
        "/campaigns/lists/",
        {"name": "DE", "source": "leads", "saved_view_leads": str(audience.view.pk)},
    )
    mlist = MarketingList.objects.get(name="DE")
    assert resp.status_code == 302 and resp["Location"] == f"/campaigns/lists/{mlist.pk}/"
    client.post(f"/campaigns/lists/{mlist.pk}/addresses/", {"addresses": "fair@visit.test, Dana"})
    bad = client.post(f"/campaigns/lists/{mlist.pk}/addresses/", {"addresses": "nope"}, follow=True)
    assert "nope" in bad.content.decode() and mlist.addresses.count() == 1
    page = client.get(f"/campaigns/lists/{mlist.pk}/")
    assert b'data-count="total">4<' in page.content and b"fair@visit.test" in page.content

    client.post(
        "/campaigns/consent/",
        {"email": "anna@kunde1.de", "status": "opted_in", "source": "form", "date": "2026-03-01"},
    )
    client.post(
        "/campaigns/consent/import/", {"addresses": "fair@visit.test\n", "source": "trade_show"}
    )
    assert set(Consent.objects.values_list("email", flat=True)) == {
        "anna@kunde1.de",
        "fair@visit.test",
    }
    row = Consent.objects.get(email="anna@kunde1.de")
    assert row.consented_at.date().isoformat() == "2026-03-01"
    detail = client.get(f"/campaigns/consent/{row.pk}/")
    assert b'data-testid="consent-history"' in detail.content

    resp = client.post(
        "/campaigns/new/",
        {
            "name": "Spring",
            "template": str(template.pk),
            "list": str(mlist.pk),
            "batch_size": "10",
            "batch_minutes": "0",
        },
    )
    campaign = Campaign.objects.get(name="Spring")
    assert resp["Location"] == f"/campaigns/{campaign.pk}/"
    page = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "有许可" in page.content.decode() and b"campaign-preview" in page.content
    client.post(f"/campaigns/{campaign.pk}/schedule/", {"when": "now"})
    assert sorted(m["To"] for m in smtp_server.messages) == ["anna@kunde1.de", "fair@visit.test"]
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert b'data-figure="delivered">2<' in page.content
    export = client.get(f"/campaigns/{campaign.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    delivered = values.get(
        "Delivered (accepted by the mail server)", values.get("已送达（邮件服务器已接收）")
    )
    assert delivered == 2
    # a sent campaign's list stays; the refusal is a message, not an error page
    resp = client.post(f"/campaigns/lists/{mlist.pk}/delete/", follow=True)
    assert MarketingList.objects.filter(pk=mlist.pk).exists()
    assert (
        "Campaigns use this list" in resp.content.decode()
        or "有营销活动使用此名单" in resp.content.decode()
    )


def test_bad_campaign_form_shows_the_errors_and_saves_nothing(world, marketer, client_for):
    resp = client_for(marketer).post(
        "/campaigns/new/", {"name": "", "batch_size": "0"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 422
    text = resp.content.decode()
    assert ("请为营销活动命名" in text and "请选择模板" in text) or "请选择名单" in text
    assert not Campaign.objects.exists()


def test_compose_warns_about_an_unsubscribed_address(world, client_for):
    consent_unsubscribe(workspace_id=world.ws.pk, email="x@east.test")
    page = client_for(world.rep).get(f"/settings/email/send/lead/{world.lead.pk}/")
    assert b'data-testid="compose-unsubscribed"' in page.content
