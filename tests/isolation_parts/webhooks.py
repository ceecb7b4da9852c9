"""Webhooks in the isolation walk: an endpoint of workspace A (made by its owner: only
WEBHOOK_MANAGE sees webhooks) with one delivery and its attempt. Outsiders must not read them
(the secret least of all), change them, send test events or replays."""

from __future__ import annotations

ROUTES = {
    "webhooks:detail": "webhook_endpoint",
    "webhooks:edit": "webhook_endpoint",
    "webhooks:delete": "webhook_endpoint",
    "webhooks:rotate": "webhook_endpoint",
    "webhooks:test": "webhook_endpoint",
    "webhooks:active": "webhook_endpoint",
    "webhooks:delivery": "webhook_delivery",
    "webhooks:replay": "webhook_delivery",
}
API = {"endpoint_id": "webhook_endpoint", "delivery_id": "webhook_delivery"}


def objects(world) -> dict[str, object]:
    from tradewind.webhooks.models import (
        DeliverySource,
        WebhookAttempt,
        WebhookDelivery,
        WebhookEndpoint,
    )

    endpoint, _new = WebhookEndpoint.objects.get_or_create(
        workspace=world.ws,
        url="https://alpha-east-secret.example/hook",
        defaults={
            "secret": "whsec_QUxQSEEtRUFTVC1TRUNSRVQtc2lnbmluZw==",
            "event_types": ["lead.created"],
            "description": "ALPHA-EAST-SECRET receiver",
            "owner": world.owner.user,
        },
    )
    delivery, _new = WebhookDelivery.objects.get_or_create(
        workspace=world.ws,
        endpoint=endpoint,
        event_id="msg_walker",
        defaults={
            "event_type": "lead.created",
            "source": DeliverySource.EVENT,
            "body": '{"type":"lead.created","data":{"company_name":"ALPHA-EAST-SECRET GmbH"}}',
            "state": "delivered",
            "attempts": 1,
            "last_status": 200,
        },
    )
    if not delivery.log.exists():
        WebhookAttempt.objects.create(
            delivery=delivery, trigger="auto", status_code=200, response_excerpt="ok"
        )
    return {"webhook_endpoint": endpoint, "webhook_delivery": delivery}


def state(world) -> tuple:
    from tradewind.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSettings
    from tradewind.workspaces.models_jobs import Job

    return (
        list(
            WebhookEndpoint.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "url", "secret", "is_active", "event_types")
        ),
        list(
            WebhookDelivery.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "state", "attempts")
        ),
        list(
            WebhookSettings.objects.filter(workspace=world.ws).values_list("allow_private_targets")
        ),
        Job.objects.filter(kind="webhooks.deliver").count(),
    )
