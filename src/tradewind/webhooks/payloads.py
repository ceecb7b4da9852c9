"""The `data` of each public event, read from the database after the change committed: the
record's ids, codes, names, status or stage, amounts as {"amount": "1234.50", "currency": "USD"}
and its owner as {"id", "name", "email"}. Labels are English whatever language the request had,
so a receiver sees the same words every time; codes (status, stage key) are the stable part.

`on_events` is the subscriber of the internal events listed in catalogue.INTERNAL_EVENTS: it asks
the database only when an active endpoint of the workspace subscribes to the public type.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.utils import translation

from tradewind.core.money import quantize
from tradewind.workspaces.events import each

from .catalogue import public_types
from .models import WebhookEndpoint

log = logging.getLogger(__name__)


def money(value: Decimal | None, currency: str) -> dict[str, str] | None:
    """An amount in its currency's minor units (USD 2 digits, JPY none), as a string."""
    if value is None:
        return None
    return {"amount": f"{quantize(value, currency):f}", "currency": currency}


def user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "email": user.email}


def _user(user_id: Any) -> dict[str, Any] | None:
    from tradewind.workspaces.models import User

    if not user_id:
        return None
    return user_ref(User.objects.filter(pk=user_id).first())


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def customer_ref(customer: Any) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {"id": customer.pk, "code": customer.code, "name": customer.name}


def opportunity_ref(opportunity: Any) -> dict[str, Any] | None:
    if opportunity is None:
        return None
    return {"id": opportunity.pk, "code": opportunity.code, "name": opportunity.name}


# --- records ---------------------------------------------------------------------------------


def lead_data(ws_id: int, lead_id: Any) -> dict[str, Any] | None:
    from tradewind.leads.models import Lead

    lead = Lead.objects.select_related("owner").filter(workspace_id=ws_id, pk=lead_id).first()
    if lead is None:
        return None
    return {
        "id": lead.pk,
        "code": lead.code,
        "company_name": lead.company_name,
        "contact_name": lead.contact_name,
        "email": lead.email,
        "phone": lead.phone_e164 or lead.phone,
        "country": lead.country.code if lead.country else "",
        "source": lead.source,
        "status": lead.status,
        "grade": lead.grade,
        "score": lead.score,
        "owner": user_ref(lead.owner),
        "created_at": _when(lead.created_at),
        "updated_at": _when(lead.updated_at),
    }


def customer_data(ws_id: int, customer_id: Any) -> dict[str, Any] | None:
    from tradewind.customers.models import Customer

    customer = (
        Customer.objects.select_related("owner").filter(workspace_id=ws_id, pk=customer_id).first()
    )
    if customer is None:
        return None
    return {
        "id": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "country": customer.country.code if customer.country else "",
        "city": customer.city,
        "type": customer.type,
        "stage": customer.stage,
        "email": customer.email,
        "phone": customer.phone_e164 or customer.phone,
        "website": customer.website,
        "source": customer.source,
        "owner": user_ref(customer.owner),
        "created_at": _when(customer.created_at),
    }


def _stage(stage: Any) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {"id": stage.pk, "key": stage.key, "name": stage.label, "probability": stage.probability}


def opportunity_data(ws_id: int, opportunity_id: Any) -> dict[str, Any] | None:
    from tradewind.sales.models import Opportunity

    opp = (
        Opportunity.objects.select_related(
            "owner", "customer", "pipeline", "stage", "close_reason", "workspace"
        )
        .filter(workspace_id=ws_id, pk=opportunity_id)
        .first()
    )
    if opp is None:
        return None
    return {
        "id": opp.pk,
        "code": opp.code,
        "name": opp.name,
        "status": opp.status,
        "pipeline": {"id": opp.pipeline_id, "name": opp.pipeline.name},
        "stage": _stage(opp.stage),
        "amount": money(opp.amount, opp.currency),
        "base_amount": money(opp.base_amount, opp.workspace.base_currency)
        if opp.base_amount is not None
        else None,
        "expected_close_date": _when(opp.expected_close_date),
        "customer": customer_ref(opp.customer),
        "owner": user_ref(opp.owner),
        "created_at": _when(opp.created_at),
        "closed_at": _when(opp.closed_at),
        "close_reason": opp.close_reason.label if opp.close_reason else None,
    }


def quote_data(ws_id: int, quote_id: Any) -> dict[str, Any] | None:
    from tradewind.orders.models import Quote

    quote = (
        Quote.objects.select_related("customer", "opportunity", "created_by")
        .filter(workspace_id=ws_id, pk=quote_id)
        .first()
    )
    if quote is None:
        return None
    return {
        "id": quote.pk,
        "code": quote.code,
        "title": quote.title,
        "status": quote.status,
        "version": quote.latest_version,
        "total": money(quote.total, quote.currency),
        "valid_until": _when(quote.valid_until),
        "sent_at": _when(quote.sent_at),
        "customer": customer_ref(quote.customer),
        "opportunity": opportunity_ref(quote.opportunity),
        "owner": user_ref(quote.created_by),
    }


