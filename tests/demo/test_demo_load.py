"""The demo workspace (`tradewind demo`): loaded through the services, it shows every part of the
leads work — every status, grade and source, converted leads with their customers, follow-ups due
today/overdue/tomorrow, customers around the world, rules, a web form and saved views."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from tradewind.activities.models import FollowUp
from tradewind.customers.models import Contact, Customer
from tradewind.demo.management.commands.demo import DemoAlreadyLoaded, load
from tradewind.leads.choices import LeadGrade, LeadSource, LeadStatus
from tradewind.leads.followups import due_counts, due_leads, sla_breached_leads
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.models_scoring import ScoringRule
from tradewind.leads.models_webforms import AssignmentRule, SubmissionState, WebForm
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import AuditEvent, Membership, SavedView, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Workspace]:
    """Loaded once for the module (a few seconds), in one transaction rolled back at the end; each
    test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():  # as `tradewind demo` does
        yield load()
        transaction.set_rollback(True)


def member(ws: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("workspace", "user", "team").get(
        workspace=ws, user__email=email
    )


def test_every_status_grade_and_source(demo: Workspace) -> None:
    leads = Lead.objects.filter(workspace=demo)
    assert leads.count() >= 72
    assert set(leads.values_list("status", flat=True)) == set(LeadStatus.values)
    assert set(leads.values_list("grade", flat=True)) == {*LeadGrade.values, ""}
    assert set(leads.values_list("source", flat=True)) == set(LeadSource.values)
    # Invalid leads carry a reason from the workspace's list.
    reasons = set(leads.filter(status="invalid").values_list("invalid_reason", flat=True))
    assert reasons and reasons <= set(LeadPolicy.for_workspace(demo).invalid_reasons)
    # Statuses were reached through the status machine: each move is in the audit trail.
    for lead in leads.exclude(status="new"):
        assert AuditEvent.objects.filter(
            workspace=demo, target_type="lead", target_id=lead.pk, verb="transition"
        ).exists(), lead.code
    # Dormant after two unanswered follow-ups; some came back for reactivation, one in the pool.
    assert leads.filter(status="dormant").count() >= 2
    back = leads.filter(status="to_reactivate")
    assert back.filter(owner__isnull=True).exists() and back.filter(owner__isnull=False).exists()
    assert all(lead.next_due_at is not None for lead in back)


def test_converted_leads_have_customers(demo: Workspace) -> None:
    converted = Lead.objects.filter(workspace=demo, status="converted")
    assert converted.count() >= 5
    assert not converted.filter(converted_customer__isnull=True).exists()
    assert not converted.filter(converted_contact__isnull=True).exists()
    assert converted.filter(converted_opportunity__isnull=False).exists()
    # Their follow-ups moved to the customer.
    for lead in converted:
        assert not FollowUp.objects.filter(target_type="lead", target_id=lead.pk).exists()
    assert FollowUp.objects.filter(workspace=demo, target_type="customer").exists()


def test_customers_and_opportunities(demo: Workspace) -> None:
    customers = Customer.objects.filter(workspace=demo)
    assert customers.count() >= 25
    assert len(set(customers.values_list("country", flat=True))) >= 15
    assert customers.filter(owner__isnull=True).exists()  # the public pool
    assert customers.filter(country="CN").count() >= 3
    for customer in customers:
        assert 1 <= Contact.objects.filter(customer=customer).count() <= 3, customer.name
    assert customers.filter(rating__isnull=False).count() == customers.count()
    stages = set(Opportunity.objects.filter(workspace=demo).values_list("stage__key", flat=True))
    assert len(stages) >= 3


def test_follow_up_lists_and_sla(demo: Workspace) -> None:
    for email in ("zhangqiang@demo.test", "zhoujie@demo.test"):
        me = member(demo, email)
        counts = due_counts(me)
        assert counts["today"] and counts["overdue"] and counts["tomorrow"], (email, counts)
        assert due_leads(me, "today")
    assert sla_breached_leads(member(demo, "boss@demo.test")).exists()
    channels = set(FollowUp.objects.filter(workspace=demo).values_list("channel", flat=True))
    assert {"phone", "email", "whatsapp", "wechat", "meeting"} <= channels


def test_rules_webform_views_and_scores(demo: Workspace) -> None:
    assert ScoringRule.objects.filter(workspace=demo).exists()
    assert Lead.objects.filter(workspace=demo, score__gt=0).count() > 50
    assert AssignmentRule.objects.filter(workspace=demo).count() == 2
    # Leads captured without an owner were routed by the rules (audited "routed").
    assert AuditEvent.objects.filter(workspace=demo, target_type="lead", action="routed").exists()
    form = WebForm.objects.get(workspace=demo)
    assert form.is_active and form.allowed_origins == ["https://www.seawind-demo.example"]
    states = set(form.submissions.values_list("state", flat=True))
    assert {SubmissionState.ACCEPTED, SubmissionState.SPAM, SubmissionState.OVERFLOW} <= states
    views = SavedView.objects.filter(workspace=demo, module="leads")
    assert views.filter(user__email="zhangqiang@demo.test").exists()
    assert views.filter(shared=True).exists()


def test_second_load_refuses_cleanly(demo: Workspace) -> None:
    leads = Lead.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    with pytest.raises(DemoAlreadyLoaded):
        load()
    assert Lead.objects.count() == leads
    assert Workspace.objects.filter(slug="demo").count() == 1
