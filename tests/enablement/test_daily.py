"""Daily reports from real records: the day's follow-ups by channel, new leads, stage moves, quotes
and payments, the next day's plan; drafts refresh, submitted reports are frozen; managers see
their scope, comment, and get one digest a day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.enablement.conftest import stage
from tradewind.activities.models import Notification
from tradewind.activities.services import followup_record
from tradewind.activities.task_services import task_create
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.services import customer_create
from tradewind.enablement import daily
from tradewind.enablement.daily_selectors import daily_digest, team_day
from tradewind.enablement.models import DailyReport, DailyReportComment
from tradewind.enablement.tasks import daily_report_digest
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.orders.orders import order_create
from tradewind.orders.payments import receipt_record
from tradewind.orders.quotes import quote_create, quote_transition
from tradewind.sales.moves import opportunity_move
from tradewind.sales.services import opportunity_create

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2025, 3, 18)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def records(world, media):
    """The rep's 18 March 2025 (workspace time, Asia/Shanghai), with records just outside it."""
    rep = world.actor(world.rep)
    with time_machine.travel(at(17, 23, 30), tick=False):
        customer = customer_create(actor=rep, name="Ningbo Works", industry="Manufacturing")
        lead_create(actor=rep, company_name="Yesterday's lead", allow_duplicates=True)
        opp = opportunity_create(
            actor=rep, customer=customer, name="Line", amount="500", currency="CNY"
        )
        followup_record(
            actor=rep, target=customer, channel="phone", summary="Late call", result="responded"
        )
    with time_machine.travel(at(18, 0, 10), tick=False):
        lead = lead_create(actor=rep, company_name="Early lead", allow_duplicates=True)
        followup_record(
            actor=rep,
            target=lead,
            channel="phone",
            summary="Intro call",
            feedback="efficiency gain unclear",
            result="interested",
        )
    with time_machine.travel(at(18, 10), tick=False):
        followup_record(
            actor=rep, target=customer, channel="phone", summary="Price talk", result="responded"
        )
        followup_record(
            actor=rep, target=customer, channel="email", summary="Sent case", result="responded"
        )
        followup_record(  # rep2's: not in the rep's report
            actor=world.actor(world.rep2),
            target=world.lead,
            channel="wechat",
            summary="Not the rep's",
            result="responded",
        )
        opportunity_move(actor=rep, opportunity_id=opp.pk, stage_id=stage(world.ws, "quotation").pk)
        quote = quote_create(
            actor=rep,
            customer_id=customer.pk,
            title="Line quote",
            lines=[{"description": "Line", "quantity": 1, "unit_price": "500"}],
        )
        quote_transition(actor=rep, quote_id=quote.pk, to="sent")
        quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
        order = order_create(actor=rep, quote_id=quote.pk)
        receipt_record(actor=rep, order_id=order.pk, amount="200", received_on=DAY)
        receipt_record(actor=rep, order_id=order.pk, amount="50", received_on=DAY)
        receipt_record(actor=rep, order_id=order.pk, amount="10", received_on=DAY - dt.timedelta(1))
        task_create(actor=rep, title="Send the contract", due_kind="tomorrow")
        task_create(actor=rep, title="Old promise", due_kind="exact", due_at=at(17, 9))
        task_create(actor=rep, title="Next week", due_kind="next_week")
        Lead.objects.filter(pk=lead.pk).update(next_due_at=at(19, 10))
    return {"customer": customer, "lead": lead, "opp": opp, "quote": quote}


def test_figures_come_from_the_days_records(world, records):
    with time_machine.travel(at(18, 20), tick=False):
        figures = daily.figures_for(world.rep, DAY)
    assert figures["followups"]["count"] == 3
    assert figures["followups"]["by_channel"] == {"email": 1, "phone": 2}
    assert [f["summary"] for f in figures["followups"]["items"]] == [
        "Intro call",
        "Price talk",
        "Sent case",
    ]
    assert figures["followups"]["items"][0]["feedback"] == "efficiency gain unclear"
    assert figures["followups"]["items"][1]["record"]["label"].endswith("Ningbo Works")
    assert [row["label"].split(" ", 1)[1] for row in figures["new_leads"]["items"]] == [
        "Early lead"
    ]
    assert figures["new_leads"]["count"] == 1
    assert [(m["to"], m["kind"]) for m in figures["stage_moves"]["items"]] == [
        ("quotation", "move")
    ]
    assert [(q["id"], q["sent"]) for q in figures["quotes"]["items"]] == [
        (records["quote"].pk, True)
    ]
    assert figures["payments"]["count"] == 2
    assert figures["payments"]["totals"] == {"CNY": "250.000"}
    tasks = {t["title"]: t["overdue"] for t in figures["plan"]["tasks"]}
    assert tasks == {"Send the contract": False, "Old promise": True}  # not next week's
    assert [(d["type"], d["overdue"]) for d in figures["plan"]["followups_due"]] == [
        ("lead", False)
    ]


