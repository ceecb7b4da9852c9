"""Fuzzy due times (模糊截止时间): "later today", "tonight", "tomorrow", … resolved to a window.

A task's due is a window [start, end) of aware datetimes, computed in the assignee's time zone
(`workspaces.timezones.effective_zone`) at the moment the due is set. Day boundaries are local
midnights (`datetime.combine(day, 00:00, zone)`), so a window follows daylight-saving changes: the
New York "tomorrow" of 2026-03-08 lasts 23 hours, that of 2026-11-01 25 hours.

| kind        | window                                                                              |
|-------------|-------------------------------------------------------------------------------------|
| exact       | the given moment: start = end                                                       |
| later_today | now + 2 hours (real elapsed time) until local midnight; from 22:00 on it is the      |
|             | empty window at midnight                                                            |
| tonight     | 18:00 until midnight, local, today                                                  |
| tomorrow    | the next local day; with workdays_only the next working day                         |
| this_week   | from today 00:00 until Sunday 24:00; with workdays_only until the end of the week's  |
|             | last working day still ahead (Friday, or a make-up Saturday/Sunday of 调休)          |
| next_week   | Monday 00:00 to the next Monday 00:00; with workdays_only from the week's first to   |
|             | the end of its last working day                                                     |
| next_month  | the 1st of next month 00:00 until the 1st of the month after; with workdays_only     |
|             | from its first to the end of its last working day                                   |

With workdays_only, a week without any working day left (a Saturday, or a holiday week) gives
the next working day instead. "later today" and "tonight" name today on purpose and ignore
workdays_only. Working days are mainland China's, make-up days included (`core/workdays.py`).

`next_occurrence` moves a recurring task's window by a day, a week or a month (wall-clock time
kept, months clamped to their last day, working days skipped when asked) until it is after a
given moment.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass

from tradewind.core.workdays import add_workdays, is_workday

from .task_choices import DueKind, Recurrence

LATER_TODAY_OFFSET = dt.timedelta(hours=2)
TONIGHT_FROM = dt.time(18, 0)
MAX_SHIFTS = 5000  # a daily series completed years late still ends


@dataclass(frozen=True)
class Window:
    """Stored in UTC: subtracting two datetimes of the same zone would give wall-clock time."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", self.start.astimezone(dt.UTC))
        object.__setattr__(self, "end", self.end.astimezone(dt.UTC))


def midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _days(first: dt.date, last: dt.date, tz: zoneinfo.ZoneInfo) -> Window:
    """From the start of `first` to the end of `last` (both local days)."""
    return Window(midnight(first, tz), midnight(last + dt.timedelta(days=1), tz))


def _workdays_between(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _span(first: dt.date, last: dt.date, tz: zoneinfo.ZoneInfo, workdays_only: bool) -> Window:
    """The days first..last; with workdays_only their first to last working day, or the next
    working day after them when they hold none."""
    if not workdays_only:
        return _days(first, last, tz)
    days = _workdays_between(first, last)
    if not days:
        after = add_workdays(last, 1)
        return _days(after, after, tz)
    return _days(days[0], days[-1], tz)


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def resolve(
    kind: str,
    *,
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
    workdays_only: bool = False,
    at: dt.datetime | None = None,
) -> Window:
    """The window of a due kind as seen at `now` in zone `tz`. `at` is the exact time (aware)."""
    if kind == DueKind.EXACT:
        if at is None or at.tzinfo is None:
            raise ValueError("an exact due needs an aware datetime")
        return Window(at, at)
    now = now.astimezone(dt.UTC)  # "+ 2 hours" is real elapsed time, not wall-clock time
    today = now.astimezone(tz).date()
    tomorrow = today + dt.timedelta(days=1)
    if kind == DueKind.LATER_TODAY:
        end = midnight(tomorrow, tz)
        return Window(min(now + LATER_TODAY_OFFSET, end), end)
    if kind == DueKind.TONIGHT:
        return Window(dt.datetime.combine(today, TONIGHT_FROM, tzinfo=tz), midnight(tomorrow, tz))
    if kind == DueKind.TOMORROW:
        day = add_workdays(today, 1) if workdays_only else tomorrow
        return _days(day, day, tz)
    if kind == DueKind.THIS_WEEK:
        sunday = today + dt.timedelta(days=6 - today.weekday())
        return _span(today, sunday, tz, workdays_only)
    if kind == DueKind.NEXT_WEEK:
        monday = today + dt.timedelta(days=7 - today.weekday())
        return _span(monday, monday + dt.timedelta(days=6), tz, workdays_only)
    if kind == DueKind.NEXT_MONTH:
        first = _first_of_next_month(today)
        last = _first_of_next_month(first) - dt.timedelta(days=1)
        return _span(first, last, tz, workdays_only)
    raise ValueError(f"unknown due kind {kind!r}")


# --- recurrence -----------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def _wall(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _aware(wall: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return wall.replace(tzinfo=tz)


@dataclass(frozen=True)
class Occurrence:
    window: Window
    nominal: dt.datetime  # where the series falls before working days are skipped


def next_occurrence(
    *,
    window: Window,
    nominal: dt.datetime,
    kind: str,
    recurrence: str,
    tz: zoneinfo.ZoneInfo,
    workdays_only: bool,
    anchor_day: int | None,
    after: dt.datetime,
) -> Occurrence:
    """The next window of a recurring task whose end lies after `after` (usually: now).

    The series steps from its nominal start (daily, weekly: + days; monthly: same day of the
    month, clamped) keeping the local wall-clock time and the window's local length; a
    "next month" window always spans its whole month. With workdays_only an occurrence on a
    non-working day moves to the next working day (its window with it), without moving the series.
    """
    length = _wall(window.end, tz) - _wall(window.start, tz)
    step_wall = _wall(nominal, tz)
    anchor = anchor_day or step_wall.day
    for _ in range(MAX_SHIFTS):
        if recurrence == Recurrence.DAILY:
            step_wall += dt.timedelta(days=1)
        elif recurrence == Recurrence.WEEKLY:
            step_wall += dt.timedelta(weeks=1)
        elif recurrence == Recurrence.MONTHLY:
            step_wall = dt.datetime.combine(
                _add_months(step_wall.date(), 1, anchor), step_wall.time()
            )
        else:
            raise ValueError(f"not a recurrence: {recurrence!r}")
        start_wall = step_wall
        if workdays_only:
            start_wall = dt.datetime.combine(add_workdays(start_wall.date(), 0), start_wall.time())
        if kind == DueKind.NEXT_MONTH:
            end_wall = dt.datetime.combine(_first_of_next_month(start_wall.date()), dt.time.min)
        else:
            end_wall = start_wall + length
        if workdays_only and kind in (DueKind.NEXT_MONTH, DueKind.NEXT_WEEK, DueKind.THIS_WEEK):
            # the window ends with its last working day, as when it was first resolved
            last = end_wall.date() - dt.timedelta(days=1)
            days = _workdays_between(start_wall.date(), last)
            if days:
                end_wall = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min)
        start, end = _aware(start_wall, tz), _aware(end_wall, tz)
        if end > after:
            return Occurrence(Window(start, end), _aware(step_wall, tz))
    raise ValueError("no next occurrence found")  # pragma: no cover