def order_data(ws_id: int, order_id: Any) -> dict[str, Any] | None:
    from tradewind.orders.models_orders import Order

    order = (
        Order.objects.select_related("customer__owner", "opportunity", "quote", "created_by")
        .filter(workspace_id=ws_id, pk=order_id)
        .first()
    )
    if order is None:
        return None
    return {
        "id": order.pk,
        "code": order.code,
        "title": order.title,
        "status": order.status,
        "order_date": _when(order.order_date),
        "total": money(order.total, order.currency),
        "base_total": money(order.base_total, order.base_currency),
        "received_total": money(order.received_total, order.currency),
        "incoterm": order.incoterm,
        "customer": customer_ref(order.customer),
        "opportunity": opportunity_ref(order.opportunity),
        "quote": {"id": order.quote_id, "code": order.quote.code} if order.quote else None,
        "owner": user_ref(order.customer.owner),
        "created_by": user_ref(order.created_by),
    }


def receipt_data(ws_id: int, receipt_id: Any) -> dict[str, Any] | None:
    from tradewind.orders.models_orders import Receipt

    receipt = (
        Receipt.objects.select_related("order__customer__owner")
        .filter(workspace_id=ws_id, pk=receipt_id)
        .first()
    )
    if receipt is None:
        return None
    order = receipt.order
    return {
        "id": receipt.pk,
        "received_on": _when(receipt.received_on),
        "amount": money(receipt.amount, receipt.currency),
        "amount_order_currency": money(receipt.amount_order_currency, order.currency),
        "bank_charges": money(receipt.bank_charges, receipt.currency),
        "reference": receipt.reference,
        "order": {
            "id": order.pk,
            "code": order.code,
            "status": order.status,
            "total": money(order.total, order.currency),
            "received_total": money(order.received_total, order.currency),
        },
        "customer": customer_ref(order.customer),
        "owner": user_ref(order.customer.owner),
    }


# --- events ----------------------------------------------------------------------------------


def build(event_type: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The data of a public event from the internal event's payload (None: record gone)."""
    ws = payload["workspace_id"]
    with translation.override("en"):
        family = event_type.split(".", 1)[0]
        if family == "lead":
            data = lead_data(ws, payload.get("lead_id"))
            if data is None:
                return None
            if event_type == "lead.claimed":
                data["claimed_by"] = _user(payload.get("user_id"))
            elif event_type == "lead.assigned":
                data["previous_owner"] = _user(payload.get("previous_owner_id"))
            elif event_type == "lead.status_changed":
                data["from_status"] = payload.get("from_status")
                data["to_status"] = payload.get("to_status")
                data["invalid_reason"] = payload.get("invalid_reason") or ""
            elif event_type == "lead.converted":
                data["customer"] = customer_data(ws, payload.get("customer_id"))
                data["customer_created"] = bool(payload.get("customer_created"))
                data["contact_id"] = payload.get("contact_id")
                opp_id = payload.get("opportunity_id")
                data["opportunity"] = opportunity_data(ws, opp_id) if opp_id else None
            return data
        if family == "customer":
            data = customer_data(ws, payload.get("customer_id"))
            if data is not None and event_type == "customer.claimed":
                data["claimed_by"] = _user(payload.get("user_id"))
            return data
        if family == "opportunity":
            data = opportunity_data(ws, payload.get("opportunity_id"))
            if data is not None and event_type == "opportunity.stage_changed":
                from tradewind.sales.models import Stage

                previous = Stage.objects.filter(pk=payload.get("from_stage_id") or 0).first()
                data["from_stage"] = _stage(previous)
            return data
        if family == "quote":
            return quote_data(ws, payload.get("quote_id"))
        if family == "order":
            return order_data(ws, payload.get("order_id"))
        if family == "payment":
            return receipt_data(ws, payload.get("receipt_id"))
    return None


def _subscribed_types(workspace_id: int) -> set[str]:
    types: set[str] = set()
    for listed in WebhookEndpoint.objects.filter(
        workspace_id=workspace_id, is_active=True
    ).values_list("event_types", flat=True):
        types.update(listed or [])
    return types


def on_events(name: str, payloads: list[dict[str, Any]]) -> None:
    """Internal events of one name -> public webhook events (runs after commit). The workspace's
    endpoints are read once per list."""
    from .services import webhook_publish

    wanted: dict[int, set[str]] = {}

    def publish(name: str, payload: dict[str, Any]) -> None:
        workspace_id = payload.get("workspace_id")
        if not workspace_id:
            return
        if workspace_id not in wanted:
            wanted[workspace_id] = _subscribed_types(workspace_id)
        for event_type in public_types(name, payload):
            if event_type not in wanted[workspace_id]:
                continue
            data = build(event_type, payload)
            if data is None:
                continue
            webhook_publish(workspace_id=workspace_id, event_type=event_type, data=data)

    each(name, payloads, publish)
