"""The delivery log is kept for WEBHOOK_LOG_DAYS (default 30) days; a nightly schedule deletes
older finished deliveries with their attempts. Deliveries still pending or retrying stay."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from huey import crontab

from tradewind.workspaces.schedules import schedule

from .models import DeliveryState, WebhookDelivery

BATCH = 2000


def log_days() -> int:
    return int(getattr(settings, "WEBHOOK_LOG_DAYS", 30))


def prune_deliveries(*, now: dt.datetime) -> int:
    """Delete finished deliveries older than the retention, in small batches. Idempotent."""
    cutoff = now - dt.timedelta(days=log_days())
    old = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(
        state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]
    )
    deleted = 0
    while True:
        ids = list(old.order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            return deleted
        WebhookDelivery.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


@schedule(
    "webhooks.prune",
    label=_("Webhook delivery log clean-up"),
    cron=crontab(minute="20", hour="4"),
    per_workspace=False,
)
def webhooks_prune(*, now: dt.datetime) -> dict[str, int]:
    return {"deleted": prune_deliveries(now=now)}
