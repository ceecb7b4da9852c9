"""The customer 360 page: header facts with the customer's local time, contacts with click-to-chat,
open opportunities, honest placeholders, milestones, the timeline partial; a constant query count;
404 outside the member's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tradewind.activities.models import FollowUp
from tradewind.customers.services import contact_create, customer_create, customer_update
from tradewind.customers.views_360 import local_time, wa_digits
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create


@pytest.fixture
def buyer(world):
    actor = world.actor(world.rep)
    customer = customer_create(
        actor=actor,
        name="ALPHA-EAST-SECRET 360 GmbH",
        country="DE",
        type="importer",
        website="https://www.buyer360.de/about",
        tags=["vip"],
        rating=4,
    )
    contact_create(
        actor=actor,
        customer=customer,
        name="Hans Weber",
        email="hans@buyer360.de",
        phone="+49 40 1234567",
        whatsapp="+49 151 2345 678",
    )
    return customer


def grow(world, customer, n: int) -> None:
    actor = world.actor(world.rep)
    for i in range(n):
        customer_update(actor=actor, customer=customer, city=f"City {i}")
        contact_create(actor=actor, customer=customer, name=f"Person {i}")
        opportunity_create(actor=actor, customer=customer, name=f"Deal {i}")
        FollowUp.objects.create(
            workspace=world.ws,
            target_type="customer",
            target_id=customer.pk,
            owner=world.rep.user,
            happened_at=timezone.now() - dt.timedelta(hours=i),
            channel="email",
            summary=f"mail {i}",
            result="responded",
        )


def test_page_shows_facts_contacts_opportunities_and_placeholders(world, buyer, client_for):
    won = opportunity_create(actor=world.actor(world.rep), customer=buyer, name="Closed deal")
    Opportunity.objects.filter(pk=won.pk).update(status="won")
    opportunity_create(actor=world.actor(world.rep), customer=buyer, name="Open deal")
    resp = client_for(world.rep).get(f"/customers/{buyer.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'href="https://wa.me/491512345678"' in html
    assert 'href="mailto:hans@buyer360.de"' in html and 'href="tel:+49401234567"' in html
    assert 'data-testid="local-time"' in html and "buyer360.de" in html and "vip" in html
    assert [o.name for o in resp.context["opportunities"]] == ["Open deal"]
    # The orders app fills the documents and finance sections (customers/panels.py).
    assert 'data-testid="documents-panel"' in html and 'data-testid="finance-panel"' in html
    assert 'data-testid="milestone-created" data-reached="1"' in html
    assert 'data-testid="timeline-entry"' in html


def test_timeline_partial_filter_and_paging(world, buyer, client_for):
    grow(world, buyer, 20)
    client = client_for(world.rep)
    part = client.get(
        f"/customers/{buyer.pk}/?kind=followup", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline"
    )
    assert b"<html" not in part.content and b'data-kind="followup"' in part.content
    assert b'data-kind="field"' not in part.content
    full = client.get(f"/customers/{buyer.pk}/")
    cursor = full.context["timeline"].next_cursor
    assert cursor and b'data-testid="timeline-older"' in full.content
    older = client.get(f"/customers/{buyer.pk}/?cursor={cursor}")
    first = {e.key for e in full.context["timeline"].entries}
    assert not first & {e.key for e in older.context["timeline"].entries}


def test_query_count_is_constant(world, buyer, client_for):
    client = client_for(world.rep)
    client.get(f"/customers/{buyer.pk}/")  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/customers/{buyer.pk}/").status_code == 200
    grow(world, buyer, 25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/customers/{buyer.pk}/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # the page also shows the e-mail, step-plan and library panels (issue 8, 11): constant too
    assert len(large.captured_queries) <= 28


def test_scope_and_anonymous(world, buyer, client_for, client):
    assert client_for(world.other_rep).get(f"/customers/{buyer.pk}/").status_code == 404
    assert client_for(world.owner2).get(f"/customers/{buyer.pk}/").status_code == 404
    assert client_for(world.manager).get(f"/customers/{buyer.pk}/").status_code == 200
    resp = client.get(f"/customers/{buyer.pk}/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_local_time_and_whatsapp_digits(world, buyer):
    noon_utc = dt.datetime(2026, 1, 5, 11, 0, tzinfo=dt.UTC)  # a Monday
    local = local_time(buyer, now=noon_utc)
    assert local["zone"] == "Europe/Berlin" and local["time"].hour == 12 and local["working"]
    buyer.country = "US"
    us = local_time(buyer, now=noon_utc)
    assert us["zone"] == "America/New_York" and us["several"] and us["offset"] == "UTC−5"
    buyer.country = ""
    assert local_time(buyer) is None
    assert wa_digits("+86 138-0013-8000") == "8613800138000" and wa_digits("0049 151 1") == "491511"
