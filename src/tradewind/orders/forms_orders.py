"""The order list's filter (shared by the page, the API and the export) and the CSV/XLSX export.

Filters: status, customer, owner (the customer's owner: "me", "none" or a user id), overdue
(an unsettled plan item past its due date), shipped (something shipped), receivable (money still
due), currency and a search over number, subject and customer name. Visibility comes first
(Order.objects.visible_to), then the filter; pages are keyset pages on -id."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from tradewind.core.money import quantize
from tradewind.core.paging import Page, keyset_page
from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.workspaces.models import Membership

from .models_orders import Order, OrderStatus, PaymentPlanItem, Receipt
from .orders import today_for

PAGE_SIZE = 50
EXPORT_MAX = 10_000
FLAGS = ("overdue", "shipped", "receivable")


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    customer: str = ""
    owner: str = ""
    overdue: str = ""
    shipped: str = ""
    receivable: str = ""
    currency: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> OrderFilter:
        def get(key: str) -> str:
            return str(params.get(key) or "").strip()[:100]

        status, owner = get("status"), get("owner")
        return cls(
            status=status if status in OrderStatus.values else "",
            customer=get("customer") if get("customer").isdigit() else "",
            owner=owner if owner in ("me", "none") or owner.isdigit() else "",
            overdue="1" if get("overdue") in ("1", "true", "on") else "",
            shipped="1" if get("shipped") in ("1", "true", "on") else "",
            receivable="1" if get("receivable") in ("1", "true", "on") else "",
            currency=get("currency").upper()[:3],
            q=get("q"),
        )

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def querystring(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.params())

    def apply(self, qs: QuerySet, *, user_id: int | None, today: dt.date) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.customer:
            qs = qs.filter(customer_id=int(self.customer))
        if self.owner == "me":
            qs = qs.filter(customer__owner_id=user_id)
        elif self.owner == "none":
            qs = qs.filter(customer__owner__isnull=True)
        elif self.owner:
            qs = qs.filter(customer__owner_id=int(self.owner))
        if self.currency:
            qs = qs.filter(currency=self.currency)
        if self.q:
            qs = qs.filter(
                Q(code__icontains=self.q)
                | Q(title__icontains=self.q)
                | Q(customer__name__icontains=self.q)
            )
        if self.shipped:
            qs = qs.filter(shipped_total__gt=0)
        if self.receivable:
            qs = qs.exclude(status=OrderStatus.CANCELLED).filter(
                total__gt=F("received_total") + F("charges_total")
            )
        if self.overdue:
            late = PaymentPlanItem.objects.filter(
                order_id=OuterRef("pk"), closed_at__isnull=True, due_date__lt=today
            )
            qs = qs.exclude(status=OrderStatus.CANCELLED).filter(Exists(late))
        return qs


def orders_visible(member: Membership) -> QuerySet:
    return Order.objects.visible_to(member).select_related("customer", "customer__owner")


def order_list(
    member: Membership, filters: OrderFilter, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    qs = filters.apply(
        orders_visible(member), user_id=member.user_id, today=today_for(member.workspace)
    )
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)


def receipts_visible(member: Membership, *, customer: str = "", order: str = "") -> QuerySet:
    qs = Receipt.objects.visible_to(member).select_related("order", "order__customer")
    if customer.isdigit():
        qs = qs.filter(order__customer_id=int(customer))
    if order.isdigit():
        qs = qs.filter(order_id=int(order))
    return qs


EXPORT_HEADER = [
    "number",
    "order_date",
    "customer",
    "status",
    "currency",
    "total",
    "shipped",
    "received",
    "bank_charges",
    "receivable",
    "base_currency",
    "fx_rate",
    "total_base",
]


def export_rows(member: Membership, filters: OrderFilter) -> list[list[Any]]:
    qs = filters.apply(
        orders_visible(member), user_id=member.user_id, today=today_for(member.workspace)
    ).order_by("-id")[:EXPORT_MAX]
    rows: list[list[Any]] = [list(EXPORT_HEADER)]
    for o in qs:
        c = o.currency
        rows.append(
            [
                o.code,
                o.order_date.isoformat(),
                o.customer.name,
                o.status,
                c,
                f"{quantize(o.total, c):f}",
                f"{quantize(o.shipped_total, c):f}",
                f"{quantize(o.received_total, c):f}",
                f"{quantize(o.charges_total, c):f}",
                f"{quantize(o.receivable, c):f}",
                o.base_currency,
                f"{o.fx_rate.normalize():f}",
                f"{quantize(o.base_total, o.base_currency):f}",
            ]
        )
    return rows


def export_file(member: Membership, filters: OrderFilter, fmt: str) -> tuple[IO[bytes], str, str]:
    rows = export_rows(member, filters)
    out = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(rows, out, title="orders")
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        write_csv(rows, out)
        kind = "text/csv; charset=utf-8"
    out.seek(0)
    return out, f"orders.{fmt if fmt == 'xlsx' else 'csv'}", kind
