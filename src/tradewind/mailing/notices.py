"""Notification kinds of the e-mail app: a message that could not be sent."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind, notify

KINDS["email.failed"] = Kind(
    _("An e-mail could not be sent"),
    _("“%(subject)s” to %(to)s: %(error)s"),
    "bi-envelope-exclamation",
    area="email",
)


def notify_failed(email: Any) -> None:
    """Tell whoever queued the message (nobody for a rule's mail without a person)."""
    if email.created_by_id is None:
        return
    notify(
        workspace=email.workspace,
        user_ids=[email.created_by_id],
        kind="email.failed",
        params={
            "subject": email.subject[:120],
            "to": ", ".join(email.to)[:200],
            "error": (email.error or "")[:300],
        },
        url=reverse("mailing:message", args=[email.pk]),
        key=f"email.failed:{email.pk}",
    )
