"""The webhook settings pages: list, create (the secret shown once), edit, switch off and on,
rotate, test event, delete, the delivery log with filters, a delivery with replay, the private
targets setting; authorization for every write; both languages."""

from __future__ import annotations

import pytest

from tests.webhooks.receiver import Receiver
from tradewind.webhooks import services
from tradewind.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSettings
from tradewind.workspaces.models_jobs import Job

PUBLIC = "https://93.184.215.14/hooks/in"


@pytest.fixture
def endpoint(world):
    made, _secret = services.endpoint_create(
        actor=world.actor(world.owner), url=PUBLIC, event_types=["lead.created"]
    )
    return made


def _deliveries(endpoint, n: int) -> list[WebhookDelivery]:
    return [
        WebhookDelivery.objects.create(
            workspace_id=endpoint.workspace_id,
            endpoint=endpoint,
            event_id=f"msg_page{i:03d}",
            event_type="lead.created" if i % 2 else "opportunity.won",
            source="event",
            body='{"type":"lead.created","data":{"id":1}}',
            state="delivered" if i % 3 else "failed",
            attempts=1,
            last_status=200 if i % 3 else 500,
        )
        for i in range(n)
    ]


def test_list_and_empty_state(world, client_for):
    owner = client_for(world.owner)
    resp = owner.get("/settings/webhooks/")
    assert resp.status_code == 200 and b'data-testid="empty-state"' in resp.content
    assert b'data-testid="settings-webhooks"' in resp.content
    assert client_for(world.manager).get("/settings/webhooks/").status_code == 403
    assert client_for(world.rep).get("/settings/webhooks/").status_code == 403
    nav = client_for(world.manager).get("/settings/profile/").content
    assert b'data-testid="settings-webhooks"' not in nav


