"""Working days in mainland China, 2026: public holidays off, make-up Saturdays and Sundays (调休) on."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from tradewind.core.workdays import add_workdays, is_workday, next_workday

CN_2026 = holidays.China(years=2026)
MAKEUP_2026 = sorted(d for d in CN_2026.weekend_workdays if d.year == 2026)


def test_the_2026_calendar_is_the_one_we_reason_about():
    """The official 2026 arrangement (State Council, Nov 2025), as the holidays package ships it."""
    assert [
        date(2026, 1, 4),  # Sun, for New Year
        date(2026, 2, 14),  # Sat, for Spring Festival
        date(2026, 2, 28),  # Sat, for Spring Festival
        date(2026, 5, 9),  # Sat, for Labour Day
        date(2026, 9, 20),  # Sun, for National Day
        date(2026, 10, 10),  # Sat, for National Day
    ] == MAKEUP_2026
    for day in (
        date(2026, 1, 2),
        date(2026, 2, 16),
        date(2026, 2, 20),
        date(2026, 2, 23),
        date(2026, 5, 5),
        date(2026, 10, 7),
    ):
        assert day in CN_2026 and day.weekday() < 5


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_make_up_weekend_days_are_workdays(day):
    assert day.weekday() >= 5
    assert is_workday(day)


@pytest.mark.parametrize(
    "day",
    [d for d in CN_2026 if d.weekday() < 5],
    ids=str,
)
def test_weekday_holidays_are_not_workdays(day):
    assert not is_workday(day)


def test_ordinary_days():
    assert is_workday(date(2026, 3, 10))  # Tuesday
    assert not is_workday(date(2026, 3, 14))  # Saturday
    assert not is_workday(date(2026, 3, 15))  # Sunday


def test_a_whole_year_count():
    """365 days, 104 weekend days; minus weekday holidays, plus make-up days."""
    days = [date(2026, 1, 1) + timedelta(n) for n in range(365)]
    weekday_holidays = [d for d in CN_2026 if d.weekday() < 5]
    assert sum(is_workday(d) for d in days) == 365 - 104 - len(weekday_holidays) + len(MAKEUP_2026)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Spring Festival: Fri 13 Feb + 1 is the make-up Saturday the 14th, + 2 jumps the whole break to Tue 24th
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        # and the Saturday after the break counts too: Fri 27 Feb + 1 = Sat 28 Feb
        (date(2026, 2, 27), 1, date(2026, 2, 28)),
        (date(2026, 2, 27), 2, date(2026, 3, 2)),
        # across the year: New Year's Eve + 1 skips 1-3 Jan and lands on the make-up Sunday
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        # Labour Day 1-5 May, make-up Sat 9 May
        (date(2026, 4, 30), 1, date(2026, 5, 6)),
        (date(2026, 5, 8), 1, date(2026, 5, 9)),
        # National Day: Fri 18 Sep + 1 is the make-up Sunday the 20th; 30 Sep + 1 is Thu 8 Oct
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 9), 1, date(2026, 10, 10)),
        # ten working days from Mid-Autumn over the National Day week: 28, 29, 30 Sep, 8, 9, 10 (Sat), 12-15 Oct
        (date(2026, 9, 25), 10, date(2026, 10, 15)),
        # backwards
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2026, 2, 24), -2, date(2026, 2, 13)),
        (date(2026, 1, 5), -1, date(2026, 1, 4)),
        (date(2026, 1, 4), -1, date(2025, 12, 31)),
        # zero rolls forward to a workday, and stays on one
        (date(2026, 2, 16), 0, date(2026, 2, 24)),
        (date(2026, 2, 14), 0, date(2026, 2, 14)),
        (date(2026, 3, 14), 0, date(2026, 3, 16)),
    ],
)
def test_add_workdays(start, days, expected):
    assert add_workdays(start, days) == expected


def test_next_workday():
    assert next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert next_workday(date(2026, 10, 8)) == date(2026, 10, 9)


def test_adding_then_subtracting_comes_back_to_a_workday():
    day = date(2026, 1, 5)
    while day.year == 2026:
        if is_workday(day):
            for n in (1, 3, 7):
                assert add_workdays(add_workdays(day, n), -n) == day, (day, n)
        day += timedelta(days=3)
