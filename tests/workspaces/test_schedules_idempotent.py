"""Every schedule of the other issues, run twice at the same moment: the first run does its work,
the second changes nothing more (rows, notifications, audit, mail). One test per schedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.analytics.rfm_helpers import TODAY as CHURN_TODAY
from tests.analytics.rfm_helpers import build as build_churn
from tests.orders.conftest import act, qw  # noqa: F401  (qw is a fixture)
from tests.orders.order_helpers import make_order
from tradewind.activities import task_services
from tradewind.activities.models import Notification, Task
from tradewind.customers.models import Customer, CustomerJobRun, CustomerPolicy
from tradewind.customers.services import customer_create
from tradewind.leads.choices import LeadStatus
from tradewind.leads.models import Lead, LeadJobRun, LeadPolicy, WebFormSubmission
from tradewind.leads.services import lead_create
from tradewind.leads.webforms import webform_create
from tradewind.orders import quotes
from tradewind.orders.models import PaymentPlanItem, Quote
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import ScheduleRun
from tradewind.workspaces.schedules import schedule_run

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def snapshot() -> tuple:
    return (
        sorted(Notification.objects.values_list("workspace_id", "user_id", "kind", "key")),
        AuditEvent.objects.count(),
        len(mail.outbox),
        sorted(Lead.objects.values_list("pk", "owner_id", "status", "next_due_at", "version")),
        sorted(Customer.objects.values_list("pk", "owner_id", "stage", "version")),
        sorted(Opportunity.objects.values_list("pk", "stale_since", "version")),
        sorted(Quote.objects.values_list("pk", "status")),
        sorted(PaymentPlanItem.objects.values_list("pk", "last_reminded_on")),
        sorted(Task.objects.values_list("pk", "reminded_at")),
        sorted(WebFormSubmission.objects.values_list("pk", "state")),
        LeadJobRun.objects.count(),
        CustomerJobRun.objects.count(),
    )


def twice(name: str, world, when: dt.datetime) -> dict:
    """Run the schedule twice for the world's workspace at `when`; assert the second run changed
    nothing; return the first run's result."""
    with time_machine.travel(when, tick=False):
        before = snapshot()
        first = schedule_run(name, workspace=world.ws, now=when)
        after_first = snapshot()
        second = schedule_run(name, workspace=world.ws, now=when)
        after_second = snapshot()
    errors = [r.error for r in first + second if not r.ok]
    assert not errors, errors
    assert after_first != before, f"{name}: the first run did nothing; the test proves nothing"
    assert after_second == after_first, f"{name}: the second run changed something"
    assert ScheduleRun.objects.filter(schedule=name).count() == 2 * len(first)
    return first[0].result


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=SH)


def lead_at(world, when: dt.datetime, member=None, **data) -> Lead:
    member = member or world.rep
    with time_machine.travel(when, tick=False):
        return lead_create(
            actor=world.actor(member),
            allow_duplicates=True,
            company_name=data.pop("company_name", f"Lead {when:%m%d%H%M}"),
            owner=data.pop("owner", member.user_id),
            **data,
        )


# --- leads ----------------------------------------------------------------------------------------


def test_lead_pool_recycling_dormancy_and_warnings(world):
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    policy = LeadPolicy.for_workspace(world.ws)
    policy.recycle_after_days = {"A": 2, "B": 5, "C": 0, "": 0}
    policy.reactivate_after_days = 30
    policy.save()
    run = at(2026, 3, 10, 1, 30)
    idle = lead_at(world, at(2026, 3, 7), grade="A")  # 3 days idle: recycled
    warned = lead_at(world, at(2026, 3, 6), grade="B")  # recycled tomorrow: warned today
    dormant = lead_at(world, at(2026, 1, 2))
    Lead.objects.filter(pk=dormant.pk).update(
        status=LeadStatus.DORMANT, status_changed_at=at(2026, 1, 5)
    )
    result = twice("leads.daily", world, run)
    assert result == {
        "recycle": {"count": 1},
        "reactivate": {"count": 1},
        "recycle_warnings": {"count": 1},
    }
    assert Lead.objects.get(pk=idle.pk).owner_id is None
    assert Lead.objects.get(pk=dormant.pk).status == LeadStatus.TO_REACTIVATE
    assert Lead.objects.get(pk=warned.pk).owner_id == world.rep.user_id
    assert Notification.objects.filter(kind="lead.recycle_warning").count() == 1


