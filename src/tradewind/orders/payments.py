"""Payments (回款): an order's payment plan and the receipts that settle it.

The plan is a deposit (a share of the total, due on the order date) and a balance with a trigger:
on order, before shipment (due on the first shipment's ETD), against the B/L copy (due on the B/L
date once everything is shipped), N days after the B/L, or a fixed date. A due date is empty until
its trigger happens; shipments recompute them (`plan_refresh_due`).

A receipt has a date, an amount in its currency, the rate at settlement to the order's currency
(looked up in the workspace's rates when not given), and the bank charges deducted on the way.
Its value plus charges settle the open plan items in order (or the chosen item first). When the
last item it touched is left short by at most the workspace tolerance — the larger of
`OrderSettings.tolerance_amount` (order currency, default 50) and `tolerance_percent` of the item
(default 0.5 %) — the item closes and the shortfall is booked as bank charges. A receipt larger
than the receivable is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.core.money import all_currencies, quantize
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.rates import rate_on

from .errors import OrderError
from .models_orders import (
    BalanceTrigger,
    Order,
    OrderSettings,
    OrderStatus,
    PaymentPlanItem,
    PlanItemKind,
    Receipt,
    Shipment,
)
from .orders import check_version, customer_lifecycle_sync, lock_order, today_for

HUNDRED = Decimal(100)
DEFAULT_DEPOSIT = Decimal(30)
DEFAULT_TRIGGER = BalanceTrigger.BEFORE_SHIPMENT
RATE_PLACES = Decimal("1e-10")


def settings_for(workspace: Any) -> OrderSettings:
    row, _new = OrderSettings.objects.get_or_create(workspace=workspace)
    return row


def tolerance(item_amount: Decimal, currency: str, row: OrderSettings) -> Decimal:
    """What a receipt may fall short of an item and still close it (order currency)."""
    share = quantize(Decimal(item_amount) * row.tolerance_percent / HUNDRED, currency)
    return max(quantize(row.tolerance_amount, currency), share)


def may_record_receipts(member: Any) -> bool:
    """Sales (OPPORTUNITY_EDIT) and finance (RATES_MANAGE, the finance role's verb) record money."""
    return member is None or member.has(Perm.OPPORTUNITY_EDIT) or member.has(Perm.RATES_MANAGE)


def _require_money(actor: Actor) -> None:
    if not may_record_receipts(actor.member):
        raise PermissionDenied("permission_denied", _("You do not have permission to do this."))


# --- the plan ---------------------------------------------------------------------------------------


def _invalid(field: str, message: Any) -> ServiceError:
    return ServiceError(
        OrderError.BAD_PLAN, _("Please correct the marked fields."), fields={field: [message]}
    )


def plan_build(
    order: Order,
    *,
    deposit_percent: Decimal,
    trigger: str,
    days: int | None = None,
    fixed_date: dt.date | None = None,
) -> list[PaymentPlanItem]:
    """Unsaved plan items: the deposit (when above 0 %) and the balance (when above 0 %)."""
    deposit = quantize(order.total * deposit_percent / HUNDRED, order.currency)
    items = []
    if deposit_percent > 0:
        items.append(
            PaymentPlanItem(
                order=order,
                position=0,
                kind=PlanItemKind.DEPOSIT,
                percent=deposit_percent,
                amount=deposit,
                trigger=BalanceTrigger.ON_ORDER,
            )
        )
    if deposit_percent < HUNDRED:
        items.append(
            PaymentPlanItem(
                order=order,
                position=1,
                kind=PlanItemKind.BALANCE,
                percent=HUNDRED - deposit_percent,
                amount=order.total - deposit,
                trigger=trigger,
                days=days,
                fixed_date=fixed_date,
            )
        )
    return items


def plan_default(order: Order) -> list[PaymentPlanItem]:
    """30 % deposit on order, balance before shipment (T/T 30/70, the usual term)."""
    items = PaymentPlanItem.objects.bulk_create(
        plan_build(order, deposit_percent=DEFAULT_DEPOSIT, trigger=DEFAULT_TRIGGER)
    )
    plan_refresh_due(order)
    return items


def _due(item: PaymentPlanItem, order: Order, facts: dict[str, Any]) -> dt.date | None:
    if item.trigger == BalanceTrigger.ON_ORDER:
        return order.order_date
    if item.trigger == BalanceTrigger.BEFORE_SHIPMENT:
        return facts["first_etd"]
    if item.trigger == BalanceTrigger.FIXED_DATE:
        return item.fixed_date
    bl_date = (
        facts["last_bl"] if order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED) else None
    )
    if bl_date is None:
        return None
    if item.trigger == BalanceTrigger.DAYS_AFTER_BL:
        return bl_date + dt.timedelta(days=item.days or 0)
    return bl_date  # against the B/L copy


