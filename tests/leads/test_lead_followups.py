"""Follow-ups on leads: the lead moves with them (contacting, cadence by grade on Chinese working
days, dormancy after silence), the first-contact SLA, the pages and the API (permission matrix),
the "my follow-ups" lists, and a timeline whose query count does not grow."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tradewind.activities.models import FollowUp
from tradewind.core.errors import Conflict, PermissionDenied
from tradewind.leads.choices import LeadStatus
from tradewind.leads.followups import (
    due_counts,
    due_leads,
    lead_followup_record,
    sla_breached,
    with_sla,
)
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.services import lead_create
from tradewind.workspaces.models import AuditEvent

SH = ZoneInfo("Asia/Shanghai")
S = LeadStatus


def follow(world, lead, member=None, **kw):
    data = {"channel": "phone", "summary": "Called", "result": "responded"}
    return lead_followup_record(actor=world.actor(member or world.rep), lead=lead, **(data | kw))


def fresh(lead: Lead) -> Lead:
    return Lead.objects.get(pk=lead.pk)


def new_lead(world, grade="", member=None, **kw) -> Lead:
    return lead_create(
        actor=world.actor(member or world.rep),
        allow_duplicates=True,
        company_name=kw.pop("company_name", "Keji Co"),
        grade=grade,
        **kw,
    )


def transitions(lead: Lead) -> list[list]:
    return [
        e.changes["status"]
        for e in AuditEvent.objects.filter(
            target_type="lead", target_id=lead.pk, verb="transition"
        ).order_by("id")
    ]


# --- the lead moves with its follow-ups -------------------------------------------------------


def test_first_follow_up_starts_contacting_through_the_audited_transition(world):
    happened = timezone.now() - dt.timedelta(hours=3)
    outcome = follow(world, world.lead, happened_at=happened)
    lead = fresh(world.lead)
    assert outcome.started_contacting and not outcome.went_dormant
    assert lead.status == S.CONTACTING and transitions(lead) == [["new", "contacting"]]
    assert lead.first_contacted_at == happened and lead.last_activity_at == happened
    assert lead.next_due_at is not None and lead.version == world.lead.version + 2
    update = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert update.verb == "update" and set(update.changes) == {
        "first_contacted_at",
        "last_activity_at",
        "next_due_at",
    }

    later = follow(world, lead)
    lead = fresh(lead)
    assert not later.started_contacting and transitions(lead) == [["new", "contacting"]]
    assert lead.first_contacted_at == happened  # the first time only
    assert lead.last_activity_at == later.followup.happened_at


def test_a_backdated_follow_up_does_not_move_last_activity_back(world):
    follow(world, world.lead)
    before = fresh(world.lead).last_activity_at
    follow(world, world.lead, happened_at=before - dt.timedelta(days=5))
    assert fresh(world.lead).last_activity_at == before


def test_given_next_due_wins_over_the_cadence(world):
    due = timezone.now() + dt.timedelta(days=1, hours=2)
    follow(world, world.lead, next_due_at=due, next_action="Send quote")
    assert fresh(world.lead).next_due_at == due


@pytest.mark.parametrize(("grade", "days"), [("A", 3), ("B", 7), ("C", 14), ("", 7)])
def test_cadence_by_grade_in_the_workspace_zone(world, grade, days):
    # Tuesday 2025-03-04 23:30 in Shanghai is still Tuesday 15:30 in UTC; days count in Shanghai.
    with time_machine.travel(dt.datetime(2025, 3, 4, 23, 30, tzinfo=SH), tick=False):
        lead = new_lead(world, grade)
        follow(world, lead)
    due = fresh(lead).next_due_at.astimezone(SH)
    expected = dt.date(2025, 3, 4) + dt.timedelta(days=days)
    # 2025-03-07/11/18 are working days; no roll-over involved here
    assert due.date() == expected and (due.hour, due.minute) == (23, 30)


def test_cadence_skips_holidays_and_keeps_make_up_workdays(world):
    # B weekly from Sunday 2025-09-21 lands on Sunday 09-28: a make-up workday (调休), kept.
    with time_machine.travel(dt.datetime(2025, 9, 21, 10, 0, tzinfo=SH), tick=False):
        b_lead = new_lead(world, "B")
        follow(world, b_lead)
    assert fresh(b_lead).next_due_at.astimezone(SH) == dt.datetime(2025, 9, 28, 10, 0, tzinfo=SH)
    # A three days from Sunday 09-28 is 10-01, National Day: moves to the first working day, 10-09.
    with time_machine.travel(dt.datetime(2025, 9, 28, 9, 0, tzinfo=SH), tick=False):
        a_lead = new_lead(world, "A", company_name="Holiday Co")
        follow(world, a_lead)
    assert fresh(a_lead).next_due_at.astimezone(SH) == dt.datetime(2025, 10, 9, 9, 0, tzinfo=SH)
    # A from 10-08 (still a holiday) lands on Saturday 10-11, a make-up workday: kept.
    with time_machine.travel(dt.datetime(2025, 10, 8, 16, 0, tzinfo=SH), tick=False):
        follow(world, a_lead)
    assert fresh(a_lead).next_due_at.astimezone(SH) == dt.datetime(2025, 10, 11, 16, 0, tzinfo=SH)


def test_cadence_comes_from_the_policy(world):
    policy = LeadPolicy.for_workspace(world.ws)
    assert policy.cadence_days == {"A": 3, "B": 7, "C": 14, "": 7}
    policy.cadence_days = {"A": 2}
    policy.save()
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, 0, tzinfo=SH), tick=False):  # Monday
        lead = new_lead(world, "A")
        follow(world, lead)
        other = new_lead(world, "C", company_name="C Co")
        follow(world, other)
    assert fresh(lead).next_due_at.astimezone(SH).date() == dt.date(2025, 3, 5)
    assert fresh(other).next_due_at.astimezone(SH).date() == dt.date(2025, 3, 17)  # default kept


def test_two_no_responses_in_a_row_make_the_lead_dormant(world):
    follow(world, world.lead, result="no_response")
    assert fresh(world.lead).status == S.CONTACTING
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        outcome = follow(world, world.lead, result="no_response")
        now = timezone.now()
    lead = fresh(world.lead)
    assert outcome.went_dormant and lead.status == S.DORMANT
    assert transitions(lead) == [["new", "contacting"], ["contacting", "dormant"]]
    assert lead.next_due_at == now + dt.timedelta(days=30)


def test_a_response_in_between_resets_the_count(world):
    for result in ("no_response", "responded", "no_response"):
        follow(world, world.lead, result=result)
    assert fresh(world.lead).status == S.CONTACTING
    follow(world, world.lead, result="no_response")
    assert fresh(world.lead).status == S.DORMANT


def test_a_reactivated_lead_gets_fresh_tries_and_the_policy_sets_n(world):
    from tradewind.leads.status import lead_transition

    follow(world, world.lead, result="no_response")
    follow(world, world.lead, result="no_response")
    lead_transition(actor=world.actor(world.rep), lead=fresh(world.lead), to_status=S.CONTACTING)
    follow(world, world.lead, result="no_response")
    assert fresh(world.lead).status == S.CONTACTING
    policy = LeadPolicy.for_workspace(world.ws)
    policy.dormant_after_no_response = 3
    policy.reactivate_after_days = 10
    policy.save()
    follow(world, world.lead, result="no_response")
    assert fresh(world.lead).status == S.CONTACTING
    follow(world, world.lead, result="no_response")
    lead = fresh(world.lead)
    assert lead.status == S.DORMANT
    assert lead.next_due_at.date() == (timezone.now() + dt.timedelta(days=10)).date()


def test_follow_ups_on_a_dormant_or_qualified_lead_do_not_change_its_status(world):
    Lead.objects.filter(pk=world.lead.pk).update(status=S.QUALIFIED)
    follow(world, world.lead, result="no_response")
    follow(world, world.lead, result="no_response")
    assert fresh(world.lead).status == S.QUALIFIED


@pytest.mark.parametrize("status", [S.INVALID, S.CONVERTED])
def test_closed_leads_refuse_follow_ups(world, status):
    Lead.objects.filter(pk=world.lead.pk).update(status=status)
    with pytest.raises(Conflict) as exc:
        follow(world, world.lead)
    assert exc.value.code == "lead_closed"
    assert not FollowUp.objects.exists()


def test_read_only_members_cannot_record(world):
    with pytest.raises(PermissionDenied):
        follow(world, world.lead, member=world.readonly)
    assert fresh(world.lead).status == S.NEW and not FollowUp.objects.exists()


def test_an_invalid_follow_up_rolls_back_the_status_move(world):
    with pytest.raises(Exception):
        follow(world, world.lead, summary="")
    lead = fresh(world.lead)
    assert lead.status == S.NEW and lead.version == world.lead.version
    assert transitions(lead) == []


# --- SLA -------------------------------------------------------------------------------------


def test_sla_breached_for_grade_a_without_first_contact_after_24_hours(world):
    start = timezone.now()
    a_lead = new_lead(world, "A")
    b_lead = new_lead(world, "B", company_name="B Co")
    contacted = new_lead(world, "A", company_name="Called Co")
    follow(world, contacted)
    for hours, expected in ((23, False), (25, True)):
        now = start + dt.timedelta(hours=hours)
        assert sla_breached(fresh(a_lead), now) is expected
        assert sla_breached(fresh(b_lead), now) is False
        assert sla_breached(fresh(contacted), now) is False
        flags = dict(
            with_sla(Lead.objects.filter(workspace=world.ws), now).values_list("pk", "sla_breached")
        )
        assert flags[a_lead.pk] is expected
        assert flags[b_lead.pk] is False and flags[contacted.pk] is False


def test_sla_badge_on_the_detail_the_list_and_my_follow_ups(world, client_for):
    a_lead = new_lead(world, "A", company_name="Urgent Co")
    Lead.objects.filter(pk=a_lead.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=30),
        next_due_at=timezone.now() - dt.timedelta(days=1),
    )
    client = client_for(world.rep)
    assert b'data-testid="sla-breached"' in client.get(f"/leads/{a_lead.pk}/").content
    assert b'data-testid="sla-breached"' not in client.get(f"/leads/{world.lead.pk}/").content
    assert b'data-testid="sla-breached"' in client.get("/leads/").content
    page = client.get("/leads/followups/?tab=overdue")
    assert (
        b'data-testid="sla-list"' in page.content and b'data-testid="sla-breached"' in page.content
    )


# --- pages -----------------------------------------------------------------------------------

FORM = {
    "channel": "wechat",
    "summary": "Demo accepted",
    "feedback": "Price is high",
    "next_action": "Quote",
    "next_due_at": "",
    "result": "interested",
}


def test_page_permission_matrix(world, client, client_for):
    url = f"/leads/{world.lead.pk}/followups/"
    resp = client.post(url, FORM)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert client_for(world.owner2).post(url, FORM).status_code == 404
    assert client_for(world.other_rep).post(url, FORM).status_code == 404
    assert client_for(world.readonly).post(url, FORM).status_code == 403
    assert not FollowUp.objects.exists()
    resp = client_for(world.rep).post(url, FORM)
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.lead.pk}/#followups"
    followup = FollowUp.objects.get()
    assert (followup.channel, followup.result, followup.feedback) == (
        "wechat",
        "interested",
        "Price is high",
    )
    assert client_for(world.manager).post(url, FORM).status_code == 302


def test_page_form_errors_come_back_on_the_form_page(world, client_for):
    client = client_for(world.rep)
    url = f"/leads/{world.lead.pk}/followups/"
    assert client.get(url).status_code == 200
    resp = client.post(url, FORM | {"summary": "", "result": ""})
    assert resp.status_code == 200 and b"invalid-feedback" in resp.content
    resp = client.post(url, FORM | {"next_due_at": "2020-01-01T10:00"})
    assert resp.status_code == 200 and "下次跟进时间不能早于本次跟进时间".encode() in resp.content
    assert not FollowUp.objects.exists()


def test_page_next_due_is_read_in_the_users_zone(world, client_for):
    client = client_for(world.rep)  # no zone of their own: the workspace's, Asia/Shanghai
    client.post(f"/leads/{world.lead.pk}/followups/", FORM | {"next_due_at": "2030-05-06T09:15"})
    assert fresh(world.lead).next_due_at == dt.datetime(2030, 5, 6, 9, 15, tzinfo=SH)


def test_detail_shows_the_timeline_and_the_form_by_role(world, client_for):
    follow(world, world.lead, summary="First call ✓", feedback="Efficiency unclear")
    resp = client_for(world.rep).get(f"/leads/{world.lead.pk}/")
    assert b"First call \xe2\x9c\x93" in resp.content and b"Efficiency unclear" in resp.content
    assert b'data-testid="followup-form"' in resp.content
    resp = client_for(world.readonly).get(f"/leads/{world.lead.pk}/")
    assert b"First call" in resp.content and b'data-testid="followup-form"' not in resp.content
    resp = client_for(world.rep).get(f"/leads/{world.pool_lead.pk}/")
    assert b'data-testid="followup-empty"' in resp.content


def test_follow_up_page_in_chinese(world, client_for):
    client = client_for(world.rep)
    resp = client.get(f"/leads/{world.lead.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "跟进记录".encode() in resp.content and "下一步".encode() in resp.content
    resp = client.get("/leads/followups/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "今日待跟进".encode() in resp.content and "明日跟进计划".encode() in resp.content


def test_timeline_query_count_is_constant(world, client_for):
    client = client_for(world.rep)
    url = f"/leads/{world.lead.pk}/"
    follow(world, world.lead)
    client.get(url)  # warm caches (policy row, sessions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(6):
        follow(world, world.lead, member=world.rep2 if i % 2 else world.rep, summary=f"call {i}")
    with CaptureQueriesContext(connection) as many:
        resp = client.get(url)
    assert resp.content.count(b'data-testid="followup"') == 7
    assert len(many) == len(one)


# --- my follow-ups ---------------------------------------------------------------------------


def _due_world(world):
    """rep's leads due yesterday, today, tomorrow and in three days; rep2's today; a closed one."""
    now = timezone.now()
    leads = {}
    for name, days in (("overdue", -1), ("today", 0), ("tomorrow", 1), ("later", 3)):
        lead = new_lead(world, company_name=f"{name.upper()} Co")
        Lead.objects.filter(pk=lead.pk).update(next_due_at=now + dt.timedelta(days=days))
        leads[name] = lead
    closed = new_lead(world, company_name="CLOSED Co")
    Lead.objects.filter(pk=closed.pk).update(status=S.INVALID, next_due_at=now)
    colleague = new_lead(world, member=world.rep2, company_name="COLLEAGUE Co")
    Lead.objects.filter(pk=colleague.pk).update(next_due_at=now)
    return leads


@pytest.fixture
def at_noon():
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=SH), tick=False):
        yield


def test_due_lists_per_tab(world, at_noon):
    leads = _due_world(world)
    follow(world, leads["today"], next_action="Send samples", next_due_at=timezone.now())
    for tab in ("overdue", "today", "tomorrow"):
        assert [lead.pk for lead in due_leads(world.rep, tab)] == [leads[tab].pk], tab
    assert due_leads(world.rep, "today")[0].last_next_action == "Send samples"
    assert due_counts(world.rep) == {"overdue": 1, "today": 1, "tomorrow": 1}
    assert due_counts(world.manager) == {"overdue": 0, "today": 0, "tomorrow": 0}


def test_due_lists_use_the_users_own_zone(world, at_noon):
    lead = new_lead(world, company_name="ZONE Co")
    # 2026-03-11 01:00 in Shanghai is 2026-03-10 17:00 UTC: tomorrow in Shanghai, today in London
    Lead.objects.filter(pk=lead.pk).update(next_due_at=dt.datetime(2026, 3, 11, 1, 0, tzinfo=SH))
    assert [x.pk for x in due_leads(world.rep, "tomorrow")] == [lead.pk]
    world.rep.user.time_zone = "Europe/London"
    world.rep.user.save()
    assert [x.pk for x in due_leads(world.rep, "today")] == [lead.pk]


def test_my_follow_ups_page_tabs_and_empty_states(world, client_for, at_noon):
    leads = _due_world(world)
    client = client_for(world.rep)
    for tab in ("today", "overdue", "tomorrow"):
        resp = client.get(f"/leads/followups/?tab={tab}")
        assert resp.status_code == 200
        assert f"{tab.upper()} Co".encode() in resp.content
        assert f'href="/leads/{leads[tab].pk}/#followups"'.encode() in resp.content
        others = {"today", "overdue", "tomorrow", "later"} - {tab}
        assert not any(f"{o.upper()} Co".encode() in resp.content for o in others)
        assert b"CLOSED Co" not in resp.content and b"COLLEAGUE Co" not in resp.content
    assert client.get("/leads/followups/?tab=bogus").context["tab"] == "today"
    empty = client_for(world.readonly)
    for tab in ("today", "overdue", "tomorrow"):
        resp = empty.get(f"/leads/followups/?tab={tab}")
        assert resp.status_code == 200 and b'data-testid="empty-state"' in resp.content
    assert b'href="/leads/followups/"' in client.get("/leads/").content


def test_my_follow_ups_page_needs_a_member(world, client):
    resp = client.get("/leads/followups/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


# --- API -------------------------------------------------------------------------------------

PAYLOAD = {"channel": "email", "summary": "Sent catalogue", "result": "no_response"}


def test_api_permission_matrix(world, api, token_for):
    path = f"/leads/{world.lead.pk}/followups"
    assert api("post", path, json=PAYLOAD).status_code == 401
    assert api("get", path).status_code == 401
    for outsider in (world.owner2, world.other_rep):
        token = token_for(outsider)
        assert api("post", path, token=token, json=PAYLOAD).status_code == 404
        assert api("get", path, token=token).status_code == 404
    resp = api("post", path, token=token_for(world.readonly), json=PAYLOAD)
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    assert not FollowUp.objects.exists()
    token = token_for(world.rep)
    resp = api("post", path, token=token, json=PAYLOAD | {"next_action": "Call again"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["started_contacting"] is True and body["went_dormant"] is False
    assert body["lead"]["status"] == "contacting" and body["lead"]["next_due_at"]
    assert body["followup"]["owner_id"] == world.rep.user_id
    assert body["followup"]["next_action"] == "Call again"
    resp = api("post", path, token=token, json=PAYLOAD)
    assert resp.json()["went_dormant"] is True and resp.json()["lead"]["status"] == "dormant"
    listed = api("get", path, token=token_for(world.readonly)).json()
    assert [f["summary"] for f in listed] == ["Sent catalogue", "Sent catalogue"]
    assert listed[0]["id"] > listed[1]["id"]


def test_api_validation_and_closed_lead(world, api, token_for):
    token = token_for(world.rep)
    path = f"/leads/{world.lead.pk}/followups"
    resp = api("post", path, token=token, json={"channel": "phone"})
    assert resp.status_code == 422
    assert set(resp.json()["fields"]) == {"summary", "result"}
    resp = api("post", path, token=token, json=PAYLOAD | {"channel": "fax"})
    assert resp.status_code == 422 and "channel" in resp.json()["fields"]
    Lead.objects.filter(pk=world.lead.pk).update(status=S.INVALID)
    resp = api("post", path, token=token, json=PAYLOAD)
    assert resp.status_code == 409 and resp.json()["code"] == "lead_closed"


def test_api_due_lists(world, api, token_for, at_noon):
    leads = _due_world(world)
    token = token_for(world.rep)
    for when in ("today", "overdue", "tomorrow"):
        resp = api("get", f"/leads/followups/due?when={when}", token=token)
        assert resp.status_code == 200
        assert [x["id"] for x in resp.json()] == [leads[when].pk]
        assert resp.json()[0]["sla_breached"] is False
    assert [x["id"] for x in api("get", "/leads/followups/due", token=token).json()] == [
        leads["today"].pk
    ]
    assert api("get", "/leads/followups/due?when=later", token=token).status_code == 422
    assert api("get", "/leads/followups/due", token=token_for(world.owner2)).json() == []
    assert api("get", "/leads/followups/due").status_code == 401
