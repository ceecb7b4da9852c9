"""Suggestions on a record: ranked by the objection last logged, the stage, the industry and the
products; only what the member may read; a constant number of queries."""

from __future__ import annotations

import pytest

from tests.enablement.conftest import objection, script, stage
from tradewind.core.errors import NotFound
from tradewind.enablement import library
from tradewind.enablement.suggestions import record_context, suggest
from tradewind.leads.services import lead_update
from tradewind.sales.models_products import Product
from tradewind.sales.moves import opportunity_move


def ranked(member, target_type, record, **kw) -> list[str]:
    ctx = record_context(member, target_type, record.pk, **kw)
    return [s.item.title for s in suggest(member, ctx)]


@pytest.fixture
def scripts(world):
    script(world, title="Price at quotation", stages="Quotation", objections="price too high")
    script(world, title="Price, any stage", objections="Price too high, 价格太高")
    script(world, title="Quotation checklist", stages="报价")
    script(world, title="Factories", industries="manufacturing")
    script(world, title="Negotiation", stages="negotiation", objections="delivery time")
    script(world, title="Untagged")


def test_stage_and_objection_rank_first(world, opp, scripts):
    objection(world, opp, "Customer says the price is too high compared to Vietnam.")
    assert ranked(world.rep, "opportunity", opp) == [
        "Price at quotation",  # objection + stage (+ industry? no) = 12
        "Price, any stage",  # objection = 8
        "Quotation checklist",  # stage = 4
        "Factories",  # the customer's industry = 2
    ]


def test_the_last_objection_counts_and_a_typed_one_overrides(world, opp, scripts):
    objection(world, opp, "price too high")
    objection(world, opp, "Worried about the delivery time")
    # The newest objection (delivery) wins over the older one (price); ties: the newest item.
    assert ranked(world.rep, "opportunity", opp)[:3] == [
        "Negotiation",
        "Quotation checklist",
        "Price at quotation",
    ]
    typed = ranked(world.rep, "opportunity", opp, objection="客户觉得价格太高")
    assert typed[0] == "Price, any stage"
    # Moving the deal on changes what the stage matches.
    opportunity_move(
        actor=world.actor(world.rep),
        opportunity_id=opp.pk,
        stage_id=stage(world.ws, "negotiation").pk,
    )
    assert ranked(world.rep, "opportunity", opp)[0] == "Negotiation"


def test_the_customer_objection_and_products_count_for_an_opportunity(world, opp, customer):
    product = Product.objects.create(workspace=world.ws, sku="LX-9", name_en="Line")
    script(world, title="Product sheet script", products=[product.pk])
    script(world, title="Cheap objection", objections="too expensive")
    opp.lines.create(product=product, quantity=1, unit_price=1, amount=1)
    objection(world, customer, "They find us too expensive")
    assert ranked(world.rep, "opportunity", opp) == ["Cheap objection", "Product sheet script"]


def test_a_lead_matches_on_its_status_and_industry(world, scripts):
    lead_update(actor=world.actor(world.rep), lead=world.lead, industry="Manufacturing")
    script(world, title="First call", stages="new")
    objection(world, world.lead, "no budget this year")
    assert ranked(world.rep, "lead", world.lead) == ["First call", "Factories"]


def test_private_items_and_other_records_stay_out(world, opp, scripts):
    library.item_create(
        actor=world.actor(world.rep2),
        kind="script",
        title="Rep2's own",
        body="x",
        visibility="private",
        stages="quotation",
        objections="price",
    )
    objection(world, opp, "price too high")
    assert "Rep2's own" not in ranked(world.rep, "opportunity", opp)
    with pytest.raises(NotFound):  # another team's rep cannot open the rep's opportunity
        record_context(world.other_rep, "opportunity", opp.pk)
    with pytest.raises(NotFound):
        record_context(world.owner2, "opportunity", opp.pk)
    with pytest.raises(NotFound):
        record_context(world.rep, "task", opp.pk)


def test_nothing_tagged_nothing_suggested(world, opp):
    script(world, title="Untagged")
    assert ranked(world.rep, "opportunity", opp) == []


def test_query_count_does_not_grow_with_the_library(world, opp, django_assert_max_num_queries):
    objection(world, opp, "price too high")
    for i in range(40):
        script(world, title=f"S{i}", stages="quotation", objections="price too high")
    ctx = record_context(world.rep, "opportunity", opp.pk)
    with django_assert_max_num_queries(6):
        found = suggest(world.rep, ctx)
    assert len(found) == 8 and all(s.score == 12 for s in found)
