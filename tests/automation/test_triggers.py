"""Each trigger kind, reacting to what the domain services emit (after commit)."""

from __future__ import annotations

from tradewind.customers.lifecycle import customer_stage_set
from tradewind.customers.services import customer_create, customer_update
from tradewind.leads.services import lead_create, lead_update
from tradewind.leads.status import lead_transition
from tradewind.sales.closing import opportunity_close
from tradewind.sales.models import Stage
from tradewind.sales.moves import opportunity_move
from tradewind.sales.services import opportunity_create, opportunity_update, pipeline_default

from .conftest import outcomes, runs


def _customer(world, name="Trigger Buyer Ltd"):
    return customer_create(actor=world.actor(world.rep), name=name, allow_duplicates=True)


def _opportunity(world, customer=None):
    customer = customer or _customer(world)
    return opportunity_create(actor=world.actor(world.rep), customer=customer, name="Pumps")


def test_record_created_fires_for_its_record_type_only(world, make_rule, after_commit):
    on_leads = make_rule(record_type="lead", trigger="created")
    on_customers = make_rule(record_type="customer", trigger="created")
    with after_commit():
        lead = lead_create(actor=world.actor(world.rep), company_name="New GmbH")
    assert outcomes(on_leads) == ["done"]
    assert runs(on_leads)[0].record_id == lead.pk
    assert runs(on_leads)[0].event == "lead.created"
    assert outcomes(on_customers) == []
    with after_commit():
        customer = _customer(world)
    assert [r.record_id for r in runs(on_customers)] == [customer.pk]


def test_record_updated_fires_on_any_change_but_not_on_creation(world, make_rule, after_commit):
    rule = make_rule(record_type="customer", trigger="updated")
    with after_commit():
        customer = _customer(world)
    assert outcomes(rule) == []
    with after_commit():
        customer_update(actor=world.actor(world.rep), customer=customer, city="Hamburg")
    assert outcomes(rule) == ["done"]
    assert runs(rule)[0].event_data == {"fields": ["city"]}


def test_field_changed_fires_only_for_that_field(world, make_rule, after_commit):
    rule = make_rule(record_type="lead", trigger="field_changed", trigger_field="industry")
    with after_commit():
        lead_update(actor=world.actor(world.rep), lead=world.lead, need="Pumps")
    assert outcomes(rule) == []
    with after_commit():
        lead_update(actor=world.actor(world.rep), lead=world.lead, industry="Mining")
    assert outcomes(rule) == ["done"]


def test_owner_change_counts_as_a_change_of_owner(world, make_rule, after_commit):
    from tradewind.leads.assignment import lead_assign

    rule = make_rule(record_type="lead", trigger="field_changed", trigger_field="owner")
    with after_commit():
        lead_assign(actor=world.actor(world.owner), lead=world.lead, owner_id=world.rep2.user_id)
    assert outcomes(rule) == ["done"]
    assert runs(rule)[0].event == "lead.assigned"


def test_lead_status_changed_to_a_given_value(world, make_rule, after_commit):
    any_status = make_rule(record_type="lead", trigger="status_changed")
    to_qualified = make_rule(
        record_type="lead", trigger="status_changed", trigger_value="qualified"
    )
    with after_commit():
        lead = lead_transition(
            actor=world.actor(world.rep), lead=world.lead, to_status="contacting"
        )
    assert outcomes(any_status) == ["done"]
    assert outcomes(to_qualified) == []
    with after_commit():
        lead_transition(actor=world.actor(world.rep), lead=lead, to_status="qualified")
    assert outcomes(any_status) == ["done", "done"]
    assert outcomes(to_qualified) == ["done"]
    assert runs(to_qualified)[0].event_data["to"] == "qualified"


