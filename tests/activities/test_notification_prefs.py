"""Notification preferences: defaults, only differences stored, notify() honouring in-app off, the
page and the API (GET/PUT), bad input answering 422 with nothing saved, and who may change what."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.activities.models import Notification, NotificationPreference
from tradewind.activities.notification_prefs import (
    choices_for,
    default_choice,
    notification_preferences_set,
    preferences_for,
)
from tradewind.activities.notifications import KINDS, notify
from tradewind.core.errors import ServiceError
from tradewind.workspaces.models import AuditEvent


def prefs(world, member, **kinds):
    """prefs(world, rep, **{"lead.recycled": (False, "off")})"""
    return notification_preferences_set(
        actor=world.actor(member),
        items=[{"kind": k, "in_app": a, "email": e} for k, (a, e) in kinds.items()],
    )


def stored(member):
    return set(
        NotificationPreference.objects.filter(
            workspace_id=member.workspace_id, user_id=member.user_id
        ).values_list("kind", "in_app", "email")
    )


def test_defaults_in_app_on_email_off_except_mentions_and_assignments():
    assert default_choice("lead.recycled") == default_choice("unknown.kind")
    assert default_choice("lead.recycled").in_app and default_choice("lead.recycled").email == "off"
    for kind in ("comment.mention", "task.assigned", "customer.assigned"):
        assert default_choice(kind).email == "instant"


def test_every_kind_is_listed_grouped_by_area_in_both_languages(world):
    with translation.override("en"):
        rows = preferences_for(world.rep)
    # kinds other apps add at import time appear too (sales, orders, analytics)
    assert {r.kind for r in rows} == set(KINDS) >= {"opportunity.stale", "order.overdue"}
    areas = [r.area for r in rows]
    assert areas.index("lead") < areas.index("customer") < areas.index("task")
    lead = next(r for r in rows if r.kind == "lead.recycled")
    assert lead.area_label == "Leads" and lead.title == "Leads went back to the pool"
    with translation.override("zh-hans"):
        zh = next(r for r in preferences_for(world.rep) if r.kind == "lead.recycled")
    assert zh.area_label != "Leads" and zh.title != lead.title


def test_only_differences_from_the_defaults_are_stored(world):
    assert prefs(world, world.rep, **{"lead.recycled": (False, "off")}) == 1
    assert prefs(world, world.rep, **{"task.assigned": (True, "digest")}) == 1
    assert stored(world.rep) == {("lead.recycled", False, "off"), ("task.assigned", True, "digest")}
    # back to the default: the row goes; the same again changes nothing
    assert prefs(world, world.rep, **{"lead.recycled": (True, "off")}) == 1
    assert prefs(world, world.rep, **{"task.assigned": (True, "digest")}) == 0
    assert stored(world.rep) == {("task.assigned", True, "digest")}
    audit = AuditEvent.objects.filter(action="notification_preferences").order_by("id")
    assert audit.count() == 3 and "lead.recycled" in audit.first().changes
    assert stored(world.rep2) == set()


def test_in_app_off_writes_no_row_for_that_user_only(world):
    prefs(world, world.rep, **{"lead.recycled": (False, "off")})
    notify(
        workspace=world.ws,
        user_ids=[world.rep.user_id, world.rep2.user_id],
        kind="lead.recycled",
        params={"codes": ["X"]},
    )
    assert list(Notification.objects.values_list("user_id", flat=True)) == [world.rep2.user_id]


def test_preferences_are_per_workspace(world):
    prefs(world, world.owner2, **{"lead.recycled": (False, "off")})
    got = choices_for(
        workspace_id=world.ws.pk, kind="lead.recycled", user_ids=[world.owner2.user_id]
    )
    assert got[world.owner2.user_id].in_app


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"kind": "no.such", "in_app": True, "email": "off"}, "notification_unknown_kind"),
        ({"kind": "lead.recycled", "in_app": True, "email": "weekly"}, "notification_bad_email_mode"),
        ({"kind": "lead.recycled", "in_app": False, "email": "digest"}, "notification_digest_needs_in_app"),
    ],
)  # fmt: skip
def test_bad_input_saves_nothing_not_even_the_good_items(world, item, code):
    good = {"kind": "task.assigned", "in_app": False, "email": "off"}
    with pytest.raises(ServiceError) as err:
        notification_preferences_set(actor=world.actor(world.rep), items=[good, item])
    assert err.value.code == code and err.value.status == 422
    assert stored(world.rep) == set()
    assert not AuditEvent.objects.filter(action="notification_preferences").exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_get_and_put_my_preferences(world, api, token_for):
    token = token_for(world.rep)
    body = api("get", "/notifications/preferences", token=token).json()
    assert body["email_modes"] == ["off", "instant", "digest"] and body["digest_hour"] == 7
    mention = next(i for i in body["items"] if i["kind"] == "comment.mention")
    assert mention["email"] == mention["default_email"] == "instant" and mention["in_app"]
    resp = api(
        "put",
        "/notifications/preferences",
        token=token,
        json={"items": [{"kind": "comment.mention", "in_app": False, "email": "instant"}]},
    )
    assert resp.status_code == 200
    mention = next(i for i in resp.json()["items"] if i["kind"] == "comment.mention")
    assert mention["in_app"] is False
    assert stored(world.rep) == {("comment.mention", False, "instant")}


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"kind": "no.such", "email": "off"}, "notification_unknown_kind"),
        ({"kind": "lead.recycled", "email": "sometimes"}, "notification_bad_email_mode"),
        ({"kind": "lead.recycled"}, "notification_bad_email_mode"),
    ],
)
def test_api_bad_input_is_422_with_a_translated_message(world, api, token_for, item, code):
    token = token_for(world.rep)
    items = [{"kind": "task.assigned", "in_app": False, "email": "off"}, item]
    resp = api(
        "put",
        "/notifications/preferences",
        token=token,
        json={"items": items},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422 and resp.json()["code"] == code
    assert item["kind"] in resp.json()["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["message"])
    assert stored(world.rep) == set()


def test_api_put_authorization(world, api, token_for):
    put = {"items": [{"kind": "lead.recycled", "in_app": False, "email": "off"}]}
    assert api("put", "/notifications/preferences", json=put).status_code == 401
    # the other workspace's owner sets their own preferences there, never ours
    other = api("put", "/notifications/preferences", token=token_for(world.owner2), json=put)
    assert other.status_code == 200
    # a read-only member may still choose their own notifications
    mine = api("put", "/notifications/preferences", token=token_for(world.readonly), json=put)
    assert mine.status_code == 200
    assert stored(world.rep) == set()
    assert stored(world.owner2) == {("lead.recycled", False, "off")}
    assert stored(world.readonly) == {("lead.recycled", False, "off")}


# --- page -----------------------------------------------------------------------------------------


def form_data(rows, **changes):
    data = {"kinds": [r.kind for r in rows]}
    for r in rows:
        in_app, email = changes.get(r.kind, (r.in_app, r.email))
        if in_app:
            data[f"in_app:{r.kind}"] = "on"
        data[f"email:{r.kind}"] = email
    return data


def test_page_shows_every_kind_and_saves(world, client_for):
    client = client_for(world.readonly)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert b'data-testid="settings-notifications"' in page.content
    for kind in KINDS:
        assert f'data-kind="{kind}"'.encode() in page.content
    rows = preferences_for(world.readonly)
    resp = client.post(
        "/notifications/preferences/",
        form_data(rows, **{"lead.recycled": (False, "off"), "task.reminder": (True, "digest")}),
    )
    assert resp.status_code == 302
    assert stored(world.readonly) == {
        ("lead.recycled", False, "off"),
        ("task.reminder", True, "digest"),
    }
    client.post("/notifications/preferences/", {"reset": "1"})
    assert stored(world.readonly) == set()


def test_page_kinds_not_shown_stay_untouched(world, client_for):
    prefs(world, world.rep, **{"lead.recycled": (False, "off")})
    client_for(world.rep).post(
        "/notifications/preferences/",
        {"kinds": ["task.reminder"], "in_app:task.reminder": "on", "email:task.reminder": "digest"},
    )
    assert stored(world.rep) == {("lead.recycled", False, "off"), ("task.reminder", True, "digest")}


def test_page_bad_input_shows_the_problem_and_saves_nothing(world, client_for):
    client = client_for(world.rep)
    rows = preferences_for(world.rep)
    resp = client.post(
        "/notifications/preferences/",
        form_data(rows, **{"task.assigned": (True, "off"), "lead.recycled": (False, "digest")}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 422
    assert b'data-testid="preferences-error"' in resp.content
    assert b'data-testid="preference-problem"' in resp.content
    assert stored(world.rep) == set()


def test_page_needs_a_member(world, client):
    assert client.get("/notifications/preferences/").status_code == 302
    client.post("/notifications/preferences/", {"reset": "1"})
    assert not NotificationPreference.objects.exists()
