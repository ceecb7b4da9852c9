"""Shipments (发货): partial quantities per order line with the shipping particulars (forwarder,
booking, container, B/L, vessel/voyage, ETD/ETA, cartons, weights, CBM).

An order cannot ship more than it holds: the service locks the order row (so two shipments of one
order queue) and its lines, and refuses a quantity above what a line still holds, naming the line
and what remains; the database's check constraint (shipped ≤ ordered) is the last guard. After a
shipment the order's shipped value is recomputed (orders/totals.py rule on the shipped quantities),
its status follows (partly shipped / shipped, through orders.order_transition) and the payment
plan's due dates that hang on shipment or B/L are recomputed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ServiceError
from tradewind.core.money import quantize
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .errors import OrderError
from .models_orders import (
    ContainerType,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
)
from .orders import OPEN_STATUSES, check_version, lock_order, order_transition
from .totals import line_amount

TEXT_FIELDS = {
    "forwarder": 200,
    "booking_no": 60,
    "container_no": 60,
    "bl_no": 60,
    "vessel": 120,
    "voyage": 60,
}
DATE_FIELDS = ("bl_date", "etd", "eta")
NUMBER_FIELDS = {"net_weight_kg": 12, "gross_weight_kg": 12, "cbm": 10}
FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, *NUMBER_FIELDS, "container_type", "cartons", "note")


def shipped_value(lines: list[OrderLine], currency: str) -> Decimal:
    """The value of what has left: each line's shipped quantity priced by the one line rule
    (orders/totals.py), so a fully shipped order's value equals its total exactly."""
    total = sum(
        (
            line_amount(line.shipped_quantity, line.unit_price, line.discount_percent, currency)
            for line in lines
        ),
        Decimal(0),
    )
    return quantize(total, currency)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _clean_fields(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    values: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    unknown = set(data) - set(FIELDS)
    for name in sorted(unknown):
        errors.setdefault(name, []).append(_("Unknown field."))
    for name, limit in TEXT_FIELDS.items():
        text = str(data.get(name) or "").strip()
        if len(text) > limit:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
        values[name] = text
    values["note"] = str(data.get("note") or "").strip()
    container = str(data.get("container_type") or "").strip().upper()
    if container and container not in ContainerType.values:
        errors.setdefault("container_type", []).append(_("Choose one of the listed values."))
    values["container_type"] = container
    for name in DATE_FIELDS:
        raw = data.get(name)
        if raw in (None, ""):
            values[name] = None
        elif isinstance(raw, dt.date):
            values[name] = raw
        else:
            try:
                values[name] = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                errors.setdefault(name, []).append(_("Enter a valid date (YYYY-MM-DD)."))
    if values.get("etd") and values.get("eta") and values["eta"] < values["etd"]:
        errors.setdefault("eta", []).append(_("The ETA cannot be before the ETD."))
    for name, digits in NUMBER_FIELDS.items():
        raw = data.get(name)
        number = _decimal(raw)
        if raw not in (None, "") and (number is None or number < 0 or number >= 10 ** (digits - 3)):
            errors.setdefault(name, []).append(_("Enter a number of zero or more."))
            number = None
        values[name] = number.quantize(Decimal("0.001")) if number is not None else None
    cartons = data.get("cartons")
    if cartons in (None, ""):
        values["cartons"] = None
    else:
        try:
            values["cartons"] = int(str(cartons).strip())
            if not 0 <= values["cartons"] <= 10_000_000:
                raise ValueError
        except ValueError:
            errors.setdefault("cartons", []).append(_("Enter a whole number of zero or more."))
    return values, errors


def _clean_quantities(raw: Any) -> tuple[dict[int, Decimal], dict[str, list[Any]]]:
    """{order line id: quantity} from a dict or a list of {line_id, quantity}; zero lines dropped."""
    errors: dict[str, list[Any]] = {}
    pairs: list[tuple[Any, Any]] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list | tuple):
        for item in raw:
            if isinstance(item, dict):
                pairs.append((item.get("line_id"), item.get("quantity")))
    quantities: dict[int, Decimal] = {}
    for line_id, value in pairs:
        try:
            key = int(str(line_id))
        except (TypeError, ValueError):
            errors.setdefault("lines", []).append(_("Choose lines of this order."))
            continue
        number = _decimal(value)
        if value in (None, ""):
            continue
        if number is None or number < 0:
            errors.setdefault(f"lines.{key}", []).append(_("Enter a quantity of zero or more."))
            continue
        number = number.quantize(Decimal("0.001"))
        if number > 0:
            quantities[key] = quantities.get(key, Decimal(0)) + number
    return quantities, errors


