"""Fuzzy due windows across time zones, daylight-saving changes and Chinese make-up workdays (调休),
and the next occurrence of a recurring task."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tradewind.activities.fuzzy_due import Window, next_occurrence, resolve

UTC = dt.UTC
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# kind, zone, now (UTC), workdays_only, expected start (UTC), expected end (UTC)
TABLE = [
    # Shanghai (UTC+8, no DST). Wednesday 2026-03-11 10:00 local = 02:00 UTC.
    ("later_today", SH, u(2026, 3, 11, 2), False, u(2026, 3, 11, 4), u(2026, 3, 11, 16)),
    ("tonight", SH, u(2026, 3, 11, 2), False, u(2026, 3, 11, 10), u(2026, 3, 11, 16)),
    ("tomorrow", SH, u(2026, 3, 11, 2), False, u(2026, 3, 11, 16), u(2026, 3, 12, 16)),
    ("this_week", SH, u(2026, 3, 11, 2), False, u(2026, 3, 10, 16), u(2026, 3, 15, 16)),
    ("this_week", SH, u(2026, 3, 11, 2), True, u(2026, 3, 10, 16), u(2026, 3, 13, 16)),
    ("next_week", SH, u(2026, 3, 11, 2), False, u(2026, 3, 15, 16), u(2026, 3, 22, 16)),
    ("next_month", SH, u(2026, 3, 11, 2), False, u(2026, 3, 31, 16), u(2026, 4, 30, 16)),
    # the same instant in New York is Tuesday 2026-03-10 22:00 EDT (UTC-4)
    ("later_today", NY, u(2026, 3, 11, 2), False, u(2026, 3, 11, 4), u(2026, 3, 11, 4)),
    ("tonight", NY, u(2026, 3, 11, 2), False, u(2026, 3, 10, 22), u(2026, 3, 11, 4)),
    ("tomorrow", NY, u(2026, 3, 11, 2), False, u(2026, 3, 11, 4), u(2026, 3, 12, 4)),
    ("this_week", NY, u(2026, 3, 11, 2), False, u(2026, 3, 10, 4), u(2026, 3, 16, 4)),
    # DST starts in New York on Sunday 2026-03-08 at 02:00: the day has 23 hours.
    # 01:30 EST (06:30 UTC) + 2 real hours = 04:30 EDT (08:30 UTC); midnight is EDT (04:00 UTC).
    ("later_today", NY, u(2026, 3, 8, 6, 30), False, u(2026, 3, 8, 8, 30), u(2026, 3, 9, 4)),
    ("tonight", NY, u(2026, 3, 8, 6, 30), False, u(2026, 3, 8, 22), u(2026, 3, 9, 4)),
    ("tomorrow", NY, u(2026, 3, 7, 17), False, u(2026, 3, 8, 5), u(2026, 3, 9, 4)),
    # DST ends on Sunday 2026-11-01 at 02:00: the day has 25 hours.
    ("tomorrow", NY, u(2026, 10, 31, 16), False, u(2026, 11, 1, 4), u(2026, 11, 2, 5)),
    ("tonight", NY, u(2026, 11, 1, 12), False, u(2026, 11, 1, 23), u(2026, 11, 2, 5)),
    ("next_week", NY, u(2026, 10, 28, 16), False, u(2026, 11, 2, 5), u(2026, 11, 9, 5)),
    ("next_month", NY, u(2026, 10, 15, 16), False, u(2026, 11, 1, 4), u(2026, 12, 1, 5)),
    # 调休: Friday 2026-02-13; Saturday 02-14 is a make-up workday, then Spring Festival until
    # Monday 02-23 (a day off); the next working day after the 14th is Tuesday 02-24.
    ("tomorrow", SH, u(2026, 2, 13, 2), True, u(2026, 2, 13, 16), u(2026, 2, 14, 16)),
    ("tomorrow", SH, u(2026, 2, 14, 2), True, u(2026, 2, 23, 16), u(2026, 2, 24, 16)),
    ("tomorrow", SH, u(2026, 2, 14, 2), False, u(2026, 2, 14, 16), u(2026, 2, 15, 16)),
    # this week with working days only runs to the end of the make-up Saturday
    ("this_week", SH, u(2026, 2, 11, 2), True, u(2026, 2, 10, 16), u(2026, 2, 14, 16)),
    # a Sunday has no working day left this week: the next working day instead
    ("this_week", SH, u(2026, 3, 15, 2), True, u(2026, 3, 15, 16), u(2026, 3, 16, 16)),
    # National Day week: next week (Oct 5-11) works on Oct 8, 9 and the make-up Saturday Oct 10
    ("next_week", SH, u(2026, 9, 30, 2), True, u(2026, 10, 7, 16), u(2026, 10, 10, 16)),
    # next month with working days only: first to last working day of October
    ("next_month", SH, u(2026, 9, 15, 2), True, u(2026, 10, 7, 16), u(2026, 10, 30, 16)),
]


@pytest.mark.parametrize(("kind", "tz", "now", "workdays", "start", "end"), TABLE)
def test_resolution_table(kind, tz, now, workdays, start, end):
    window = resolve(kind, now=now, tz=tz, workdays_only=workdays)
    assert (window.start, window.end) == (start, end), (
        f"{kind} in {tz} at {now.astimezone(tz)}: "
        f"{window.start.astimezone(tz)} .. {window.end.astimezone(tz)}"
    )


def test_dst_days_have_their_real_length():
    spring = resolve("tomorrow", now=u(2026, 3, 7, 17), tz=NY)
    autumn = resolve("tomorrow", now=u(2026, 10, 31, 16), tz=NY)
    assert spring.end - spring.start == dt.timedelta(hours=23)
    assert autumn.end - autumn.start == dt.timedelta(hours=25)


def test_later_today_and_tonight_ignore_workdays_only():
    sunday = u(2026, 3, 15, 2)  # 10:00 Sunday in Shanghai
    assert resolve("tonight", now=sunday, tz=SH, workdays_only=True) == resolve(
        "tonight", now=sunday, tz=SH
    )
    assert resolve("later_today", now=sunday, tz=SH, workdays_only=True).start == u(2026, 3, 15, 4)


def test_exact_needs_an_aware_time():
    at = u(2026, 3, 11, 9)
    assert resolve("exact", now=u(2026, 3, 1), tz=SH, at=at) == Window(at, at)
    with pytest.raises(ValueError):
        resolve("exact", now=u(2026, 3, 1), tz=SH, at=None)
    with pytest.raises(ValueError):
        resolve("someday", now=u(2026, 3, 1), tz=SH)


def _next(
    window, *, recurrence, tz, after, kind="exact", workdays=False, anchor=None, nominal=None
):
    return next_occurrence(
        window=window,
        nominal=nominal or window.start,
        kind=kind,
        recurrence=recurrence,
        tz=tz,
        workdays_only=workdays,
        anchor_day=anchor,
        after=after,
    )


def test_daily_exact_keeps_the_local_time_and_skips_past_occurrences():
    at = dt.datetime(2026, 3, 11, 9, tzinfo=SH)
    nxt = _next(Window(at, at), recurrence="daily", tz=SH, after=at + dt.timedelta(hours=1))
    assert nxt.window.start == dt.datetime(2026, 3, 12, 9, tzinfo=SH)
    # completed three days late: the next one is the first still ahead
    late = _next(Window(at, at), recurrence="daily", tz=SH, after=at + dt.timedelta(days=3))
    assert late.window.start == dt.datetime(2026, 3, 15, 9, tzinfo=SH)


def test_weekly_across_the_spring_dst_change_keeps_nine_oclock():
    at = dt.datetime(2026, 3, 2, 9, tzinfo=NY)  # 14:00 UTC (EST)
    nxt = _next(Window(at, at), recurrence="weekly", tz=NY, after=at)
    assert nxt.window.start == dt.datetime(2026, 3, 9, 9, tzinfo=NY)
    assert nxt.window.start.astimezone(UTC) == u(2026, 3, 9, 13)  # EDT


def test_monthly_clamps_to_the_month_end_without_drifting():
    at = dt.datetime(2026, 1, 31, 10, tzinfo=SH)
    feb = _next(Window(at, at), recurrence="monthly", tz=SH, after=at, anchor=31)
    assert feb.window.start == dt.datetime(2026, 2, 28, 10, tzinfo=SH)
    mar = _next(
        feb.window,
        recurrence="monthly",
        tz=SH,
        after=feb.window.start,
        anchor=31,
        nominal=feb.nominal,
    )
    assert mar.window.start == dt.datetime(2026, 3, 31, 10, tzinfo=SH)


def test_daily_workdays_only_skips_the_spring_festival_and_keeps_the_series():
    at = dt.datetime(2026, 2, 13, 9, tzinfo=SH)  # Friday
    sat = _next(Window(at, at), recurrence="daily", tz=SH, after=at, workdays=True)
    assert sat.window.start == dt.datetime(2026, 2, 14, 9, tzinfo=SH)  # make-up workday
    after = _next(
        sat.window,
        recurrence="daily",
        tz=SH,
        after=sat.window.start,
        workdays=True,
        nominal=sat.nominal,
    )
    assert after.window.start == dt.datetime(2026, 2, 24, 9, tzinfo=SH)


def test_weekly_workdays_only_does_not_drift_after_a_holiday():
    monday = dt.datetime(2026, 9, 28, 9, tzinfo=SH)
    # 2026-10-05 is a holiday: that week's occurrence moves to Thursday 10-08 ...
    first = _next(
        Window(monday, monday),
        recurrence="weekly",
        tz=SH,
        after=monday + dt.timedelta(days=1),
        workdays=True,
    )
    assert first.window.start == dt.datetime(2026, 10, 8, 9, tzinfo=SH)
    # ... and the series comes back to Monday
    second = _next(
        first.window,
        recurrence="weekly",
        tz=SH,
        after=first.window.start,
        workdays=True,
        nominal=first.nominal,
    )
    assert second.window.start == dt.datetime(2026, 10, 12, 9, tzinfo=SH)


def test_next_month_window_spans_the_whole_following_month():
    window = resolve("next_month", now=u(2026, 1, 10), tz=SH)
    nxt = _next(window, recurrence="monthly", tz=SH, after=window.end, kind="next_month", anchor=1)
    assert nxt.window == Window(
        dt.datetime(2026, 3, 1, tzinfo=SH), dt.datetime(2026, 4, 1, tzinfo=SH)
    )
