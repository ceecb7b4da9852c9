"""What the campaigns app plugs in, once at start: its job types, its listeners on mail events,
the unsubscribed addresses and headers for the mailing app, and the score points for leads."""

from __future__ import annotations


def connect() -> None:
    from tradewind.leads.scoring import register_score_bonus
    from tradewind.mailing.hooks import register_header_source, register_suppressor
    from tradewind.workspaces.events import subscribe

    from . import engagement, jobs, tracking  # noqa: F401 - job types register on import
    from .consent import suppressed_addresses

    register_suppressor(suppressed_addresses)
    register_header_source(tracking.list_unsubscribe_headers)
    register_score_bonus(engagement.score_bonus)
    subscribe("email.sent", engagement.on_email_sent)
    subscribe("email.failed", engagement.on_email_failed)
    subscribe("email.received", engagement.on_email_received)
