"""Orders: creation from a won opportunity / accepted quote / PI with the locked rate, the one
transition service, the customer life cycle, the authorization matrix (API and pages), the list
filters and the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client

from tests.conftest import login
from tests.orders.conftest import act
from tests.orders.order_helpers import add_rate, lines_of, make_order, win
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.customers.models import Customer
from tradewind.orders import documents, orders, payments, quotes, shipments
from tradewind.orders.models import Order, PaymentPlanItem
from tradewind.workspaces.models import AuditEvent


def test_order_from_won_opportunity_copies_lines_and_locks_rate(world, qw):
    order = make_order(world, qw)
    assert order.code.startswith("SO") and order.status == "confirmed"
    assert order.customer_id == qw.customer.pk and order.opportunity_id == qw.opportunity.pk
    assert (order.currency, order.incoterm, order.named_place) == ("USD", "CIF", "Hamburg")
    assert [line.amount for line in lines_of(order)] == [Decimal("1250.00"), Decimal("45.45")]
    assert order.total == Decimal("1295.45")
    assert (order.base_currency, order.fx_rate) == ("CNY", Decimal("7.1"))
    assert order.base_total == Decimal("9197.70")  # 9197.695 rounds half up
    plan = list(PaymentPlanItem.objects.filter(order=order))
    assert [(i.kind, i.amount, i.trigger) for i in plan] == [
        ("deposit", Decimal("388.64"), "on_order"),  # 30 % of 1295.45 = 388.635
        ("balance", Decimal("906.81"), "before_shipment"),
    ]
    assert plan[0].due_date == order.order_date and plan[1].due_date is None
    assert AuditEvent.objects.filter(target_type="order", target_id=order.pk).count() == 1


def test_order_needs_a_won_opportunity_and_a_rate(world, qw):
    with pytest.raises(Conflict) as exc:
        orders.order_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    assert exc.value.code == "not_won"
    win(qw.opportunity)
    with pytest.raises(Conflict) as exc:
        orders.order_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    assert exc.value.code == "missing_rate"
    assert "USD" in str(exc.value.message) and "CNY" in str(exc.value.message)
    assert not Order.objects.exists()
    add_rate(world.ws, "CNY", "0.14", to_currency="USD")  # only the reverse pair: its inverse
    order = orders.order_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    assert order.fx_rate == (Decimal(1) / Decimal("0.14")).quantize(Decimal("1e-10"))
    with pytest.raises(Conflict) as exc:
        orders.order_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    assert exc.value.code == "already_ordered" and order.code in str(exc.value.message)


def _accepted_quote(world, qw):
    rep = act(world.rep)
    quote = quotes.quote_create(actor=rep, opportunity_id=qw.opportunity.pk)
    quotes.quote_update(
        actor=rep,
        quote_id=quote.pk,
        fields={"lines": [{"description": "Panel v1", "quantity": "10", "unit_price": "3.333"}]},
    )
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    quotes.quote_revise(actor=rep, quote_id=quote.pk, change_note="cheaper")
    quotes.quote_update(
        actor=rep,
        quote_id=quote.pk,
        fields={"lines": [{"description": "Panel v2", "quantity": "10", "unit_price": "3.125"}]},
    )
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    return quote


def test_order_from_accepted_quote_and_from_pi(world, qw):
    add_rate(world.ws, "USD", "7")
    quote = _accepted_quote(world, qw)
    with pytest.raises(Conflict) as exc:
        quotes.order_from_quote(actor=act(world.rep), quote_id=quote.pk)
    assert exc.value.code == "quote_not_accepted"
    quotes.quote_transition(actor=act(world.rep), quote_id=quote.pk, to="accepted")
    order = quotes.order_from_quote(actor=act(world.rep), quote_id=quote.pk)
    assert order.quote_id == quote.pk and order.quote_version == 2
    assert [line.description for line in lines_of(order)] == ["Panel v2"]
    assert order.total == Decimal("31.25") and order.base_total == Decimal("218.75")
    orders.order_transition(actor=act(world.rep), order_id=order.pk, to="cancelled")
    pi = documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="PI")
    again = orders.order_create(actor=act(world.rep), document_id=pi.pk)
    assert again.sales_document_id == pi.pk and again.total == Decimal("31.25")


def test_one_transition_service_refuses_illegal_moves(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    with pytest.raises(Conflict) as exc:
        orders.order_transition(actor=rep, order_id=order.pk, to="shipped")
    assert exc.value.code == "set_by_shipments"
    with pytest.raises(ServiceError) as exc:
        orders.order_transition(actor=rep, order_id=order.pk, to="bogus")
    assert exc.value.code == "order_illegal_move"
    order = orders.order_transition(actor=rep, order_id=order.pk, to="in_production")
    assert order.status == "in_production"
    with pytest.raises(Conflict) as exc:
        orders.order_transition(actor=rep, order_id=order.pk, to="completed")
    assert exc.value.code == "order_illegal_move"
    first = lines_of(order)[0]
    shipments.shipment_create(actor=rep, order_id=order.pk, lines={first.pk: "10"})
    with pytest.raises(Conflict) as exc:
        orders.order_transition(actor=rep, order_id=order.pk, to="cancelled")
    assert exc.value.code in ("has_shipments", "order_illegal_move")
    with pytest.raises(Conflict) as exc:
        orders.order_transition(
            actor=rep, order_id=order.pk, to="in_production", expected_version=1
        )
    assert exc.value.code == "stale_version"


def test_completing_needs_everything_shipped_and_paid_or_the_owners_override(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    lines = lines_of(order)
    shipments.shipment_create(
        actor=rep, order_id=order.pk, lines={lines[0].pk: "100", lines[1].pk: "100"}
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    with pytest.raises(Conflict) as exc:
        orders.order_transition(actor=rep, order_id=order.pk, to="completed")
    assert exc.value.code == "not_paid" and "1295.45" in str(exc.value.message)
    with pytest.raises(Conflict) as exc:  # a rep may not override
        orders.order_transition(actor=rep, order_id=order.pk, to="completed", force=True, note="x")
    assert exc.value.code == "not_paid"
    with pytest.raises(ServiceError) as exc:  # the owner must say why
        orders.order_transition(
            actor=act(world.owner), order_id=order.pk, to="completed", force=True
        )
    assert "note" in exc.value.fields
    payments.receipt_record(actor=rep, order_id=order.pk, amount="1295.45")
    done = orders.order_transition(actor=rep, order_id=order.pk, to="completed")
    assert done.status == "completed" and done.completed_at is not None
    with pytest.raises(Conflict):
        orders.order_transition(actor=rep, order_id=order.pk, to="cancelled")


def test_owner_completes_unpaid_order_with_a_reason(world, qw):
    order = make_order(world, qw)
    lines = lines_of(order)
    shipments.shipment_create(
        actor=act(world.rep), order_id=order.pk, lines={lines[0].pk: 100, lines[1].pk: 100}
    )
    done = orders.order_transition(
        actor=act(world.owner), order_id=order.pk, to="completed", force=True, note="written off"
    )
    assert done.status == "completed" and done.status_note == "written off"
    event = AuditEvent.objects.filter(target_type="order", action="order_completed").get()
    assert event.changes["forced"][1] == "1295.45 USD"


def test_life_cycle_signed_then_repeat_and_back_on_cancel(world, qw):
    rep = act(world.rep)
    assert Customer.objects.get(pk=qw.customer.pk).stage == "potential"
    first = make_order(world, qw)
    assert Customer.objects.get(pk=qw.customer.pk).stage == "signed"
    quote = _accepted_quote(world, qw)
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
    second = quotes.order_from_quote(actor=rep, quote_id=quote.pk)
    assert Customer.objects.get(pk=qw.customer.pk).stage == "repeat"
    orders.order_transition(actor=rep, order_id=second.pk, to="cancelled")
    assert Customer.objects.get(pk=qw.customer.pk).stage == "signed"
    orders.order_transition(actor=rep, order_id=first.pk, to="cancelled")
    assert Customer.objects.get(pk=qw.customer.pk).stage == "potential"


def test_visibility_404_outside_scope_and_403_without_the_verb(world, qw):
    order = make_order(world, qw)
    with pytest.raises(NotFound):
        orders.order_transition(actor=act(world.other_rep), order_id=order.pk, to="in_production")
    with pytest.raises(NotFound):
        orders.order_transition(actor=act(world.owner2), order_id=order.pk, to="in_production")
    with pytest.raises(PermissionDenied):
        orders.order_transition(actor=act(world.readonly), order_id=order.pk, to="in_production")
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    manager = orders.order_transition(
        actor=act(world.manager), order_id=order.pk, to="in_production"
    )
    assert manager.status == "in_production"


def test_api_create_authorization_matrix(world, qw, api, token_for):
    add_rate(world.ws, "USD", "7.1")
    win(qw.opportunity)
    body = {"opportunity_id": qw.opportunity.pk}
    assert api("post", "/orders", json=body).status_code == 401
    resp = api("post", "/orders", token=token_for(world.owner2), json=body)
    assert resp.status_code == 404
    resp = api("post", "/orders", token=token_for(world.other_rep), json=body)
    assert resp.status_code == 404
    resp = api("post", "/orders", token=token_for(world.readonly), json=body)
    assert resp.status_code == 403
    assert not Order.objects.exists()
    resp = api("post", "/orders", token=token_for(world.rep), json=body)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["total"] == "1295.45" and data["total_base"] == "9197.70"
    assert [p["amount"] for p in data["plan"]] == ["388.64", "906.81"]
    assert data["lines"][1]["remaining_quantity"] == "100"


def test_api_transition_authorization_matrix(world, qw, api, token_for):
    order = make_order(world, qw)
    path = f"/orders/{order.pk}/transition"
    body = {"to": "in_production"}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    assert api("post", path, token=token_for(world.readonly), json=body).status_code == 403
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    resp = api("post", path, token=token_for(world.rep), json=body)
    assert resp.status_code == 200 and resp.json()["status"] == "in_production"
    resp = api("post", path, token=token_for(world.rep), json={"to": "shipped"})
    assert resp.status_code == 409 and resp.json()["code"] == "set_by_shipments"


def test_api_list_get_and_filters(world, qw, api, token_for):
    order = make_order(world, qw)
    token = token_for(world.rep)
    items = api("get", "/orders", token=token).json()["items"]
    assert [i["code"] for i in items] == [order.code]
    assert api("get", "/orders?status=cancelled", token=token).json()["items"] == []
    assert len(api("get", "/orders?receivable=true", token=token).json()["items"]) == 1
    assert api("get", "/orders?shipped=true", token=token).json()["items"] == []
    assert api("get", f"/orders/{order.pk}", token=token).json()["receivable"] == "1295.45"
    assert api("get", "/orders", token=token_for(world.other_rep)).json()["items"] == []
    assert api("get", f"/orders/{order.pk}", token=token_for(world.other_rep)).status_code == 404


def test_pages_create_list_detail_and_export(world, qw, client_for):
    add_rate(world.ws, "USD", "7.1")
    win(qw.opportunity)
    rep = client_for(world.rep)
    page = rep.get(f"/opportunities/{qw.opportunity.pk}/")
    assert (
        b'data-testid="create-order"' in page.content
        and b"/quotes/new/?opportunity=" in page.content
    )
    resp = rep.post("/orders/create/", {"opportunity": qw.opportunity.pk})
    order = Order.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/orders/{order.pk}/"
    detail = rep.get(f"/orders/{order.pk}/")
    assert detail.status_code == 200 and order.code.encode() in detail.content
    assert b"1,295.45" in detail.content
    listing = rep.get("/orders/?status=confirmed")
    assert order.code.encode() in listing.content
    empty = rep.get("/orders/?status=cancelled")
    assert b'data-testid="empty-state"' in empty.content
    csv = rep.get("/orders/export/?fmt=csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert order.code in text and "1295.45" in text and "9197.70" in text
    xlsx = rep.get("/orders/export/?fmt=xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    rows = list(book.active.values)
    assert rows[1][0] == order.code
    again = rep.post(
        "/orders/create/", {"opportunity": qw.opportunity.pk, "back": "/orders/"}, follow=True
    )
    assert order.code.encode() in again.content  # "already created" message names it
    assert Order.objects.count() == 1


def test_page_writes_authorization_matrix(world, qw, client):
    order = make_order(world, qw)
    url = f"/orders/{order.pk}/status/"
    resp = client.post(url, {"to": "in_production"})
    assert resp.status_code == 302 and "/accounts/login" in resp["Location"]
    assert login(Client(), world.owner2).post(url, {"to": "in_production"}).status_code == 404
    assert login(Client(), world.other_rep).post(url, {"to": "in_production"}).status_code == 404
    assert login(Client(), world.readonly).post(url, {"to": "in_production"}).status_code == 403
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert login(Client(), world.rep).post(url, {"to": "in_production"}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == "in_production"
    create = "/orders/create/"
    assert login(Client(), world.readonly).post(create, {"opportunity": 1}).status_code == 403


def test_the_accepted_quote_page_creates_the_order(world, qw):
    add_rate(world.ws, "USD", "7")
    quote = _accepted_quote(world, qw)
    client = login(Client(), world.rep)
    page = client.get(f"/quotes/{quote.pk}/")
    assert b'data-testid="quote-create-order"' not in page.content  # sent, not accepted yet
    quotes.quote_transition(actor=act(world.rep), quote_id=quote.pk, to="accepted")
    page = client.get(f"/quotes/{quote.pk}/")
    assert b'data-testid="quote-create-order"' in page.content
    resp = client.post("/orders/create/", {"quote": quote.pk, "back": f"/quotes/{quote.pk}/"})
    order = Order.objects.get(quote_id=quote.pk)
    assert resp.status_code == 302 and resp["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal("31.25")
