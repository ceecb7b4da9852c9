"""The customer finance summary (seed 001): open pipeline, contracted, shipped, received,
receivable and overdue, in the workspace's base currency, each with the link to its records.

Only what the reader sees counts (opportunities and orders through visible_to()). Currencies are
never summed unconverted: the pipeline uses each open opportunity's `base_amount` (sales keeps
it at the opportunity's rate), every order figure is converted at that order's locked rate
(`Order.fx_rate`), per order, then summed. Cancelled orders count nowhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tradewind.core.money import quantize
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import Membership

from .models_orders import Order, OrderStatus
from .orders import to_base
from .receivables import overdue_rows


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    amount: Decimal
    url: str
    count: int = 0


@dataclass(frozen=True)
class FinanceSummary:
    currency: str
    figures: list[Figure] = field(default_factory=list)
    pipeline_unpriced: int = 0  # open opportunities without a base amount (no rate or no amount)

    def get(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def customer_finance(member: Membership, customer: Any) -> FinanceSummary:
    currency = member.workspace.base_currency
    opportunities = Opportunity.objects.visible_to(member).filter(
        customer_id=customer.pk, status="open"
    )
    pipe = opportunities.aggregate(
        total=Sum("base_amount"),
        n=Count("pk"),
        unpriced=Count("pk", filter=Q(base_amount__isnull=True)),
    )
    orders = list(
        Order.objects.visible_to(member)
        .filter(customer_id=customer.pk)
        .exclude(status=OrderStatus.CANCELLED)
        .only(
            "pk",
            "currency",
            "fx_rate",
            "base_currency",
            "base_total",
            "total",
            "shipped_total",
            "received_total",
            "charges_total",
            "status",
        )
    )
    zero = Decimal(0)
    contracted = sum((o.base_total for o in orders), zero)
    shipped = sum((to_base(o.shipped_total, o) for o in orders), zero)
    received = sum((to_base(o.received_total, o) for o in orders), zero)
    receivable = sum((to_base(o.receivable, o) for o in orders), zero)
    overdue = overdue_rows(member, customer_id=customer.pk)
    overdue_total = sum((r.base_remaining for r in overdue), zero)
    orders_url = reverse("orders:list")
    receipts_url = reverse("orders:receipts")
    cid = customer.pk

    def q(amount: Decimal) -> Decimal:
        return quantize(Decimal(amount), currency)

    figures = [
        Figure(
            "pipeline",
            _("Open pipeline"),
            q(pipe["total"] or zero),
            f"{reverse('sales:list')}?customer={cid}&status=open",
            pipe["n"],
        ),
        Figure(
            "contracted",
            _("Contracted"),
            q(contracted),
            f"{orders_url}?customer={cid}",
            len(orders),
        ),
        Figure(
            "shipped",
            _("Shipped"),
            q(shipped),
            f"{orders_url}?customer={cid}&shipped=1",
            sum(1 for o in orders if o.shipped_total > 0),
        ),
        Figure(
            "received",
            _("Received"),
            q(received),
            f"{receipts_url}?customer={cid}",
            sum(1 for o in orders if o.received_total > 0),
        ),
        Figure(
            "receivable",
            _("Receivable"),
            q(receivable),
            f"{orders_url}?customer={cid}&receivable=1",
            sum(1 for o in orders if o.receivable > 0),
        ),
        Figure(
            "overdue",
            _("Overdue"),
            q(overdue_total),
            f"{reverse('orders:overdue')}?customer={cid}",
            len(overdue),
        ),
    ]
    return FinanceSummary(currency=currency, figures=figures, pipeline_unpriced=pipe["unpriced"])


# --- the customer 360 page's panels (registered in apps.OrdersConfig.ready) ----------------------

PANEL_ROWS = 5


def finance_panel(customer: Any, member: Membership) -> dict[str, Any] | None:
    from tradewind.workspaces.permissions import Perm

    from .totals import grouped

    if not member.has(Perm.OPPORTUNITY_VIEW):
        return None
    summary = customer_finance(member, customer)
    figures = [
        {
            "key": f.key,
            "label": f.label,
            "amount": f"{f.amount:f}",
            "text": grouped(f.amount, summary.currency),
            "url": f.url,
        }
        for f in summary.figures
    ]
    return {
        "template": "orders/orders/_customer_finance.html",
        "summary": {
            "currency": summary.currency,
            "figures": figures,
            "pipeline_unpriced": summary.pipeline_unpriced,
        },
    }


def documents_panel(customer: Any, member: Membership) -> dict[str, Any] | None:
    from tradewind.workspaces.permissions import Perm

    from .models import Quote
    from .totals import grouped

    if not member.has(Perm.OPPORTUNITY_VIEW):
        return None
    orders = list(
        Order.objects.visible_to(member)
        .filter(customer_id=customer.pk)
        .order_by("-id")[: PANEL_ROWS + 1]
    )
    quotes = list(
        Quote.objects.visible_to(member)
        .filter(customer_id=customer.pk)
        .order_by("-id")[: PANEL_ROWS + 1]
    )
    for o in orders:
        o.total_text = grouped(o.total, o.currency)  # type: ignore[attr-defined]
    for q in quotes:
        q.total_text = grouped(q.total, q.currency)  # type: ignore[attr-defined]
    return {
        "template": "orders/orders/_customer_documents.html",
        "customer_id": customer.pk,
        "orders": orders[:PANEL_ROWS],
        "quotes": quotes[:PANEL_ROWS],
        "more": len(orders) > PANEL_ROWS or len(quotes) > PANEL_ROWS,
        "can_quote": member.has(Perm.OPPORTUNITY_CREATE),
    }
