from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import TYPE_CHECKING

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
