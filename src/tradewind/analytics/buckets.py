"""Grouping rows by local day, week or month in one query, without a per-row time-zone function.

Django's Trunc* with a time zone runs a Python function once per row on SQLite: at a million leads
that was 6.5 s of the funnels' 10 s, 2.5 s of the manager dashboard. Here the boundaries are
computed once in Python, in the member's zone (zoneinfo knows every daylight-saving change), and
the database only compares each row's instant with them through a balanced CASE (about log2(n)
comparisons a row). The same expression serves both databases, so both group alike.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence

from django.db.models import Case, Expression, IntegerField, Value, When


def local_midnights(days: Sequence[dt.date], tz: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """The instant each day starts in the zone (aware)."""
    return [dt.datetime.combine(day, dt.time.min, tzinfo=tz) for day in days]


def bucket_index(field: str, starts: Sequence[dt.datetime]) -> Expression:
    """The index i of the bucket [starts[i], starts[i+1]) holding the row's `field`; the last
    bucket is open-ended and a value before starts[0] reads as 0, so the caller's filter must
    already bound the rows to the buckets' range. `starts` ascending, at least one."""
    if not starts:
        raise ValueError("bucket_index needs at least one bucket")

    def tree(lo: int, hi: int) -> Expression:
        if lo == hi:
            return Value(lo, output_field=IntegerField())
        mid = (lo + hi + 1) // 2
        return Case(
            When(**{f"{field}__lt": starts[mid]}, then=tree(lo, mid - 1)),
            default=tree(mid, hi),
            output_field=IntegerField(),
        )

    return tree(0, len(starts) - 1)


def by_index(rows: Iterable[dict], key: str, days: Sequence[dt.date]) -> dict[dt.date, dict]:
    """{first day of the bucket: row} for grouped rows annotated with bucket_index as `key`."""
    return {days[r[key]]: r for r in rows if r[key] is not None and 0 <= r[key] < len(days)}