def test_lead_followups_due_today_and_overdue(world):
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    run = at(2026, 3, 10, 9, 0)
    Lead.objects.filter(pk=world.lead.pk).update(next_due_at=at(2026, 3, 10, 15))
    Lead.objects.filter(pk=world.other_lead.pk).update(next_due_at=at(2026, 3, 8, 15))
    late = lead_at(world, at(2026, 3, 1), company_name="Late Co")
    Lead.objects.filter(pk=late.pk).update(next_due_at=at(2026, 3, 9, 11))
    lead_at(world, at(2026, 3, 1), company_name="Tomorrow Co")  # next_due_at not today: quiet
    Lead.objects.filter(company_name="Tomorrow Co").update(next_due_at=at(2026, 3, 11, 9))
    early = at(2026, 3, 10, 7, 59)
    with time_machine.travel(early, tick=False):
        schedule_run("leads.followups_due", workspace=world.ws, now=early)
    assert not Notification.objects.filter(kind="lead.followups_due").exists()  # before 08:00
    ScheduleRun.objects.all().delete()
    assert twice("leads.followups_due", world, run) == {"owners": 2}
    notes = {n.user_id: n for n in Notification.objects.filter(kind="lead.followups_due")}
    mine = notes[world.rep.user_id].params
    assert (mine["today"], mine["overdue"]) == (1, 1)
    assert mine["codes"] == [late.code, world.lead.code]
    assert notes[world.other_rep.user_id].params["overdue"] == 1
    assert notes[world.rep.user_id].url == "/leads/followups/"


def test_first_contact_sla_tells_owner_and_heads_once(world):
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    owned = lead_at(world, now - dt.timedelta(hours=25), grade="A", company_name="Hot A Co")
    pooled = lead_at(
        world,
        now - dt.timedelta(hours=30),
        member=world.owner,
        grade="A",
        owner=None,
        company_name="Pool A Co",
    )
    lead_at(world, now - dt.timedelta(hours=23), grade="A", company_name="Fresh A Co")  # in time
    lead_at(world, now - dt.timedelta(hours=25), grade="B", company_name="Slow B Co")  # not A
    lead_at(world, now - dt.timedelta(days=20), grade="A", company_name="Ancient A Co")  # too old
    assert twice("leads.sla", world, now) == {"leads": 2}
    told = sorted(
        (n.params["code"], n.user_id) for n in Notification.objects.filter(kind="lead.sla_breached")
    )
    assert told == sorted(
        [
            (owned.code, world.rep.user_id),
            (pooled.code, world.owner.user_id),
            (pooled.code, world.manager.user_id),
        ]
    )
    # a later run still finds them breached and stays quiet
    assert twice_again("leads.sla", world, now + dt.timedelta(minutes=30)) == 3


def twice_again(name: str, world, when: dt.datetime) -> int:
    before = snapshot()
    with time_machine.travel(when, tick=False):
        schedule_run(name, workspace=world.ws, now=when)
    assert snapshot() == before
    return Notification.objects.filter(kind="lead.sla_breached").count()


@pytest.fixture
def _no_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_web_form_overflow_becomes_leads_once(world, _no_rate_limit):
    form = webform_create(
        actor=world.actor(world.owner), name="Contact us", fields=["company_name"], daily_budget=2
    )
    day1 = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(day1, tick=False):
        for i in range(4):
            Client().post(f"/f/{form.key}/", {"company_name": f"Buyer {i} Co"})
    assert WebFormSubmission.objects.filter(form=form, state="overflow").count() == 2
    result = twice("leads.webform_overflow", world, day1 + dt.timedelta(days=1))
    assert result == {"forms": 1, "accepted": 2, "rejected": 0}
    assert not WebFormSubmission.objects.filter(state="overflow").exists()


# --- customers ------------------------------------------------------------------------------------


