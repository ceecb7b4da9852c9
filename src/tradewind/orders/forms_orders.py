"""The order list's filter (shared by the page, the API and the export) and the CSV/XLSX export.

Filters: status, customer, owner (the customer's owner: "me", "none" or a user id), team (the
customer's owner is in that team or its sub-teams), overdue (an overdue plan item: "1" any, or one
aging bucket "1-30", "31-60", "61-90", "90+" of days overdue), shipped (something shipped),
receivable (money still due), currency and a search over number, subject and customer name.
Visibility comes first (Order.objects.visible_to), then the filter; pages are keyset pages on -id.
The overdue receivables page, its API and the dashboards' receivables pie read the same filter and
the same item rule (`overdue_item_q`), so a pie slice's link lists exactly what it counts."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tradewind.core.money import quantize
from tradewind.core.paging import Page, keyset_page
from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.workspaces.models import Membership, Team

from .models_orders import Order, OrderStatus, PaymentPlanItem, Receipt
from .orders import today_for

PAGE_SIZE = 50
EXPORT_MAX = 10_000
FLAGS = ("overdue", "shipped", "receivable")
# Days overdue buckets: key, first day, last day (None: no end). The dashboards' pie uses them too.
AGING: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)
BUCKETS = tuple(key for key, _first, _last in AGING)


def aging_labels() -> dict[str, str]:
    return {
        "1-30": _("1–30 days"),
        "31-60": _("31–60 days"),
        "61-90": _("61–90 days"),
        "90+": _("More than 90 days"),
    }


def aging_bucket(days: int) -> str:
    for key, _first, last in AGING:
        if last is None or days <= last:
            return key
    return BUCKETS[-1]


def _overdue_value(value: str) -> str:
    """Any overdue item ("1") or one bucket; a bare "+" typed in a URL reads as a space, so a
    stripped "90" means "90+"."""
    if value in ("1", "true", "on"):
        return "1"
    if value == "90":
        return "90+"
    return value if value in BUCKETS else ""


def overdue_item_q(today: dt.date, bucket: str = "") -> Q:
    """Payment-plan items overdue on `today` (workspace day): not settled, due before today, a
    positive remainder (amount − received − charges), optionally in one aging bucket (days overdue
    = today − due date). The order's status (not cancelled) is checked by the caller."""
    q = Q(closed_at__isnull=True, due_date__lt=today, amount__gt=F("received") + F("charges"))
    for key, first, last in AGING:
        if key == bucket:
            q &= Q(due_date__lte=today - dt.timedelta(days=first))
            if last is not None:
                q &= Q(due_date__gte=today - dt.timedelta(days=last))
    return q


def team_owners(workspace_id: int, team_id: str) -> Any:
    """Users in a team and its sub-teams (a subquery), as the opportunity list and the reports
    read `team=`; a team of another workspace matches nobody."""
    team = Team.objects.filter(workspace_id=workspace_id, pk=team_id).first()
    if team is None:
        return Membership.objects.none().values("user_id")
    return Membership.objects.filter(
        workspace_id=workspace_id, team__path__startswith=team.path
    ).values("user_id")


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    customer: str = ""
    owner: str = ""
    team: str = ""
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
            team=get("team") if get("team").isdigit() and len(get("team")) < 12 else "",
            overdue=_overdue_value(get("overdue")),
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

    def apply(
        self, qs: QuerySet, *, user_id: int | None, today: dt.date, workspace_id: int | None = None
    ) -> QuerySet:
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
        if self.team:
            if workspace_id is None:
                return qs.none()
            qs = qs.filter(customer__owner_id__in=team_owners(workspace_id, self.team))
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
            bucket = "" if self.overdue == "1" else self.overdue
            late = PaymentPlanItem.objects.filter(
                overdue_item_q(today, bucket), order_id=OuterRef("pk")
            )
            qs = qs.exclude(status=OrderStatus.CANCELLED).filter(Exists(late))
        return qs


def orders_visible(member: Membership) -> QuerySet:
    return Order.objects.visible_to(member).select_related("customer", "customer__owner")


def filtered(member: Membership, filters: OrderFilter) -> QuerySet:
    """The visible orders the filter keeps (page, API, export, overdue page, dashboards)."""
    return filters.apply(
        orders_visible(member),
        user_id=member.user_id,
        today=today_for(member.workspace),
        workspace_id=member.workspace_id,
    )


def order_list(
    member: Membership, filters: OrderFilter, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    qs = filtered(member, filters)
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
    qs = filtered(member, filters).order_by("-id")[:EXPORT_MAX]
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
