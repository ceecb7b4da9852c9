"""The durable job that sends a delivery (`webhooks.deliver`, atomic=False: no transaction is held
over the network). Each run is one attempt: check the URL again (SSRF guard, the addresses are
pinned), sign (Standard Webhooks, the delivery's fixed webhook-id and body, a fresh timestamp),
POST, log the attempt. A failure raises, and the job framework retries on this schedule:

    at once, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, +10 h   (8 attempts over ~27.6 hours)

When the last attempt of an event's delivery fails, the endpoint is switched off and its owner
told (notification "webhook.disabled"); the endpoint's other queued deliveries are then skipped
when their turn comes. Replays and test events are single attempts and never switch anything off.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from standardwebhooks import Webhook

from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb, Role
from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_type
from tradewind.workspaces.models import Membership
from tradewind.workspaces.models_jobs import Job

from . import guard, sender
from .models import (
    AttemptTrigger,
    DeliverySource,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)  # seconds after the 1st, 2nd, … failure
MAX_ATTEMPTS = len(DELAYS) + 1


def backoff(attempt: int) -> int:
    return DELAYS[min(max(attempt, 1), len(DELAYS)) - 1]


class DeliveryFailed(Exception):
    """An attempt failed; the job framework schedules the next one (or gives up)."""


def signed_headers(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: dt.datetime) -> dict:
    """webhook-id / webhook-timestamp / webhook-signature; during a rotation's overlap, a second
    signature made with the previous secret."""
    when = now.astimezone(dt.UTC)
    signatures = [Webhook(endpoint.secret).sign(delivery.event_id, when, delivery.body)]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until is not None
        and endpoint.previous_secret_until > now
    ):
        signatures.append(
            Webhook(endpoint.previous_secret).sign(delivery.event_id, when, delivery.body)
        )
    return {
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def attempt(delivery: WebhookDelivery, *, trigger: str) -> sender.Outcome:
    """One attempt, logged; the delivery is marked delivered on a 2xx answer."""
    from .services import private_targets_allowed

    endpoint = delivery.endpoint
    now = timezone.now()
    try:
        target = guard.resolve(
            endpoint.url, allow_private=private_targets_allowed(endpoint.workspace_id)
        )
    except guard.Refused as exc:
        # Refused at send time (the name may resolve elsewhere now): logged, never sent.
        outcome = sender.Outcome(None, "", f"refused: {exc.code}", "", 0)
    else:
        outcome = sender.post(
            target, delivery.body.encode("utf-8"), signed_headers(endpoint, delivery, now)
        )
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            trigger=trigger,
            started_at=now,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status,
            address=outcome.address[:64],
            response_excerpt=outcome.excerpt,
            error=outcome.error[:500],
        )
        changes: dict = {
            "attempts": F("attempts") + 1,
            "last_status": outcome.status,
            "last_error": outcome.error[:500],
        }
        if outcome.ok:
            changes.update(state=DeliveryState.DELIVERED, delivered_at=now, next_attempt_at=None)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
        if outcome.ok:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
        else:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                failing_since=now
            )
    return outcome


def _failure_text(outcome: sender.Outcome) -> str:
    if outcome.status is not None:
        return f"HTTP {outcome.status}" + (f" ({outcome.error})" if outcome.error else "")
    return outcome.error or "failed"


@job_type(
    "webhooks.deliver",
    label=_("Webhook delivery"),
    atomic=False,
    lease_seconds=120,
    max_attempts=MAX_ATTEMPTS,
    backoff=backoff,
)
def deliver(job: Job) -> dict:
    mode = job.payload.get("mode", AttemptTrigger.AUTO)
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "workspace")
        .filter(pk=job.payload.get("delivery_id"))
        .first()
    )
    if delivery is None:
        return {"skipped": "deleted"}
    endpoint = delivery.endpoint
    if mode == AttemptTrigger.AUTO:
        if delivery.state == DeliveryState.DELIVERED:
            return {"skipped": "delivered"}  # a replay got it through meanwhile
        if not endpoint.is_active and delivery.source != DeliverySource.TEST:
            WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
                state=DeliveryState.DELIVERED
            ).update(state=DeliveryState.SKIPPED, next_attempt_at=None)
            return {"skipped": "endpoint switched off"}
    outcome = attempt(delivery, trigger=mode)
    if outcome.ok:
        return {"status": outcome.status, "event_id": delivery.event_id}
    text = _failure_text(outcome)
    if mode == AttemptTrigger.AUTO:
        last = job.attempts >= job.max_attempts
        if last:
            WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
                state=DeliveryState.DELIVERED
            ).update(state=DeliveryState.FAILED, next_attempt_at=None)
            if delivery.source != DeliverySource.TEST:
                endpoint_switch_off(endpoint, delivery)
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
                state=DeliveryState.DELIVERED
            ).update(
                state=DeliveryState.RETRYING,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=backoff(job.attempts)),
            )
    raise DeliveryFailed(text)


def endpoint_switch_off(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
    """Switch the endpoint off after a delivery used up its retries, and tell its owner (or the
    workspace's owners when it has none any more). False when it was off already."""
    from tradewind.activities.notifications import notify

    now = timezone.now()
    with transaction.atomic():
        switched = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False,
            disabled_at=now,
            disabled_reason="failures",
            version=F("version") + 1,
            updated_at=now,
        )
        if not switched:
            return False
        endpoint.refresh_from_db()
        actor = Actor.system(delivery.workspace, "webhooks", kind=ActorKind.AUTOMATION)
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="webhook_disabled",
            target=endpoint,
            changes={"is_active": [True, False], "event_id": [None, delivery.event_id]},
        )
        owners = Membership.objects.filter(
            workspace_id=endpoint.workspace_id, is_active=True, user__is_active=True
        )
        told: list[int] = []
        if endpoint.owner_id is not None:
            told = list(owners.filter(user_id=endpoint.owner_id).values_list("user_id", flat=True))
        if not told:
            told = list(owners.filter(role=Role.OWNER).values_list("user_id", flat=True))
        notify(
            workspace=delivery.workspace,
            user_ids=told,
            kind="webhook.disabled",
            params={"url": endpoint.url[:200], "event": delivery.event_type},
            url=reverse("webhooks:detail", args=[endpoint.pk]),
            key=f"webhook.disabled:{endpoint.pk}:{now.isoformat()}",
        )
        emit(
            "webhook_endpoint.disabled",
            workspace_id=endpoint.workspace_id,
            endpoint_id=endpoint.pk,
            delivery_id=delivery.pk,
        )
    log.warning(
        "webhook endpoint %s switched off after delivery %s failed", endpoint.pk, delivery.pk
    )
    return True
