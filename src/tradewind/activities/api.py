"""Notifications over the API: the caller's own, newest first; mark one read."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from tradewind.core.api import ERRORS, READ_ERRORS

from . import notifications

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationListOut(Schema):
    items: list[NotificationOut]
    unread: int


@router.get(
    "/notifications",
    response={200: NotificationListOut, **READ_ERRORS},
    summary="My notifications",
    description="The newest 100, in the caller's language; `unread=true` for unread ones only.",
)
def notification_list(request: HttpRequest, unread: bool = False) -> dict:
    return {
        "items": notifications.notifications_for(request.member, unread_only=unread),
        "unread": notifications.unread_count(request.member),
    }


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications read",
    description="Another user's notification answers 404.",
)
def notification_read(request: HttpRequest, notification_id: int) -> notifications.Rendered:
    row = notifications.notification_mark_read(
        member=request.member, notification_id=notification_id
    )
    return notifications.render(row)
