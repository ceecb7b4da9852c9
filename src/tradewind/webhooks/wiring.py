"""What the webhooks app listens to and runs: event subscriptions and job types, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that subscribe to events and register job types."""
    from tradewind.workspaces.events import subscribe_many

    from . import delivery, kinds, payloads, retention
    from .catalogue import INTERNAL_EVENTS

    del delivery, retention  # imported for their job type and schedule
    kinds.register()
    for name in INTERNAL_EVENTS:
        subscribe_many(name, payloads.on_events)
