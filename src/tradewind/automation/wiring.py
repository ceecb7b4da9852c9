"""What automation listens to and runs: event subscriptions and job types, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that subscribe to events and register job types."""
    from tradewind.workspaces.events import subscribe

    from . import kinds, rules_engine  # noqa: F401  (notification kinds, the run job type)

    subscribe("*", rules_engine.on_event)
