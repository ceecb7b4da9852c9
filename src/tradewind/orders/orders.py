"""Writes of orders (订单): creation from a won opportunity or an accepted quote / PI / SC, and the
ONE status transition service.

Statuses: confirmed → in_production → partly_shipped → shipped → completed, or cancelled. People
move an order to in production, completed or cancelled; partly shipped and shipped follow the
shipped quantities and are set by shipments.py through the same `order_transition`
(`by_shipments=True`). Completing needs everything shipped and the receivable settled; a member
holding WORKSPACE_MANAGE may complete anyway with `force=True` and a reason (audited).

Creation locks the exchange rate to the workspace's base currency (workspaces.rates.rate_on on the
order date); without a rate it refuses naming the missing pair. The customer's life cycle is
recomputed after creation, cancellation and receipts (`customer_lifecycle_sync`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import quantize
from tradewind.customers.lifecycle import customer_stage_recompute
from tradewind.customers.models import Customer
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models import Opportunity
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.rates import rate_on
from tradewind.workspaces.selectors import ACTION_LABELS

from .choices import QuoteStatus
from .errors import OrderError
from .models import Quote, QuoteVersion, SalesDocument
from .models_orders import Order, OrderLine, OrderStatus, Receipt
from .totals import line_amount, quote_totals

NOTE_MAX = 300

# The one table of moves. "by shipments" moves (partly shipped, shipped) are only made by
# shipments.py; the others by people.
ORDER_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.CONFIRMED: frozenset(
        {
            OrderStatus.IN_PRODUCTION,
            OrderStatus.PARTLY_SHIPPED,
            OrderStatus.SHIPPED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.IN_PRODUCTION: frozenset(
        {OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PARTLY_SHIPPED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
SHIPMENT_STATUSES = frozenset({OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED})
MANUAL_STATUSES = frozenset(
    {OrderStatus.IN_PRODUCTION, OrderStatus.COMPLETED, OrderStatus.CANCELLED}
)
OPEN_STATUSES = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.PARTLY_SHIPPED,
        OrderStatus.SHIPPED,
    }
)

ACTION_LABELS.setdefault("order_in_production", gettext_lazy("put the order in production"))
ACTION_LABELS.setdefault("order_partly_shipped", gettext_lazy("order partly shipped"))
ACTION_LABELS.setdefault("order_shipped", gettext_lazy("order shipped"))
ACTION_LABELS.setdefault("order_completed", gettext_lazy("completed the order"))
ACTION_LABELS.setdefault("order_cancelled", gettext_lazy("cancelled the order"))
ACTION_LABELS.setdefault("shipment_recorded", gettext_lazy("recorded a shipment"))
ACTION_LABELS.setdefault("receipt_recorded", gettext_lazy("recorded a receipt"))
ACTION_LABELS.setdefault("plan_set", gettext_lazy("set the payment plan"))


# --- helpers ---------------------------------------------------------------------------------------


def not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def pk_of(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise not_found() from None


def today_for(workspace: Any) -> dt.date:
    return local_date(timezone.now(), workspace)


def visible_orders(actor: Actor) -> Any:
    qs = Order.objects.filter(workspace=actor.workspace)
    if actor.member is not None:
        qs = qs.filter(pk__in=Order.objects.visible_to(actor.member).values("pk"))
    return qs


def lock_order(actor: Actor, order_id: Any) -> Order:
    """The order locked for update, read through the actor's visibility (404 outside it)."""
    order = (
        visible_orders(actor)
        .filter(pk=pk_of(order_id))
        .select_for_update(of=("self",))
        .select_related("workspace")
        .first()
    )
    if order is None:
        raise not_found()
    return order


def check_version(order: Order, expected: int | None) -> None:
    if expected is not None and order.version != expected:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this order since you opened it. Reload to see it."),
        )


