from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from .models import User, Workspace


@lru_cache(maxsize=1)
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def effective_zone(workspace: Workspace, user: User | None = None) -> zoneinfo.ZoneInfo:
    """A user's own zone wins; otherwise the workspace's."""
    if user is not None and user.time_zone:
        return zone(user.time_zone)
    return zone(workspace.time_zone)


def workspace_now(workspace: Workspace) -> dt.datetime:
    return timezone.now().astimezone(zone(workspace.time_zone))


def workspace_today(workspace: Workspace) -> dt.date:
    return workspace_now(workspace).date()


def member_day_start(member: Any, day: dt.date) -> dt.datetime:
    """Midnight of `day` in the member's zone (UTC without a member)."""
    tz = effective_zone(member.workspace, member.user) if member is not None else dt.UTC
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def created_range_q(member: Any, start: dt.date | None, end: dt.date | None) -> Q:
    """created_at within [start, end], both whole days in the member's zone."""
    q = Q()
    if start:
        q &= Q(created_at__gte=member_day_start(member, start))
    if end:
        q &= Q(created_at__lt=member_day_start(member, end + dt.timedelta(days=1)))
    return q
