"""A schedule's timing in words ("Every hour at minute 05"), read off huey's crontab.

Huey's `crontab()` returns a closure over the sets of matching months, days, weekdays, hours and
minutes; those sets are all the page needs. A cron that is not a huey crontab reads "custom".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from .schedules import Cron, Schedule

ALL_MINUTES = list(range(60))
ALL_HOURS = list(range(24))


def cron_sets(cron: Cron) -> tuple[list[int], ...] | None:
    """(months, days, weekdays, hours, minutes) of a huey crontab, or None."""
    cells = getattr(cron, "__closure__", None) or ()
    for cell in cells:
        value = cell.cell_contents
        if isinstance(value, list) and len(value) == 5 and all(isinstance(v, list) for v in value):
            return tuple(value)
    return None


def _step(values: list[int], size: int) -> int | None:
    """n when values are 0, n, 2n … covering the range evenly."""
    if len(values) < 2 or values[0] != 0:
        return None
    step = values[1] - values[0]
    if size % step or values != list(range(0, size, step)):
        return None
    return step


def _weekday_names() -> list[str]:
    return [
        _("Sunday"),
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
    ]


def describe_cron(cron: Cron) -> str:
    sets = cron_sets(cron)
    if sets is None:
        return _("On a custom timetable")
    months, days, weekdays, hours, minutes = sets
    every_day = len(months) == 12 and len(days) == 31 and {w % 7 for w in weekdays} == set(range(7))
    if not every_day:
        text = _describe_day_part(hours, minutes)
        week = sorted({w % 7 for w in weekdays})
        if len(months) == 12 and len(days) == 31 and len(week) < 7:
            names = _weekday_names()
            return _("%(when)s, on %(days)s") % {
                "when": text,
                "days": ", ".join(names[w] for w in week),
            }
        return _("%(when)s, on some days only") % {"when": text}
    return _describe_day_part(hours, minutes)


def _describe_day_part(hours: list[int], minutes: list[int]) -> str:
    if minutes == ALL_MINUTES and hours == ALL_HOURS:
        return _("Every minute")
    step = _step(minutes, 60)
    if step is not None and hours == ALL_HOURS:
        return ngettext("Every %(n)s minute", "Every %(n)s minutes", step) % {"n": step}
    if len(minutes) == 1 and hours == ALL_HOURS:
        return _("Every hour at minute %(minute)02d") % {"minute": minutes[0]}
    if len(minutes) == 1 and len(hours) == 1:
        return _("Every day at %(time)s UTC") % {"time": f"{hours[0]:02d}:{minutes[0]:02d}"}
    hour_step = _step(hours, 24)
    if len(minutes) == 1 and hour_step is not None:
        return ngettext(
            "Every %(n)s hour at minute %(minute)02d",
            "Every %(n)s hours at minute %(minute)02d",
            hour_step,
        ) % {"n": hour_step, "minute": minutes[0]}
    return _("At minutes %(minutes)s of hours %(hours)s UTC") % {
        "minutes": ",".join(str(m) for m in minutes),
        "hours": ",".join(str(h) for h in hours),
    }


def describe(item: Schedule) -> str:
    text = describe_cron(item.cron)
    if item.daily_at is not None:
        text = _("%(when)s; does its work once a day after %(hour)s workspace time") % {
            "when": text,
            "hour": f"{item.daily_at:02d}:00",
        }
    return text