def test_create_shows_the_secret_once(world, client_for):
    owner = client_for(world.owner)
    resp = owner.post(
        "/settings/webhooks/new/",
        {
            "url": PUBLIC,
            "description": "ERP",
            "event_types": ["lead.created", "payment.received"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    first = owner.get(resp["Location"]).content.decode()
    assert endpoint.secret in first and 'data-testid="webhook-secret"' in first
    again = owner.get(resp["Location"]).content.decode()
    assert endpoint.secret not in again
    assert endpoint.event_types == ["lead.created", "payment.received"]
    listing = owner.get("/settings/webhooks/").content.decode()
    assert PUBLIC in listing and endpoint.secret not in listing


def test_create_bad_input_in_chinese_changes_nothing(world, client_for):
    owner = client_for(world.owner)
    resp = owner.post(
        "/settings/webhooks/new/",
        {"url": "http://169.254.169.254/latest", "event_types": ["lead.created"]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "不允许调用此 URL" in text and "云元数据服务" in text
    resp = owner.post("/settings/webhooks/new/", {"url": PUBLIC}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请至少选择一个事件" in resp.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_edit_switch_rotate_delete(world, client_for, endpoint):
    owner = client_for(world.owner)
    base = f"/settings/webhooks/{endpoint.pk}/"
    assert owner.get(base + "edit/").status_code == 200
    resp = owner.post(
        base + "edit/", {"url": PUBLIC + "2", "event_types": ["opportunity.won"], "is_active": "on"}
    )
    assert resp.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC + "2" and endpoint.event_types == ["opportunity.won"]
    owner.post(base + "active/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "manual"
    owner.post(base + "active/", {"active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.is_active
    old = endpoint.secret
    resp = owner.post(base + "rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in owner.get(base).content.decode()
    assert owner.get(base + "delete/").status_code == 200
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()  # GET only asks
    resp = owner.post(base + "delete/")
    assert resp.status_code == 302 and not WebhookEndpoint.objects.exists()


def test_delivery_log_filters_and_partial(
    world, client_for, endpoint, django_assert_max_num_queries
):
    _deliveries(endpoint, 60)
    owner = client_for(world.owner)
    base = f"/settings/webhooks/{endpoint.pk}/"
    with django_assert_max_num_queries(14):
        resp = owner.get(base)
    text = resp.content.decode()
    assert text.count("/settings/webhooks/deliveries/") == 50 and 'data-testid="next-page"' in text
    with django_assert_max_num_queries(14):
        part = owner.get(
            base + "?state=failed&event_type=opportunity.won",
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="deliveries",
        )
    body = part.content.decode()
    assert "<html" not in body and body.count("/settings/webhooks/deliveries/") == 10
    none = owner.get(base + "?state=skipped").content.decode()
    assert 'data-testid="empty-state"' in none


def test_delivery_detail_and_replay(world, client_for, endpoint):
    (delivery,) = _deliveries(endpoint, 1)
    owner = client_for(world.owner)
    page = owner.get(f"/settings/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert delivery.event_id in page and "lead.created" in page
    resp = owner.post(f"/settings/webhooks/deliveries/{delivery.pk}/replay/")
    assert resp.status_code == 302
    job = Job.objects.get(kind="webhooks.deliver", payload__mode="replay")
    assert job.payload["delivery_id"] == delivery.pk


def test_test_event_page_flow_against_a_receiver(
    world, client_for, django_capture_on_commit_callbacks
):
    owner = client_for(world.owner)
    owner.post("/settings/webhooks/settings/", {"allow_private_targets": "on"})
    assert WebhookSettings.objects.get(workspace=world.ws).allow_private_targets
    with Receiver() as receiver:
        owner.post(
            "/settings/webhooks/new/", {"url": receiver.url(), "event_types": ["lead.created"]}
        )
        endpoint = WebhookEndpoint.objects.get()
        receiver.secret = endpoint.secret
        with django_capture_on_commit_callbacks(execute=True):
            resp = owner.post(f"/settings/webhooks/{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert resp["Location"] == f"/settings/webhooks/deliveries/{delivery.pk}/"
    assert receiver.received[0].verified
    page = owner.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "HTTP 200" in page and "已送达" in page


def test_settings_need_the_workspace_admin(world, client_for):
    resp = client_for(world.manager).post(
        "/settings/webhooks/settings/", {"allow_private_targets": "on"}
    )
    assert resp.status_code == 403
    assert not WebhookSettings.objects.filter(allow_private_targets=True).exists()


def _state() -> tuple:
    return (
        list(WebhookEndpoint.objects.values_list("pk", "version", "url", "secret", "is_active")),
        list(WebhookDelivery.objects.values_list("pk", "state")),
        Job.objects.count(),
        list(WebhookSettings.objects.values_list("allow_private_targets")),
    )


def test_write_routes_authorization(world, client, client_for, endpoint):
    (delivery,) = _deliveries(endpoint, 1)
    e, d = endpoint.pk, delivery.pk
    writes = [
        ("/settings/webhooks/new/", {"url": PUBLIC, "event_types": ["lead.created"]}),
        (f"/settings/webhooks/{e}/edit/", {"url": PUBLIC + "x", "event_types": ["lead.created"]}),
        (f"/settings/webhooks/{e}/delete/", {}),
        (f"/settings/webhooks/{e}/rotate/", {}),
        (f"/settings/webhooks/{e}/test/", {}),
        (f"/settings/webhooks/{e}/active/", {}),
        (f"/settings/webhooks/deliveries/{d}/replay/", {}),
        ("/settings/webhooks/settings/", {"allow_private_targets": "on"}),
    ]
    before = _state()
    for url, data in writes:
        anon = client.post(url, data)
        assert anon.status_code == 302 and "/accounts/login/" in anon["Location"], url
        no_perm = client_for(world.manager).post(url, data)
        assert no_perm.status_code == 403, url
        if str(e) in url or str(d) in url:
            assert client_for(world.owner2).post(url, data).status_code == 404, url
    assert _state() == before
