"""Opportunity pages: the form (create from the list or a customer's 360 page, product lines, team,
errors per field), the detail page (facts, lines, checklist ticked over htmx, stage bar with the
gate's block and warn answers, closing dialogs, reopen, delete) and their authorization."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from tradewind.customers.services import contact_create, customer_create
from tradewind.sales.choices import GateMode
from tradewind.sales.closing import close_reasons
from tradewind.sales.models import (
    Opportunity,
    OpportunityMember,
    Pipeline,
    Product,
    ProductPrice,
    Stage,
    StageChange,
    StageTask,
    StageTaskCheck,
)
from tradewind.sales.services import opportunity_create, pipeline_default


def make_customer(world, member=None, name="ALPHA-EAST-SECRET Pages Buyer"):
    return customer_create(actor=world.actor(member or world.rep), name=name)


def make_opportunity(world, customer, member=None, **data):
    data.setdefault("name", "Deal")
    return opportunity_create(actor=world.actor(member or world.rep), customer=customer, **data)


def gated_pipeline(ws, gate=GateMode.BLOCK) -> Pipeline:
    """Two open stages with a required task on the first, then won and lost."""
    pipeline = Pipeline.objects.create(workspace=ws, name="Gated", gate=gate, position=5)
    first = Stage.objects.create(pipeline=pipeline, name="Qualify", position=0, probability=20)
    Stage.objects.create(pipeline=pipeline, name="Bid", position=1, probability=60)
    Stage.objects.create(pipeline=pipeline, name="Won", position=2, probability=100, is_won=True)
    Stage.objects.create(pipeline=pipeline, name="Lost", position=3, probability=0, is_lost=True)
    StageTask.objects.create(stage=first, title="Confirm the tender", position=0)
    StageTask.objects.create(stage=first, title="Nice to have", position=1, is_required=False)
    return pipeline


def product(world, sku="LED-100", price="2.50", currency="USD") -> Product:
    p = Product.objects.create(workspace=world.ws, sku=sku, name_en=f"Panel {sku}", unit="pcs")
    ProductPrice.objects.create(product=p, currency=currency, unit_price=Decimal(price))
    return p


def english(client):
    """Pages answer in the workspace's language (Chinese by default); these tests read English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def texts(resp) -> list[str]:
    return [str(m) for m in get_messages(resp.wsgi_request)]


@pytest.fixture
def customer(world):
    return make_customer(world)


