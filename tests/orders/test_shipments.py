"""Shipments: partial quantities, status following the shipped quantities, over-shipping refused
(naming the line and what remains; also two concurrent shipments on PostgreSQL), the particulars,
the authorization matrix and the htmx form."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import login
from tests.orders.conftest import act
from tests.orders.order_helpers import lines_of, make_order
from tradewind.core.errors import Conflict, ServiceError
from tradewind.orders import orders, shipments
from tradewind.orders.models import Order, OrderLine, PaymentPlanItem, Shipment


def test_partial_then_full_shipment_sets_status_and_values(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    panel, bracket = lines_of(order)
    first = shipments.shipment_create(
        actor=rep,
        order_id=order.pk,
        lines=[{"line_id": panel.pk, "quantity": "40"}],
        forwarder="Kuehne+Nagel",
        booking_no="BK123",
        container_type="40hq",
        container_no="MSKU1234567",
        bl_no="MAEU123",
        bl_date="2026-03-02",
        vessel="MAERSK ESSEN",
        voyage="012W",
        etd="2026-03-01",
        eta="2026-04-05",
        cartons="40",
        net_weight_kg="180.5",
        gross_weight_kg="200",
        cbm="2.35",
    )
    assert str(first) == f"{order.code}-S1" and first.container_type == "40HQ"
    assert first.value == Decimal("500.00") and first.cbm == Decimal("2.350")
    order.refresh_from_db()
    assert order.status == "partly_shipped" and order.shipped_total == Decimal("500.00")
    balance = PaymentPlanItem.objects.get(order=order, kind="balance")
    assert balance.due_date == dt.date(2026, 3, 1)  # before shipment: the first ETD
    second = shipments.shipment_create(
        actor=rep, order_id=order.pk, lines={panel.pk: "60", bracket.pk: "100"}
    )
    assert second.number == 2
    order.refresh_from_db()
    assert order.status == "shipped" and order.shipped_total == order.total == Decimal("1295.45")
    assert [line.remaining for line in lines_of(order)] == [0, 0]


def test_over_shipping_is_refused_naming_the_line_and_what_remains(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    panel, bracket = lines_of(order)
    shipments.shipment_create(actor=rep, order_id=order.pk, lines={panel.pk: "70"})
    with pytest.raises(Conflict) as exc:
        shipments.shipment_create(
            actor=rep, order_id=order.pk, lines={panel.pk: "31", bracket.pk: "1"}
        )
    assert exc.value.code == "over_shipped"
    message = str(exc.value.message)
    assert panel.product.name_en in message and "30" in message and "31" in message
    assert f"lines.{panel.pk}" in exc.value.fields
    assert Shipment.objects.filter(order=order).count() == 1
    assert OrderLine.objects.get(pk=bracket.pk).shipped_quantity == 0
    with pytest.raises(ServiceError) as exc:
        shipments.shipment_create(actor=rep, order_id=order.pk, lines={panel.pk: "0"})
    assert exc.value.code == "empty_shipment"
    with pytest.raises(ServiceError) as exc:
        shipments.shipment_create(
            actor=rep, order_id=order.pk, lines={panel.pk: "1"}, etd="2026-05-01", eta="2026-04-01"
        )
    assert "eta" in exc.value.fields


def test_closed_orders_take_no_shipment(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    orders.order_transition(actor=rep, order_id=order.pk, to="cancelled")
    with pytest.raises(Conflict) as exc:
        shipments.shipment_create(actor=rep, order_id=order.pk, lines={lines_of(order)[0].pk: 1})
    assert exc.value.code == "order_closed"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_shipments_cannot_overship(world, qw):
    if connection.vendor != "postgresql":
        pytest.skip("a thread race needs a server database (SQLite in-memory is shared)")
    order = make_order(world, qw)
    panel = lines_of(order)[0]
    barrier = threading.Barrier(4)
    results: list[object] = [None] * 4

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = shipments.shipment_create(
                actor=act(world.rep), order_id=order.pk, lines={panel.pk: "40"}
            )
        except BaseException as exc:  # reported below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    made = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 2 and len(refused) == 2, results
    assert all(r.code == "over_shipped" for r in refused)
    assert OrderLine.objects.get(pk=panel.pk).shipped_quantity == Decimal("80")
    assert sorted(Shipment.objects.filter(order=order).values_list("number", flat=True)) == [1, 2]


def test_api_shipment_authorization_matrix(world, qw, api, token_for):
    order = make_order(world, qw)
    panel = lines_of(order)[0]
    path = f"/orders/{order.pk}/shipments"
    body = {"lines": [{"line_id": panel.pk, "quantity": "10"}], "container_type": "20GP"}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    assert api("post", path, token=token_for(world.readonly), json=body).status_code == 403
    assert not Shipment.objects.exists()
    resp = api("post", path, token=token_for(world.rep), json=body)
    assert resp.status_code == 201, resp.content
    assert resp.json()["value"] == "125.00" and resp.json()["container_type"] == "20GP"
    over = {"lines": [{"line_id": panel.pk, "quantity": "91"}]}
    resp = api("post", path, token=token_for(world.rep), json=over)
    assert resp.status_code == 409 and resp.json()["code"] == "over_shipped"
    listed = api("get", path, token=token_for(world.rep)).json()
    assert [s["number"] for s in listed] == [1]
    assert api("get", path, token=token_for(world.other_rep)).status_code == 404


def test_htmx_shipment_form(world, qw):
    order = make_order(world, qw)
    panel = lines_of(order)[0]
    url = f"/orders/{order.pk}/shipments/new/"
    rep = login(Client(), world.rep)
    form = rep.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and b'data-testid="shipment-form"' in form.content
    assert b"<html" not in form.content
    full = rep.get(url)
    assert b"<html" in full.content and b'data-testid="shipment-form"' in full.content
    bad = rep.post(url, {f"qty_{panel.pk}": "500"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and b'data-testid="form-errors"' in bad.content
    ok = rep.post(url, {f"qty_{panel.pk}": "5", "vessel": "COSCO"}, HTTP_HX_REQUEST="true")
    assert ok["HX-Redirect"] == f"/orders/{order.pk}/"
    assert Order.objects.get(pk=order.pk).status == "partly_shipped"
    assert login(Client(), world.readonly).post(url, {f"qty_{panel.pk}": "1"}).status_code == 403
    assert login(Client(), world.other_rep).post(url, {f"qty_{panel.pk}": "1"}).status_code == 404
    assert Shipment.objects.count() == 1
