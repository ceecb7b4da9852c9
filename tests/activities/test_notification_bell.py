"""The bell: count capped at 99+, polled cheaply, the dropdown list loaded when opened, mark all
read from the dropdown and the API, the unread-count API, paging, and nobody else's rows touched."""

from __future__ import annotations

from tradewind.activities.models import Notification
from tradewind.activities.notifications import unread_count

HTMX = {"HTTP_HX_REQUEST": "true"}


def many(world, member, n: int) -> None:
    Notification.objects.bulk_create(
        [
            Notification(workspace=world.ws, user=member.user, kind="lead.recycled", params={})
            for _ in range(n)
        ]
    )


def test_the_count_says_99_plus_beyond_99(world, client_for):
    many(world, world.rep, 120)
    bell = client_for(world.rep).get("/notifications/bell/", **HTMX)
    assert b'data-testid="notification-unread">99+<' in bell.content
    assert unread_count(world.rep) == 100  # counted no further than the cap needs


def test_the_poll_answers_the_count_only_in_few_queries(
    world, client_for, django_assert_max_num_queries
):
    many(world, world.rep, 3)
    client = client_for(world.rep)
    client.get("/notifications/bell/", **HTMX)  # session and language settled
    with django_assert_max_num_queries(5) as captured:
        poll = client.get("/notifications/bell/", HTTP_HX_TARGET="notification-count", **HTMX)
    assert poll.status_code == 200
    assert poll.content.decode().startswith('<span id="notification-count"')
    assert b"dropdown-menu" not in poll.content and b">3<" in poll.content
    counting = [
        q["sql"] for q in captured.captured_queries if "activities_notification" in q["sql"]
    ]
    assert len(counting) == 1 and "read_at" in counting[0] and "LIMIT" in counting[0].upper()
    many(world, world.rep, 50)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        client.get("/notifications/bell/", HTTP_HX_TARGET="notification-count", **HTMX)


def test_the_bell_polls_and_opens_a_dropdown(world, client_for):
    bell = client_for(world.rep).get("/notifications/bell/", **HTMX).content.decode()
    assert 'hx-trigger="every 60s, notifications-changed from:body"' in bell
    assert 'data-bs-toggle="dropdown"' in bell and 'hx-trigger="show.bs.dropdown"' in bell


def test_a_signed_out_poll_stops(world, client):
    resp = client.get("/notifications/bell/", HTTP_HX_TARGET="notification-count", **HTMX)
    assert resp.status_code == 286 and resp.content == b""
    assert client.get("/notifications/bell/").status_code == 302


def test_the_dropdown_lists_the_newest_few(world, client_for, django_assert_max_num_queries):
    many(world, world.rep, 12)
    client = client_for(world.rep)
    client.get("/notifications/", HTTP_HX_TARGET="notification-menu", **HTMX)
    with django_assert_max_num_queries(6):
        menu = client.get("/notifications/", HTTP_HX_TARGET="notification-menu", **HTMX)
    html = menu.content.decode()
    assert html.startswith('<div id="notification-menu">')
    assert html.count('data-testid="notification-menu-item"') == 8
    assert 'data-testid="notification-menu-read-all"' in html and "<nav" not in html


def test_mark_all_read_from_the_dropdown_refreshes_the_count(world, client_for):
    many(world, world.rep, 3)
    many(world, world.rep2, 2)
    resp = client_for(world.rep).post(
        "/notifications/read-all/", HTTP_HX_TARGET="notification-menu", **HTMX
    )
    assert resp.status_code == 200 and resp["HX-Trigger"] == "notifications-changed"
    assert 'data-testid="notification-menu-read-all"' not in resp.content.decode()
    assert unread_count(world.rep) == 0 and unread_count(world.rep2) == 2


def test_mark_all_read_returns_to_a_safe_next_page(world, client_for):
    client = client_for(world.rep)
    assert client.post("/notifications/read-all/", {"next": "/leads/"})["Location"] == "/leads/"
    evil = client.post("/notifications/read-all/", {"next": "https://evil.test/"})
    assert evil["Location"] == "/notifications/"


def test_the_list_pages_by_id(world, client_for):
    many(world, world.rep, 105)
    client = client_for(world.rep)
    first = client.get("/notifications/")
    assert first.content.count(b'data-testid="notification"') == 100
    oldest_shown = Notification.objects.order_by("-id").values_list("id", flat=True)[99]
    assert f"?before={oldest_shown}".encode() in first.content
    second = client.get(f"/notifications/?before={oldest_shown}")
    assert second.content.count(b'data-testid="notification"') == 5


def test_api_unread_count_read_all_and_paging(world, api, token_for):
    many(world, world.rep, 101)
    many(world, world.rep2, 1)
    token = token_for(world.rep)
    assert api("get", "/notifications/unread-count", token=token).json() == {
        "unread": 100,
        "label": "99+",
    }
    page = api("get", "/notifications", token=token).json()
    assert len(page["items"]) == 100 and page["next_before"] == page["items"][-1]["id"]
    older = api("get", f"/notifications?before={page['next_before']}", token=token).json()
    assert len(older["items"]) == 1 and older["next_before"] is None
    assert api("post", "/notifications/read-all", token=token).json() == {"marked": 101}
    assert api("get", "/notifications/unread-count", token=token).json() == {
        "unread": 0,
        "label": "",
    }
    assert unread_count(world.rep2) == 1


def test_read_all_authorization(world, api, token_for, client):
    many(world, world.rep, 2)
    assert api("post", "/notifications/read-all").status_code == 401
    assert client.post("/notifications/read-all/").status_code == 302
    # another workspace's owner and a colleague mark only their own
    assert api("post", "/notifications/read-all", token=token_for(world.owner2)).json() == {
        "marked": 0
    }
    assert api("post", "/notifications/read-all", token=token_for(world.rep2)).json() == {
        "marked": 0
    }
    assert unread_count(world.rep) == 2
