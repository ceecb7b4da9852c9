"""The webhooks API: create (the secret shown once), list and detail (never the secret), change,
switch on and off, rotate, test, delete, the delivery log and replay; authorization for every
write (anonymous, other workspace, no permission, permitted); bad input is a translated 422 that
changes nothing; private targets only with the setting."""

from __future__ import annotations

import base64

import pytest

from tests.webhooks.receiver import Receiver
from tradewind.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSettings
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import Job

PUBLIC = "https://93.184.215.14/hooks/tradewind"  # an address literal: no DNS in the tests


def _create(api, token, **extra):
    body = {"url": PUBLIC, "event_types": ["lead.created", "opportunity.won"], **extra}
    return api("post", "/webhooks/endpoints", token=token, json=body)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_create_shows_the_secret_once_and_never_again(world, api, token_for):
    token = token_for(world.owner)
    resp = _create(api, token, description="ERP")
    assert resp.status_code == 201
    data = resp.json()
    secret = data["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert data["event_types"] == ["lead.created", "opportunity.won"]
    assert data["owner_id"] == world.owner.user_id and data["is_active"]
    listed = api("get", "/webhooks/endpoints", token=token)
    detail = api("get", f"/webhooks/endpoints/{data['id']}", token=token)
    for resp in (listed, detail):
        assert resp.status_code == 200
        assert secret.encode() not in resp.content and b"secret" not in resp.content
    audit = AuditEvent.objects.get(target_type="webhook_endpoint", verb="create")
    assert secret not in str(audit.changes)


def test_rotate_returns_a_new_secret_and_keeps_the_old_one_for_a_day(world, api, token_for):
    token = token_for(world.owner)
    created = _create(api, token).json()
    resp = api("post", f"/webhooks/endpoints/{created['id']}/rotate-secret", token=token)
    assert resp.status_code == 200
    new = resp.json()["secret"]
    assert new != created["secret"] and new.startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.secret == new and endpoint.previous_secret == created["secret"]
    assert new not in str(AuditEvent.objects.filter(action="webhook_secret_rotated").get().changes)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"url": "ftp://example.com/x", "event_types": ["lead.created"]}, "webhook_bad_url", "url"),
        (
            {"url": "http://127.0.0.1:9/x", "event_types": ["lead.created"]},
            "webhook_url_refused",
            "url",
        ),
        (
            {"url": "http://169.254.169.254/", "event_types": ["lead.created"]},
            "webhook_url_refused",
            "url",
        ),
        (
            {"url": "http://[::ffff:10.0.0.1]/", "event_types": ["lead.created"]},
            "webhook_url_refused",
            "url",
        ),
        ({"url": PUBLIC, "event_types": []}, "webhook_no_events", "event_types"),
        ({"url": PUBLIC, "event_types": ["lead.exploded"]}, "webhook_unknown_event", "event_types"),
        (
            {"url": PUBLIC, "event_types": ["lead.created"], "description": "x" * 301},
            "webhook_bad_description",
            "description",
        ),
        ({"event_types": ["lead.created"]}, "webhook_bad_url", "url"),
    ],
)
def test_bad_input_is_a_translated_422_and_changes_nothing(
    world, api, token_for, body, code, field
):
    resp = api(
        "post",
        "/webhooks/endpoints",
        token=token_for(world.owner),
        json=body,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == code and field in resp.json()["fields"]
    assert _chinese(resp.json()["message"]) and _chinese(resp.json()["fields"][field][0])
    assert not WebhookEndpoint.objects.exists()


def test_private_targets_only_with_the_setting(world, api, token_for):
    owner = token_for(world.owner)
    local = {"url": "http://127.0.0.1:8080/in", "event_types": ["lead.created"]}
    assert api("post", "/webhooks/endpoints", token=owner, json=local).status_code == 422
    manager = token_for(world.manager)
    put = {"allow_private_targets": True}
    assert api("put", "/webhooks/settings", token=manager, json=put).status_code == 403
    assert not WebhookSettings.objects.filter(allow_private_targets=True).exists()
    resp = api("put", "/webhooks/settings", token=owner, json=put)
    assert resp.status_code == 200 and resp.json()["allow_private_targets"] is True
    assert api("post", "/webhooks/endpoints", token=owner, json=local).status_code == 201
    metadata = {"url": "http://169.254.169.254/latest", "event_types": ["lead.created"]}
    assert api("post", "/webhooks/endpoints", token=owner, json=metadata).status_code == 422
    # the other workspace is not affected by ours
    other = token_for(world.owner2)
    assert api("get", "/webhooks/settings", token=other).json()["allow_private_targets"] is False
    assert api("post", "/webhooks/endpoints", token=other, json=local).status_code == 422


def test_server_can_forbid_private_targets_whatever_the_workspace_says(
    world, api, token_for, settings
):
    owner = token_for(world.owner)
    api("put", "/webhooks/settings", token=owner, json={"allow_private_targets": True})
    settings.WEBHOOK_PRIVATE_TARGETS_SETTING = False
    local = {"url": "http://127.0.0.1:8080/in", "event_types": ["lead.created"]}
    assert api("post", "/webhooks/endpoints", token=owner, json=local).status_code == 422
    assert (
        api("get", "/webhooks/settings", token=owner).json()["server_allows_private_targets"]
        is False
    )


def _endpoint(world, api, token_for) -> int:
    return _create(api, token_for(world.owner)).json()["id"]


def _writes(endpoint_id: int, delivery_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("post", "/webhooks/endpoints", {"url": PUBLIC, "event_types": ["lead.created"]}),
        (
            "patch",
            f"/webhooks/endpoints/{endpoint_id}",
            {"description": "hijack", "is_active": False},
        ),
        ("delete", f"/webhooks/endpoints/{endpoint_id}", None),
        ("post", f"/webhooks/endpoints/{endpoint_id}/rotate-secret", {}),
        ("post", f"/webhooks/endpoints/{endpoint_id}/test", {}),
        ("post", f"/webhooks/deliveries/{delivery_id}/replay", {}),
        ("put", "/webhooks/settings", {"allow_private_targets": True}),
    ]


def _snapshot() -> tuple:
    return (
        list(
            WebhookEndpoint.objects.order_by("pk").values_list(
                "pk", "version", "secret", "is_active", "description"
            )
        ),
        list(WebhookDelivery.objects.order_by("pk").values_list("pk", "state", "attempts")),
        list(WebhookSettings.objects.values_list("allow_private_targets")),
        Job.objects.filter(kind="webhooks.deliver").count(),
    )


def _delivery(endpoint_id: int) -> int:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    return WebhookDelivery.objects.create(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        event_id="msg_auth",
        event_type="lead.created",
        source="event",
        body="{}",
        state="delivered",
    ).pk


def test_write_authorization(world, api, token_for):
    endpoint_id = _endpoint(world, api, token_for)
    delivery_id = _delivery(endpoint_id)
    before = _snapshot()
    writes = _writes(endpoint_id, delivery_id)
    for method, path, body in writes:  # anonymous
        assert api(method, path, json=body).status_code == 401, path
    other, manager = token_for(world.owner2), token_for(world.manager)
    for method, path, body in writes:
        has_id = "{" not in path and any(ch.isdigit() for ch in path)
        resp = api(method, path, token=other, json=body)
        # the other workspace's owner may write their own workspace's webhooks, never ours
        if has_id:
            assert resp.status_code == 404 and resp.json()["code"] == "not_found", path
        resp = api(method, path, token=manager, json=body)  # no WEBHOOK_MANAGE
        assert resp.status_code == (404 if has_id else 403), (path, resp.status_code)
    WebhookEndpoint.objects.filter(workspace=world.ws2).delete()
    WebhookSettings.objects.filter(workspace=world.ws2).delete()
    Job.objects.filter(workspace=world.ws2).delete()
    assert _snapshot() == before


def test_permitted_writes(world, api, token_for):
    token = token_for(world.owner)
    endpoint_id = _endpoint(world, api, token_for)
    patched = api(
        "patch",
        f"/webhooks/endpoints/{endpoint_id}",
        token=token,
        json={
            "description": "ERP inbound",
            "is_active": False,
            "event_types": ["payment.received"],
        },
    )
    assert patched.status_code == 200
    assert patched.json()["disabled_reason"] == "manual" and not patched.json()["is_active"]
    assert patched.json()["event_types"] == ["payment.received"]
    on = api("patch", f"/webhooks/endpoints/{endpoint_id}", token=token, json={"is_active": True})
    assert on.json()["is_active"] and on.json()["disabled_reason"] == ""
    queued = api("post", f"/webhooks/endpoints/{endpoint_id}/test", token=token, json={})
    assert queued.status_code == 202 and queued.json()["event_type"] == "webhook.ping"
    assert queued.json()["event_id"].startswith("msg_")
    delivery_id = queued.json()["id"]
    replay = api("post", f"/webhooks/deliveries/{delivery_id}/replay", token=token, json={})
    assert replay.status_code == 202 and replay.json()["event_id"] == queued.json()["event_id"]
    deleted = api("delete", f"/webhooks/endpoints/{endpoint_id}", token=token)
    assert deleted.status_code == 204 and not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_delivery_log_filters_pages_and_detail(
    world, api, token_for, django_assert_max_num_queries
):
    token = token_for(world.owner)
    endpoint_id = _endpoint(world, api, token_for)
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    for i in range(30):
        WebhookDelivery.objects.create(
            workspace=world.ws,
            endpoint=endpoint,
            event_id=f"msg_{i:03d}",
            event_type="lead.created" if i % 3 else "opportunity.won",
            source="event",
            body='{"type":"x"}',
            state="failed" if i % 2 else "delivered",
        )
    with django_assert_max_num_queries(8):
        page = api("get", f"/webhooks/endpoints/{endpoint_id}/deliveries?limit=10", token=token)
    assert page.status_code == 200 and len(page.json()["items"]) == 10
    assert page.json()["items"][0]["event_id"] == "msg_029"
    nxt = api(
        "get",
        f"/webhooks/endpoints/{endpoint_id}/deliveries?limit=10&cursor={page.json()['next_cursor']}",
        token=token,
    )
    assert nxt.json()["items"][0]["event_id"] == "msg_019"
    failed_won = api(
        "get",
        f"/webhooks/endpoints/{endpoint_id}/deliveries?state=failed&event_type=opportunity.won",
        token=token,
    ).json()["items"]
    assert {d["event_id"] for d in failed_won} == {
        "msg_003",
        "msg_009",
        "msg_015",
        "msg_021",
        "msg_027",
    }
    one = WebhookDelivery.objects.get(event_id="msg_003")
    detail = api("get", f"/webhooks/deliveries/{one.pk}", token=token)
    assert detail.status_code == 200 and detail.json()["body"] == '{"type":"x"}'
    assert detail.json()["log"] == []


def test_event_catalogue(world, api, token_for):
    resp = api("get", "/webhooks/event-types", token=token_for(world.rep))
    types = {row["type"] for row in resp.json()}
    assert {
        "lead.created",
        "lead.claimed",
        "lead.converted",
        "opportunity.stage_changed",
        "opportunity.won",
        "order.confirmed",
        "payment.received",
    } <= types


def test_test_event_reaches_a_loopback_receiver_with_the_setting(
    world, api, token_for, django_capture_on_commit_callbacks
):
    token = token_for(world.owner)
    api("put", "/webhooks/settings", token=token, json={"allow_private_targets": True})
    with Receiver() as receiver:
        created = api(
            "post",
            "/webhooks/endpoints",
            token=token,
            json={"url": receiver.url(), "event_types": ["lead.created"]},
        ).json()
        receiver.secret = created["secret"]
        with django_capture_on_commit_callbacks(execute=True):
            api("post", f"/webhooks/endpoints/{created['id']}/test", token=token, json={})
    (request,) = receiver.received
    assert request.verified and request.json["type"] == "webhook.ping"
