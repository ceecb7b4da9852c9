"""Payments: the plan and its due dates, receipts settling plan items, the tolerance that closes an
item with the shortfall booked as bank charges, over-payment and missing rates refused, the overdue
list and the once-a-day reminder job, and the authorization matrix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from tests.conftest import add_member, login
from tests.orders.conftest import act
from tests.orders.order_helpers import add_rate, lines_of, make_order
from tradewind.activities.models import Notification
from tradewind.core.errors import Conflict, PermissionDenied, ServiceError
from tradewind.customers.models import Customer
from tradewind.orders import payments, receivables, shipments
from tradewind.orders.models import Order, OrderSettings, PaymentPlanItem, Receipt
from tradewind.workspaces.choices import DataScope, Role


def plan(order):
    return list(PaymentPlanItem.objects.filter(order=order).order_by("position"))


def test_deposit_and_balance_receipts_settle_the_order(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    receipt = payments.receipt_record(
        actor=rep, order_id=order.pk, amount="388.64", received_on="2026-01-05", reference="TT1"
    )
    assert receipt.allocation == [[plan(order)[0].pk, "388.64"]]
    deposit, balance = plan(order)
    assert deposit.closed_at is not None and balance.closed_at is None
    payments.receipt_record(
        actor=rep, order_id=order.pk, amount="876.81", bank_charges="30", received_on="2026-02-01"
    )
    order.refresh_from_db()
    assert order.received_total == Decimal("1265.45") and order.charges_total == Decimal("30")
    assert order.receivable == 0
    assert all(i.closed_at for i in plan(order))
    assert Customer.objects.get(pk=qw.customer.pk).stage == "signed"
    with pytest.raises(Conflict) as exc:
        payments.receipt_record(actor=rep, order_id=order.pk, amount="1")
    assert exc.value.code == "overpaid"


def test_tolerance_closes_a_short_item_and_books_bank_charges(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    payments.receipt_record(actor=rep, order_id=order.pk, amount="388.64")
    short = payments.receipt_record(actor=rep, order_id=order.pk, amount="866.81")  # 40 short
    assert short.shortfall == Decimal("40.00")
    balance = plan(order)[1]
    assert balance.closed_at is not None and balance.charges == Decimal("40.00")
    order.refresh_from_db()
    assert order.charges_total == Decimal("40.00") and order.receivable == 0


def test_shortfall_above_tolerance_leaves_the_item_open(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    OrderSettings.objects.create(workspace=world.ws, tolerance_amount=Decimal("5"))
    payments.receipt_record(actor=rep, order_id=order.pk, amount="388.64")
    # 0.5 % of 906.81 = 4.53 < 5: the amount applies; 6 short stays open
    receipt = payments.receipt_record(actor=rep, order_id=order.pk, amount="900.81")
    assert receipt.shortfall == 0
    balance = plan(order)[1]
    assert balance.closed_at is None and balance.remaining == Decimal("6.00")
    closing = payments.receipt_record(actor=rep, order_id=order.pk, amount="2")  # 4 short ≤ 5
    assert closing.shortfall == Decimal("4.00")
    assert Order.objects.get(pk=order.pk).receivable == 0


def test_percent_tolerance_when_larger(world, qw):
    OrderSettings.objects.create(
        workspace=world.ws, tolerance_amount=Decimal("0"), tolerance_percent=Decimal("1")
    )
    order = make_order(world, qw)
    payments.receipt_record(actor=act(world.rep), order_id=order.pk, amount="384.76")
    # 1 % of 388.64 = 3.89: 3.88 short closes the deposit
    assert plan(order)[0].closed_at is not None and plan(order)[0].charges == Decimal("3.88")


def test_receipt_in_another_currency_uses_the_rate_at_settlement(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    with pytest.raises(Conflict) as exc:
        payments.receipt_record(actor=rep, order_id=order.pk, amount="350", currency="EUR")
    assert exc.value.code == "missing_rate" and "EUR" in str(exc.value.message)
    receipt = payments.receipt_record(
        actor=rep, order_id=order.pk, amount="350", currency="EUR", rate="1.1104"
    )
    assert receipt.amount_order_currency == Decimal("388.64")  # 388.64 exactly
    assert plan(order)[0].closed_at is not None
    add_rate(world.ws, "EUR", "1.2", to_currency="USD")
    looked_up = payments.receipt_record(actor=rep, order_id=order.pk, amount="100", currency="EUR")
    assert looked_up.rate == Decimal("1.2") and looked_up.amount_order_currency == Decimal("120.00")
    with pytest.raises(ServiceError) as exc:
        payments.receipt_record(actor=rep, order_id=order.pk, amount="-1")
    assert "amount" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        payments.receipt_record(actor=rep, order_id=order.pk, amount="1", currency="XYZ")
    assert exc.value.code == "order_unknown_currency"


def test_plan_triggers_and_due_dates(world, qw):
    rep = act(world.rep)
    order = make_order(world, qw)
    payments.plan_set(
        actor=rep,
        order_id=order.pk,
        deposit_percent="20",
        balance_trigger="days_after_bl",
        balance_days="30",
    )
    deposit, balance = plan(order)
    assert (deposit.amount, balance.amount) == (Decimal("259.09"), Decimal("1036.36"))
    assert balance.due_date is None
    panel, bracket = lines_of(order)
    shipments.shipment_create(
        actor=rep, order_id=order.pk, lines={panel.pk: 50}, bl_date="2026-03-10"
    )
    assert plan(order)[1].due_date is None  # not everything shipped yet
    shipments.shipment_create(
        actor=rep, order_id=order.pk, lines={panel.pk: 50, bracket.pk: 100}, bl_date="2026-03-20"
    )
    assert plan(order)[1].due_date == dt.date(2026, 4, 19)
    payments.plan_set(
        actor=rep,
        order_id=order.pk,
        deposit_percent="0",
        balance_trigger="fixed_date",
        balance_date="2026-06-30",
    )
    assert [(i.kind, i.due_date) for i in plan(order)] == [("balance", dt.date(2026, 6, 30))]
    with pytest.raises(ServiceError) as exc:
        payments.plan_set(actor=rep, order_id=order.pk, deposit_percent="120", balance_trigger="x")
    assert exc.value.code == "bad_plan"
    payments.receipt_record(actor=rep, order_id=order.pk, amount="10")
    with pytest.raises(Conflict) as exc:
        payments.plan_set(
            actor=rep, order_id=order.pk, deposit_percent="30", balance_trigger="on_order"
        )
    assert exc.value.code == "bad_plan"


def test_overdue_list_and_reminders_once_a_day(world, qw):
    with time_machine.travel(dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC), tick=False):
        order = make_order(world, qw)
    deposit = plan(order)[0]
    assert deposit.due_date == dt.date(2026, 3, 1)
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), tick=False):
        assert receivables.overdue_rows(world.rep) == []
        assert receivables.receivables_remind(workspace=world.ws) == 0
    with time_machine.travel(dt.datetime(2026, 3, 4, 8, tzinfo=dt.UTC), tick=False):
        rows = receivables.overdue_rows(world.rep)
        assert [(r.order.code, r.remaining, r.days) for r in rows] == [
            (order.code, Decimal("388.64"), 3)
        ]
        assert rows[0].base_remaining == Decimal("2759.34")  # 388.64 × 7.1 = 2759.344
        assert receivables.overdue_rows(world.other_rep) == []
        assert receivables.receivables_remind_all() == 1
        assert receivables.receivables_remind(workspace=world.ws) == 0  # same day: nothing new
        note = Notification.objects.get(kind="order.overdue")
        assert note.user_id == world.rep.user_id and note.url == f"/orders/{order.pk}/"
        assert note.params["amount"] == "USD 388.64"
    with time_machine.travel(dt.datetime(2026, 3, 5, 8, tzinfo=dt.UTC), tick=False):
        assert receivables.receivables_remind(workspace=world.ws) == 1  # a new day, a new one
        payments.receipt_record(actor=act(world.rep), order_id=order.pk, amount="388.64")
    with time_machine.travel(dt.datetime(2026, 3, 6, 8, tzinfo=dt.UTC), tick=False):
        assert receivables.receivables_remind(workspace=world.ws) == 0
        assert receivables.overdue_rows(world.rep) == []
    assert Notification.objects.filter(kind="order.overdue").count() == 2


def test_overdue_page_api_and_filter(world, qw, api, token_for):
    with time_machine.travel(dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC), tick=False):
        order = make_order(world, qw)
    with time_machine.travel(dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC), tick=False):
        page = login(Client(), world.rep).get("/orders/overdue/")
        assert page.status_code == 200 and order.code.encode() in page.content
        listing = login(Client(), world.rep).get("/orders/?overdue=1")
        assert order.code.encode() in listing.content
        data = api("get", "/orders/overdue", token=token_for(world.rep)).json()
        assert data[0]["remaining"] == "388.64" and data[0]["days_overdue"] == 9
        assert api("get", "/orders/overdue", token=token_for(world.owner2)).json() == []
        other = login(Client(), world.other_rep).get("/orders/overdue/")
        assert order.code.encode() not in other.content


def test_finance_role_records_receipts_read_only_does_not(world, qw):
    finance = add_member(
        world.ws, world.owner, "cash@a.test", Role.FINANCE, None, DataScope.WORKSPACE
    )
    order = make_order(world, qw)
    payments.receipt_record(actor=act(finance), order_id=order.pk, amount="100")
    with pytest.raises(PermissionDenied):
        payments.receipt_record(actor=act(world.readonly), order_id=order.pk, amount="100")
    assert Receipt.objects.count() == 1


def test_api_receipt_and_plan_authorization_matrix(world, qw, api, token_for):
    order = make_order(world, qw)
    path = f"/orders/{order.pk}/receipts"
    body = {"amount": "388.64", "received_on": "2026-01-02"}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    assert api("post", path, token=token_for(world.readonly), json=body).status_code == 403
    assert not Receipt.objects.exists()
    resp = api("post", path, token=token_for(world.rep), json=body)
    assert resp.status_code == 201, resp.content
    assert resp.json()["amount_order_currency"] == "388.64"
    listed = api("get", "/orders/receipts", token=token_for(world.rep)).json()["items"]
    assert [r["order_code"] for r in listed] == [order.code]
    assert api("get", "/orders/receipts", token=token_for(world.other_rep)).json()["items"] == []
    plan_path = f"/orders/{order.pk}/plan"
    plan_body = {"deposit_percent": "50", "balance_trigger": "on_order"}
    assert api("put", plan_path, json=plan_body).status_code == 401
    assert api("put", plan_path, token=token_for(world.owner2), json=plan_body).status_code == 404
    assert api("put", plan_path, token=token_for(world.readonly), json=plan_body).status_code == 403
    resp = api("put", plan_path, token=token_for(world.rep), json=plan_body)
    assert resp.status_code == 409 and resp.json()["code"] == "bad_plan"  # a receipt exists
    got = api("get", plan_path, token=token_for(world.rep)).json()
    assert [i["percent"] for i in got] == ["30", "70"] and got[0]["settled"] is True


def test_receipt_and_plan_pages(world, qw):
    order = make_order(world, qw)
    rep = login(Client(), world.rep)
    form = rep.get(f"/orders/{order.pk}/receipts/new/", HTTP_HX_REQUEST="true")
    assert b'data-testid="receipt-form"' in form.content
    bad = rep.post(f"/orders/{order.pk}/receipts/new/", {"amount": "99999"}, HTTP_HX_REQUEST="true")
    assert b'data-testid="form-errors"' in bad.content and not Receipt.objects.exists()
    ok = rep.post(
        f"/orders/{order.pk}/plan/",
        {"deposit_percent": "50", "balance_trigger": "on_order"},
        HTTP_HX_REQUEST="true",
    )
    assert ok["HX-Redirect"] == f"/orders/{order.pk}/"
    ok = rep.post(
        f"/orders/{order.pk}/receipts/new/",
        {"amount": "627.73", "currency": "USD", "received_on": "2026-01-02"},
    )
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.received_total == Decimal("627.73")
    denied = login(Client(), world.readonly).post(
        f"/orders/{order.pk}/receipts/new/", {"amount": "1"}
    )
    assert denied.status_code == 403 and Receipt.objects.count() == 1
    owner = login(Client(), world.owner)
    owner.post("/orders/overdue/", {"tolerance_amount": "20", "tolerance_percent": "0.2"})
    assert OrderSettings.objects.get(workspace=world.ws).tolerance_amount == Decimal("20")
    no = login(Client(), world.rep).post("/orders/overdue/", {"tolerance_amount": "0"})
    assert no.status_code == 403
