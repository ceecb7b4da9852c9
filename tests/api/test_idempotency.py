"""Idempotency keys on POST calls to /api/v1 (issue #8 item 8): the first answer is stored per
(workspace, caller, key); a repeat with the same request gets it back without running the
endpoint; another request under the same key is 422; a repeat while the first runs is 409;
5xx answers are not kept; records count for 24 hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from tradewind.activities.models import Task
from tradewind.customers.models import Customer
from tradewind.leads.models import Lead, LeadImport
from tradewind.sales.models import Opportunity
from tradewind.workspaces.idempotency import IN_FLIGHT_LEASE, _finish, store
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import IdempotencyRecord


def _customer(world):
    from tradewind.customers.services import customer_create

    return customer_create(actor=world.actor(world.rep), name="Keyed Buyer GmbH", country="DE")


CREATING_CALLS = {
    "lead": ("/leads", lambda w: {"company_name": "Idem Lead Co", "email": "a@idem.test"}, Lead),
    "customer": ("/customers", lambda w: {"name": "Idem Customer AG", "country": "DE"}, Customer),
    "opportunity": (
        "/opportunities",
        lambda w: {
            "customer_id": _customer(w).pk,
            "name": "Idem deal",
            "amount": "100",
            "currency": w.ws.base_currency,
        },
        Opportunity,
    ),
    "task": (
        "/tasks",
        lambda w: {"title": "Idem call", "due_kind": "tomorrow"},
        Task,
    ),
}


def post(api, path, token, body, key, **extra):
    return api("post", path, token=token, json=body, HTTP_IDEMPOTENCY_KEY=key, **extra)


@pytest.mark.parametrize("kind", sorted(CREATING_CALLS))
def test_repeat_replays_the_first_answer_without_running_again(world, api, token_for, kind):
    path, make_body, model = CREATING_CALLS[kind]
    token = token_for(world.rep)
    body = make_body(world)
    rows, audits = model.objects.count(), AuditEvent.objects.count()
    first = post(api, path, token, body, "create-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    assert model.objects.count() == rows + 1
    audits_after_first = AuditEvent.objects.count()
    assert audits_after_first > audits

    again = post(api, path, token, body, "create-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert model.objects.count() == rows + 1
    assert AuditEvent.objects.count() == audits_after_first

    record = IdempotencyRecord.objects.get(key="create-1")
    assert record.status == 201 and record.workspace_id == world.ws.pk
    assert record.caller.startswith("token:") and record.user_id == world.rep.user_id


@pytest.mark.parametrize("kind", sorted(CREATING_CALLS))
def test_same_key_with_another_body_is_refused(world, api, token_for, kind):
    path, make_body, model = CREATING_CALLS[kind]
    token = token_for(world.rep)
    body = make_body(world)
    assert post(api, path, token, body, "k-2").status_code == 201
    rows = model.objects.count()
    other = {**body, **({"title": "Other"} if kind == "task" else {"name": "Other Co"})}
    if kind == "lead":
        other = {**body, "company_name": "Other Lead Co"}
    resp = post(api, path, token, other, "k-2", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 422
    assert resp.json()["code"] == "idempotency_key_reused"
    assert resp.json()["message"] == (
        "This Idempotency-Key was already used for a different request."
    )
    assert model.objects.count() == rows
    # The same key on another path is another request too.
    assert post(api, "/leads", token, {"company_name": "X"}, "k-2").status_code == 422


@pytest.mark.parametrize("kind", sorted(CREATING_CALLS))
def test_repeat_while_the_first_is_in_flight_is_409(world, api, token_for, kind):
    """The in-flight row is what a first request leaves while its endpoint runs."""
    from tradewind.workspaces.idempotency import fingerprint  # noqa: F401 (documents the hash)

    path, make_body, model = CREATING_CALLS[kind]
    token = token_for(world.rep)
    body = make_body(world)
    first = post(api, path, token, body, "flying")
    assert first.status_code == 201
    IdempotencyRecord.objects.filter(key="flying").update(status=None, response_body=b"")
    rows = model.objects.count()
    resp = post(api, path, token, body, "flying", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 409 and resp.json()["code"] == "idempotency_in_flight"
    assert model.objects.count() == rows


def test_abandoned_in_flight_record_is_taken_over_after_the_lease(world, api, token_for):
    token = token_for(world.rep)
    body = {"company_name": "Abandoned Lead Co"}
    assert post(api, "/leads", token, body, "dead-worker").status_code == 201
    # A worker died after claiming and before committing: nothing was created by it.
    Lead.objects.filter(company_name="Abandoned Lead Co").delete()
    IdempotencyRecord.objects.filter(key="dead-worker").update(
        status=None, created_at=timezone.now() - IN_FLIGHT_LEASE - dt.timedelta(seconds=1)
    )
    resp = post(api, "/leads", token, body, "dead-worker")
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert Lead.objects.filter(company_name="Abandoned Lead Co").count() == 1
    assert IdempotencyRecord.objects.get(key="dead-worker").status == 201


def test_records_expire_after_a_day(world, api, token_for):
    token = token_for(world.rep)
    assert post(api, "/leads", token, {"company_name": "Day One Co"}, "daily").status_code == 201
    IdempotencyRecord.objects.filter(key="daily").update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1)
    )
    resp = post(
        api, "/leads", token, {"company_name": "Day Two Co"}, "daily", allow_duplicates=True
    )
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert Lead.objects.filter(company_name="Day Two Co").exists()


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there", "naïve"])
def test_invalid_keys_are_refused_and_change_nothing(world, api, token_for, key):
    token = token_for(world.rep)
    rows = Lead.objects.count()
    resp = api(
        "post",
        "/leads",
        token=token,
        json={"company_name": "Bad Key Co"},
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 422
    data = resp.json()
    assert data["code"] == "idempotency_key_invalid"
    assert data["fields"]["idempotency_key"] == [
        "An Idempotency-Key is 1 to 200 printable ASCII characters."
    ]
    assert Lead.objects.count() == rows and not IdempotencyRecord.objects.exists()


def test_a_200_character_key_is_fine(world, api, token_for):
    resp = post(api, "/leads", token_for(world.rep), {"company_name": "Long Key Co"}, "k" * 200)
    assert resp.status_code == 201


def test_callers_do_not_share_keys(world, api, token_for, client_for):
    body = {"company_name": "Shared Key Co"}
    a = post(api, "/leads", token_for(world.rep), body, "same")
    b = post(api, "/leads", token_for(world.rep), body, "same", allow_duplicates=True)
    assert a.status_code == 201 and b.status_code in (201, 409)  # b may be a duplicate (撞单)
    assert "Idempotent-Replayed" not in b
    browser = client_for(world.owner2)
    c = browser.post(
        "/api/v1/leads",
        data={"company_name": "Shared Key Co"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert c.status_code == 201 and "Idempotent-Replayed" not in c
    again = browser.post(
        "/api/v1/leads",
        data={"company_name": "Shared Key Co"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert again["Idempotent-Replayed"] == "true" and again.content == c.content
    callers = set(IdempotencyRecord.objects.values_list("workspace_id", "caller"))
    assert (world.ws2.pk, f"user:{world.owner2.user_id}") in callers
    assert len(callers) == 3


def test_anonymous_and_reads_store_nothing(world, api, token_for):
    resp = api("post", "/leads", json={"company_name": "Anon"}, HTTP_IDEMPOTENCY_KEY="anon")
    assert resp.status_code == 401
    assert (
        api("get", "/leads", token=token_for(world.rep), HTTP_IDEMPOTENCY_KEY="r").status_code
        == 200
    )
    assert not IdempotencyRecord.objects.exists()


def test_refused_input_keeps_the_key_free(world, api, token_for):
    """A body the schema refuses never reaches the endpoint: the key stays unused."""
    token = token_for(world.rep)
    bad = post(api, "/leads", token, {"company_name": ""}, "fix-me")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert not IdempotencyRecord.objects.exists()
    good = post(api, "/leads", token, {"company_name": "Fixed Co"}, "fix-me")
    assert good.status_code == 201


def test_business_refusal_is_stored_and_replayed(world, api, token_for):
    token = token_for(world.rep)
    first = post(api, "/customers", token, {"name": ""}, "no-name", HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 422 and first.json()["code"] != "idempotency_key_reused"
    again = post(api, "/customers", token, {"name": ""}, "no-name", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content


def test_multipart_upload_repeat_is_replayed(world, token_for):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep)}")

    def upload():
        data = "公司名称 Company name,Email\nUpload Co,u@upload.test\n".encode("utf-8-sig")
        return client.post(
            "/api/v1/leads/imports",
            {"file": SimpleUploadedFile("leads.csv", data), "mode": "skip_bad_rows"},
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first = upload()
    assert first.status_code == 201, first.content
    again = upload()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert LeadImport.objects.count() == 1


def test_server_errors_are_not_kept(world):
    record = IdempotencyRecord.objects.create(
        workspace=world.ws, caller="user:1", key="boom", method="POST", path="/x", body_hash="h"
    )
    _finish(record, HttpResponse(b"oops", status=503))
    assert not IdempotencyRecord.objects.filter(key="boom").exists()

    class Request:
        pass

    request = Request()
    request._idempotency_record = IdempotencyRecord.objects.create(
        workspace=world.ws, caller="user:1", key="raised", method="POST", path="/x", body_hash="h"
    )

    def run(request):
        raise RuntimeError("the endpoint crashed")

    with pytest.raises(RuntimeError):
        store(run)(request)
    assert not IdempotencyRecord.objects.filter(key="raised").exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_concurrent_repeat_is_409_then_replayed(world, token_for):
    """Two requests at once, for real: the first holds its key while its endpoint waits on the
    lead numbering row, which a third connection keeps locked; the repeat meanwhile is 409."""
    import threading
    import time

    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the write lock before the claim: no in-flight moment to see")
    token = token_for(world.rep)
    db = connection.settings_dict
    locker = psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )
    answers: dict[str, object] = {}

    def first() -> None:
        try:
            answers["first"] = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
                "/api/v1/leads",
                data={"company_name": "Racing Lead Co"},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="race",
            )
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    try:
        locker.execute(
            "SELECT 1 FROM workspaces_numbersequence WHERE workspace_id = %s FOR UPDATE",
            [world.ws.pk],
        )
        thread.start()
        for _ in range(600):  # the first request has claimed its key (committed) …
            if IdempotencyRecord.objects.filter(key="race", status__isnull=True).exists():
                break
            time.sleep(0.05)
        else:
            pytest.fail("the first request never claimed its key")
        second = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            "/api/v1/leads",
            data={"company_name": "Racing Lead Co"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="race",
        )
        assert second.status_code == 409 and second.json()["code"] == "idempotency_in_flight"
        assert not Lead.objects.filter(company_name="Racing Lead Co").exists()
    finally:
        locker.rollback()  # … and now it may finish
        locker.close()
        thread.join(timeout=60)
    assert answers["first"].status_code == 201
    third = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/leads",
        data={"company_name": "Racing Lead Co"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="race",
    )
    assert third["Idempotent-Replayed"] == "true" and third.content == answers["first"].content
    assert Lead.objects.filter(company_name="Racing Lead Co").count() == 1