def plan_refresh_due(order: Order) -> None:
    """Recompute the due dates of the order's plan items from its shipments."""
    shipments = Shipment.objects.filter(order=order)
    facts = shipments.aggregate(first_etd=Min("etd"), last_bl=Max("bl_date"))
    for item in PaymentPlanItem.objects.filter(order=order):
        due = _due(item, order, facts)
        if due != item.due_date:
            item.due_date = due
            item.save(update_fields=["due_date"])


def _percent(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid("deposit_percent", _("Enter a share between 0 and 100 %.")) from None
    if not number.is_finite() or not (0 <= number <= 100):
        raise _invalid("deposit_percent", _("Enter a share between 0 and 100 %."))
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def plan_set(
    *,
    actor: Actor,
    order_id: Any,
    deposit_percent: Any,
    balance_trigger: str,
    balance_days: Any = None,
    balance_date: Any = None,
    expected_version: int | None = None,
) -> list[PaymentPlanItem]:
    """Replace the order's payment plan. Allowed until the first receipt is recorded."""
    _require_money(actor)
    order = lock_order(actor, order_id)
    check_version(order, expected_version)
    if order.status == OrderStatus.CANCELLED:
        raise Conflict(OrderError.CLOSED, _("This order is cancelled."))
    if order.receipts.exists():
        raise Conflict(
            OrderError.BAD_PLAN,
            _("Receipts were recorded on this order; its payment plan can no longer change."),
        )
    percent = _percent(deposit_percent)
    trigger = str(balance_trigger or "").strip()
    if trigger not in BalanceTrigger.values:
        raise _invalid("balance_trigger", _("Choose one of the listed values."))
    days = None
    fixed = None
    if trigger == BalanceTrigger.DAYS_AFTER_BL:
        try:
            days = int(str(balance_days).strip())
            if not 0 <= days <= 365:
                raise ValueError
        except (TypeError, ValueError):
            raise _invalid("balance_days", _("Enter a number of days from 0 to 365.")) from None
    if trigger == BalanceTrigger.FIXED_DATE:
        if isinstance(balance_date, dt.date):
            fixed = balance_date
        else:
            try:
                fixed = dt.date.fromisoformat(str(balance_date or "").strip())
            except ValueError:
                raise _invalid("balance_date", _("Enter a valid date (YYYY-MM-DD).")) from None
    before = [f"{i.kind} {i.percent}% {i.trigger}" for i in order.plan_items.all()]
    PaymentPlanItem.objects.filter(order=order).delete()
    items = PaymentPlanItem.objects.bulk_create(
        plan_build(order, deposit_percent=percent, trigger=trigger, days=days, fixed_date=fixed)
    )
    plan_refresh_due(order)
    order.version += 1
    order.updated_at = timezone.now()
    order.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        target=order,
        action="plan_set",
        changes={"plan": [before, [f"{i.kind} {i.percent}% {i.trigger}" for i in items]]},
    )
    emit("order.plan_set", workspace_id=order.workspace_id, order_id=order.pk)
    return items


# --- receipts ---------------------------------------------------------------------------------------


def _money(value: Any, field: str, *, positive: bool) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0 or (positive and number == 0):
        message = _("Enter an amount above zero.") if positive else _("Enter zero or more.")
        raise ServiceError(
            OrderError.BAD_FIELD, _("Please correct the marked fields."), fields={field: [message]}
        )
    if number >= Decimal("1e15"):
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={field: [_("The amount is too large.")]},
        )
    return number


def _rate(order: Order, currency: str, on: dt.date, given: Any) -> Decimal:
    if currency == order.currency:
        return Decimal(1)
    if given not in (None, ""):
        rate = _money(given, "rate", positive=True)
        return rate.quantize(RATE_PLACES)
    try:
        return rate_on(
            workspace=order.workspace, from_currency=currency, to_currency=order.currency, on=on
        )
    except NotFound:
        raise Conflict(
            OrderError.MISSING_RATE,
            _(
                "No exchange rate from %(from)s to %(to)s on or before %(date)s. Enter the rate "
                "at settlement."
            )
            % {"from": currency, "to": order.currency, "date": on.isoformat()},
            fields={"rate": [_("Enter the rate at settlement.")]},
        ) from None


