"""Task pages (My day, the form, the panel on lead and customer pages) and the /api/v1/tasks API,
with the authorization matrix: anonymous, other workspace, no permission, permission."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tradewind.activities.models import Task
from tradewind.activities.task_services import task_create

NOW = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(world):
    return task_create(
        actor=world.actor(world.rep),
        title="Quote the FOB price",
        due_kind="tonight",
        target_type="lead",
        target_id=world.lead.pk,
    )


def test_my_day_page_lists_and_is_empty_friendly(world, client_for, task):
    resp = client_for(world.rep).get("/tasks/")
    assert resp.status_code == 200
    assert b"Quote the FOB price" in resp.content
    assert b"ALPHA-EAST-SECRET" in resp.content  # the related lead, linked
    empty = client_for(world.rep2).get("/tasks/")
    assert b'data-testid="my-day-empty"' in empty.content
    partial = client_for(world.rep).get("/tasks/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="my-day")
    assert b"<html" not in partial.content and b"Quote the FOB price" in partial.content


def test_create_from_the_lead_page_with_a_fuzzy_button(world, client_for):
    client = client_for(world.rep)
    lead_page = client.get(f"/leads/{world.lead.pk}/")
    assert b'data-testid="tasks-panel"' in lead_page.content
    assert b'data-testid="comments-panel"' in lead_page.content
    form = client.get(f"/tasks/new/?target_type=lead&target_id={world.lead.pk}")
    assert b'data-testid="due-later_today"' in form.content
    with time_machine.travel(NOW, tick=False):
        resp = client.post(
            "/tasks/new/",
            {
                "title": "Call about samples",
                "due_kind": "later_today",
                "priority": "high",
                "assignee": world.rep.user_id,
                "target_type": "lead",
                "target_id": world.lead.pk,
                "next": f"/leads/{world.lead.pk}/#tasks",
            },
        )
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.lead.pk}/#tasks"
    task = Task.objects.get(title="Call about samples")
    assert task.due_kind == "later_today" and task.due_start == NOW + dt.timedelta(hours=2)
    assert b"Call about samples" in client.get(f"/leads/{world.lead.pk}/").content


def test_bad_form_shows_translated_errors_and_saves_nothing(world, client_for):
    client = client_for(world.rep)
    client.post("/i18n/language/", {"language": "zh-hans"})
    resp = client.post(
        "/tasks/new/",
        {"title": "x", "due_kind": "exact", "priority": "normal", "assignee": world.rep.user_id},
    )
    assert resp.status_code == 200
    assert "输入截止时间".encode() in resp.content
    assert not Task.objects.exists()


def test_edit_keeps_an_untouched_fuzzy_window(world, client_for, task):
    client = client_for(world.rep)
    before = (task.due_start, task.due_end)
    resp = client.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": "Quote the CIF price",
            "due_kind": "tonight",
            "priority": "normal",
            "assignee": world.rep.user_id,
            "version": task.version,
        },
    )
    assert resp.status_code == 302
    task.refresh_from_db()
    assert task.title == "Quote the CIF price" and (task.due_start, task.due_end) == before


def test_page_authorization_matrix(world, client, client_for, task):
    url = f"/tasks/{task.pk}/complete/"
    assert client.post(url).status_code == 302  # anonymous: to sign-in
    assert client_for(world.owner2).post(url).status_code == 404
    assert client_for(world.other_rep).post(url).status_code == 404
    assert client_for(world.readonly).post(url).status_code == 403
    task.refresh_from_db()
    assert task.status == "open"
    assert client_for(world.manager).post(url).status_code == 302
    task.refresh_from_db()
    assert task.status == "done"


def test_customer_page_has_the_panels(world, client_for):
    from tradewind.customers.models import Customer

    customer = Customer.objects.create(
        workspace=world.ws, code="KH1", name="Buyer", owner=world.rep.user
    )
    task_create(
        actor=world.actor(world.rep),
        title="Send price list",
        due_kind="tomorrow",
        target_type="customer",
        target_id=customer.pk,
    )
    resp = client_for(world.rep).get(f"/customers/{customer.pk}/")
    assert resp.status_code == 200
    assert b"Send price list" in resp.content and b'data-testid="comments-panel"' in resp.content


# --- API ------------------------------------------------------------------------------------------


def test_api_crud_and_complete(world, api, token_for):
    token = token_for(world.rep)
    resp = api(
        "post",
        "/tasks",
        token,
        {
            "title": "Follow the sample",
            "due_kind": "next_week",
            "workdays_only": True,
            "target_type": "lead",
            "target_id": world.lead.pk,
            "recurrence": "weekly",
        },
    )
    assert resp.status_code == 201, resp.content
    task_id = resp.json()["id"]
    assert api("get", f"/tasks/{task_id}", token).json()["due_kind"] == "next_week"
    listed = api("get", f"/tasks?target_type=lead&target_id={world.lead.pk}", token).json()
    assert [t["id"] for t in listed] == [task_id]
    patched = api("patch", f"/tasks/{task_id}", token, {"priority": "urgent", "version": 1})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api("patch", f"/tasks/{task_id}", token, {"priority": "low", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    done = api("post", f"/tasks/{task_id}/complete", token).json()
    assert done["task"]["status"] == "done" and done["next"]["previous_id"] == task_id
    assert api("post", f"/tasks/{task_id}/complete", token).json()["code"] == "task_not_open"
    assert api("post", f"/tasks/{task_id}/reopen", token).json()["status"] == "open"
    assert api("delete", f"/tasks/{task_id}", token).status_code == 204
    assert not Task.objects.filter(pk=task_id).exists()


def test_api_bad_input_is_coded_and_translated(world, api, token_for):
    token = token_for(world.rep)
    resp = api(
        "post", "/tasks", token, {"title": "", "due_kind": "soon"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "task_invalid" and set(body["fields"]) == {"title", "due_kind"}
    assert not Task.objects.exists()


def test_api_authorization_matrix(world, api, token_for, task):
    url = f"/tasks/{task.pk}/cancel"
    assert api("post", url).status_code == 401
    assert api("post", url, token_for(world.owner2)).status_code == 404
    assert api("post", url, token_for(world.other_rep)).status_code == 404
    assert api("post", url, token_for(world.readonly)).status_code == 403
    assert (
        api(
            "post", "/tasks", token_for(world.readonly), {"title": "x", "due_kind": "tonight"}
        ).status_code
        == 403
    )
    task.refresh_from_db()
    assert task.status == "open" and Task.objects.count() == 1
    assert api("post", url, token_for(world.rep)).status_code == 200
    task.refresh_from_db()
    assert task.status == "cancelled"
