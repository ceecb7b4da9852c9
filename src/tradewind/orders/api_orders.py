"""Orders API: /api/v1/orders (create from a won opportunity / accepted quote / PI, list, get,
transition, shipments, payment plan, receipts, overdue receivables, receipts list) and the customer
finance summary at /api/v1/customers/{customer_id}/finance.

Money travels as strings with the currency's minor digits. Payload fields all have defaults, so a
foreign id answers 404 from the service rather than 422 from the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.core.money import quantize
from tradewind.core.paging import keyset_page
from tradewind.customers import selectors as customer_selectors
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import finance, orders, payments, receivables, shipments
from .forms_orders import OrderFilter, order_list, orders_visible, receipts_visible
from .models_orders import Order, PaymentPlanItem, Receipt, Shipment

router = Router(tags=["orders"])
finance_router = Router(tags=["customers"])


def _m(amount: Decimal, currency: str) -> str:
    return f"{quantize(Decimal(amount), currency):f}"


class OrderIn(Schema):
    opportunity_id: int | None = Field(None, description="A won opportunity: its lines")
    quote_id: int | None = Field(
        None, description="An accepted quote: the accepted version's lines"
    )
    document_id: int | None = Field(None, description="A PI or SC: its quote version's lines")
    order_date: dt.date | None = None
    note: str = ""


class OrderTransitionIn(Schema):
    to: str = Field("", description="in_production, completed or cancelled")
    note: str = Field("", max_length=300)
    force: bool = Field(False, description="Complete although not fully paid (workspace owner)")
    version: int | None = None


class ShipmentLineIn(Schema):
    line_id: int | None = None
    quantity: Decimal | None = None


class ShipmentIn(Schema):
    lines: list[ShipmentLineIn] = Field(default_factory=list)
    forwarder: str = ""
    booking_no: str = ""
    container_type: str = Field("", description="20GP, 40GP, 40HQ, 45HQ, 20RF, 40RF, LCL, AIR…")
    container_no: str = ""
    bl_no: str = ""
    bl_date: dt.date | None = None
    vessel: str = ""
    voyage: str = ""
    etd: dt.date | None = None
    eta: dt.date | None = None
    cartons: int | None = None
    net_weight_kg: Decimal | None = None
    gross_weight_kg: Decimal | None = None
    cbm: Decimal | None = None
    note: str = ""
    version: int | None = None


class PlanIn(Schema):
    deposit_percent: Decimal = Decimal(30)
    balance_trigger: str = Field(
        "before_shipment",
        description="on_order, before_shipment, against_bl, days_after_bl, fixed_date",
    )
    balance_days: int | None = None
    balance_date: dt.date | None = None
    version: int | None = None


class ReceiptIn(Schema):
    amount: Decimal | None = None
    currency: str = Field("", description="Empty: the order's currency")
    received_on: dt.date | None = None
    rate: Decimal | None = Field(None, description="Receipt currency → order currency")
    bank_charges: Decimal | None = None
    plan_item_id: int | None = None
    reference: str = ""
    note: str = ""


class OrderLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    amount: str
    shipped_quantity: str
    remaining_quantity: str


class ShipmentOut(Schema):
    id: int
    number: int
    forwarder: str
    booking_no: str
    container_type: str
    container_no: str
    bl_no: str
    bl_date: dt.date | None
    vessel: str
    voyage: str
    etd: dt.date | None
    eta: dt.date | None
    cartons: int | None
    net_weight_kg: str | None
    gross_weight_kg: str | None
    cbm: str | None
    value: str
    lines: list[dict[str, Any]]
    created_at: dt.datetime


class PlanItemOut(Schema):
    id: int
    kind: str
    percent: str
    amount: str
    trigger: str
    days: int | None
    fixed_date: dt.date | None
    due_date: dt.date | None
    received: str
    charges: str
    remaining: str
    settled: bool


class ReceiptOut(Schema):
    id: int
    order_id: int
    order_code: str
    received_on: dt.date
    amount: str
    currency: str
    rate: str
    bank_charges: str
    amount_order_currency: str
    shortfall: str
    reference: str
    note: str


class OrderOut(Schema):
    id: int
    code: str
    title: str
    status: str
    customer_id: int
    opportunity_id: int | None
    quote_id: int | None
    sales_document_id: int | None
    order_date: dt.date
    currency: str
    total: str
    shipped: str
    received: str
    bank_charges: str
    receivable: str
    base_currency: str
    fx_rate: str
    fx_date: dt.date
    total_base: str
    version: int
    created_at: dt.datetime


class OrderDetailOut(OrderOut):
    incoterm: str
    named_place: str
    note: str
    status_note: str
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    plan: list[PlanItemOut]
    receipts: list[ReceiptOut]


class OverdueOut(Schema):
    order_id: int
    order_code: str
    customer_id: int
    customer: str
    plan_item_id: int
    kind: str
    due_date: dt.date | None
    days_overdue: int
    currency: str
    remaining: str
    base_currency: str
    remaining_base: str


class FigureOut(Schema):
    key: str
    label: str
    amount: str
    count: int
    url: str


class FinanceOut(Schema):
    customer_id: int
    currency: str
    figures: list[FigureOut]
    pipeline_unpriced: int


def order_out(o: Order) -> dict[str, Any]:
    c = o.currency
    return {
        "id": o.pk,
        "code": o.code,
        "title": o.title,
        "status": o.status,
        "customer_id": o.customer_id,
        "opportunity_id": o.opportunity_id,
        "quote_id": o.quote_id,
        "sales_document_id": o.sales_document_id,
        "order_date": o.order_date,
        "currency": c,
        "total": _m(o.total, c),
        "shipped": _m(o.shipped_total, c),
        "received": _m(o.received_total, c),
        "bank_charges": _m(o.charges_total, c),
        "receivable": _m(o.receivable, c),
        "base_currency": o.base_currency,
        "fx_rate": f"{o.fx_rate.normalize():f}",
        "fx_date": o.fx_date,
        "total_base": _m(o.base_total, o.base_currency),
        "version": o.version,
        "created_at": o.created_at,
    }


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def shipment_out(s: Shipment, currency: str) -> dict[str, Any]:
    return {
        "id": s.pk,
        "number": s.number,
        "forwarder": s.forwarder,
        "booking_no": s.booking_no,
        "container_type": s.container_type,
        "container_no": s.container_no,
        "bl_no": s.bl_no,
        "bl_date": s.bl_date,
        "vessel": s.vessel,
        "voyage": s.voyage,
        "etd": s.etd,
        "eta": s.eta,
        "cartons": s.cartons,
        "net_weight_kg": _opt(s.net_weight_kg),
        "gross_weight_kg": _opt(s.gross_weight_kg),
        "cbm": _opt(s.cbm),
        "value": _m(s.value, currency),
        "lines": [
            {"line_id": sl.order_line_id, "quantity": f"{sl.quantity.normalize():f}"}
            for sl in s.lines.all()
        ],
        "created_at": s.created_at,
    }


def plan_out(i: PaymentPlanItem, currency: str) -> dict[str, Any]:
    return {
        "id": i.pk,
        "kind": i.kind,
        "percent": f"{i.percent.normalize():f}",
        "amount": _m(i.amount, currency),
        "trigger": i.trigger,
        "days": i.days,
        "fixed_date": i.fixed_date,
        "due_date": i.due_date,
        "received": _m(i.received, currency),
        "charges": _m(i.charges, currency),
        "remaining": _m(i.remaining, currency),
        "settled": i.closed_at is not None,
    }


def receipt_out(r: Receipt) -> dict[str, Any]:
    oc = r.order.currency
    return {
        "id": r.pk,
        "order_id": r.order_id,
        "order_code": r.order.code,
        "received_on": r.received_on,
        "amount": _m(r.amount, r.currency),
        "currency": r.currency,
        "rate": f"{r.rate.normalize():f}",
        "bank_charges": _m(r.bank_charges, r.currency),
        "amount_order_currency": _m(r.amount_order_currency, oc),
        "shortfall": _m(r.shortfall, oc),
        "reference": r.reference,
        "note": r.note,
    }


def _get(request: HttpRequest, order_id: int) -> Order:
    from django.http import Http404

    order = orders_visible(request.member).filter(pk=order_id).first()  # type: ignore[attr-defined]
    if order is None:
        raise Http404
    return order


def detail_out(order: Order) -> dict[str, Any]:
    c = order.currency
    data = order_out(order)
    data.update(
        {
            "incoterm": order.incoterm,
            "named_place": order.named_place,
            "note": order.note,
            "status_note": order.status_note,
            "lines": [
                {
                    "id": line.pk,
                    "position": line.position,
                    "product_id": line.product_id,
                    "description": line.label,
                    "quantity": f"{line.quantity.normalize():f}",
                    "unit": line.unit,
                    "unit_price": f"{line.unit_price.normalize():f}",
                    "discount_percent": f"{line.discount_percent.normalize():f}",
                    "amount": _m(line.amount, c),
                    "shipped_quantity": f"{line.shipped_quantity.normalize():f}",
                    "remaining_quantity": f"{line.remaining.normalize():f}",
                }
                for line in order.lines.select_related("product")
            ],
            "shipments": [shipment_out(s, c) for s in order.shipments.prefetch_related("lines")],
            "plan": [plan_out(i, c) for i in order.plan_items.all()],
            "receipts": [receipt_out(r) for r in order.receipts.select_related("order")],
        }
    )
    return data


@router.get("", response={200: PageOut[OrderOut], **READ_ERRORS})
def order_list_api(
    request: HttpRequest,
    status: str = "",
    customer: int | None = None,
    owner: str = "",
    team: str = Query("", description="a team id: customers owned in it and its sub-teams"),  # type: ignore[type-arg]
    overdue: str = Query(  # type: ignore[type-arg]
        "", description="1 (any overdue payment) or days overdue: 1-30, 31-60, 61-90, 90+"
    ),
    shipped: bool = False,
    receivable: bool = False,
    currency: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    filters = OrderFilter.from_params(
        {
            "status": status,
            "customer": str(customer or ""),
            "owner": owner,
            "team": team,
            "overdue": overdue,
            "shipped": "1" if shipped else "",
            "receivable": "1" if receivable else "",
            "currency": currency,
            "q": q,
        }
    )
    page = order_list(request.member, filters, cursor=cursor, limit=limit)  # type: ignore[attr-defined]
    return {
        "items": [order_out(o) for o in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@router.post("", response={201: OrderDetailOut, **ERRORS})
def order_create_api(request: HttpRequest, payload: OrderIn) -> Status:
    order = orders.order_create(
        actor=request.actor,  # type: ignore[attr-defined]
        opportunity_id=payload.opportunity_id,
        quote_id=payload.quote_id,
        document_id=payload.document_id,
        order_date=payload.order_date,
        note=payload.note,
    )
    return Status(201, detail_out(_get(request, order.pk)))


@router.get("/overdue", response={200: list[OverdueOut], **READ_ERRORS})
def overdue_list_api(
    request: HttpRequest,
    customer: int | None = None,
    owner: str = Query("", description="the customer's owner: a user id, 'me' or 'none'"),  # type: ignore[type-arg]
    team: str = Query("", description="a team id: customers owned in it and its sub-teams"),  # type: ignore[type-arg]
    overdue: str = Query("", description="days overdue: 1-30, 31-60, 61-90, 90+"),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """The overdue receivables page's rows, with the order list's filter."""
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    filters = OrderFilter.from_params(
        {"customer": str(customer or ""), "owner": owner, "team": team, "overdue": overdue}
    )
    rows = receivables.overdue_rows(request.member, filters=filters)  # type: ignore[attr-defined]
    return [
        {
            "order_id": r.order.pk,
            "order_code": r.order.code,
            "customer_id": r.order.customer_id,
            "customer": r.order.customer.name,
            "plan_item_id": r.item.pk,
            "kind": r.item.kind,
            "due_date": r.item.due_date,
            "days_overdue": r.days,
            "currency": r.order.currency,
            "remaining": _m(r.remaining, r.order.currency),
            "base_currency": r.order.base_currency,
            "remaining_base": _m(r.base_remaining, r.order.base_currency),
        }
        for r in rows
    ]


@router.get("/receipts", response={200: PageOut[ReceiptOut], **READ_ERRORS})
def receipt_list_api(
    request: HttpRequest,
    customer: int | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    qs = receipts_visible(request.member, customer=str(customer or ""))  # type: ignore[attr-defined]
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {
        "items": [receipt_out(r) for r in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@router.get("/{order_id}", response={200: OrderDetailOut, **READ_ERRORS})
def order_get_api(request: HttpRequest, order_id: int) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    return detail_out(_get(request, order_id))


@router.post("/{order_id}/transition", response={200: OrderOut, **ERRORS})
def order_transition_api(request: HttpRequest, order_id: int, payload: OrderTransitionIn) -> dict:
    order = orders.order_transition(
        actor=request.actor,  # type: ignore[attr-defined]
        order_id=order_id,
        to=payload.to,
        note=payload.note,
        force=payload.force,
        expected_version=payload.version,
    )
    return order_out(order)


@router.get("/{order_id}/shipments", response={200: list[ShipmentOut], **READ_ERRORS})
def shipment_list_api(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    order = _get(request, order_id)
    return [shipment_out(s, order.currency) for s in order.shipments.prefetch_related("lines")]


@router.post("/{order_id}/shipments", response={201: ShipmentOut, **ERRORS})
def shipment_create_api(request: HttpRequest, order_id: int, payload: ShipmentIn) -> Status:
    data = payload.model_dump()
    lines = [
        {"line_id": line["line_id"], "quantity": line["quantity"]} for line in data.pop("lines")
    ]
    version = data.pop("version")
    shipment = shipments.shipment_create(
        actor=request.actor,  # type: ignore[attr-defined]
        order_id=order_id,
        lines=lines,
        expected_version=version,
        **data,
    )
    return Status(201, shipment_out(shipment, shipment.order.currency))


@router.get("/{order_id}/plan", response={200: list[PlanItemOut], **READ_ERRORS})
def plan_get_api(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    order = _get(request, order_id)
    return [plan_out(i, order.currency) for i in order.plan_items.all()]


@router.put("/{order_id}/plan", response={200: list[PlanItemOut], **ERRORS})
def plan_set_api(request: HttpRequest, order_id: int, payload: PlanIn) -> list[dict[str, Any]]:
    payments.plan_set(
        actor=request.actor,  # type: ignore[attr-defined]
        order_id=order_id,
        deposit_percent=payload.deposit_percent,
        balance_trigger=payload.balance_trigger,
        balance_days=payload.balance_days,
        balance_date=payload.balance_date,
        expected_version=payload.version,
    )
    order = _get(request, order_id)
    return [plan_out(i, order.currency) for i in PaymentPlanItem.objects.filter(order=order)]


@router.get("/{order_id}/receipts", response={200: list[ReceiptOut], **READ_ERRORS})
def order_receipts_api(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    order = _get(request, order_id)
    return [receipt_out(r) for r in order.receipts.select_related("order")]


@router.post("/{order_id}/receipts", response={201: ReceiptOut, **ERRORS})
def receipt_create_api(request: HttpRequest, order_id: int, payload: ReceiptIn) -> Status:
    receipt = payments.receipt_record(
        actor=request.actor,  # type: ignore[attr-defined]
        order_id=order_id,
        amount=payload.amount if payload.amount is not None else "",
        currency=payload.currency,
        received_on=payload.received_on,
        rate=payload.rate,
        bank_charges=payload.bank_charges,
        plan_item_id=payload.plan_item_id,
        reference=payload.reference,
        note=payload.note,
    )
    return Status(201, receipt_out(receipt))


@finance_router.get(
    "/{customer_id}/finance",
    response={200: FinanceOut, **READ_ERRORS},
    summary="The customer's finance summary in the base currency",
)
def customer_finance_api(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    require(request.actor, Perm.CUSTOMER_VIEW)  # type: ignore[attr-defined]
    member = request.member  # type: ignore[attr-defined]
    customer = customer_selectors.customer_get(member=member, pk=customer_id)
    summary = finance.customer_finance(member, customer)
    return {
        "customer_id": customer.pk,
        "currency": summary.currency,
        "figures": [
            {
                "key": f.key,
                "label": str(f.label),
                "amount": _m(f.amount, summary.currency),
                "count": f.count,
                "url": f.url,
            }
            for f in summary.figures
        ],
        "pipeline_unpriced": summary.pipeline_unpriced,
    }