def test_customer_life_cycle_stage_changed(world, make_rule, after_commit):
    to_lost = make_rule(record_type="customer", trigger="status_changed", trigger_value="lost")
    to_invalid = make_rule(
        record_type="customer", trigger="status_changed", trigger_value="invalid"
    )
    customer = _customer(world)
    with after_commit():
        customer_stage_set(
            actor=world.actor(world.owner),
            customer=customer,
            stage="invalid",
            reason="Not a real company",
        )
    assert outcomes(to_lost) == []
    assert outcomes(to_invalid) == ["done"]
    assert runs(to_invalid)[0].event == "customer.stage_changed"


def test_opportunity_stage_changed_and_closed(world, make_rule, after_commit):
    pipeline = pipeline_default(world.ws)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    second = stages[1]
    won = next(s for s in stages if s.is_won)
    to_second = make_rule(
        record_type="opportunity", trigger="status_changed", trigger_value=str(second.pk)
    )
    to_won = make_rule(
        record_type="opportunity", trigger="status_changed", trigger_value=str(won.pk)
    )
    with after_commit():
        opportunity = _opportunity(world)
    with after_commit():
        opportunity_move(
            actor=world.actor(world.rep), opportunity_id=opportunity.pk, stage_id=second.pk
        )
    assert outcomes(to_second) == ["done"]
    assert outcomes(to_won) == []
    with after_commit():
        opportunity_close(
            actor=world.actor(world.rep), opportunity_id=opportunity.pk, outcome="won"
        )
    assert outcomes(to_won) == ["done"]
    assert runs(to_won)[0].event == "opportunity.closed"


def test_opportunity_field_changed(world, make_rule, after_commit):
    rule = make_rule(
        record_type="opportunity", trigger="field_changed", trigger_field="expected_close_date"
    )
    opportunity = _opportunity(world)
    with after_commit():
        opportunity_update(actor=world.actor(world.rep), opportunity=opportunity, next_step="Call")
    assert outcomes(rule) == []
    with after_commit():
        opportunity_update(
            actor=world.actor(world.rep), opportunity=opportunity, expected_close_date="2031-01-31"
        )
    assert outcomes(rule) == ["done"]


def test_inactive_rules_and_other_workspaces_do_not_fire(world, make_rule, after_commit):
    off = make_rule(is_active=False)
    with after_commit():
        lead_create(actor=world.actor(world.owner2), company_name="Elsewhere Inc")
        lead_create(actor=world.actor(world.rep), company_name="Here GmbH")
    assert outcomes(off) == []


def test_a_rule_switched_off_after_queueing_is_skipped(world, make_rule, after_commit):
    """The run was queued (its job rang) but the rule was switched off before it ran."""
    from tradewind.automation.rules_engine import execute_run, queue_run

    rule = make_rule()
    run = queue_run(
        rule=rule, record_id=world.lead.pk, event="lead.created", data={}, chain=[], run_key="x1"
    )
    rule.is_active = False
    rule.save()
    assert execute_run(run.pk) == "skipped"
    assert outcomes(rule) == ["skipped"]


def test_a_bulk_assignment_fires_once_per_lead_and_reads_the_rules_once(
    world, make_rule, after_commit
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tradewind.automation.models import WorkflowRule
    from tradewind.leads.assignment import leads_assign_bulk

    rule = make_rule(record_type="lead", trigger="field_changed", trigger_field="owner")
    leads = [
        lead_create(actor=world.actor(world.rep), company_name=f"Bulk {i} GmbH") for i in range(4)
    ]
    table = WorkflowRule._meta.db_table
    with CaptureQueriesContext(connection) as ctx, after_commit():
        moved = leads_assign_bulk(
            actor=world.actor(world.owner),
            lead_ids=[lead.pk for lead in leads],
            owner_id=world.rep2.user_id,
        )
    assert moved == 4
    assert sorted(r.record_id for r in runs(rule)) == sorted(lead.pk for lead in leads)
    assert {r.event for r in runs(rule)} == {"lead.assigned"}
    # One dispatch for the four events: the workspace's rules are looked up once, not per lead.
    lookups = [
        q["sql"]
        for q in ctx.captured_queries
        if f'FROM "{table}"' in q["sql"] and "record_type" in q["sql"].split("WHERE", 1)[-1]
    ]
    assert len(lookups) == 1
