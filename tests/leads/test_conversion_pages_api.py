"""The convert step on a lead's page and POST /leads/{id}/convert: candidates among customers
(linked only when visible), join or create, optional opportunity, result links on the lead; the
authorization matrix with the side effect asserted absent."""

from __future__ import annotations

import pytest

from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import customer_create
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.sales.models import Opportunity


def qualified(world, member=None, **data) -> Lead:
    actor = world.actor(member or world.rep)
    data.setdefault("company_name", "Müller Lighting GmbH")
    data.setdefault("contact_name", "Anna")
    lead = lead_create(actor=actor, allow_duplicates=True, **data)
    lead = lead_transition(actor=actor, lead=lead, to_status="contacting")
    return lead_transition(actor=actor, lead=lead, to_status="qualified")


def test_lead_page_offers_convert_only_when_qualified(world, client_for):
    client = client_for(world.rep)
    resp = client.get(f"/leads/{world.lead.pk}/")
    assert b'data-testid="convert-link"' not in resp.content
    assert b'data-testid="merge-link"' in resp.content
    lead = qualified(world)
    assert b'data-testid="convert-link"' in client.get(f"/leads/{lead.pk}/").content
    assert (
        b'data-testid="convert-link"'
        not in client_for(world.readonly).get(f"/leads/{lead.pk}/").content
    )


def test_convert_page_new_customer_with_opportunity_then_links(world, client_for):
    lead = qualified(world, need="5,000 pcs", budget_max="20000", budget_currency="USD")
    client = client_for(world.rep)
    page = client.get(f"/leads/{lead.pk}/convert/")
    assert page.status_code == 200 and b'data-testid="no-candidates"' in page.content
    assert b'data-testid="mapped-fields"' in page.content and b"Anna" in page.content
    stage = page.context["form"].fields["stage"].choices[0][0]
    resp = client.post(
        f"/leads/{lead.pk}/convert/",
        {
            "target": "new",
            "version": lead.version,
            "create_opportunity": "on",
            "opportunity_name": "5,000 pcs",
            "amount": "20000",
            "currency": "USD",
            "stage": stage,
        },
    )
    customer = Customer.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/customers/{customer.pk}/"
    opp = Opportunity.objects.get()
    detail = client.get(f"/leads/{lead.pk}/")
    assert b'data-testid="converted-links"' in detail.content
    assert f"/customers/{customer.pk}/".encode() in detail.content
    assert f"/opportunities/{opp.pk}/".encode() in detail.content
    assert client.get(f"/opportunities/{opp.pk}/").status_code == 200
    cust_page = client.get(f"/customers/{customer.pk}/")
    assert opp.code.encode() in cust_page.content and b"Anna" in cust_page.content


def test_convert_page_shows_candidates_and_joins_a_visible_one(world, client_for):
    mine = customer_create(actor=world.actor(world.rep), name="Müller Lighting")
    hidden = customer_create(
        actor=world.actor(world.other_rep), allow_duplicates=True, name="Müller Lighting Co., Ltd."
    )
    lead = qualified(world)
    client = client_for(world.rep)
    page = client.get(f"/leads/{lead.pk}/convert/")
    assert mine.code.encode() in page.content and hidden.code.encode() in page.content
    assert f'href="/customers/{mine.pk}/"'.encode() in page.content
    assert f'href="/customers/{hidden.pk}/"'.encode() not in page.content  # named, not linked
    assert f'name="target" value="{hidden.pk}"'.encode() not in page.content  # not joinable
    resp = client.post(
        f"/leads/{lead.pk}/convert/", {"target": str(hidden.pk), "version": lead.version}
    )
    assert resp.status_code == 200 and not Contact.objects.exists()  # not a valid choice
    resp = client.post(f"/leads/{lead.pk}/convert/", {"target": str(mine.pk)})
    assert resp.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_customer_id == mine.pk and Customer.objects.count() == 2


def test_convert_page_for_an_unqualified_lead_explains(world, client_for):
    resp = client_for(world.rep).get(f"/leads/{world.lead.pk}/convert/", follow=True)
    assert resp.status_code == 200 and b"alert-danger" in resp.content
    assert not Customer.objects.exists()


def test_convert_page_bad_input_keeps_everything(world, client_for):
    lead = qualified(world)
    resp = client_for(world.rep).post(
        f"/leads/{lead.pk}/convert/",
        {"target": "new", "create_opportunity": "on", "amount": "lots", "currency": "USD"},
    )
    assert resp.status_code == 200 and b"invalid-feedback" in resp.content
    assert not Customer.objects.exists()
    lead.refresh_from_db()
    assert lead.status == "qualified"


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_page_authorization_matrix(world, client_for, client, who):
    lead = qualified(world)
    c = client if who == "anonymous" else client_for(getattr(world, who))
    expected = {"anonymous": 302, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    assert c.get(f"/leads/{lead.pk}/convert/").status_code == expected
    assert c.post(f"/leads/{lead.pk}/convert/", {"target": "new"}).status_code == expected
    lead.refresh_from_db()
    assert lead.status == "qualified" and not Customer.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_api_convert_new_and_join(world, api, token_for):
    token = token_for(world.rep)
    lead = qualified(world, email="anna@mueller.de")
    resp = api("post", f"/leads/{lead.pk}/convert", token, {"create_opportunity": True})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "converted" and body["customer_created"] is True
    assert body["customer_code"].startswith("KH") and body["opportunity_code"].startswith("SJ")
    lead2 = qualified(world, contact_name="Bert", email="bert@mueller.de")
    resp = api("post", f"/leads/{lead2.pk}/convert", token, {})
    assert resp.status_code == 409 and resp.json()["code"] == "duplicate"
    resp = api("post", f"/leads/{lead2.pk}/convert", token, {"customer_id": body["customer_id"]})
    assert resp.status_code == 200 and resp.json()["customer_created"] is False
    assert Contact.objects.filter(customer_id=body["customer_id"]).count() == 2
    opp = api("get", f"/opportunities/{body['opportunity_id']}", token)
    assert opp.status_code == 200 and opp.json()["stage"] == "initial_contact"


def test_api_refusals_are_coded_and_translated(world, api, token_for):
    token = token_for(world.rep)
    resp = api(
        "post",
        f"/leads/{world.lead.pk}/convert",
        token,
        {},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "not_qualified"
    assert resp.json()["message"] == "只有已确认的线索才能转化。请先确认它。"
    lead = qualified(world)
    resp = api(
        "post",
        f"/leads/{lead.pk}/convert",
        token,
        {"create_opportunity": True, "amount": "5", "currency": "ZZZ"},
    )
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_currency"
    assert not Customer.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_api_authorization_matrix(world, api, token_for, who):
    lead = qualified(world)
    token = None if who == "anonymous" else token_for(getattr(world, who))
    expected = {"anonymous": 401, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    assert api("post", f"/leads/{lead.pk}/convert", token, {}).status_code == expected
    lead.refresh_from_db()
    assert lead.status == "qualified" and not Customer.objects.exists()
