"""Local-time buckets computed by the database from boundaries made in Python (analytics/buckets.py):
a row lands in the local day/month it was created in, across daylight-saving changes, on both
databases."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Count

from tradewind.analytics.buckets import bucket_index, by_index, local_midnights
from tradewind.leads.models import Lead

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def _lead(world, code: str, at: dt.datetime) -> None:
    lead = Lead.objects.create(workspace=world.ws, code=code, company_name=code)
    Lead.objects.filter(pk=lead.pk).update(created_at=at)


def _grouped(world, code_prefix: str, days: list[dt.date]) -> dict[dt.date, int]:
    rows = (
        Lead.objects.filter(workspace=world.ws, code__startswith=code_prefix)
        .annotate(b=bucket_index("created_at", local_midnights(days, BERLIN)))
        .values("b")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {day: r["n"] for day, r in by_index(list(rows), "b", days).items()}


@pytest.mark.parametrize(
    ("instant", "local_month"),
    [
        # 2026-03-31 23:30 in Berlin (summer time, UTC+2) is 21:30 UTC: still March.
        (dt.datetime(2026, 3, 31, 21, 30, tzinfo=UTC), dt.date(2026, 3, 1)),
        # 22:00 UTC is midnight in Berlin: April.
        (dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC), dt.date(2026, 4, 1)),
        # 2026-10-31 23:30 in Berlin (winter time again, UTC+1) is 22:30 UTC: October.
        (dt.datetime(2026, 10, 31, 22, 30, tzinfo=UTC), dt.date(2026, 10, 1)),
        (dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC), dt.date(2026, 11, 1)),
        # The first instant of the range and the last month, which is open-ended.
        (dt.datetime(2026, 1, 1, 0, 0, tzinfo=BERLIN), dt.date(2026, 1, 1)),
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=BERLIN), dt.date(2026, 12, 1)),
    ],
)
def test_a_row_lands_in_its_local_month(world, instant, local_month):
    months = [dt.date(2026, m, 1) for m in range(1, 13)]
    _lead(world, "B1", instant)
    rows = (
        Lead.objects.filter(workspace=world.ws, code="B1")
        .annotate(b=bucket_index("created_at", local_midnights(months, BERLIN)))
        .values("b")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert {day: r["n"] for day, r in by_index(list(rows), "b", months).items()} == {local_month: 1}


def test_days_across_the_spring_change_group_like_python(world):
    days = [dt.date(2026, 3, 27) + dt.timedelta(days=i) for i in range(6)]  # change on the 29th
    instants = [
        dt.datetime(2026, 3, d, h, m, tzinfo=UTC)
        for d in range(27, 32)
        for h, m in ((0, 0), (21, 59), (22, 0), (22, 59), (23, 0))
    ]
    for i, at in enumerate(instants):
        _lead(world, f"D{i}", at)
    got = _grouped(world, "D", days)
    want: dict[dt.date, int] = {}
    for at in instants:
        local = at.astimezone(BERLIN).date()
        want[local] = want.get(local, 0) + 1
    assert got == want


def test_bucket_index_needs_a_bucket():
    with pytest.raises(ValueError):
        bucket_index("created_at", [])
