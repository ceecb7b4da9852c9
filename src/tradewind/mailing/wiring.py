"""What the e-mail app listens to and runs: job types and timeline sources, connected once."""

from __future__ import annotations


def connect() -> None:
    """Import the modules that register job types and timeline sources."""
    from . import jobs, notices, timeline  # noqa: F401
