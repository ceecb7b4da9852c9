"""Lead conversion (seed 000 cases 1–7): a qualified lead becomes a customer + contact (+ an
opportunity for a concrete need) or joins an existing customer; one transaction; follow-ups move
to the customer; the lead keeps links to what it became."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewind.activities.models import FollowUp
from tradewind.activities.selectors import timeline_for
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.leads.conversion import customer_candidates, lead_convert
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import AuditEvent, NumberSequence


def qualified(world, member=None, **data) -> Lead:
    actor = world.actor(member or world.rep)
    data.setdefault("company_name", "Müller Lighting GmbH")
    lead = lead_create(actor=actor, allow_duplicates=True, **data)
    lead = lead_transition(actor=actor, lead=lead, to_status="contacting")
    return lead_transition(actor=actor, lead=lead, to_status="qualified")


def test_case_5_vague_inquiry_becomes_customer_and_contact_without_opportunity(world):
    lead = qualified(
        world,
        contact_name="Anna Müller",
        contact_title="Buyer",
        email="anna@mueller-light.de",
        phone="+49 30 1234567",
        country="DE",
        city="Berlin",
        website="mueller-light.de",
        source="web_form",
        need="Do you have FDA?",
        tags=["web"],
    )
    result = lead_convert(actor=world.actor(world.rep), lead=lead)
    customer, contact = result.customer, result.contact
    assert result.customer_created and result.opportunity is None
    assert customer.name == "Müller Lighting GmbH" and str(customer.country) == "DE"
    assert customer.city == "Berlin" and customer.source == "web_form" and customer.tags == ["web"]
    assert customer.owner_id == world.rep.user_id and customer.web_domain == "mueller-light.de"
    assert customer.email_domain == "mueller-light.de"
    assert contact.name == "Anna Müller" and contact.title == "Buyer" and contact.is_primary
    assert contact.phone_e164 == "+49301234567" and contact.email == "anna@mueller-light.de"
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_at is not None
    assert (lead.converted_customer_id, lead.converted_contact_id) == (customer.pk, contact.pk)
    assert lead.converted_opportunity_id is None
    event = AuditEvent.objects.get(target_type="lead", target_id=lead.pk, action="converted")
    assert event.changes["status"] == ["qualified", "converted"]
    assert event.changes["converted_customer"] == [None, customer.code]
    assert AuditEvent.objects.filter(
        target_type="customer", target_id=customer.pk, action="converted_from_lead"
    ).exists()


@pytest.mark.parametrize("case", ["rfq", "precise_web_inquiry"])
def test_cases_4_and_6_concrete_need_becomes_customer_and_opportunity(world, case):
    lead = qualified(
        world,
        contact_name="Joe",
        source="alibaba_rfq" if case == "rfq" else "web_form",
        need="20,000 pcs E27 LED bulbs, FOB Ningbo",
        budget_min=Decimal("40000"),
        budget_max=Decimal("50000"),
        budget_currency="USD",
    )
    result = lead_convert(actor=world.actor(world.rep), lead=lead, create_opportunity=True)
    opp = result.opportunity
    assert opp.code.startswith("SJ") and opp.customer_id == result.customer.pk
    assert opp.contact_id == result.contact.pk and opp.owner_id == world.rep.user_id
    assert opp.name == "20,000 pcs E27 LED bulbs, FOB Ningbo" and opp.status == "open"
    assert (opp.amount, opp.currency) == (Decimal("50000.00"), "USD")
    assert opp.stage.key == "initial_contact" and opp.pipeline.is_default
    lead.refresh_from_db()
    assert lead.converted_opportunity_id == opp.pk


def test_opportunity_fields_given_explicitly(world):
    from tradewind.sales.services import pipeline_default

    stage = pipeline_default(world.ws).stages.get(key="quotation")
    lead = qualified(world, contact_name="Joe")
    result = lead_convert(
        actor=world.actor(world.rep),
        lead=lead,
        create_opportunity=True,
        opportunity_name="Trial order",
        amount="12,500.50",
        currency="eur",
        stage_id=stage.pk,
    )
    opp = result.opportunity
    assert (opp.name, opp.amount, opp.currency, opp.stage_id) == (
        "Trial order",
        Decimal("12500.50"),
        "EUR",
        stage.pk,
    )


def test_case_7_join_existing_customer_adds_contact_once(world):
    customer = customer_create(actor=world.actor(world.rep), name="Müller Lighting GmbH")
    contact_create(actor=world.actor(world.rep), customer=customer, name="Anna", email="anna@m.de")
    lead = qualified(world, contact_name="Anna M.", email="anna@m.de", need="Repeat order")
    assert next(m.customer_id for m in customer_candidates(lead)) == customer.pk
    result = lead_convert(
        actor=world.actor(world.rep), lead=lead, customer_id=customer.pk, create_opportunity=True
    )
    assert not result.customer_created and result.customer.pk == customer.pk
    assert result.contact.name == "Anna" and Contact.objects.count() == 1  # reused, not doubled
    assert Customer.objects.count() == 1 and result.opportunity.customer_id == customer.pk
    lead2 = qualified(world, contact_name="Bert", phone="13900139000")
    result2 = lead_convert(actor=world.actor(world.rep), lead=lead2, customer_id=customer.pk)
    assert result2.contact.name == "Bert" and Contact.objects.filter(customer=customer).count() == 2


def test_new_customer_refused_when_it_looks_like_an_existing_one(world):
    customer_create(actor=world.actor(world.rep2), name="Müller Lighting GmbH")
    lead = qualified(world, contact_name="Anna")
    with pytest.raises(Conflict) as exc:
        lead_convert(actor=world.actor(world.rep), lead=lead)
    assert exc.value.code == "duplicate"
    lead.refresh_from_db()
    assert lead.status == "qualified" and Customer.objects.count() == 1
    result = lead_convert(actor=world.actor(world.rep), lead=lead, allow_duplicates=True)
    assert result.customer_created and Customer.objects.count() == 2


def test_join_a_customer_outside_scope_is_404(world):
    hidden = customer_create(actor=world.actor(world.other_rep), name="West Buyer")
    foreign = customer_create(actor=world.actor(world.owner2), name="Beta Buyer")
    lead = qualified(world)
    for pk in (hidden.pk, foreign.pk):
        with pytest.raises(NotFound) as exc:
            lead_convert(actor=world.actor(world.rep), lead=lead, customer_id=pk)
        assert exc.value.code == "customer_not_found"
    lead.refresh_from_db()
    assert lead.status == "qualified"


@pytest.mark.parametrize("status", ["new", "contacting", "invalid", "dormant"])
def test_refused_from_other_statuses_with_coded_error(world, status):
    actor = world.actor(world.rep)
    lead = lead_create(actor=actor, company_name="Not Ready Ltd")
    path = {"new": [], "contacting": ["contacting"], "dormant": ["contacting", "dormant"]}
    for step in path.get(status, []):
        lead = lead_transition(actor=actor, lead=lead, to_status=step)
    if status == "invalid":
        lead = lead_transition(actor=actor, lead=lead, to_status="invalid", reason="spam")
    with pytest.raises(Conflict) as exc:
        lead_convert(actor=actor, lead=lead)
    assert exc.value.code == "not_qualified"
    assert not Customer.objects.exists()


def test_refused_twice(world):
    lead = qualified(world)
    lead_convert(actor=world.actor(world.rep), lead=lead)
    with pytest.raises(Conflict) as exc:
        lead_convert(actor=world.actor(world.rep), lead=lead)
    assert exc.value.code == "already_converted" and Customer.objects.count() == 1


def test_plain_status_change_still_points_to_conversion(world):
    lead = qualified(world)
    with pytest.raises(Conflict) as exc:
        lead_transition(actor=world.actor(world.rep), lead=lead, to_status="converted")
    assert exc.value.code == "use_conversion"


def test_atomic_a_failure_mid_way_leaves_nothing(world):
    lead = qualified(world, contact_name="Anna", email="anna@x.de")
    lead_followup_record(
        actor=world.actor(world.rep), lead=lead, channel="phone", summary="Hi", result="interested"
    )
    audits = AuditEvent.objects.count()
    sequences = list(NumberSequence.objects.values_list("kind", "last_value"))
    with pytest.raises(ServiceError) as exc:
        # The customer and the contact are written before the bad currency is found.
        lead_convert(
            actor=world.actor(world.rep),
            lead=lead,
            create_opportunity=True,
            amount="100",
            currency="XXZ",
        )
    assert exc.value.code == "unknown_currency" and "currency" in exc.value.fields
    assert not Customer.objects.exists() and not Contact.objects.exists()
    assert not Opportunity.objects.exists()
    assert AuditEvent.objects.count() == audits
    assert list(NumberSequence.objects.values_list("kind", "last_value")) == sequences
    lead.refresh_from_db()
    assert lead.status == "qualified" and lead.converted_customer_id is None
    assert FollowUp.objects.get().target_type == "lead"


def test_followups_move_to_the_customer_and_history_stays(world):
    lead = qualified(world, contact_name="Anna")
    for summary in ("Called", "Sent catalogue"):
        lead_followup_record(
            actor=world.actor(world.rep),
            lead=lead,
            channel="phone",
            summary=summary,
            result="interested",
        )
    lead.refresh_from_db()
    lead_history = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).count()
    result = lead_convert(actor=world.actor(world.rep), lead=lead)
    assert result.followups_moved == 2 and FollowUp.objects.count() == 2
    assert [f.summary for f in timeline_for(result.customer)] == ["Sent catalogue", "Called"]
    assert timeline_for(lead) == []
    # The lead's own history is all still there, plus the conversion.
    assert (
        AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).count() == lead_history + 1
    )
    moves = AuditEvent.objects.filter(target_type="followup", verb="update")
    assert moves.count() == 2 and moves[0].changes["target_type"] == ["lead", "customer"]
    customer = Customer.objects.get()
    assert customer.last_contact_at is not None and customer.next_followup_at == lead.next_due_at


def test_permissions(world):
    from tests.conftest import add_member
    from tradewind.workspaces.choices import DataScope, Role

    marketing = add_member(
        world.ws, world.owner, "mk@a.test", Role.MARKETING, None, DataScope.WORKSPACE
    )
    lead = qualified(world)
    for member in (world.readonly, marketing):
        with pytest.raises(PermissionDenied):
            lead_convert(actor=world.actor(member), lead=lead)
    lead.refresh_from_db()
    assert lead.status == "qualified" and not Customer.objects.exists()


def test_emits_after_commit(world, django_capture_on_commit_callbacks):
    from tradewind.workspaces.events import subscribe, unsubscribe

    seen = []

    def handler(name, payload):
        seen.append((name, payload))

    subscribe("lead.converted", handler)
    try:
        lead = qualified(world)
        with django_capture_on_commit_callbacks(execute=True):
            result = lead_convert(actor=world.actor(world.rep), lead=lead)
    finally:
        unsubscribe("lead.converted", handler)
    [(_name, payload)] = seen
    assert payload["customer_id"] == result.customer.pk and payload["customer_created"] is True


# --- the race ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_conversions_create_one_customer_on_postgresql(world):
    """Two people convert the same lead at once (and the default pipeline is created on that first
    use): one wins, the other is told it is already converted; nothing is doubled."""
    import threading

    from django.db import connection
    from django.utils import translation

    if connection.vendor != "postgresql":
        pytest.skip("a thread race needs a server database (SQLite's test database is shared)")
    lead = qualified(world, contact_name="Anna", need="RFQ")
    actors = [world.actor(world.rep), world.actor(world.manager), world.actor(world.owner)]
    results: list[object] = [None] * len(actors)
    barrier = threading.Barrier(len(actors))

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                results[i] = lead_convert(actor=actors[i], lead=lead, create_opportunity=True)
        except BaseException as exc:  # reported by the main thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(actors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(e, Conflict) and e.code == "already_converted" for e in losers), losers
    assert Customer.objects.count() == 1 and Contact.objects.count() == 1
    assert Opportunity.objects.count() == 1
    from tradewind.sales.models import Pipeline

    assert Pipeline.objects.filter(workspace=world.ws).count() == 1