def test_customer_pool_recycling_and_warnings(world):
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    policy = CustomerPolicy.for_workspace(world.ws)
    policy.recycle_no_followup_days = 10
    policy.save()
    run = at(2026, 5, 20, 2, 0)
    made = {}
    for name, days in (("Idle Old", 20), ("Almost Idle", 9)):
        with time_machine.travel(run - dt.timedelta(days=days), tick=False):
            made[name] = customer_create(
                actor=world.actor(world.owner),
                allow_duplicates=True,
                name=name,
                owner=world.rep.user_id,
            )
    result = twice("customers.daily", world, run)
    assert result["recycle"] == {"count": 1} and result["recycle_warnings"] == {"count": 1}
    assert Customer.objects.get(pk=made["Idle Old"].pk).owner_id is None
    assert Customer.objects.get(pk=made["Almost Idle"].pk).owner_id == world.rep.user_id


def test_customer_followups_due(world):
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save()
    run = at(2026, 5, 20, 8, 30)
    names = ("Due Buyer", "Late Buyer", "Lost Buyer", "Pool Buyer")
    made = {
        n: customer_create(
            actor=world.actor(world.owner),
            allow_duplicates=True,
            name=n,
            owner=None if n == "Pool Buyer" else world.rep.user_id,
        )
        for n in names
    }
    Customer.objects.filter(pk=made["Due Buyer"].pk).update(next_followup_at=at(2026, 5, 20, 16))
    for n in ("Late Buyer", "Lost Buyer", "Pool Buyer"):
        Customer.objects.filter(pk=made[n].pk).update(next_followup_at=at(2026, 5, 18))
    Customer.objects.filter(pk=made["Lost Buyer"].pk).update(stage="lost")
    assert twice("customers.followups_due", world, run) == {"owners": 1}
    note = Notification.objects.get(kind="customer.followups_due")
    assert note.user_id == world.rep.user_id
    assert (note.params["today"], note.params["overdue"]) == (1, 1)
    assert [c.split(" ", 1)[1] for c in note.params["codes"]] == ["Late Buyer", "Due Buyer"]
    assert note.url == "/customers/?due=overdue"


# --- sales and orders -----------------------------------------------------------------------------


def test_stale_opportunity_alerts(world):
    start = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)
    customer = customer_create(actor=world.actor(world.rep), name="Stale Buyer")
    with time_machine.travel(start, tick=False):
        opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Sleepy")
    result = twice("sales.daily", world, start + dt.timedelta(days=31))
    assert result == {"opportunity_stale": {"count": 1}}
    assert Opportunity.objects.get(pk=opp.pk).stale_since is not None


def test_overdue_receivables(world, qw):  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC), tick=False):
        make_order(world, qw)
    result = twice("orders.receivables", world, dt.datetime(2026, 3, 4, 8, tzinfo=dt.UTC))
    assert result == {"count": 1}
    assert Notification.objects.filter(kind="order.overdue").count() == 1


def test_quote_expiry(world, qw):  # noqa: F811
    quote = quotes.quote_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    quotes.quote_transition(actor=act(world.rep), quote_id=quote.pk, to="sent")
    quote.refresh_from_db()
    later = quote.valid_until + dt.timedelta(days=2)
    result = twice("orders.quote_expiry", world, dt.datetime.combine(later, dt.time(12), dt.UTC))
    assert result == {"count": 1}
    assert Quote.objects.get(pk=quote.pk).status == "expired"


# --- analytics and activities ---------------------------------------------------------------------


def test_churn_list_refresh(world):
    build_churn(world)
    run = dt.datetime.combine(CHURN_TODAY, dt.time(1, 0), dt.UTC)  # 09:00 in Shanghai
    assert twice("analytics.churn", world, run) == {"count": 3}
    assert (
        Notification.objects.filter(
            kind__in=["customer.reorder_soon", "customer.churn_risk"]
        ).count()
        == 3
    )


def test_task_reminders(world):
    now = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)
    task_services.task_create(
        actor=world.actor(world.rep),
        title="Send the catalogue",
        due_kind="tomorrow",
        remind_at=now - dt.timedelta(minutes=1),
        now=now - dt.timedelta(hours=1),
    )
    assert twice("activities.task_reminders", world, now) == {"count": 1}
    assert Notification.objects.filter(kind="task.reminder").count() == 1