@transaction.atomic
def shipment_create(
    *, actor: Actor, order_id: Any, lines: Any, expected_version: int | None = None, **fields: Any
) -> Shipment:
    """Record a shipment of `lines` ({order line id: quantity} or [{line_id, quantity}]) with its
    particulars. Refuses shipping more than a line still holds (`over_shipped`, naming the line
    and the remaining quantity), an empty shipment, and closed (completed / cancelled) orders."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    order = lock_order(actor, order_id)
    check_version(order, expected_version)
    if order.status not in OPEN_STATUSES:
        raise Conflict(
            OrderError.CLOSED,
            _("This order is %(status)s and takes no more shipments.")
            % {"status": OrderStatus(order.status).label},
        )
    values, errors = _clean_fields(fields)
    quantities, line_errors = _clean_quantities(lines)
    errors.update(line_errors)
    if errors:
        raise ServiceError(
            OrderError.BAD_FIELD, _("Please correct the marked fields."), fields=errors
        )
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.select_for_update().filter(order=order).order_by("position")
    }
    if not quantities:
        raise ServiceError(
            OrderError.EMPTY_SHIPMENT,
            _("Enter the quantity shipped for at least one line."),
            fields={"lines": [_("Enter the quantity shipped for at least one line.")]},
        )
    over: dict[str, list[Any]] = {}
    for line_id, quantity in quantities.items():
        line = order_lines.get(line_id)
        if line is None:
            over.setdefault("lines", []).append(_("Choose lines of this order."))
            continue
        if quantity > line.remaining:
            over[f"lines.{line_id}"] = [
                _(
                    "Line %(no)s (%(label)s) holds %(remaining)s %(unit)s more; %(asked)s "
                    "cannot be shipped."
                )
                % {
                    "no": line.position + 1,
                    "label": line.label,
                    "remaining": f"{line.remaining.normalize():f}",
                    "unit": line.unit,
                    "asked": f"{quantity.normalize():f}",
                }
            ]
    if over:
        first = next(iter(over.values()))[0]
        raise Conflict(OrderError.OVER_SHIPPED, first, fields=over)
    number = (order.shipments.aggregate(n=Max("number"))["n"] or 0) + 1
    value = sum(
        (
            line_amount(
                q, order_lines[i].unit_price, order_lines[i].discount_percent, order.currency
            )
            for i, q in quantities.items()
        ),
        Decimal(0),
    )
    shipment = Shipment.objects.create(
        workspace=order.workspace,
        order=order,
        number=number,
        value=quantize(value, order.currency),
        created_by_id=actor.user_id,
        **values,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=i, quantity=q) for i, q in quantities.items()
    )
    for line_id, quantity in quantities.items():
        OrderLine.objects.filter(pk=line_id).update(
            shipped_quantity=F("shipped_quantity") + quantity
        )
    fresh = list(OrderLine.objects.filter(order=order))
    order.shipped_total = shipped_value(fresh, order.currency)
    Order.objects.filter(pk=order.pk).update(shipped_total=order.shipped_total)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        target=order,
        action="shipment_recorded",
        changes={
            "shipment": [None, str(shipment)],
            "lines": [
                None,
                [
                    f"{order_lines[i].label} × {q.normalize():f} {order_lines[i].unit}".strip()
                    for i, q in quantities.items()
                ],
            ],
            **({"bl_no": [None, shipment.bl_no]} if shipment.bl_no else {}),
        },
    )
    all_shipped = all(line.shipped_quantity >= line.quantity for line in fresh)
    target = OrderStatus.SHIPPED if all_shipped else OrderStatus.PARTLY_SHIPPED
    if order.status != target:
        order_transition(actor=actor, order_id=order.pk, to=target, by_shipments=True)
    from .payments import plan_refresh_due

    plan_refresh_due(Order.objects.get(pk=order.pk))
    emit(
        "shipment.created",
        workspace_id=order.workspace_id,
        order_id=order.pk,
        shipment_id=shipment.pk,
    )
    return shipment
