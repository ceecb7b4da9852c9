"""opportunity_create / opportunity_update / opportunity_delete: every field of the issue, the
team (members see the opportunity), contacts, pipelines, optimistic locking, audit, events and
authorization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.models import Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.leads.conversion import lead_convert
from tradewind.leads.status import lead_transition
from tradewind.sales.closing import opportunity_close
from tradewind.sales.models import (
    Opportunity,
    OpportunityLine,
    OpportunityMember,
    Pipeline,
    Stage,
    StageChange,
)
from tradewind.sales.services import (
    opportunity_create,
    opportunity_delete,
    opportunity_update,
    pipeline_default,
)
from tradewind.workspaces.events import subscribe, unsubscribe
from tradewind.workspaces.models import AuditEvent


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Services Buyer")


@pytest.fixture
def contacts(world, customer):
    actor = world.actor(world.rep)
    return [contact_create(actor=actor, customer=customer, name=n) for n in ("Li", "Wang", "Zhao")]


def visible(member, opp) -> bool:
    return Opportunity.objects.visible_to(member).filter(pk=opp.pk).exists()


def test_create_with_every_field(world, customer, contacts, django_capture_on_commit_callbacks):
    events: list[tuple[str, dict]] = []

    def seen(name: str, payload: dict) -> None:
        events.append((name, payload))

    subscribe("opportunity.created", seen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            opp = opportunity_create(
                actor=world.actor(world.rep),
                customer=customer,
                name=" Kettle program 2026 ",
                contact=contacts[0],
                contact_ids=[contacts[1].pk, contacts[2].pk],
                amount="86000",
                currency="usd",
                expected_close_date=dt.date(2026, 9, 30),
                need="20k kettles, CE + GS",
                source="rfq",
                incoterm="fob",
                named_place="Ningbo",
                probability=35,
                competitors="Midea, Deer",
                next_step="Send samples",
                forecast_category="best_case",
                member_roles=[(world.rep2.user_id, "presales"), (world.rep.user_id, "manager")],
            )
    finally:
        unsubscribe("opportunity.created", seen)
    assert opp.name == "Kettle program 2026" and opp.contact == contacts[0]
    assert sorted(opp.contacts.values_list("id", flat=True)) == [contacts[1].pk, contacts[2].pk]
    assert (opp.amount, opp.currency, opp.amount_from_lines) == (Decimal("86000"), "USD", False)
    assert (opp.source, opp.incoterm, opp.named_place) == ("rfq", "FOB", "Ningbo")
    assert opp.probability == 35 and opp.effective_probability == 35
    assert (opp.competitors, opp.next_step, opp.forecast_category) == (
        "Midea, Deer",
        "Send samples",
        "best_case",
    )
    # the owner is left out of the team
    assert list(
        OpportunityMember.objects.filter(opportunity=opp).values_list("user_id", "role")
    ) == [(world.rep2.user_id, "presales")]
    assert opp.version == 1 and opp.stage_entered_at == opp.created_at
    event = AuditEvent.objects.get(target_type="opportunity", target_id=opp.pk)
    assert event.verb == "create" and event.changes["team"] == [
        None,
        [f"{world.rep2.user_id}:presales"],
    ]
    assert event.changes["incoterm"] == [None, "FOB"]
    assert StageChange.objects.get(opportunity=opp).kind == "create"
    assert events == [
        (
            "opportunity.created",
            {"workspace_id": world.ws.pk, "opportunity_id": opp.pk, "customer_id": customer.pk},
        )
    ]


def test_create_defaults_and_validation(world, customer, contacts):
    actor = world.actor(world.rep)
    opp = opportunity_create(actor=actor, customer=customer, name="Plain")
    assert opp.forecast_category == "pipeline" and opp.probability is None
    assert opp.effective_probability == 10 and opp.source == "" and opp.base_amount is None
    other = customer_create(actor=actor, name="Another buyer")
    foreign_contact = contact_create(actor=actor, customer=other, name="Nope")
    with pytest.raises(ServiceError) as exc:
        opportunity_create(
            actor=actor,
            customer=customer,
            name="",
            contact_ids=[foreign_contact.pk],
            source="carrier pigeon",
            incoterm="XYZ",
            probability=101,
            named_place="x" * 121,
            forecast_category="maybe",
            member_roles=[(world.owner2.user_id, "presales")],
            expected_close_date="someday",
        )
    assert exc.value.code == "name_required"
    assert set(exc.value.fields) == {
        "name",
        "contact_ids",
        "source",
        "incoterm",
        "probability",
        "named_place",
        "forecast_category",
        "member_roles",
        "expected_close_date",
    }
    with pytest.raises(ServiceError) as exc:
        opportunity_create(
            actor=actor, customer=customer, name="X", member_roles=[(world.rep2.user_id, "boss")]
        )
    assert exc.value.code == "bad_member"
    with pytest.raises(ServiceError) as exc:
        opportunity_create(actor=actor, customer=customer, name="X", owner_id=world.owner2.user_id)
    assert "owner" in exc.value.fields
    assert Opportunity.objects.filter(workspace=world.ws).count() == 1


def test_pipelines_and_stages(world, customer):
    actor = world.actor(world.rep)
    repeat = Pipeline.objects.create(workspace=world.ws, name="Repeat order", position=2)
    r1 = Stage.objects.create(pipeline=repeat, name="Reorder asked", position=0, probability=60)
    r2 = Stage.objects.create(pipeline=repeat, name="PI sent", position=1, probability=80)
    Stage.objects.create(pipeline=repeat, name="Won", position=2, is_won=True, probability=100)
    opp = opportunity_create(actor=actor, customer=customer, name="Reorder", pipeline_id=repeat.pk)
    assert opp.pipeline == repeat and opp.stage == r1
    opp = opportunity_create(actor=actor, customer=customer, name="By stage", stage_id=r2.pk)
    assert opp.pipeline == repeat and opp.stage == r2 and opp.effective_probability == 80
    default = pipeline_default(world.ws)
    with pytest.raises(ServiceError) as exc:  # a stage of another pipeline than the one named
        opportunity_create(
            actor=actor, customer=customer, name="X", pipeline_id=default.pk, stage_id=r2.pk
        )
    assert exc.value.code == "unknown_stage"
    foreign = pipeline_default(world.ws2)
    for kwargs, code in (
        ({"pipeline_id": foreign.pk}, "unknown_pipeline"),
        ({"stage_id": foreign.stages.first().pk}, "unknown_stage"),
    ):
        with pytest.raises(ServiceError) as exc:
            opportunity_create(actor=actor, customer=customer, name="X", **kwargs)
        assert exc.value.code == code
    Pipeline.objects.filter(pk=repeat.pk).update(is_active=False)
    with pytest.raises(ServiceError) as exc:
        opportunity_create(actor=actor, customer=customer, name="X", pipeline_id=repeat.pk)
    assert exc.value.code == "unknown_pipeline"


def test_update_fields_version_and_audit(world, customer, contacts):
    actor = world.actor(world.rep)
    opp = opportunity_create(
        actor=actor, customer=customer, name="Edit me", amount="10", currency="USD"
    )
    seen = opp.version
    opp = opportunity_update(
        actor=actor,
        opportunity=opp,
        expected_version=seen,
        name="Edited",
        contact=contacts[1],
        contact_ids=[contacts[2].pk],
        incoterm="CIF",
        named_place="Hamburg",
        probability=80,
        competitors="Acme",
        next_step="Negotiate freight",
        forecast_category="commit",
        source="reorder",
        expected_close_date=dt.date(2026, 12, 1),
        member_roles=[(world.rep2.user_id, "merchandiser")],
        custom={},
    )
    assert opp.version == seen + 1 and opp.name == "Edited" and opp.contact == contacts[1]
    assert list(opp.contacts.values_list("id", flat=True)) == [contacts[2].pk]
    assert (opp.incoterm, opp.named_place, opp.probability) == ("CIF", "Hamburg", 80)
    assert opp.last_activity_at is not None
    event = AuditEvent.objects.filter(target_id=opp.pk, verb="update").get()
    assert event.changes["name"] == ["Edit me", "Edited"]
    assert event.changes["team"] == [[], [f"{world.rep2.user_id}:merchandiser"]]
    assert event.changes["contacts"] == [[], [contacts[2].pk]]
    # nothing changed: no new version, no audit row
    same = opportunity_update(actor=actor, opportunity=opp, name="Edited", probability=80)
    assert same.version == opp.version
    assert AuditEvent.objects.filter(target_id=opp.pk, verb="update").count() == 1
    # probability None returns to the stage's default
    opp = opportunity_update(actor=actor, opportunity=opp, probability=None)
    assert opp.effective_probability == 10
    # a stale version refuses and changes nothing
    with pytest.raises(Conflict) as exc:
        opportunity_update(actor=actor, opportunity=opp, expected_version=seen, name="Late")
    assert exc.value.code == "stale_version"
    assert Opportunity.objects.get(pk=opp.pk).name == "Edited"
    # the team is replaced; a role changes in place
    opp = opportunity_update(
        actor=actor,
        opportunity=opp,
        member_roles=[(world.rep2.user_id, "co_seller"), (world.other_rep.user_id, "finance")],
    )
    assert dict(opp.members.values_list("user_id", "role")) == {
        world.rep2.user_id: "co_seller",
        world.other_rep.user_id: "finance",
    }
    opp = opportunity_update(actor=actor, opportunity=opp, member_roles=[])
    assert not opp.members.exists()
    with pytest.raises(TypeError):
        opportunity_update(actor=actor, opportunity=opp, status="won")


def test_owner_change_needs_assign(world, customer):
    opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Owned")
    with pytest.raises(PermissionDenied):
        opportunity_update(
            actor=world.actor(world.rep), opportunity=opp, owner_id=world.rep2.user_id
        )
    # the same owner passes without the permission
    opportunity_update(
        actor=world.actor(world.rep), opportunity=opp, owner_id=world.rep.user_id, name="Owned 2"
    )
    with pytest.raises(ServiceError) as exc:
        opportunity_update(actor=world.actor(world.manager), opportunity=opp, owner_id=None)
    assert "owner" in exc.value.fields
    opp = opportunity_update(
        actor=world.actor(world.manager), opportunity=opp, owner_id=world.rep2.user_id
    )
    assert opp.owner_id == world.rep2.user_id
    event = AuditEvent.objects.filter(target_id=opp.pk, verb="update").last()
    assert event.changes["owner"] == [world.rep.user_id, world.rep2.user_id]


def test_team_members_see_the_opportunity(world):
    # a customer of other_rep's (west): rep (east, own scope) sees neither it nor its deals ...
    west = customer_create(actor=world.actor(world.other_rep), name="West buyer")
    opp = opportunity_create(actor=world.actor(world.other_rep), customer=west, name="West deal")
    assert not visible(world.rep, opp) and not visible(world.rep2, opp)
    # ... until rep joins the team
    opportunity_update(
        actor=world.actor(world.other_rep),
        opportunity=opp,
        member_roles=[(world.rep.user_id, "presales")],
    )
    assert visible(world.rep, opp) and not visible(world.rep2, opp)
    assert not visible(world.owner2, opp)
    # a member may work on it (edit permission + visibility)
    opportunity_update(actor=world.actor(world.rep), opportunity=opp, next_step="Demo")
    opportunity_update(actor=world.actor(world.other_rep), opportunity=opp, member_roles=[])
    assert not visible(world.rep, opp)
    with pytest.raises(NotFound):
        opportunity_update(actor=world.actor(world.rep), opportunity=opp, next_step="Gone")


def test_customer_owner_sees_opportunities_owned_by_others(world, customer):
    opp = opportunity_create(
        actor=world.actor(world.manager),
        customer=customer,
        name="Manager's deal on rep's customer",
        owner_id=world.manager.user_id,
    )
    assert opp.owner_id == world.manager.user_id and visible(world.rep, opp)


def test_update_and_delete_authorization(world, customer):
    opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Guarded")
    with pytest.raises(PermissionDenied):
        opportunity_update(actor=world.actor(world.readonly), opportunity=opp, name="X")
    for member in (world.other_rep, world.rep2, world.owner2):
        with pytest.raises(NotFound):
            opportunity_update(actor=world.actor(member), opportunity=opp, name="X")
    for member in (world.readonly, world.rep):  # reps may not delete
        with pytest.raises(PermissionDenied):
            opportunity_delete(actor=world.actor(member), opportunity=opp)
    with pytest.raises(NotFound):
        opportunity_delete(actor=world.actor(world.owner2), opportunity=opp)
    current = Opportunity.objects.get(pk=opp.pk)
    assert current.name == "Guarded" and current.version == 1
    with pytest.raises(PermissionDenied):
        opportunity_create(actor=world.actor(world.readonly), customer=customer, name="X")
    assert Opportunity.objects.count() == 1


def test_delete_keeps_the_audit_trail_and_recomputes_the_customer(world, customer):
    opp = opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Won then deleted",
        currency="USD",
        lines=[{"description": "Kettle", "quantity": 1, "unit_price": 5}],
    )
    opportunity_close(actor=world.actor(world.rep), opportunity_id=opp.pk, outcome="won")
    assert Customer.objects.get(pk=customer.pk).stage == "signed"
    opportunity_delete(actor=world.actor(world.manager), opportunity=opp)
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert not OpportunityLine.objects.exists() and not StageChange.objects.exists()
    assert AuditEvent.objects.filter(target_id=opp.pk, target_type="opportunity", verb="delete")
    assert Customer.objects.get(pk=customer.pk).stage == "potential"


def test_lead_conversion_marks_the_source(world):
    actor = world.actor(world.rep)
    lead = lead_transition(actor=actor, lead=world.lead, to_status="contacting")
    lead = lead_transition(actor=actor, lead=lead, to_status="qualified")
    result = lead_convert(
        actor=actor,
        lead=lead,
        create_opportunity=True,
        opportunity_name="From the fair",
        allow_duplicates=True,
    )
    assert result.opportunity is not None and result.opportunity.source == "converted_lead"
