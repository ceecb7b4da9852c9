"""What enablement listens to and schedules, connected once from EnablementConfig.ready():
the notification kinds, the reaction to closed opportunities (reviews.py) and the digest
schedule (tasks.py)."""

from __future__ import annotations


def connect() -> None:
    from . import notifications, reviews, tasks  # noqa: F401
