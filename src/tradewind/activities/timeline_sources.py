"""More entries for a record's follow-up timeline, from apps that activities may not import.

A later app (e-mail, …) registers a source in its `ready()`: a function `(target, limit) -> list of
TimelineItem` reading its own rows of one record. `timeline_items()` merges them with the record's
follow-ups, newest first, for the follow-up card of a record's page; each item names the template
that draws it. The caller fetched `target` through visible_to(): whoever sees the record sees these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    source: str
    id: int
    template: str  # draws one <li> of the follow-up list, gets `item`
    data: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_followup(self) -> bool:
        return False


Source = Callable[[models.Model, int], list[TimelineItem]]
SOURCES: dict[str, Source] = {}


def register(key: str) -> Callable[[Source], Source]:
    def wrap(fn: Source) -> Source:
        SOURCES[key] = fn
        return fn

    return wrap


@dataclass(frozen=True)
class FollowUpItem:
    at: dt.datetime
    followup: Any

    @property
    def is_followup(self) -> bool:
        return True


def timeline_items(
    target: models.Model | None, followups: Iterable[Any], *, limit: int = 50
) -> list[FollowUpItem | TimelineItem]:
    """The record's follow-ups and every registered source's items (none without a target),
    newest first, at most `limit`."""
    merged: list[FollowUpItem | TimelineItem] = [
        FollowUpItem(at=f.happened_at, followup=f) for f in followups
    ]
    if target is not None:
        for fetch in SOURCES.values():
            merged.extend(fetch(target, limit))
    merged.sort(key=lambda item: item.at, reverse=True)
    return merged[:limit]
