"""In-app notifications: stored as kind + params and rendered in the reader's language, the bell,
the page with mark read / mark all read, the API, and another user's notification is 404."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.activities.models import Notification
from tradewind.activities.notifications import notifications_for, notify, unread_count


def send(world, member, key: str = "", codes=("XL1",)) -> Notification:
    notify(
        workspace=world.ws,
        user_ids=[member.user_id],
        kind="lead.recycled",
        params={"codes": list(codes)},
        url=f"/leads/{world.lead.pk}/",
        key=key,
    )
    return Notification.objects.filter(user=member.user).latest("id")


def test_notify_is_one_insert_and_idempotent_by_key(world, django_assert_num_queries):
    # the preferences (one query) and one INSERT, however many users
    with django_assert_num_queries(2):
        notify(workspace=world.ws, user_ids=[world.rep.user_id, world.rep2.user_id],
               kind="lead.recycled", params={"codes": ["A"]}, key="k1")  # fmt: skip
    notify(workspace=world.ws, user_ids=[world.rep.user_id], kind="lead.recycled", key="k1")
    assert Notification.objects.filter(key="k1").count() == 2


def test_rendered_in_the_readers_language(world):
    send(world, world.rep, codes=["XL9"])
    with translation.override("en"):
        [en] = notifications_for(world.rep)
    with translation.override("zh-hans"):
        [zh] = notifications_for(world.rep)
    assert "XL9" in en.body and "XL9" in zh.body
    assert en.title == "Leads went back to the pool" and zh.title != en.title


def test_page_lists_marks_read_and_mark_all(world, client_for):
    first = send(world, world.rep)
    send(world, world.rep)
    send(world, world.rep2)  # someone else's
    client = client_for(world.rep)
    page = client.get("/notifications/")
    assert page.status_code == 200 and page.content.count(b'data-testid="notification"') == 2
    bell = client.get("/notifications/bell/")
    assert b'data-testid="notification-unread">2<' in bell.content
    resp = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert resp.status_code == 302 and resp["Location"] == first.url
    assert unread_count(world.rep) == 1
    client.post("/notifications/read-all/")
    assert unread_count(world.rep) == 0 and unread_count(world.rep2) == 1
    empty = client.get("/notifications/?unread=1")
    assert b'data-testid="empty-state"' in empty.content


def test_pages_spend_no_query_on_the_bell(world, client_for):
    resp = client_for(world.rep).get("/leads/")
    assert b"/notifications/bell/" in resp.content


@pytest.mark.parametrize("who", ["rep2", "owner2", "owner"])
def test_another_users_notification_is_404_and_stays_unread(world, client_for, api, token_for, who):
    row = send(world, world.rep)
    member = getattr(world, who)
    assert client_for(member).post(f"/notifications/{row.pk}/read/").status_code == 404
    resp = api("post", f"/notifications/{row.pk}/read", token=token_for(member))
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_anonymous_is_refused(world, client, api):
    row = send(world, world.rep)
    assert client.post(f"/notifications/{row.pk}/read/").status_code == 302
    assert api("get", "/notifications").status_code == 401
    assert api("post", f"/notifications/{row.pk}/read").status_code == 401
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_api_lists_own_and_marks_read(world, api, token_for):
    row = send(world, world.rep)
    send(world, world.rep2)
    token = token_for(world.rep)
    body = api("get", "/notifications", token=token).json()
    assert [i["id"] for i in body["items"]] == [row.pk] and body["unread"] == 1
    resp = api("post", f"/notifications/{row.pk}/read", token=token)
    assert resp.status_code == 200 and resp.json()["read_at"] is not None
    assert api("get", "/notifications?unread=true", token=token).json()["items"] == []
