"""What the activities app connects at start-up: the notification e-mail job kinds and the daily
digest schedule, so the web process, huey's consumer and `tradewind jobs work` all know them."""

from __future__ import annotations


def connect() -> None:
    from . import digests, notification_mail  # noqa: F401