def locked_rate(workspace: Any, currency: str, on: dt.date) -> Decimal:
    """The rate from `currency` to the workspace's base currency on `on`, or a refusal naming
    the missing pair."""
    try:
        return rate_on(
            workspace=workspace, from_currency=currency, to_currency=workspace.base_currency, on=on
        )
    except NotFound:
        raise Conflict(
            OrderError.MISSING_RATE,
            _(
                "No exchange rate from %(from)s to %(to)s on or before %(date)s. Add it under "
                "Settings → Exchange rates, then create the order again."
            )
            % {"from": currency, "to": workspace.base_currency, "date": on.isoformat()},
        ) from None


def to_base(amount: Decimal, order: Order) -> Decimal:
    """An amount of the order's currency in the base currency at the order's locked rate."""
    return quantize(Decimal(amount) * order.fx_rate, order.base_currency)


def signed_count(customer_id: int) -> int:
    """What makes a customer signed / repeat: its orders that are not cancelled, plus cancelled
    orders on which money was received (a payment counts even if the order was later cancelled)."""
    paid = Receipt.objects.filter(order_id=OuterRef("pk"))
    return (
        Order.objects.filter(customer_id=customer_id)
        .filter(~Q(status=OrderStatus.CANCELLED) | Q(Exists(paid)))
        .count()
    )


def customer_lifecycle_sync(*, actor: Actor, customer_id: int) -> None:
    customer = Customer.objects.get(pk=customer_id)
    customer_stage_recompute(
        customer=customer, signed_orders=signed_count(customer_id), actor=actor
    )


# --- creation ---------------------------------------------------------------------------------------


def _visible_opportunity(actor: Actor, opportunity_id: Any) -> Opportunity:
    qs = Opportunity.objects.filter(workspace=actor.workspace, pk=pk_of(opportunity_id))
    if actor.member is not None:
        qs = qs.filter(pk__in=Opportunity.objects.visible_to(actor.member).values("pk"))
    opportunity = qs.select_related("customer").first()
    if opportunity is None:
        raise not_found()
    return opportunity


def _visible_quote(actor: Actor, quote_id: Any) -> Quote:
    qs = Quote.objects.filter(workspace=actor.workspace, pk=pk_of(quote_id))
    if actor.member is not None:
        qs = qs.filter(pk__in=Quote.objects.visible_to(actor.member).values("pk"))
    quote = qs.select_for_update(of=("self",)).first()
    if quote is None:
        raise not_found()
    return quote


def _visible_document(actor: Actor, document_id: Any) -> SalesDocument:
    qs = SalesDocument.objects.filter(workspace=actor.workspace, pk=pk_of(document_id))
    if actor.member is not None:
        qs = qs.filter(pk__in=SalesDocument.objects.visible_to(actor.member).values("pk"))
    document = qs.select_related("quote_version").first()
    if document is None:
        raise not_found()
    return document


def _clean_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={field: [_("Enter a valid date (YYYY-MM-DD).")]},
        ) from None


def _existing(**lookup: Any) -> Order | None:
    return Order.objects.filter(**lookup).exclude(status=OrderStatus.CANCELLED).first()