def test_create_from_the_360_page_with_two_lines_and_a_team(world, customer, client_for):
    contact = contact_create(actor=world.actor(world.rep), customer=customer, name="Li Lei")
    panel = product(world)
    client = english(client_for(world.rep))
    page = client.get(f"/customers/{customer.pk}/")
    assert f"/opportunities/new/?customer={customer.pk}".encode() in page.content
    form = client.get(f"/opportunities/new/?customer={customer.pk}")
    assert form.status_code == 200 and customer.name.encode() in form.content
    assert b"Li Lei" in form.content
    pipeline = pipeline_default(world.ws)
    resp = client.post(
        "/opportunities/new/",
        {
            "name": "Spring LED order",
            "customer": customer.pk,
            "contact": contact.pk,
            "pipeline": pipeline.pk,
            "stage": pipeline.stages.get(key="quotation").pk,
            "currency": "USD",
            "incoterm": "FOB",
            "named_place": "Ningbo",
            "source": "rfq",
            "forecast_category": "commit",
            "expected_close_date": "2030-05-31",
            "line_product": [str(panel.pk), ""],
            "line_description": ["", "Custom frame"],
            "line_quantity": ["1000", "3"],
            "line_unit": ["", "set"],
            "line_unit_price": ["", "99.99"],
            "line_discount": ["10", ""],
            "line_specs": ["", "RAL 9016"],
            "member_user": [str(world.rep2.user_id)],
            "member_role": ["presales"],
        },
    )
    opp = Opportunity.objects.get(name="Spring LED order")
    assert resp.status_code == 302 and resp["Location"] == f"/opportunities/{opp.pk}/"
    # 1000 × 2.50 × 0.9 + 3 × 99.99 = 2250 + 299.97
    assert opp.amount == Decimal("2549.97") and opp.amount_from_lines and opp.currency == "USD"
    assert opp.stage.key == "quotation" and opp.incoterm == "FOB" and opp.contact_id == contact.pk
    assert opp.lines.count() == 2 and opp.owner_id == world.rep.user_id
    assert OpportunityMember.objects.get(opportunity=opp).role == "presales"
    detail = client.get(f"/opportunities/{opp.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "2,549.97 USD" in body and "FOB Ningbo" in body and "RAL 9016" in body
    assert 'data-testid="line"' in body and body.count('data-testid="line"') == 2
    # The 360 page lists it with stage, amount and a link.
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/opportunities/{opp.pk}/" in page and "2,549.97 USD" in page


def test_create_errors_per_field_change_nothing(world, customer, client_for):
    client = english(client_for(world.rep))
    pipeline = pipeline_default(world.ws)
    base = {"customer": customer.pk, "pipeline": pipeline.pk, "stage": pipeline.stages.first().pk}
    base |= {"forecast_category": "pipeline"}
    resp = client.post("/opportunities/new/", base | {"name": ""})
    assert resp.status_code == 200 and b"is-invalid" in resp.content
    resp = client.post(
        "/opportunities/new/",
        base | {"name": "X", "currency": "USD", "line_description": ["A"], "line_quantity": ["0"]},
    )
    assert resp.status_code == 200
    assert b"Line 1:" in resp.content
    # A customer the rep cannot see is refused like an unknown one.
    hidden = make_customer(world, world.other_rep, "ALPHA-WEST-SECRET Hidden")
    resp = client.post("/opportunities/new/", base | {"name": "X", "customer": hidden.pk})
    assert resp.status_code == 200 and b"ALPHA-WEST-SECRET" not in resp.content
    assert not Opportunity.objects.exists()


def test_create_in_chinese_shows_translated_errors(world, customer, client_for):
    client = client_for(world.rep)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    pipeline = pipeline_default(world.ws)
    resp = client.post(
        "/opportunities/new/",
        {
            "customer": customer.pk,
            "pipeline": pipeline.pk,
            "stage": pipeline.stages.first().pk,
            "forecast_category": "pipeline",
            "name": "X",
            "currency": "USD",
            "line_description": ["A"],
            "line_quantity": ["0"],
        },
    )
    assert resp.status_code == 200 and "第 1 行".encode() in resp.content


def test_edit_form_replaces_lines_and_keeps_version(world, customer, client_for):
    opp = make_opportunity(world, customer, amount="100", currency="USD")
    client = english(client_for(world.rep))
    assert client.get(f"/opportunities/{opp.pk}/edit/").status_code == 200
    resp = client.post(
        f"/opportunities/{opp.pk}/edit/",
        {
            "name": "Renamed",
            "currency": "USD",
            "forecast_category": "best_case",
            "version": opp.version,
            "line_description": ["Frames"],
            "line_quantity": ["4"],
            "line_unit_price": ["25"],
            "probability": "35",
        },
    )
    assert resp.status_code == 302
    opp.refresh_from_db()
    assert opp.name == "Renamed" and opp.amount == Decimal("100.00") and opp.amount_from_lines
    assert opp.probability == 35 and opp.forecast_category == "best_case"
    # Back to an entered amount: no lines posted.
    resp = client.post(
        f"/opportunities/{opp.pk}/edit/",
        {"name": "Renamed", "currency": "USD", "forecast_category": "best_case", "amount": "70"}
        | {"version": opp.version},
    )
    opp.refresh_from_db()
    assert resp.status_code == 302 and opp.amount == Decimal("70.00") and not opp.amount_from_lines
    assert opp.lines.count() == 0
    # A stale version is refused on the form, nothing changes.
    resp = client.post(
        f"/opportunities/{opp.pk}/edit/",
        {"name": "Late", "currency": "USD", "forecast_category": "pipeline", "version": 1},
    )
    assert resp.status_code == 200 and b"alert-danger" in resp.content
    opp.refresh_from_db()
    assert opp.name == "Renamed"


def test_stage_bar_block_lists_missing_tasks_then_checklist_lets_it_through(
    world, customer, client_for
):
    pipeline = gated_pipeline(world.ws)
    qualify, bid = pipeline.stages.get(name="Qualify"), pipeline.stages.get(name="Bid")
    opp = make_opportunity(world, customer, pipeline_id=pipeline.pk)
    client = english(client_for(world.rep))
    detail = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert "Confirm the tender" in detail and f'data-testid="move-{bid.pk}"' in detail
    resp = client.post(f"/opportunities/{opp.pk}/move/", {"stage": bid.pk, "version": opp.version})
    assert resp.status_code == 302
    assert any("Confirm the tender" in t for t in texts(resp))
    opp.refresh_from_db()
    assert opp.stage_id == qualify.pk
    # Tick the task over htmx: only the checklist comes back.
    task = StageTask.objects.get(title="Confirm the tender")
    resp = client.post(
        f"/opportunities/{opp.pk}/checklist/",
        {"task": task.pk, "done": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="checklist",
    )
    assert resp.status_code == 200 and b'id="checklist"' in resp.content
    assert b"<html" not in resp.content and b"bi-check2-square" in resp.content
    assert StageTaskCheck.objects.filter(opportunity=opp, task=task).exists()
    opp.refresh_from_db()
    resp = client.post(f"/opportunities/{opp.pk}/move/", {"stage": bid.pk, "version": opp.version})
    opp.refresh_from_db()
    assert opp.stage_id == bid.pk
    assert StageChange.objects.filter(opportunity=opp, kind="move").count() == 1
    resp = client.get(f"/opportunities/{opp.pk}/")
    history = resp.content.decode()
    assert 'data-testid="stage-history"' in history and "Qualify → " in history
    # The audit history names the stages (it stores their ids).
    rows = [row for event in resp.context["history"] for row in event.rows if row[1] != row[2]]
    assert ("stage", "Qualify", "Bid") in [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_stage_bar_warn_moves_and_says_what_is_missing(world, customer, client_for):
    pipeline = gated_pipeline(world.ws, GateMode.WARN)
    opp = make_opportunity(world, customer, pipeline_id=pipeline.pk)
    bid = pipeline.stages.get(name="Bid")
    resp = client_for(world.rep).post(f"/opportunities/{opp.pk}/move/", {"stage": bid.pk})
    opp.refresh_from_db()
    assert opp.stage_id == bid.pk
    assert any("Confirm the tender" in t for t in texts(resp))


def test_close_lost_needs_reason_and_note_then_reopen_and_win(world, customer, client_for):
    opp = make_opportunity(world, customer)
    client = english(client_for(world.rep))
    detail = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert 'data-testid="close-lost-form"' in detail and "Price too high" in detail
    resp = client.post(f"/opportunities/{opp.pk}/close/", {"outcome": "lost"})
    assert resp.status_code == 302 and texts(resp)
    opp.refresh_from_db()
    assert opp.status == "open"
    reason = close_reasons(world.ws, "lost")[0]
    resp = client.post(
        f"/opportunities/{opp.pk}/close/",
        {"outcome": "lost", "reason": reason.pk, "competitor": "Acme", "note": "Too dear"},
    )
    opp.refresh_from_db()
    assert opp.status == "lost" and opp.close_reason_id == reason.pk
    assert opp.close_competitor == "Acme"
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert 'data-status="lost"' in page and 'data-testid="close-reason"' in page
    # A rep may not reopen (OPPORTUNITY_REOPEN); a manager may.
    assert 'data-testid="reopen"' not in page
    assert client.post(f"/opportunities/{opp.pk}/reopen/").status_code == 403
    manager = english(client_for(world.manager))
    assert 'data-testid="reopen"' in manager.get(f"/opportunities/{opp.pk}/").content.decode()
    resp = manager.post(f"/opportunities/{opp.pk}/reopen/")
    opp.refresh_from_db()
    assert resp.status_code == 302 and opp.status == "open" and opp.stage.key == "initial_contact"
    resp = client.post(
        f"/opportunities/{opp.pk}/close/", {"outcome": "won", "version": opp.version}
    )
    opp.refresh_from_db()
    assert opp.status == "won" and opp.stage.is_won
    kinds = list(StageChange.objects.filter(opportunity=opp).values_list("kind", flat=True))
    assert kinds == ["create", "close", "reopen", "close"]


def test_close_invalid_needs_a_reason(world, customer, client_for):
    opp = make_opportunity(world, customer)
    client = english(client_for(world.rep))
    client.post(f"/opportunities/{opp.pk}/close/", {"outcome": "invalid"})
    opp.refresh_from_db()
    assert opp.status == "open"
    reason = close_reasons(world.ws, "invalid")[0]
    client.post(f"/opportunities/{opp.pk}/close/", {"outcome": "invalid", "reason": reason.pk})
    opp.refresh_from_db()
    assert opp.status == "invalid"
    # A closed opportunity offers no stage moves and no edit.
    page = client.get(f"/opportunities/{opp.pk}/").content.decode()
    assert 'data-testid="move-' not in page and 'data-testid="edit-opportunity"' not in page


def write_routes(opp) -> list[tuple[str, dict]]:
    stage = opp.pipeline.stages.get(key="needs_confirmed")
    return [
        (f"/opportunities/{opp.pk}/move/", {"stage": stage.pk}),
        (f"/opportunities/{opp.pk}/close/", {"outcome": "won"}),
        (f"/opportunities/{opp.pk}/edit/", {"name": "Hijack", "forecast_category": "pipeline"}),
        (f"/opportunities/{opp.pk}/delete/", {}),
        (f"/opportunities/{opp.pk}/checklist/", {"task": "1", "done": "1"}),
    ]


def snapshot(opp):
    opp = Opportunity.objects.filter(pk=opp.pk).first()
    return None if opp is None else (opp.version, opp.stage_id, opp.status, opp.name)


def test_write_pages_authorization(world, customer, client, client_for):
    opp = make_opportunity(world, customer)
    before = snapshot(opp)
    # Anonymous: to the login page.
    for url, data in write_routes(opp):
        resp = client.post(url, data)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], url
    # Another workspace and another team's rep: 404. A read-only member: 403.
    # (A verb the role lacks answers 403 for every id: a rep may not delete.)
    for member, status in ((world.owner2, 404), (world.other_rep, 404), (world.readonly, 403)):
        c = client_for(member)
        for url, data in write_routes(opp):
            expected = 403 if member == world.other_rep and url.endswith("/delete/") else status
            assert c.post(url, data).status_code == expected, (member.user.email, url)
    # The rep may not delete (OPPORTUNITY_DELETE): 403.
    assert client_for(world.rep).post(f"/opportunities/{opp.pk}/delete/").status_code == 403
    assert client_for(world.readonly).post(f"/opportunities/{opp.pk}/reopen/").status_code == 403
    assert snapshot(opp) == before
    # With the permission: the manager deletes it.
    resp = client_for(world.manager).post(f"/opportunities/{opp.pk}/delete/")
    assert resp.status_code == 302 and not Opportunity.objects.filter(pk=opp.pk).exists()


def test_create_authorization(world, customer, client, client_for):
    pipeline = pipeline_default(world.ws)
    data = {
        "name": "Hijack",
        "customer": customer.pk,
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.first().pk,
        "forecast_category": "pipeline",
    }
    assert client.post("/opportunities/new/", data).status_code == 302
    assert client_for(world.readonly).post("/opportunities/new/", data).status_code == 403
    # Another workspace: the customer is not visible, so nothing is created.
    assert client_for(world.owner2).post("/opportunities/new/", data).status_code == 200
    assert not Opportunity.objects.exists()
    assert client_for(world.rep).post("/opportunities/new/", data).status_code == 302
    assert Opportunity.objects.count() == 1


def test_pickers_only_offer_visible_customers_and_their_contacts(world, customer, client_for):
    contact_create(actor=world.actor(world.rep), customer=customer, name="Visible Person")
    hidden = make_customer(world, world.other_rep, "ALPHA-WEST-SECRET Hidden")
    contact_create(actor=world.actor(world.other_rep), customer=hidden, name="Hidden Person")
    client = english(client_for(world.rep))
    found = client.get("/opportunities/customers/search/?q=ALPHA").json()["results"]
    assert [r["id"] for r in found] == [customer.pk]
    assert client.get(f"/opportunities/contacts/?customer={customer.pk}").json()["results"]
    assert client.get(f"/opportunities/contacts/?customer={hidden.pk}").json()["results"] == []
    assert client_for(world.readonly).get("/opportunities/customers/search/").status_code == 403


def test_detail_shows_facts_team_and_base_equivalent(world, customer, client_for):
    opp = make_opportunity(
        world,
        customer,
        amount="1000",
        currency="USD",
        incoterm="CIF",
        named_place="Hamburg",
        member_roles=[(world.rep2.user_id, "merchandiser")],
        probability=45,
    )
    body = english(client_for(world.rep)).get(f"/opportunities/{opp.pk}/").content.decode()
    assert "CIF Hamburg" in body and "45%" in body and 'data-testid="team"' in body
    assert "Merchandiser" in body and 'data-testid="base-amount"' in body
    # A team member outside the owner's scope sees it through the team.
    assert client_for(world.rep2).get(f"/opportunities/{opp.pk}/").status_code == 200
