"""The whole flow through /api/v1/campaigns: a list from a saved view plus addresses, consent
recorded and imported, counts, a campaign sent to the loopback SMTP server, its report."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_consent_campaign_report(
    world, marketer, account, template, audience, smtp_server, api, token_for
):
    token = token_for(marketer)
    resp = api(
        "post",
        "/campaigns/lists",
        token=token,
        json={"name": "DE", "source": "leads", "saved_view_id": audience.view.pk},
    )
    assert resp.status_code == 201, resp.content
    list_id = resp.json()["id"]
    resp = api(
        "post",
        f"/campaigns/lists/{list_id}/addresses",
        token=token,
        json={"addresses": ["visitor@fair.test, Dana", "ben@kunde2.de"]},
    )
    assert resp.json() == {"added": 2}
    resp = api(
        "post",
        "/campaigns/consent/import",
        token=token,
        json={"addresses": ["email", "visitor@fair.test, 2026-03-01", "ben@kunde2.de"]},
    )
    assert resp.json() == {"recorded": 2, "unchanged": 0, "kept_opted_out": 0}
    resp = api(
        "post",
        "/campaigns/consent",
        token=token,
        json={"email": "carl@kunde3.de", "status": "unsubscribed", "source": "manual"},
    )
    assert resp.status_code == 200
    counts = api("get", f"/campaigns/lists/{list_id}/counts", token=token).json()
    assert counts == {
        "total": 4,
        "with_consent": 2,
        "without_consent": 1,
        "unsubscribed": 1,
        "bounced": 0,
        "duplicates": 1,
        "note": "",
    }
    resp = api(
        "post",
        "/campaigns",
        token=token,
        json={
            "name": "Fair follow-up",
            "template_id": template.pk,
            "list_id": list_id,
            "batch_size": 10,
            "batch_minutes": 0,
        },
    )
    assert resp.status_code == 201
    campaign_id = resp.json()["id"]
    resp = api("post", f"/campaigns/{campaign_id}/schedule", token=token, json={})
    assert resp.status_code == 200 and resp.json()["status"] == "sent"
    assert sorted(m["To"] for m in smtp_server.messages) == ["ben@kunde2.de", "visitor@fair.test"]
    report = api("get", f"/campaigns/{campaign_id}/report", token=token).json()
    assert report["sent"] == 2 and report["delivered"] == 2
    assert report["skipped_unsubscribed"] == 1 and report["skipped_no_consent"] == 1
    recipients = api("get", f"/campaigns/{campaign_id}/recipients", token=token).json()
    assert {r["email"] for r in recipients} >= {"visitor@fair.test", "anna@kunde1.de"}
    # a sent campaign no longer changes; its list stays for the report
    assert (
        api(
            "put",
            f"/campaigns/{campaign_id}",
            token=token,
            json={"name": "x", "template_id": template.pk, "list_id": list_id},
        ).status_code
        == 409
    )
    assert api("delete", f"/campaigns/lists/{list_id}", token=token).status_code == 409
    page = api("get", "/campaigns/consent?status=opted_in", token=token).json()
    assert {c["email"] for c in page["items"]} == {"visitor@fair.test", "ben@kunde2.de"}
    detail = api("get", f"/campaigns/consent/{page['items'][0]['id']}", token=token).json()
    assert detail["history"] and detail["history"][0]["verb"] == "create"
    settings = api(
        "put", "/campaigns/settings", token=token, json={"click_points": 3, "reply_points": 4}
    )
    assert settings.json() == {"click_points": 3, "reply_points": 4}
