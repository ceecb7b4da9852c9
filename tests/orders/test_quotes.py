"""Quotes: create from an opportunity or a customer, versions, the status machine, expiry, the
authorization matrix of every write on pages and API, and visibility by customer/opportunity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.orders.conftest import act
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.orders import quotes
from tradewind.orders.models import Quote, QuoteLine, QuoteVersion
from tradewind.orders.selectors import effective_status
from tradewind.orders.tasks import quotes_expire_all
from tradewind.workspaces.models import AuditEvent


def make_quote(world, qw, member=None):
    return quotes.quote_create(actor=act(member or world.rep), opportunity_id=qw.opportunity.pk)


def test_create_from_opportunity_copies_terms_and_lines(world, qw):
    quote = make_quote(world, qw)
    assert quote.code.startswith("QT")
    assert quote.customer_id == qw.customer.pk and quote.contact_id == qw.contact.pk
    version = QuoteVersion.objects.get(quote=quote, number=1)
    assert (version.currency, version.incoterm, version.named_place) == ("USD", "CIF", "Hamburg")
    lines = list(version.lines.order_by("position"))
    assert [line.amount for line in lines] == [Decimal("1250.00"), Decimal("45.45")]
    assert lines[0].hs_code == "9405420000"  # from the product
    assert quote.total == Decimal("1295.45")
    assert version.valid_until == version.quote_date + dt.timedelta(days=30)
    assert AuditEvent.objects.filter(target_type="quote", target_id=quote.pk).count() == 1


def test_create_from_scratch_takes_list_price_and_rounds_jpy(world, qw):
    quote = quotes.quote_create(
        actor=act(world.rep),
        customer_id=qw.customer.pk,
        currency="JPY",
        lines=[{"description": "Widget", "quantity": "3", "unit_price": "333.5"}],
    )
    assert quote.total == Decimal("1001")  # 1000.5 rounds half up to 1001 yen
    with pytest.raises(ServiceError) as exc:
        quotes.quote_create(
            actor=act(world.rep), customer_id=qw.customer.pk, lines=[{"product_id": qw.product.pk}]
        )
    assert "lines.0.quantity" in exc.value.fields


def test_versions_freeze_and_copy(world, qw):
    rep = act(world.rep)
    quote = make_quote(world, qw)
    quotes.quote_update(actor=rep, quote_id=quote.pk, fields={"moq": "500 pcs"})
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    with pytest.raises(Conflict) as exc:
        quotes.quote_update(actor=rep, quote_id=quote.pk, fields={"moq": "1"})
    assert exc.value.code == "frozen"
    v1 = QuoteVersion.objects.get(quote=quote, number=1)
    assert v1.frozen_at is not None and v1.snapshot["total"] == "1295.45"
    quote = quotes.quote_revise(actor=rep, quote_id=quote.pk, change_note="10% off the panels")
    assert quote.latest_version == 2 and quote.status == "draft"
    quotes.quote_update(
        actor=rep,
        quote_id=quote.pk,
        fields={
            "lines": [
                {
                    "product_id": qw.product.pk,
                    "quantity": 100,
                    "unit_price": "12.50",
                    "discount_percent": 10,
                }
            ]
        },
    )
    quote.refresh_from_db()
    assert quote.total == Decimal("1125.00")
    assert QuoteVersion.objects.get(quote=quote, number=1).total == Decimal("1295.45")
    assert QuoteLine.objects.filter(version__quote=quote, version__number=1).count() == 2


def test_transitions_refuse_illegal_moves(world, qw):
    rep = act(world.rep)
    quote = make_quote(world, qw)
    with pytest.raises(Conflict) as exc:
        quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
    assert exc.value.code == "illegal_move"
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="rejected")
    with pytest.raises(Conflict):
        quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
    quote = quotes.quote_revise(actor=rep, quote_id=quote.pk)
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    quote = quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
    assert quote.accepted_version == 2
    with pytest.raises(Conflict):
        quotes.quote_revise(actor=rep, quote_id=quote.pk)
    with pytest.raises(ServiceError):
        quotes.quote_transition(actor=rep, quote_id=quote.pk, to="draft")


def test_empty_quote_cannot_be_sent(world, qw):
    quote = quotes.quote_create(actor=act(world.rep), customer_id=qw.customer.pk)
    with pytest.raises(ServiceError) as exc:
        quotes.quote_transition(actor=act(world.rep), quote_id=quote.pk, to="sent")
    assert exc.value.code == "no_lines"


def test_expiry_at_read_and_by_the_job(world, qw):
    rep = act(world.rep)
    quote = make_quote(world, qw)
    quotes.quote_update(
        actor=rep, quote_id=quote.pk, fields={"valid_until": quote.valid_until - dt.timedelta(25)}
    )
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    quote.refresh_from_db()
    later = quote.valid_until + dt.timedelta(days=2)
    with time_machine.travel(dt.datetime.combine(later, dt.time(12), tzinfo=dt.UTC), tick=False):
        assert effective_status(quote, later) == "expired"
        with pytest.raises(Conflict) as exc:
            quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")
        assert exc.value.code == "expired"
        assert quotes_expire_all() == 1
        quote.refresh_from_db()
        assert quote.status == "expired"
        assert quotes.quote_revise(actor=rep, quote_id=quote.pk).status == "draft"


def test_stale_version_is_refused(world, qw):
    quote = make_quote(world, qw)
    with pytest.raises(Conflict):
        quotes.quote_update(
            actor=act(world.rep),
            quote_id=quote.pk,
            expected_version=quote.version - 1 if quote.version > 1 else 99,
            fields={"moq": "x"},
        )


def test_visibility_follows_customer_and_opportunity(world, qw):
    quote = make_quote(world, qw)
    other = quotes.quote_create(
        actor=act(world.other_rep),
        customer_id=qw.other_customer.pk,
        lines=[{"description": "x", "quantity": 1, "unit_price": 1}],
    )
    assert set(Quote.objects.visible_to(world.rep).values_list("pk", flat=True)) == {quote.pk}
    assert set(Quote.objects.visible_to(world.other_rep).values_list("pk", flat=True)) == {other.pk}
    assert Quote.objects.visible_to(world.rep2).count() == 0  # same team, scope own
    assert Quote.objects.visible_to(world.manager).count() == 2  # team and sub-teams
    assert Quote.objects.visible_to(world.owner2).count() == 0
    with pytest.raises(NotFound):
        quotes.quote_transition(actor=act(world.other_rep), quote_id=quote.pk, to="sent")
    with pytest.raises(NotFound):  # a customer the rep cannot see
        quotes.quote_create(actor=act(world.rep), customer_id=qw.other_customer.pk)
    with pytest.raises(NotFound):  # another workspace's customer
        quotes.quote_create(actor=act(world.owner), customer_id=qw.customer2.pk)


def test_readonly_cannot_write(world, qw):
    quote = make_quote(world, qw)
    with pytest.raises(PermissionDenied):
        quotes.quote_create(actor=act(world.readonly), customer_id=qw.customer.pk)
    with pytest.raises(PermissionDenied):
        quotes.quote_transition(actor=act(world.readonly), quote_id=quote.pk, to="sent")
    assert Quote.objects.get(pk=quote.pk).status == "draft"


# --- pages and API: anonymous / other workspace / no permission / permission -----------------------


def test_page_writes_authorization_matrix(world, qw, client):
    from django.test import Client

    from tests.conftest import login

    quote = make_quote(world, qw)
    url = f"/quotes/{quote.pk}/status/"
    assert client.post(url, {"to": "sent"}).status_code == 302  # anonymous: to the login page
    assert login(Client(), world.owner2).post(url, {"to": "sent"}).status_code == 404
    assert login(Client(), world.other_rep).post(url, {"to": "sent"}).status_code == 404
    assert login(Client(), world.readonly).post(url, {"to": "sent"}).status_code == 403
    assert Quote.objects.get(pk=quote.pk).status == "draft"
    resp = login(Client(), world.rep).post(url, {"to": "sent"})
    assert resp.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == "sent"


def test_page_flow_new_edit_detail(world, qw, client_for):
    c = client_for(world.rep)
    resp = c.get(f"/quotes/new/?opportunity={qw.opportunity.pk}")
    assert resp.status_code == 200
    resp = c.post("/quotes/new/", {"opportunity": qw.opportunity.pk, "title": "Panels"})
    quote = Quote.objects.get(workspace=world.ws)
    assert resp.status_code == 302 and resp.url == f"/quotes/{quote.pk}/"
    resp = c.get(f"/quotes/{quote.pk}/edit/")
    assert resp.status_code == 200 and b"quote-lines-data" in resp.content
    line = quote.versions.get().lines.order_by("position").first()
    import json

    resp = c.post(
        f"/quotes/{quote.pk}/edit/",
        {
            "currency": "EUR",
            "incoterm": "FOB",
            "named_place": "Ningbo",
            "quote_date": "",
            "valid_until": "",
            "lines_json": json.dumps(
                [{"id": line.pk, "description": "Panel", "quantity": "10", "unit_price": "2.345"}]
            ),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    quote.refresh_from_db()
    assert (quote.currency, quote.total) == ("EUR", Decimal("23.45"))
    resp = c.post(f"/quotes/{quote.pk}/edit/", {"currency": "XXQ", "lines_json": "[]"})
    assert resp.status_code == 200 and b"form-errors" in resp.content
    page = c.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-total="23.45"' in page
    assert "23.45" in c.get("/quotes/?status=draft").content.decode()
    assert c.get("/quotes/?status=accepted").status_code == 200


def test_list_empty_state_and_phone_layout(world, client_for):
    resp = client_for(world.rep).get("/quotes/")
    assert resp.status_code == 200 and b'data-testid="empty-state"' in resp.content
    assert b"table-responsive" not in resp.content


def test_api_authorization_matrix(world, qw, api, token_for):
    quote = make_quote(world, qw)
    path = f"/quotes/{quote.pk}/transition"
    assert api("post", path, json={"to": "sent"}).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json={"to": "sent"}).status_code == 404
    assert (
        api("post", path, token=token_for(world.other_rep), json={"to": "sent"}).status_code == 404
    )
    assert (
        api("post", path, token=token_for(world.readonly), json={"to": "sent"}).status_code == 403
    )
    assert Quote.objects.get(pk=quote.pk).status == "draft"
    resp = api("post", path, token=token_for(world.rep), json={"to": "sent"})
    assert resp.status_code == 200 and resp.json()["status"] == "sent"


def test_api_create_update_revise(world, qw, api, token_for):
    token = token_for(world.rep)
    resp = api("post", "/quotes", token=token, json={"opportunity_id": qw.opportunity.pk})
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["total"] == "1295.45" and len(body["lines"]) == 2
    qid = body["id"]
    assert (
        api("post", "/quotes", token=token, json={"customer_id": qw.customer2.pk}).status_code
        == 404
    )
    resp = api("post", "/quotes", token=token, json={})
    assert resp.status_code == 422 and resp.json()["code"] == "customer_required"
    resp = api(
        "patch",
        f"/quotes/{qid}",
        token=token,
        json={"lines": [{"description": "A", "quantity": "2", "unit_price": "1.005"}]},
    )
    assert resp.status_code == 200 and resp.json()["total"] == "2.01"
    resp = api("patch", f"/quotes/{qid}", token=token, json={"currency": "ZZZ"})
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_currency"
    api("post", f"/quotes/{qid}/transition", token=token, json={"to": "sent"})
    resp = api("patch", f"/quotes/{qid}", token=token, json={"moq": "1"})
    assert resp.status_code == 409 and resp.json()["code"] == "frozen"
    resp = api("post", f"/quotes/{qid}/versions", token=token, json={"change_note": "new"})
    assert resp.status_code == 201 and resp.json()["latest_version"] == 2
    listing = api("get", "/quotes?status=draft", token=token).json()
    assert [q["id"] for q in listing["items"]] == [qid]
    assert api("get", "/quotes", token=token_for(world.owner2)).json()["items"] == []
    terms = api("get", "/quotes/payment-terms", token=token).json()
    assert any(t["label_en"] == "L/C at sight" for t in terms)


def test_the_editor_keeps_a_product_name_inside_its_data_block(world, qw, client_for):
    """The product list travels to the quote editor as JSON in a <script> data block: a name
    holding "</script>" must not end the block and inject markup."""
    qw.product.name_en = "</script><img src=x onerror=alert(1)>"
    qw.product.save(update_fields=["name_en"])
    c = client_for(world.rep)
    c.post("/quotes/new/", {"opportunity": qw.opportunity.pk, "title": "Panels"})
    quote = Quote.objects.get(workspace=world.ws)
    page = c.get(f"/quotes/{quote.pk}/edit/").content.decode()
    assert "<img src=x" not in page
    assert "\\u003C/script\\u003E\\u003Cimg src=x" in page
