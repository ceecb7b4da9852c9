"""Domain events become public webhook events with the record's main fields, read after commit:
leads (created, claimed, status changed, converted), customers, opportunities (created, stage
changed, won, lost), orders (confirmed) and payments (received). Only subscribed endpoints of
the record's workspace receive them."""

from __future__ import annotations

import pytest

from tests.webhooks.receiver import Receiver
from tradewind.customers.services import customer_create
from tradewind.leads.conversion import lead_convert
from tradewind.leads.pool import lead_claim
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.sales.closing import opportunity_close
from tradewind.sales.moves import opportunity_move
from tradewind.sales.services import opportunity_create
from tradewind.webhooks.catalogue import EVENT_TYPES
from tradewind.webhooks.models import WebhookDelivery


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _by_type(receiver) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in receiver.received:
        out.setdefault(r.json["type"], []).append(r.json["data"])
    return out


def test_lead_events(world, endpoint_for, commit):
    rep = world.actor(world.rep)
    with Receiver() as receiver:
        endpoint_for(receiver, events=list(EVENT_TYPES))
        lead = commit(
            lead_create,
            actor=rep,
            company_name="Hooked GmbH",
            email="buy@hooked.test",
            contact_name="Anna",
        )
        commit(lead_claim, actor=rep, lead=world.pool_lead)
        commit(lead_transition, actor=rep, lead=lead, to_status="contacting")
        commit(lead_transition, actor=rep, lead=lead, to_status="qualified")
        commit(
            lead_convert,
            actor=rep,
            lead=lead,
            create_opportunity=True,
            amount="1200.50",
            currency="USD",
            opportunity_name="Hooked first order",
        )
    got = _by_type(receiver)
    created = got["lead.created"][0]
    assert created["id"] == lead.pk and created["code"] == lead.code
    assert created["company_name"] == "Hooked GmbH" and created["email"] == "buy@hooked.test"
    assert created["owner"] == {
        "id": world.rep.user_id,
        "name": world.rep.user.display_name,
        "email": "rep@a.test",
    }
    claimed = got["lead.claimed"][0]
    assert claimed["id"] == world.pool_lead.pk and claimed["claimed_by"]["id"] == world.rep.user_id
    moves = [(d["from_status"], d["to_status"]) for d in got["lead.status_changed"]]
    assert moves == [("new", "contacting"), ("contacting", "qualified"), ("qualified", "converted")]
    converted = got["lead.converted"][0]
    assert converted["status"] == "converted" and converted["customer"]["name"] == "Hooked GmbH"
    assert converted["opportunity"]["amount"] == {"amount": "1200.50", "currency": "USD"}
    assert "customer.created" in got and "opportunity.created" in got
    assert all(r.verified for r in receiver.received)


def test_opportunity_events_and_subscription_filter(world, endpoint_for, commit):
    rep = world.actor(world.rep)
    with Receiver() as receiver:
        endpoint_for(receiver, events=["opportunity.stage_changed", "opportunity.won"])
        customer = commit(customer_create, actor=rep, name="Stage Buyer AG")
        opp = commit(
            opportunity_create,
            actor=rep,
            customer=customer,
            name="Pumps",
            amount="5000",
            currency="EUR",
        )
        stages = list(opp.pipeline.stages.order_by("position"))
        commit(opportunity_move, actor=rep, opportunity_id=opp.pk, stage_id=stages[1].pk)
        commit(opportunity_close, actor=rep, opportunity_id=opp.pk, outcome="won")
    got = _by_type(receiver)
    assert set(got) == {"opportunity.stage_changed", "opportunity.won"}  # only what it subscribes
    moved = got["opportunity.stage_changed"][0]
    assert moved["from_stage"]["id"] == stages[0].pk and moved["stage"]["id"] == stages[1].pk
    assert moved["customer"] == {"id": customer.pk, "code": customer.code, "name": "Stage Buyer AG"}
    won = got["opportunity.won"][0]
    assert won["status"] == "won" and won["amount"] == {"amount": "5000.00", "currency": "EUR"}
    assert won["closed_at"] and won["owner"]["id"] == world.rep.user_id


def test_order_and_payment_events(world, endpoint_for, commit):
    from tests.test_isolation import order_objects, quote_objects
    from tradewind.orders.payments import receipt_record

    quote_objects(world)  # the quote's own events are not subscribed
    with Receiver() as receiver:
        endpoint_for(receiver, events=["order.confirmed", "payment.received"])
        order = commit(lambda: order_objects(world)["order"])
        commit(
            receipt_record,
            actor=world.actor(world.owner),
            order_id=order.pk,
            amount="4",
            currency=order.currency,
            reference="TT-1",
        )
    got = _by_type(receiver)
    confirmed = got["order.confirmed"][0]
    assert confirmed["code"] == order.code and confirmed["status"] == "confirmed"
    assert confirmed["total"] == {"amount": f"{order.total:.2f}", "currency": order.currency}
    paid = got["payment.received"][0]
    assert paid["amount"]["currency"] == order.currency and paid["reference"] == "TT-1"
    assert paid["order"]["code"] == order.code and paid["customer"]["id"] == order.customer_id


def test_other_workspace_events_are_not_sent(world, endpoint_for, commit):
    with Receiver() as receiver:
        endpoint_for(receiver, events=["lead.created"])
        commit(lead_create, actor=world.actor(world.owner2), company_name="Beta Only Inc")
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
