"""Fixtures of the quote tests: customers of the rep and of another team, a product with a
Chinese name and list price, an opportunity with lines, and a temporary media directory."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tradewind.customers.models import Contact, Customer
from tradewind.sales.models import Opportunity, OpportunityLine, Product, ProductPrice
from tradewind.sales.services import pipeline_default
from tradewind.workspaces.actors import Actor


@dataclass
class QuoteWorld:
    customer: Customer  # owned by world.rep (team east)
    contact: Contact
    other_customer: Customer  # owned by world.other_rep (team west)
    customer2: Customer  # in workspace B
    product: Product
    opportunity: Opportunity  # of world.rep on `customer`, two lines, USD, CIF Hamburg


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def qw(world) -> QuoteWorld:
    customer = Customer.objects.create(
        workspace=world.ws,
        code="KHQ1",
        name="ALPHA-EAST-SECRET Hamburg Import GmbH",
        country="DE",
        city="Hamburg",
        owner=world.rep.user,
    )
    contact = Contact.objects.create(
        workspace=world.ws, customer=customer, name="Hans Buyer", email="hans@buyer.test"
    )
    other = Customer.objects.create(
        workspace=world.ws, code="KHQ2", name="ALPHA-WEST-SECRET Buyer", owner=world.other_rep.user
    )
    customer2 = Customer.objects.create(
        workspace=world.ws2, code="KHQB", name="BETA-SECRET Buyer", owner=world.owner2.user
    )
    product = Product.objects.create(
        workspace=world.ws,
        sku="LED-100",
        name_en="LED panel light 600x600",
        name_zh="LED面板灯",
        unit="pcs",
        hs_code="9405420000",
        specs="40W, 4000K",
    )
    ProductPrice.objects.create(product=product, currency="USD", unit_price=Decimal("12.50"))
    pipeline = pipeline_default(world.ws)
    opportunity = Opportunity.objects.create(
        workspace=world.ws,
        code="SJQ1",
        name="Panels for Hamburg",
        customer=customer,
        contact=contact,
        pipeline=pipeline,
        stage=pipeline.stages.first(),
        owner=world.rep.user,
        currency="USD",
        incoterm="CIF",
        named_place="Hamburg",
    )
    OpportunityLine.objects.create(
        opportunity=opportunity,
        position=0,
        product=product,
        description="",
        quantity=Decimal("100"),
        unit="pcs",
        unit_price=Decimal("12.50"),
        discount_percent=Decimal("0"),
        amount=Decimal("1250.00"),
    )
    OpportunityLine.objects.create(
        opportunity=opportunity,
        position=1,
        description="安装支架 mounting bracket",
        quantity=Decimal("100"),
        unit="sets",
        unit_price=Decimal("0.505"),
        discount_percent=Decimal("10"),
        amount=Decimal("45.45"),
    )
    return QuoteWorld(customer, contact, other, customer2, product, opportunity)


def act(member) -> Actor:
    return Actor.for_member(member)
