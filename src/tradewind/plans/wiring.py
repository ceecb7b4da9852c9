"""What step plans listen to and run: event subscriptions and job types, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that subscribe to events and register job types."""
    from . import listeners

    listeners.connect()
