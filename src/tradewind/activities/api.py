"""Notifications over the API: the caller's own, newest first; the unread count; mark one or all
read; the caller's preferences per kind (in the app, e-mail off / instant / daily digest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.api_bodies import ObjectBody

from . import notification_prefs, notifications
from .digests import DIGEST_HOUR
from .models_notifications import EmailMode

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
    next_before: int | None = Field(
        None, description="Pass as `before` for the next (older) page; null on the last page"
    )


class NotificationUnreadOut(Schema):
    unread: int = Field(description="Counted up to 100: 100 means more than 99")
    label: str = Field(description='What the bell shows: "", "1" … "99" or "99+"')


class NotificationsMarkedOut(Schema):
    marked: int


class NotificationPrefOut(Schema):
    kind: str
    area: str
    area_label: str
    title: str
    in_app: bool
    email: str
    default_in_app: bool
    default_email: str


class NotificationPrefsOut(Schema):
    items: list[NotificationPrefOut]
    email_modes: list[str]
    digest_hour: int = Field(
        description="The daily digest goes out after this hour, workspace time"
    )


class NotificationPrefIn(Schema):
    kind: str = ""
    in_app: bool = True
    email: str = Field("", description="off, instant or digest (digest needs in_app)")


class NotificationPrefsIn(ObjectBody):
    items: list[NotificationPrefIn] = Field(
        default_factory=list, description="Kinds left out keep their setting"
    )


def _label(count: int) -> str:
    return "99+" if count > 99 else (str(count) if count else "")


@router.get(
    "/notifications",
    response={200: NotificationListOut, **READ_ERRORS},
    summary="My notifications",
    description="Newest first, 100 a page, in the caller's language; `unread=true` for unread "
    "ones only; `before` (an id, from `next_before`) for older ones.",
)
def notification_list(
    request: HttpRequest, unread: bool = False, before: int | None = None
) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    items = notifications.notifications_for(member, unread_only=unread, before=before)
    full = len(items) == notifications.LIST_LIMIT
    return {
        "items": items,
        "unread": notifications.unread_count(member),
        "next_before": items[-1].id if full else None,
    }


@router.get(
    "/notifications/unread-count",
    response={200: NotificationUnreadOut, **READ_ERRORS},
    summary="How many of my notifications are unread",
)
def notification_unread_count(request: HttpRequest) -> dict[str, Any]:
    count = notifications.unread_count(request.member)  # type: ignore[attr-defined]
    return {"unread": count, "label": _label(count)}


@router.post(
    "/notifications/read-all",
    response={200: NotificationsMarkedOut, **ERRORS},
    summary="Mark all my notifications read",
)
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    marked = notifications.notifications_mark_all_read(member=request.member)  # type: ignore[attr-defined]
    return {"marked": marked}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications read",
    description="Another user's notification answers 404.",
)
def notification_read(request: HttpRequest, notification_id: int) -> notifications.Rendered:
    row = notifications.notification_mark_read(
        member=request.member,  # type: ignore[attr-defined]
        notification_id=notification_id,
    )
    return notifications.render(row)


def _prefs(request: HttpRequest) -> dict[str, Any]:
    rows = notification_prefs.preferences_for(request.member)  # type: ignore[attr-defined]
    return {
        "items": rows,
        "email_modes": list(EmailMode.values),
        "digest_hour": DIGEST_HOUR,
    }


@router.get(
    "/notifications/preferences",
    response={200: NotificationPrefsOut, **READ_ERRORS},
    summary="My notification preferences",
    description="Every kind of notification with my choice and its default.",
)
def notification_preferences(request: HttpRequest) -> dict[str, Any]:
    return _prefs(request)


@router.put(
    "/notifications/preferences",
    response={200: NotificationPrefsOut, **ERRORS},
    summary="Set my notification preferences",
    description="Sets the kinds given; the others keep their setting. An unknown kind, an unknown "
    "e-mail mode or a digest without in_app answers 422 and saves nothing.",
)
def notification_preferences_set(request: HttpRequest, payload: NotificationPrefsIn) -> dict:
    notification_prefs.notification_preferences_set(
        actor=request.actor,  # type: ignore[attr-defined]
        items=[item.model_dump() for item in payload.items],
    )
    return _prefs(request)