@transaction.atomic
def order_create(
    *,
    actor: Actor,
    opportunity_id: Any = None,
    quote_id: Any = None,
    document_id: Any = None,
    order_date: Any = None,
    note: str = "",
) -> Order:
    """A confirmed order from a won opportunity (its lines), an accepted quote (the accepted,
    frozen version's lines) or a PI / SC (its quote version's lines). One open order per source:
    a second answers `already_ordered` naming the first. The exchange rate to the base currency
    is locked on the order date; the default payment plan is 30 % deposit on order and the
    balance before shipment (payments.py); the customer's life cycle is recomputed."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    workspace = actor.workspace
    sources = [v for v in (opportunity_id, quote_id, document_id) if v not in (None, "")]
    if len(sources) != 1:
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Create an order from one won opportunity, accepted quote or proforma invoice."),
        )
    date = _clean_date(order_date, "order_date") or today_for(workspace)
    note = str(note or "").strip()
    document: SalesDocument | None = None
    opportunity: Opportunity | None = None
    quote: Quote | None = None
    version: QuoteVersion | None = None
    if opportunity_id not in (None, ""):
        opportunity = _visible_opportunity(actor, opportunity_id)
        Opportunity.objects.select_for_update().filter(pk=opportunity.pk).first()
        if opportunity.status != OpportunityStatus.WON:
            raise Conflict(
                OrderError.NOT_WON,
                _("Only a won opportunity becomes an order. Close %(code)s as won first.")
                % {"code": opportunity.code},
            )
        previous = _existing(opportunity=opportunity)
        customer = opportunity.customer
        currency = opportunity.currency or workspace.base_currency
        source_lines: list[dict[str, Any]] = [
            {
                "product_id": line.product_id,
                "description": line.description,
                "specs": line.specs_note or (line.product.specs if line.product else ""),
                "hs_code": line.product.hs_code if line.product else "",
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
            for line in opportunity.lines.select_related("product")
        ]
        contact_id, incoterm, place = (
            opportunity.contact_id,
            opportunity.incoterm,
            opportunity.named_place,
        )
        title = opportunity.name
    else:
        if document_id not in (None, ""):
            document = _visible_document(actor, document_id)
            quote = _visible_quote(actor, document.quote_id)
            version = document.quote_version
        else:
            quote = _visible_quote(actor, quote_id)
        if quote.status != QuoteStatus.ACCEPTED:
            raise Conflict(
                OrderError.NOT_ACCEPTED,
                _("Only an accepted quote becomes an order. %(code)s is %(status)s.")
                % {"code": quote.code, "status": QuoteStatus(quote.status).label},
            )
        if version is None:
            number = quote.accepted_version or quote.latest_version
            version = QuoteVersion.objects.get(quote=quote, number=number)
        previous = _existing(quote=quote)
        customer = Customer.objects.get(pk=quote.customer_id)
        opportunity = quote.opportunity
        currency = version.currency
        source_lines = [
            {
                "product_id": line.product_id,
                "description": line.description,
                "specs": line.specs,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
            for line in version.lines.all()
        ]
        contact_id, incoterm, place = quote.contact_id, version.incoterm, version.named_place
        title = quote.title
    if previous is not None:
        raise Conflict(
            OrderError.ALREADY_ORDERED,
            _("Order %(code)s was already created from this; open it instead.")
            % {"code": previous.code},
        )
    if not source_lines:
        raise ServiceError(
            OrderError.NO_LINES,
            _("There are no product lines to order. Add lines with quantities and prices first."),
        )
    rate = locked_rate(workspace, currency, date)
    totals = quote_totals(source_lines, currency)
    order = Order.objects.create(
        workspace=workspace,
        code=code_next(workspace=workspace, kind="order"),
        customer=customer,
        contact_id=contact_id,
        opportunity=opportunity,
        quote=quote,
        quote_version=version.number if version else None,
        sales_document=document,
        title=(title or "")[:200],
        order_date=date,
        currency=currency,
        incoterm=incoterm or "",
        named_place=place or "",
        total=totals.total,
        base_currency=workspace.base_currency,
        fx_rate=rate,
        fx_date=date,
        base_total=quantize(totals.total * rate, workspace.base_currency),
        note=note,
        created_by_id=actor.user_id,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=i,
            amount=line_amount(
                Decimal(line["quantity"]),
                Decimal(line["unit_price"]),
                line["discount_percent"],
                currency,
            ),
            **line,
        )
        for i, line in enumerate(source_lines)
    )
    from .payments import plan_default

    plan_default(order)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=order,
        changes={
            "code": [None, order.code],
            "customer": [None, customer.pk],
            "opportunity": [None, opportunity.pk if opportunity else None],
            "quote": [None, quote.code if quote else None],
            "total": [None, f"{order.total} {order.currency}"],
            "fx_rate": [None, f"{rate} {currency}/{workspace.base_currency}"],
        },
    )
    customer_lifecycle_sync(actor=actor, customer_id=customer.pk)
    emit("order.created", workspace_id=workspace.pk, order_id=order.pk)
    return order


# --- the one transition -----------------------------------------------------------------------------


def _label(status: str) -> str:
    return str(OrderStatus(status).label) if status in OrderStatus.values else status


@transaction.atomic
def order_transition(
    *,
    actor: Actor,
    order_id: Any,
    to: str,
    note: str = "",
    force: bool = False,
    expected_version: int | None = None,
    by_shipments: bool = False,
) -> Order:
    """The one status change of an order. People may set in_production, completed (everything
    shipped and paid, or `force` with WORKSPACE_MANAGE and a note) and cancelled (nothing shipped,
    nothing received); partly_shipped / shipped are set by shipments (`by_shipments`)."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    order = lock_order(actor, order_id)
    check_version(order, expected_version)
    to = str(to or "").strip()
    if to not in OrderStatus.values:
        raise ServiceError(
            OrderError.ILLEGAL_MOVE,
            _("Choose one of: %(values)s.") % {"values": ", ".join(sorted(MANUAL_STATUSES))},
        )
    if to in SHIPMENT_STATUSES and not by_shipments:
        raise Conflict(
            OrderError.SET_BY_SHIPMENTS,
            _("Partly shipped and shipped follow the shipments: record a shipment instead."),
        )
    if to == order.status:
        return order
    if to not in ORDER_MOVES.get(order.status, frozenset()):
        raise Conflict(
            OrderError.ILLEGAL_MOVE,
            _("An order that is %(from)s cannot become %(to)s.")
            % {"from": _label(order.status), "to": _label(to)},
        )
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            OrderError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={"note": [_("At most %(n)s characters.") % {"n": NOTE_MAX}]},
        )
    now = timezone.now()
    changes: dict[str, Any] = {"status": [order.status, to]}
    if to == OrderStatus.COMPLETED:
        if order.lines.filter(shipped_quantity__lt=F("quantity")).exists():
            raise Conflict(OrderError.NOT_SHIPPED, _("Ship every line before completing."))
        receivable = order.receivable
        if receivable > 0:
            may_force = actor.member is None or actor.member.has(Perm.WORKSPACE_MANAGE)
            if not force:
                raise Conflict(
                    OrderError.NOT_PAID,
                    _("%(amount)s %(currency)s is still receivable. Record the receipts first.")
                    % {"amount": quantize(receivable, order.currency), "currency": order.currency},
                )
            if not may_force:
                raise Conflict(
                    OrderError.NOT_PAID,
                    _("Only the workspace owner may complete an order that is not fully paid."),
                )
            if not note:
                raise ServiceError(
                    OrderError.BAD_FIELD,
                    _("Please correct the marked fields."),
                    fields={"note": [_("Say why the order is completed before it is paid.")]},
                )
            changes["forced"] = [None, f"{quantize(receivable, order.currency)} {order.currency}"]
        order.completed_at = now
    if to == OrderStatus.CANCELLED:
        if order.lines.filter(shipped_quantity__gt=0).exists():
            raise Conflict(
                OrderError.HAS_SHIPMENTS,
                _("Goods of this order were shipped; it cannot be cancelled."),
            )
        if order.receipts.exists():
            raise Conflict(
                OrderError.HAS_RECEIPTS,
                _("Money was received on this order; it cannot be cancelled."),
            )
        order.cancelled_at = now
    old = order.status
    order.status = to
    if note:
        order.status_note = note
        changes["note"] = [None, note]
    order.version += 1
    order.updated_at = now
    order.save()
    audit.record(
        actor=actor, verb=AuditVerb.TRANSITION, target=order, action=f"order_{to}", changes=changes
    )
    if to == OrderStatus.CANCELLED:
        customer_lifecycle_sync(actor=actor, customer_id=order.customer_id)
    emit(
        f"order.{to}",
        workspace_id=order.workspace_id,
        order_id=order.pk,
        previous=old,
    )
    return order
