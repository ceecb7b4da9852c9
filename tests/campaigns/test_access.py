"""Who may do what, through the API and the pages: anonymous, another workspace, a member without
Perm.CAMPAIGN_MANAGE, a member with it — and a refused call changes nothing."""

from __future__ import annotations

import pytest

from tradewind.campaigns.lists import marketing_list_save
from tradewind.campaigns.models import Campaign, Consent, MarketingList
from tradewind.campaigns.services import campaign_save
from tradewind.workspaces.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world, marketer, template):
    actor = Actor.for_member(marketer)
    mlist = marketing_list_save(actor=actor, name="Hand list")
    return campaign_save(actor=actor, name="Draft", template_id=template.pk, list_id=mlist.pk)


def state(world):
    return (
        list(Campaign.objects.values_list("pk", "status", "version")),
        MarketingList.objects.count(),
        Consent.objects.count(),
    )


def test_api_matrix(world, marketer, draft, api, token_for):
    writes = [
        ("post", "/campaigns/consent", {"email": "a@b.test"}),
        ("post", "/campaigns/lists", {"name": "New"}),
        ("post", f"/campaigns/{draft.pk}/schedule", {}),
        ("put", f"/campaigns/{draft.pk}", {"name": "Renamed"}),
        ("put", "/campaigns/settings", {"click_points": 1, "reply_points": 1}),
    ]
    before = state(world)
    for method, path, body in writes:
        assert api(method, path, json=body).status_code == 401
        assert api(method, path, token=token_for(world.rep), json=body).status_code == 403
    for method, path, body in writes[2:4]:  # ids of workspace A
        resp = api(method, path, token=token_for(world.owner2), json=body)
        assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert api("get", f"/campaigns/{draft.pk}", token=token_for(world.owner2)).status_code == 404
    assert api("get", "/campaigns", token=token_for(world.rep)).status_code == 403
    assert state(world) == before
    token = token_for(marketer)
    assert (
        api("post", "/campaigns/consent", token=token, json={"email": "a@b.test"}).status_code
        == 200
    )
    assert api("get", f"/campaigns/{draft.pk}", token=token).json()["name"] == "Draft"


def test_pages_matrix(world, marketer, draft, client, client_for):
    pages = ["/campaigns/", "/campaigns/lists/", "/campaigns/consent/", f"/campaigns/{draft.pk}/"]
    for url in pages:
        assert client.get(url).status_code == 302  # to the sign-in page
        assert client_for(world.rep).get(url).status_code == 403
        assert client_for(marketer).get(url).status_code == 200
    assert client_for(world.owner2).get(f"/campaigns/{draft.pk}/").status_code == 404
    before = state(world)
    assert client_for(world.rep).post(f"/campaigns/{draft.pk}/schedule/").status_code == 403
    assert client_for(world.owner2).post(f"/campaigns/{draft.pk}/schedule/").status_code == 404
    assert state(world) == before


def test_nav_shows_campaigns_only_to_who_may_open_them(world, marketer, client_for):
    assert b'data-nav="campaigns"' in client_for(marketer).get("/campaigns/").content
    assert b'data-nav="campaigns"' not in client_for(world.rep).get("/").content


def test_bad_input_is_refused_translated_and_changes_nothing(
    world, marketer, client_for, api, token_for
):
    before = state(world)
    page = client_for(marketer).post(
        "/campaigns/consent/",
        {"email": "not-an-address", "status": "opted_in", "source": "form"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 422
    assert "不是有效的电子邮件地址" in page.content.decode() or "电子邮件" in page.content.decode()
    resp = api(
        "post",
        "/campaigns/consent/import",
        token=token_for(marketer),
        json={"addresses": ["ok@a.test", "broken@", "also@ok.test"]},
    )
    assert resp.status_code == 422
    assert resp.json()["message"].startswith(("Line 2:", "第 2 行"))  # the member's language
    resp = api("post", "/campaigns", token=token_for(marketer), json={"name": ""})
    assert resp.status_code == 422 and {"name", "template", "list"} <= set(resp.json()["fields"])
    assert state(world) == before


def test_the_campaigns_page_reads_a_constant_number_of_queries(
    world, marketer, template, client_for
):
    """Each row shows its list and template: joined, not read per row."""
    actor = Actor.for_member(marketer)
    mlist = marketing_list_save(actor=actor, name="Hand list")
    client = client_for(marketer)

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/campaigns/").status_code == 200
        return len(ctx.captured_queries)

    campaign_save(actor=actor, name="One", template_id=template.pk, list_id=mlist.pk)
    queries_for_page()  # the first request also fills per-process caches
    one = queries_for_page()
    for i in range(5):
        campaign_save(actor=actor, name=f"More {i}", template_id=template.pk, list_id=mlist.pk)
    assert queries_for_page() == one
