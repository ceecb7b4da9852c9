"""What automation listens to and runs: event subscriptions and job types, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that subscribe to events and register job types."""
    from tradewind.workspaces.events import subscribe_many

    from . import kinds, rules_engine  # noqa: F401  (notification kinds, the run job type)

    subscribe_many("*", rules_engine.on_events)
