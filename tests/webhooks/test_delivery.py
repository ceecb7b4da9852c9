"""Deliveries against a real receiver on loopback: retries with backoff until delivered, the same
event id and body on every attempt, Standard Webhooks signatures, redirects not followed,
timeouts retried, replay, switching off after the last retry, refusals at send time."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from tests.webhooks.conftest import run_due_with_clock
from tests.webhooks.receiver import Answer, Receiver
from tradewind.activities.models import Notification
from tradewind.leads.services import lead_create
from tradewind.webhooks import delivery as delivery_module
from tradewind.webhooks import services
from tradewind.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from tradewind.workspaces.models_jobs import Job, JobState


def _leads(world, n: int, oncommit) -> None:
    for i in range(n):
        with oncommit(execute=True):
            lead_create(
                actor=world.actor(world.rep),
                company_name=f"Hook Buyer {i} GmbH",
                email=f"buyer{i}@hooks.test",
                allow_duplicates=True,
            )


def test_flaky_receiver_gets_every_event_with_one_id_per_event(
    world, endpoint_for, django_capture_on_commit_callbacks
):
    rng = random.Random(8)
    with Receiver(lambda n, h: Answer(200 if rng.random() < 0.5 else 500)) as receiver:
        endpoint, _secret = endpoint_for(receiver, events=["lead.created"])
        _leads(world, 12, django_capture_on_commit_callbacks)
        run_due_with_clock()

    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert len(deliveries) == 12
    assert all(d.state == DeliveryState.DELIVERED for d in deliveries)
    assert len({d.event_id for d in deliveries}) == 12
    # every event arrived at least once with a 2xx answer
    assert {r.event_id for r in receiver.ok()} == {d.event_id for d in deliveries}
    # some failed first and were retried: each attempt of an event carries the same id and body
    assert len(receiver.received) > 12
    by_id: dict[str, set[bytes]] = {}
    for r in receiver.received:
        by_id.setdefault(r.event_id, set()).add(r.body)
    assert all(len(bodies) == 1 for bodies in by_id.values())
    assert all(r.verified for r in receiver.received)
    assert all(r.event_id.startswith("msg_") for r in receiver.received)
    retried = [d for d in deliveries if d.attempts > 1]
    assert retried and all(d.log.count() == d.attempts for d in deliveries)
    sample = receiver.ok()[0].json
    assert sample["type"] == "lead.created" and sample["data"]["company_name"].startswith("Hook")
    assert sample["timestamp"].endswith("Z")


def test_signature_headers_verify_with_the_endpoint_secret(world, endpoint_for, oncommit_lead):
    with Receiver() as receiver:
        _endpoint, secret = endpoint_for(receiver)
        oncommit_lead()
    (request,) = receiver.received
    assert set(request.headers) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}
    from standardwebhooks import Webhook

    assert Webhook(secret).verify(request.body, request.headers)["type"] == "lead.created"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    with pytest.raises(Exception):
        Webhook(services.new_secret()).verify(request.body, request.headers)


@pytest.fixture
def oncommit_lead(world, django_capture_on_commit_callbacks):
    def make(name: str = "Signed Buyer Ltd"):
        with django_capture_on_commit_callbacks(execute=True):
            return lead_create(actor=world.actor(world.rep), company_name=name)

    return make


def test_redirect_is_not_followed_and_counts_as_failure(world, endpoint_for, oncommit_lead):
    with (
        Receiver() as target,
        Receiver(lambda n, h: Answer(302, {"Location": target.url("/elsewhere")})) as receiver,
    ):
        endpoint, _secret = endpoint_for(receiver)
        oncommit_lead()
    assert len(receiver.received) == 1 and target.received == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == DeliveryState.RETRYING and delivery.last_status == 302
    attempt = delivery.log.get()
    assert attempt.status_code == 302 and "redirect not followed" in attempt.error


def test_timeout_is_a_failure_and_retried(world, endpoint_for, oncommit_lead, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    with Receiver(lambda n, h: Answer(200, delay=1.0 if n == 0 else 0)) as receiver:
        endpoint, _secret = endpoint_for(receiver)
        oncommit_lead()
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.state == DeliveryState.RETRYING and delivery.last_status is None
        assert "Timeout" in delivery.last_error
        run_due_with_clock()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert receiver.received[0].event_id == receiver.received[1].event_id


def test_backoff_spans_more_than_a_day_then_switches_off_and_tells_the_owner(
    world, endpoint_for, oncommit_lead
):
    with Receiver(lambda n, h: Answer(503, body=b"x" * 5000)) as receiver:
        endpoint, _secret = endpoint_for(receiver)
        started = timezone.now()
        oncommit_lead()
        moved = run_due_with_clock()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == delivery_module.MAX_ATTEMPTS == 8
    assert len(receiver.received) == 8 and len({r.event_id for r in receiver.received}) == 1
    assert moved[-1] - started >= dt.timedelta(days=1)
    assert sum(delivery_module.DELAYS) >= 24 * 3600
    attempts = list(delivery.log.order_by("id"))
    assert all(len(a.response_excerpt) <= 1024 for a in attempts)
    assert attempts[-1].started_at - attempts[0].started_at >= dt.timedelta(days=1)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "failures"
    note = Notification.objects.get(kind="webhook.disabled")
    assert note.user_id == world.owner.user_id and note.params["url"] == endpoint.url
    assert Job.objects.get(kind="webhooks.deliver").state == JobState.DEAD


def test_switched_off_endpoint_skips_queued_deliveries_and_gets_no_new_ones(
    world, endpoint_for, oncommit_lead, owner_actor
):
    with Receiver(lambda n, h: Answer(500)) as receiver:
        endpoint, _secret = endpoint_for(receiver)
        oncommit_lead("First Ltd")
        services.endpoint_update(actor=owner_actor, endpoint_id=endpoint.pk, is_active=False)
        run_due_with_clock()
        oncommit_lead("Second Ltd")
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.state == DeliveryState.SKIPPED
    assert not Notification.objects.filter(kind="webhook.disabled").exists()


def test_replay_sends_the_same_id_and_body(world, endpoint_for, oncommit_lead, owner_actor):
    with Receiver() as receiver:
        endpoint, _secret = endpoint_for(receiver)
        oncommit_lead()
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        services.delivery_replay(actor=owner_actor, delivery_id=delivery.pk)
        run_due_with_clock()  # the replay's job (outside on_commit capture) runs here
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.event_id == second.event_id == delivery.event_id
    assert first.body == second.body
    assert first.headers["webhook-signature"] != "" and second.verified
    triggers = list(delivery.log.order_by("id").values_list("trigger", flat=True))
    assert triggers == ["auto", "replay"]


def test_replay_of_a_failed_delivery_delivers_it(world, endpoint_for, oncommit_lead, owner_actor):
    answers = iter([500] * 8 + [200])
    with Receiver(lambda n, h: Answer(next(answers))) as receiver:
        endpoint, _secret = endpoint_for(receiver)
        oncommit_lead()
        run_due_with_clock()
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.state == DeliveryState.FAILED
        services.delivery_replay(actor=owner_actor, delivery_id=delivery.pk)
        run_due_with_clock()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 9
    assert len({r.event_id for r in receiver.received}) == 1


def test_refused_at_send_time_is_logged_not_sent(world, endpoint_for, oncommit_lead, owner_actor):
    with Receiver() as receiver:
        endpoint, _secret = endpoint_for(receiver)
        services.webhook_settings_set(actor=owner_actor, allow_private_targets=False)
        oncommit_lead()
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.error == "refused: loopback" and attempt.status_code is None


def test_publish_is_idempotent_per_event_id(
    world, endpoint_for, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint, _secret = endpoint_for(receiver, events=["lead.created", "customer.created"])
        with django_capture_on_commit_callbacks(execute=True):
            n1 = services.webhook_publish(
                workspace_id=world.ws.pk,
                event_type="customer.created",
                data={"id": 1},
                event_id="msg_fixed",
            )
            n2 = services.webhook_publish(
                workspace_id=world.ws.pk,
                event_type="customer.created",
                data={"id": 1},
                event_id="msg_fixed",
            )
            n3 = services.webhook_publish(
                workspace_id=world.ws.pk, event_type="opportunity.won", data={"id": 1}
            )
    assert (n1, n2, n3) == (1, 1, 0)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    assert [r.event_id for r in receiver.received] == ["msg_fixed"]


def test_webhook_send_reaches_one_endpoint_whatever_it_subscribes(
    world, endpoint_for, django_capture_on_commit_callbacks, owner_actor
):
    from tradewind.core.errors import Conflict, NotFound, ServiceError

    with Receiver() as receiver:
        endpoint, _secret = endpoint_for(receiver, events=["lead.created"])
        with django_capture_on_commit_callbacks(execute=True):
            delivery = services.webhook_send(
                workspace_id=world.ws.pk,
                endpoint_id=endpoint.pk,
                event_type="rule.fired",
                data={"rule": "Big deal", "amount": {"amount": "10.00", "currency": "USD"}},
            )
    assert delivery.source == "rule"
    (request,) = receiver.received
    assert request.json["type"] == "rule.fired" and request.json["data"]["rule"] == "Big deal"
    with pytest.raises(NotFound):
        services.webhook_send(
            workspace_id=world.ws2.pk, endpoint_id=endpoint.pk, event_type="x.y", data={}
        )
    with pytest.raises(ServiceError):
        services.webhook_send(
            workspace_id=world.ws.pk, endpoint_id=endpoint.pk, event_type="Bad Type", data={}
        )
    services.endpoint_update(actor=owner_actor, endpoint_id=endpoint.pk, is_active=False)
    with pytest.raises(Conflict):
        services.webhook_send(
            workspace_id=world.ws.pk, endpoint_id=endpoint.pk, event_type="x.y", data={}
        )
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=False).exists()


def test_after_rotation_both_secrets_verify_for_a_day(
    world, endpoint_for, oncommit_lead, owner_actor
):
    from standardwebhooks import Webhook

    with Receiver() as receiver:
        endpoint, old = endpoint_for(receiver)
        _endpoint, new = services.endpoint_rotate_secret(actor=owner_actor, endpoint_id=endpoint.pk)
        oncommit_lead("Rotated Ltd")
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_until=timezone.now() - dt.timedelta(seconds=1)
        )
        oncommit_lead("Later Ltd")
    first, second = receiver.received
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(first.body, first.headers)
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(second.body, second.headers)
    with pytest.raises(Exception):
        Webhook(old).verify(second.body, second.headers)


def test_old_finished_deliveries_are_pruned_twice_safely(world, endpoint_for):
    from tradewind.webhooks.retention import prune_deliveries

    with Receiver() as receiver:
        endpoint, _secret = endpoint_for(receiver)
    old = timezone.now() - dt.timedelta(days=31)
    for i, state in enumerate(["delivered", "failed", "retrying", "delivered"]):
        WebhookDelivery.objects.create(
            workspace=world.ws,
            endpoint=endpoint,
            event_id=f"msg_old{i}",
            event_type="lead.created",
            source="event",
            body="{}",
            state=state,
            created_at=old if i < 3 else timezone.now(),
        )
    assert prune_deliveries(now=timezone.now()) == 2
    assert prune_deliveries(now=timezone.now()) == 0
    assert sorted(WebhookDelivery.objects.values_list("event_id", flat=True)) == [
        "msg_old2",
        "msg_old3",
    ]