def test_regenerating_refreshes_a_draft_and_submitting_freezes_it(world, records):
    rep = world.actor(world.rep)
    with time_machine.travel(at(18, 12), tick=False):
        report = daily.daily_report_generate(actor=rep, day="2025-03-18")
        again = daily.daily_report_generate(actor=rep, day="2025-03-18")
    assert again.pk == report.pk and again.version == 2
    assert report.figures["followups"]["count"] == 3
    with time_machine.travel(at(18, 19), tick=False):
        followup_record(
            actor=rep,
            target=records["customer"],
            channel="visit",
            summary="Visit",
            result="responded",
        )
        daily.daily_report_save(actor=rep, report_id=report.pk, comment="Good day")
        submitted = daily.daily_report_submit(actor=rep, report_id=report.pk)
    assert submitted.status == "submitted" and submitted.comment == "Good day"
    assert submitted.figures["followups"]["count"] == 4  # submitting refreshed once more
    with time_machine.travel(at(18, 21), tick=False):
        followup_record(
            actor=rep,
            target=records["customer"],
            channel="phone",
            summary="Late",
            result="responded",
        )
        for call in (
            lambda: daily.daily_report_generate(actor=rep, day="2025-03-18"),
            lambda: daily.daily_report_save(actor=rep, report_id=report.pk, comment="changed"),
            lambda: daily.daily_report_submit(actor=rep, report_id=report.pk),
        ):
            with pytest.raises(Conflict) as err:
                call()
            assert err.value.code == "daily_report_submitted"
    frozen = DailyReport.objects.get(pk=report.pk)
    assert frozen.figures["followups"]["count"] == 4 and frozen.comment == "Good day"
    assert DailyReport.objects.count() == 1


def test_days_are_checked(world):
    rep = world.actor(world.rep)
    with time_machine.travel(at(18, 12), tick=False):
        for day, code in (
            ("2025-03-19", "daily_report_future_day"),
            ("18/03", "daily_report_bad_day"),
        ):
            with pytest.raises(ServiceError) as err:
                daily.daily_report_generate(actor=rep, day=day)
            assert err.value.code == code and "day" in err.value.fields
        assert daily.daily_report_generate(actor=rep).day == DAY  # today by default
    with pytest.raises(PermissionDenied):
        daily.daily_report_generate(actor=world.actor(world.readonly), day="2025-03-01")


def test_only_the_rep_writes_and_managers_of_the_scope_read_and_comment(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(18, 12), tick=False):
        report = daily.daily_report_generate(actor=world.actor(world.rep))
    for member in (world.manager, world.owner):
        daily.report_get(member, report.pk)
        with pytest.raises(PermissionDenied):
            daily.daily_report_submit(actor=world.actor(member), report_id=report.pk)
    for member in (world.rep2, world.other_rep, world.owner2):
        with pytest.raises(NotFound):
            daily.report_get(member, report.pk)
        with pytest.raises(NotFound):
            daily.daily_report_comment(actor=world.actor(member), report_id=report.pk, body="hi")
    with pytest.raises(PermissionDenied):  # read-only sees the team's report, may not comment
        daily.daily_report_comment(actor=world.actor(world.readonly), report_id=report.pk, body="x")
    with pytest.raises(ServiceError) as err:
        daily.daily_report_comment(actor=world.actor(world.manager), report_id=report.pk, body=" ")
    assert err.value.code == "daily_report_comment_required"
    daily.daily_report_comment(actor=world.actor(world.manager), report_id=report.pk, body="Nice")
    assert DailyReportComment.objects.get().author_id == world.manager.user_id
    note = Notification.objects.get(kind="daily_report.comment")
    assert note.user_id == world.rep.user_id and note.params["excerpt"] == "Nice"
    assert DailyReport.objects.get(pk=report.pk).status == "draft"


def test_manager_sees_who_submitted_in_scope(world):
    with time_machine.travel(at(18, 12), tick=False):
        report = daily.daily_report_generate(actor=world.actor(world.rep))
        daily.daily_report_submit(actor=world.actor(world.rep), report_id=report.pk)
        daily.daily_report_generate(actor=world.actor(world.other_rep))
    rows = {r.member.user.email: r.status for r in team_day(world.manager, DAY)}
    assert rows == {"rep@a.test": "submitted", "west@a.test": "draft", "rep2@a.test": "missing"}
    assert [r.member.user.email for r in team_day(world.rep, DAY)] == ["rep@a.test"]
    team = {r.member.user.email for r in team_day(world.readonly, DAY)}
    assert team == {"rep@a.test", "rep2@a.test"}  # own team (east) only
    assert team_day(world.owner2, DAY) == []


def test_the_digest_goes_to_managers_once_a_day(world):
    with time_machine.travel(at(18, 12), tick=False):
        report = daily.daily_report_generate(actor=world.actor(world.rep))
        daily.daily_report_submit(actor=world.actor(world.rep), report_id=report.pk)
    assert daily_report_digest(workspace=world.ws, now=at(18, 18)) == 0  # before 19:00
    assert daily_report_digest(workspace=world.ws, now=at(18, 19, 50)) == 2
    daily_digest(workspace=world.ws, day=DAY)  # a second tick sends nothing new
    notes = Notification.objects.filter(kind="daily_report.digest").order_by("user_id")
    assert {n.user_id for n in notes} == {world.owner.user_id, world.manager.user_id}
    manager = notes.get(user_id=world.manager.user_id)
    assert manager.params["submitted"] == 1 and manager.params["total"] == 3
    assert manager.params["missing"] in ("rep2, west", "west, rep2")
    assert manager.url == "/reports/daily/?day=2025-03-18"
    assert not Notification.objects.filter(workspace=world.ws2, kind="daily_report.digest").exists()
