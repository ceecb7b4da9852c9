"""Working days in mainland China, make-up workdays (调休) included, for due dates."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_workday(day: date) -> bool:
    cal = _calendar(day.year)
    if day in cal.weekend_workdays:
        return True  # a Saturday or Sunday the state moved a working day to
    return day.weekday() < 5 and day not in cal


def add_workdays(start: date, days: int) -> date:
    """The date `days` working days after `start` (negative goes back); 0 rolls forward to a workday."""
    step = 1 if days >= 0 else -1
    current = start
    remaining = abs(days)
    if remaining == 0:
        while not is_workday(current):
            current += timedelta(days=1)
        return current
    while remaining:
        current += timedelta(days=step)
        if is_workday(current):
            remaining -= 1
    return current


def next_workday(day: date) -> date:
    return add_workdays(day, 1)
