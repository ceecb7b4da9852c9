"""Notifications (activities): no new parameterised routes (`notification_id` and
`activities:notification_read` are mapped in test_isolation.py); an outsider must not change
anybody's preferences or digests in workspace A, nor read anybody's notifications there."""

from __future__ import annotations


def state(world) -> tuple:
    from tradewind.activities.models import Notification, NotificationDigest, NotificationPreference

    return (
        sorted(
            NotificationPreference.objects.filter(workspace=world.ws).values_list(
                "user_id", "kind", "in_app", "email"
            )
        ),
        sorted(NotificationDigest.objects.filter(workspace=world.ws).values_list("pk", "up_to_id")),
        sorted(
            Notification.objects.filter(workspace=world.ws).values_list("pk", "read_at", "user_id")
        ),
    )
