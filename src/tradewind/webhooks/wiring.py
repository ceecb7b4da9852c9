"""What the webhooks app listens to and runs: event subscriptions and job types, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that subscribe to events and register job types."""