@transaction.atomic
def receipt_record(
    *,
    actor: Actor,
    order_id: Any,
    amount: Any,
    currency: str = "",
    received_on: Any = None,
    rate: Any = None,
    bank_charges: Any = None,
    plan_item_id: Any = None,
    reference: str = "",
    note: str = "",
) -> Receipt:
    """Record money received on an order and settle its plan items (see the module text)."""
    _require_money(actor)
    order = lock_order(actor, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise Conflict(OrderError.CLOSED, _("This order is cancelled."))
    currency = str(currency or order.currency).strip().upper()
    if currency not in all_currencies():
        raise ServiceError(
            OrderError.UNKNOWN_CURRENCY,
            _("Please correct the marked fields."),
            fields={"currency": [_("Unknown currency code.")]},
        )
    if isinstance(received_on, dt.date):
        day = received_on
    elif received_on in (None, ""):
        day = today_for(order.workspace)
    else:
        try:
            day = dt.date.fromisoformat(str(received_on).strip())
        except ValueError:
            raise ServiceError(
                OrderError.BAD_FIELD,
                _("Please correct the marked fields."),
                fields={"received_on": [_("Enter a valid date (YYYY-MM-DD).")]},
            ) from None
    if day > today_for(order.workspace) + dt.timedelta(days=1):
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={"received_on": [_("A receipt cannot be dated in the future.")]},
        )
    amount_value = _money(amount, "amount", positive=True)
    charges_value = _money(bank_charges or 0, "bank_charges", positive=False)
    reference = str(reference or "").strip()[:120]
    note = str(note or "").strip()[:300]
    fx = _rate(order, currency, day, rate)
    value = quantize(amount_value * fx, order.currency)
    charges = quantize(charges_value * fx, order.currency)
    receivable = quantize(order.receivable, order.currency)
    if value + charges > receivable:
        raise Conflict(
            OrderError.OVERPAID,
            _("This receipt settles %(paid)s %(currency)s but only %(due)s is receivable.")
            % {"paid": value + charges, "currency": order.currency, "due": receivable},
            fields={"amount": [_("More than the receivable.")]},
        )
    items = list(PaymentPlanItem.objects.select_for_update().filter(order=order, closed_at=None))
    if plan_item_id not in (None, ""):
        chosen = [i for i in items if str(i.pk) == str(plan_item_id)]
        if not chosen:
            raise ServiceError(
                OrderError.BAD_FIELD,
                _("Please correct the marked fields."),
                fields={"plan_item_id": [_("Choose an open item of this order's plan.")]},
            )
        items = chosen + [i for i in items if i.pk != chosen[0].pk]
    pool = value + charges
    allocation: list[list[Any]] = []
    touched: PaymentPlanItem | None = None
    now = timezone.now()
    for item in items:
        if pool <= 0:
            break
        take = min(item.remaining, pool)
        if take <= 0:
            continue
        item.received += take
        pool -= take
        allocation.append([item.pk, str(quantize(take, order.currency))])
        touched = item
        if item.remaining <= 0:
            item.closed_at = now
    shortfall = Decimal(0)
    if touched is not None and touched.closed_at is None:
        left = touched.remaining
        if 0 < left <= tolerance(touched.amount, order.currency, settings_for(order.workspace)):
            touched.charges += left
            touched.closed_at = now
            shortfall = left
    for item in items:
        if any(a[0] == item.pk for a in allocation):
            item.save(update_fields=["received", "charges", "closed_at"])
    receipt = Receipt.objects.create(
        workspace=order.workspace,
        order=order,
        received_on=day,
        amount=amount_value,
        currency=currency,
        rate=fx,
        bank_charges=charges_value,
        amount_order_currency=value,
        charges_order_currency=charges,
        shortfall=shortfall,
        reference=reference,
        note=note,
        allocation=allocation,
        created_by_id=actor.user_id,
    )
    order.received_total += value
    order.charges_total += charges + shortfall
    order.version += 1
    order.updated_at = now
    order.save(update_fields=["received_total", "charges_total", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        target=order,
        action="receipt_recorded",
        changes={
            "receipt": [None, f"{amount_value} {currency} @ {fx} on {day.isoformat()}"],
            "settled": [None, f"{value + charges} {order.currency}"],
            **({"shortfall": [None, f"{shortfall} {order.currency}"]} if shortfall else {}),
            "receivable": [str(receivable), str(quantize(order.receivable, order.currency))],
        },
    )
    customer_lifecycle_sync(actor=actor, customer_id=order.customer_id)
    emit(
        "receipt.created",
        workspace_id=order.workspace_id,
        order_id=order.pk,
        receipt_id=receipt.pk,
    )
    return receipt


@transaction.atomic
def tolerance_set(*, actor: Actor, amount: Any, percent: Any) -> OrderSettings:
    """The workspace's receipt tolerance (owner only): an amount in the order's currency and a
    share of the plan item; the larger applies."""
    from tradewind.workspaces.access import require

    require(actor, Perm.WORKSPACE_MANAGE)
    value = _money(amount, "tolerance_amount", positive=False).quantize(Decimal("0.01"))
    share = _money(percent, "tolerance_percent", positive=False).quantize(Decimal("0.01"))
    if value >= Decimal("1e10"):
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={"tolerance_amount": [_("The amount is too large.")]},
        )
    if share > 10:
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={"tolerance_percent": [_("Enter a share between 0 and 10 %.")]},
        )
    row = OrderSettings.objects.select_for_update().get(pk=settings_for(actor.workspace).pk)
    changes = audit.diff(
        {
            "tolerance_amount": str(row.tolerance_amount),
            "tolerance_percent": str(row.tolerance_percent),
        },
        {"tolerance_amount": str(value), "tolerance_percent": str(share)},
    )
    row.tolerance_amount, row.tolerance_percent = value, share
    row.save()
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=row, changes=changes)
    return row
