"""Setting an exchange rate gives the unconverted open opportunities of that currency their base
amount; converted and closed ones keep theirs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradewind.customers.services import customer_create
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create
from tradewind.workspaces.services import exchange_rate_set
from tradewind.workspaces.timezones import workspace_today


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Rate Test GmbH")


def test_a_new_rate_converts_waiting_opportunities(
    world, customer, django_capture_on_commit_callbacks
):
    rep = world.actor(world.rep)
    boss = world.actor(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = opportunity_create(
            actor=rep, customer=customer, name="Kettles", amount="1000", currency="EUR"
        )
        usd = opportunity_create(
            actor=rep, customer=customer, name="Toasters", amount="500", currency="USD"
        )
    assert waiting.base_amount is None and usd.base_amount is None
    today = workspace_today(world.ws)
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_set(
            actor=boss,
            on_date=today - dt.timedelta(days=1),
            from_currency="EUR",
            to_currency=world.ws.base_currency,
            rate=Decimal("7.8"),
        )
    waiting.refresh_from_db()
    usd.refresh_from_db()
    assert waiting.base_amount == Decimal("7800.00") and waiting.fx_rate == Decimal("7.8")
    assert usd.base_amount is None  # no USD rate yet
    # A later EUR rate does not move an opportunity already converted at its own day's rate.
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_set(
            actor=boss,
            on_date=today,
            from_currency="EUR",
            to_currency=world.ws.base_currency,
            rate=Decimal("9"),
        )
    assert Opportunity.objects.get(pk=waiting.pk).base_amount == Decimal("7800.00")
