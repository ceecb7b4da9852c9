"""Pool recycling (线索回收): per-grade limits counted in the workspace's zone, the skip for a
follow-up due that day, the day-before warning (once a day), the preview that equals the job,
audit rows and closed claim stints, the pool page, the API, the daily run once per day and
constant queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tradewind.activities.models import Notification
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.models import Lead, LeadClaim, LeadJobRun, LeadPolicy
from tradewind.leads.pool import lead_claim, lead_release
from tradewind.leads.recycling import leads_recycle, recycle_candidates, recycle_warnings
from tradewind.leads.services import lead_create
from tradewind.leads.tasks import daily_jobs_run
from tradewind.workspaces.models import AuditEvent

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0, tz=SH) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=tz)


def set_policy(world, days: dict, tz: str = "Asia/Shanghai") -> None:
    world.ws.time_zone = tz
    world.ws.save()
    p = LeadPolicy.for_workspace(world.ws)
    p.recycle_after_days = days
    p.save()


def make(world, when: dt.datetime, member=None, **data) -> Lead:
    member = member or world.rep
    with time_machine.travel(when, tick=False):
        return lead_create(
            actor=world.actor(member),
            allow_duplicates=True,
            company_name=data.pop("company_name", f"Idle {when:%m%d%H%M} {data.get('grade', '')}"),
            owner=member.user_id,
            **data,
        )


def recycle_at(world, when: dt.datetime) -> set[int]:
    with time_machine.travel(when, tick=False):
        return set(leads_recycle(workspace=world.ws))


def owner_of(lead: Lead) -> int | None:
    return Lead.objects.get(pk=lead.pk).owner_id


def test_each_grade_goes_back_after_its_own_days(world):
    set_policy(world, {"A": 2, "B": 5, "C": 0, "": 5})
    a = make(world, at(2026, 3, 2), grade="A")
    b = make(world, at(2026, 3, 2), grade="B")
    c = make(world, at(2026, 3, 2), grade="C")
    n = make(world, at(2026, 3, 2))
    assert recycle_at(world, at(2026, 3, 3, 23, 59)) == set()
    assert recycle_at(world, at(2026, 3, 4, 1, 30)) == {a.pk}
    assert recycle_at(world, at(2026, 3, 6, 23, 0)) == set()
    assert recycle_at(world, at(2026, 3, 7, 1, 30)) == {b.pk, n.pk}
    assert recycle_at(world, at(2026, 6, 1, 1, 30)) == set()  # C: 0 = never
    assert owner_of(c) == world.rep.user_id and owner_of(a) is None


@pytest.mark.parametrize(
    ("zone", "recycled_at", "kept_at"),
    [
        # Idle since 2026-03-02 20:00 UTC: the 2nd in UTC, the 3rd in Shanghai. Three days.
        ("UTC", at(2026, 3, 5, 0, 30, UTC), at(2026, 3, 4, 23, 59, UTC)),
        ("Asia/Shanghai", at(2026, 3, 6, 0, 30), at(2026, 3, 5, 23, 59)),
    ],
)
def test_days_are_counted_in_the_workspace_zone(world, zone, recycled_at, kept_at):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 3}, tz=zone)
    lead = make(world, at(2026, 3, 2, 20, 0, UTC))
    assert recycle_at(world, kept_at) == set()
    assert recycle_at(world, recycled_at) == {lead.pk}


def test_a_follow_up_due_that_day_keeps_the_lead_and_a_follow_up_restarts_the_clock(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 3})
    planned = make(world, at(2026, 3, 2))
    worked = make(world, at(2026, 3, 2))
    Lead.objects.filter(pk=planned.pk).update(next_due_at=at(2026, 3, 5, 15, 0))
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        lead_followup_record(
            actor=world.actor(world.rep), lead=worked, channel="phone", summary="hi",
            result="no_response",
        )  # fmt: skip
    assert recycle_at(world, at(2026, 3, 5, 1, 30)) == set()
    # The next day the plan is in the past: back to the pool. The worked lead still has time.
    Lead.objects.filter(pk=worked.pk).update(next_due_at=None)
    assert recycle_at(world, at(2026, 3, 6, 1, 30)) == {planned.pk}
    assert recycle_at(world, at(2026, 3, 7, 1, 30)) == {worked.pk}


def test_only_new_contacting_and_to_reactivate_leads_are_recycled(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 1})
    leads = {s: make(world, at(2026, 3, 2)) for s in ("new", "qualified", "dormant", "invalid")}
    for status, lead in leads.items():
        Lead.objects.filter(pk=lead.pk).update(status=status, status_changed_at=at(2026, 3, 1))
    assert recycle_at(world, at(2026, 3, 4, 1, 30)) == {leads["new"].pk}


def test_recycling_closes_the_claim_audits_and_tells_the_owner(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 2})
    with time_machine.travel(at(2026, 3, 2), tick=False):
        pool_lead = lead_create(
            actor=world.actor(world.owner), company_name="Pooled Co", owner=None,
            allow_duplicates=True,
        )  # fmt: skip
        lead = lead_claim(actor=world.actor(world.rep), lead=pool_lead)
    assert recycle_at(world, at(2026, 3, 4, 1, 30)) == {lead.pk}
    claim = LeadClaim.objects.get(lead=lead)
    assert claim.released_at is not None and claim.release_reason == "recycled"
    event = AuditEvent.objects.get(target_type="lead", target_id=lead.pk, action="recycled")
    assert event.changes["owner"] == [world.rep.user_id, None] and event.actor_kind == "system"
    assert event.changes["idle_days"] == [None, 2]
    note = Notification.objects.get(user=world.rep.user, kind="lead.recycled")
    assert note.params["codes"] == [lead.code]


def test_a_fresh_claim_restarts_the_clock(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 2})
    lead = make(world, at(2026, 3, 1))
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        lead_release(actor=world.actor(world.rep), lead=lead, reason="busy")
        lead_claim(actor=world.actor(world.rep2), lead=lead)
    assert recycle_at(world, at(2026, 3, 4, 1, 30)) == set()
    assert recycle_at(world, at(2026, 3, 5, 1, 30)) == {lead.pk}


def test_warning_the_day_before_once_per_day(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 3})
    first = make(world, at(2026, 3, 2))
    second = make(world, at(2026, 3, 2), company_name="Second idle")
    other = make(world, at(2026, 3, 2), member=world.other_rep)
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        assert recycle_warnings(workspace=world.ws) == 2
        assert recycle_warnings(workspace=world.ws) == 2  # asked again: no second notice
    notes = Notification.objects.filter(kind="lead.recycle_warning")
    assert notes.count() == 2
    mine = notes.get(user=world.rep.user)
    assert sorted(mine.params["codes"]) == sorted([first.code, second.code])
    assert notes.get(user=world.other_rep.user).params["codes"] == [other.code]
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):  # two days before: nothing
        recycle_warnings(workspace=world.ws)
    assert notes.count() == 2


def test_preview_equals_what_the_job_then_does(world, client_for, api, token_for):
    set_policy(world, {"A": 2, "B": 4, "C": 0, "": 3})
    make(world, at(2026, 3, 1), grade="A")
    make(world, at(2026, 3, 2), grade="B")  # not yet
    make(world, at(2026, 3, 1))
    make(world, at(2026, 3, 1), member=world.other_rep)
    with time_machine.travel(at(2026, 3, 4, 0, 30), tick=False):  # before tonight's run
        preview = {
            c.lead.pk for c in recycle_candidates(workspace=world.ws, on_date=dt.date(2026, 3, 4))
        }
        page = client_for(world.manager).get("/leads/recycling/")
        rep_api = api("get", "/leads/recycling-preview", token=token_for(world.rep)).json()
        boss_api = api("get", "/leads/recycling-preview", token=token_for(world.owner)).json()
    assert len(preview) == 3
    assert page.content.count(b'data-testid="recycle-row"') == 3
    assert rep_api["on_date"] == "2026-03-04" and len(rep_api["items"]) == 2
    assert {i["owner_id"] for i in rep_api["items"]} == {world.rep.user_id}
    assert {i["lead_id"] for i in boss_api["items"]} == preview
    first = boss_api["items"][0]
    assert (
        str(first["idle_days"]) in first["reason"] and str(first["limit_days"]) in first["reason"]
    )
    with time_machine.travel(at(2026, 3, 4, 1, 10), tick=False):
        ran = daily_jobs_run(workspace=world.ws)
    assert ran["recycle"] == {"count": 3}
    assert set(
        Lead.objects.filter(workspace=world.ws, owner__isnull=True, pk__in=preview).values_list("pk", flat=True)
    ) == preview  # fmt: skip
    # After tonight's run the preview looks at tomorrow.
    with time_machine.travel(at(2026, 3, 4, 12), tick=False):
        later = api("get", "/leads/recycling-preview", token=token_for(world.owner)).json()
    assert later["on_date"] == "2026-03-05"


def test_pool_page_shows_the_recycled_lead(world, client_for):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 1})
    lead = make(world, at(2026, 3, 2), company_name="RECYCLED-TO-POOL Ltd")
    recycle_at(world, at(2026, 3, 3, 1, 30))
    resp = client_for(world.rep2).get("/leads/?owner=none")
    assert lead.company_name.encode() in resp.content


def test_daily_jobs_run_once_per_workspace_day_after_one_o_clock(world):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 1})
    with time_machine.travel(at(2026, 3, 5, 0, 40), tick=False):
        assert daily_jobs_run(workspace=world.ws) == {}
    with time_machine.travel(at(2026, 3, 5, 1, 5), tick=False):
        assert set(daily_jobs_run(workspace=world.ws)) == {
            "recycle",
            "reactivate",
            "recycle_warnings",
        }
    with time_machine.travel(at(2026, 3, 5, 14), tick=False):
        assert daily_jobs_run(workspace=world.ws) == {}
    assert LeadJobRun.objects.filter(workspace=world.ws, on_date=dt.date(2026, 3, 5)).count() == 3


@pytest.mark.parametrize(("who", "status"), [("anon", 401), ("owner2", 200), ("readonly", 200)])
def test_preview_api_authorization_shows_no_foreign_leads(world, api, token_for, who, status):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 1})
    make(world, at(2026, 3, 1), company_name="ALPHA-EAST-SECRET idle")
    token = None if who == "anon" else token_for(getattr(world, who))
    with time_machine.travel(at(2026, 3, 4, 0, 30), tick=False):
        resp = api("get", "/leads/recycling-preview", token=token)
    assert resp.status_code == status
    assert b"ALPHA-EAST-SECRET" not in resp.content


def test_recycling_queries_do_not_grow_with_the_leads(world, django_assert_max_num_queries):
    set_policy(world, {"A": 0, "B": 0, "C": 0, "": 1})
    for i in range(2):
        make(world, at(2026, 3, 1, 9, i))
        make(world, at(2026, 3, 1, 9, i), member=world.rep2)
    with (
        time_machine.travel(at(2026, 3, 3, 1, 30), tick=False),
        django_assert_max_num_queries(30) as first,
    ):
        assert len(leads_recycle(workspace=world.ws)) == 4
    for i in range(10):
        make(world, at(2026, 3, 3, 9, i))
        make(world, at(2026, 3, 3, 9, i), member=world.rep2)
    with (
        time_machine.travel(at(2026, 3, 5, 1, 30), tick=False),
        django_assert_max_num_queries(len(first.captured_queries)),
    ):
        assert len(leads_recycle(workspace=world.ws)) == 20
