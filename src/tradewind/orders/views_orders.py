"""Order pages: list (filters, keyset pages, CSV/XLSX export), create (a button on a won
opportunity, an accepted quote or a PI), detail (lines with shipped/remaining, shipments, plan,
receipts, receivable, actions), the htmx forms for a shipment, a receipt and the plan, the status
buttons, the overdue receivables page (with the workspace's receipt tolerance) and the receipts
list. Views only parse, call a service and render; refusals show the service's translated message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.money import COMMON_CURRENCIES, quantize
from tradewind.core.paging import keyset_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.list_pages import export_answer
from tradewind.workspaces.permissions import Perm

from . import orders, payments, receivables, shipments
from .forms_orders import (
    OrderFilter,
    aging_labels,
    export_file,
    order_list,
    orders_visible,
    receipts_visible,
)
from .models_orders import BalanceTrigger, ContainerType, Order, OrderStatus
from .orders import MANUAL_STATUSES, ORDER_MOVES
from .totals import grouped

NAV = "orders"


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"nav_active": NAV, **extra}


def _money(amount: Any, currency: str) -> str:
    return grouped(quantize(amount, currency), currency)


def _order(request: HttpRequest, pk: int) -> Order:
    order = orders_visible(request.member).filter(pk=pk).first()  # type: ignore[attr-defined]
    if order is None:
        raise Http404
    return order


def _raise_http(exc: ServiceError) -> None:
    if isinstance(exc, PermissionDenied | NotFound):
        report_service_error_http(exc)


def report_service_error_http(exc: ServiceError) -> None:
    from django.core.exceptions import PermissionDenied as Forbidden

    if isinstance(exc, PermissionDenied):
        raise Forbidden(str(exc.message))
    raise Http404(str(exc.message))


@member_required(Perm.OPPORTUNITY_VIEW)
def order_list_page(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    filters = OrderFilter.from_params(request.GET)
    page = order_list(member, filters, cursor=request.GET.get("cursor"))
    rows = [
        {
            "order": o,
            "total": _money(o.total, o.currency),
            "receivable": _money(o.receivable, o.currency),
            "shipped": _money(o.shipped_total, o.currency),
        }
        for o in page.items
    ]
    return render(
        request,
        "orders/orders/list.html",
        _ctx(
            page=page,
            rows=rows,
            filters=filters,
            query=filters.querystring(),
            statuses=OrderStatus.choices,
            filtered=bool(filters.params()),
        ),
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def order_export(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    filters = OrderFilter.from_params(request.GET)
    fmt = "xlsx" if request.GET.get("fmt") == "xlsx" else "csv"
    return export_answer(
        request, run=lambda: export_file(member, filters, fmt), back=reverse("orders:list")
    )


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def order_create(request: HttpRequest) -> HttpResponse:
    source = {k: request.POST.get(k) or None for k in ("opportunity", "quote", "document")}
    back = request.POST.get("back") or reverse("orders:list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("orders:list")
    try:
        order = orders.order_create(
            actor=request.actor,  # type: ignore[attr-defined]
            opportunity_id=source["opportunity"],
            quote_id=source["quote"],
            document_id=source["document"],
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(back)
    messages.success(request, _("Order %(code)s created.") % {"code": order.code})
    return redirect("orders:detail", order.pk)


def _detail_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    c = order.currency
    lines = list(order.lines.select_related("product"))
    ships = list(order.shipments.prefetch_related("lines__order_line"))
    plan = list(order.plan_items.all())
    receipts = list(order.receipts.all())
    can_edit = member.has(Perm.OPPORTUNITY_EDIT)
    moves = [
        (to, OrderStatus(to).label)
        for to in (OrderStatus.IN_PRODUCTION, OrderStatus.COMPLETED, OrderStatus.CANCELLED)
        if to in ORDER_MOVES.get(order.status, frozenset()) and to in MANUAL_STATUSES
    ]
    return _ctx(
        order=order,
        lines=[
            {"line": line, "amount": _money(line.amount, c), "remaining": line.remaining}
            for line in lines
        ],
        shipments=[{"shipment": s, "value": _money(s.value, c)} for s in ships],
        plan=[
            {
                "item": i,
                "amount": _money(i.amount, c),
                "settled": _money(i.received + i.charges, c),
                "remaining": _money(i.remaining, c),
                "overdue": i.closed_at is None
                and i.due_date is not None
                and i.due_date < orders.today_for(order.workspace),
            }
            for i in plan
        ],
        receipts=receipts,
        total=_money(order.total, c),
        shipped=_money(order.shipped_total, c),
        received=_money(order.received_total, c),
        charges=_money(order.charges_total, c),
        receivable=_money(order.receivable, c),
        receivable_zero=order.receivable <= 0,
        base_total=_money(order.base_total, order.base_currency),
        can_edit=can_edit,
        can_ship=can_edit and order.status in orders.OPEN_STATUSES,
        can_receive=payments.may_record_receipts(member)
        and order.status != OrderStatus.CANCELLED
        and order.receivable > 0,
        can_plan=payments.may_record_receipts(member)
        and order.status != OrderStatus.CANCELLED
        and not receipts,
        can_force=member.has(Perm.WORKSPACE_MANAGE),
        moves=moves if can_edit else [],
        status_label=OrderStatus(order.status).label,
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    return render(request, "orders/orders/detail.html", _detail_context(request, order))


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def order_transition(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    to = request.POST.get("to", "")
    try:
        orders.order_transition(
            actor=request.actor,  # type: ignore[attr-defined]
            order_id=order.pk,
            to=to,
            note=request.POST.get("note", ""),
            force=request.POST.get("force") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Order %(code)s is now %(status)s.")
            % {"code": order.code, "status": OrderStatus(to).label},
        )
    return redirect("orders:detail", order.pk)


def _form_answer(
    request: HttpRequest, order: Order, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The form alone for htmx, inside the page otherwise."""
    context = {**_ctx(order=order), **context}
    if getattr(request, "htmx", None):
        return render(request, template, context, status=status)
    return render(
        request,
        "orders/orders/form_page.html",
        {**context, "form_template": template},
        status=status,
    )


def _done(request: HttpRequest, order: Order, text: str) -> HttpResponse:
    messages.success(request, text)
    url = reverse("orders:detail", args=[order.pk])
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@member_required(Perm.OPPORTUNITY_EDIT)
def shipment_new(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        quantities = {
            key.removeprefix("qty_"): value
            for key, value in request.POST.items()
            if key.startswith("qty_")
        }
        fields = {k: request.POST.get(k, "") for k in shipments.FIELDS if k in request.POST}
        try:
            shipment = shipments.shipment_create(
                actor=request.actor,  # type: ignore[attr-defined]
                order_id=order.pk,
                lines=quantities,
                **fields,
            )
        except ServiceError as exc:
            _raise_http(exc)
            errors = exc.fields or {"__all__": [exc.message]}
            if exc.fields and exc.code == "over_shipped":
                errors = {"__all__": [m for msgs in exc.fields.values() for m in msgs]}
        else:
            return _done(request, order, _("Shipment %(s)s recorded.") % {"s": str(shipment)})
    return _form_answer(
        request,
        order,
        "orders/orders/_shipment_form.html",
        {
            "errors": errors,
            "values": values,
            "lines": [
                {"line": line, "value": values.get(f"qty_{line.pk}", "")}
                for line in order.lines.all()
                if line.remaining > 0
            ],
            "containers": ContainerType.choices,
        },
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def receipt_new(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    if not payments.may_record_receipts(request.member):  # type: ignore[attr-defined]
        from django.core.exceptions import PermissionDenied as Forbidden

        raise Forbidden
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {"currency": order.currency, "amount": ""}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            receipt = payments.receipt_record(
                actor=request.actor,  # type: ignore[attr-defined]
                order_id=order.pk,
                amount=request.POST.get("amount", ""),
                currency=request.POST.get("currency", ""),
                received_on=request.POST.get("received_on", ""),
                rate=request.POST.get("rate", ""),
                bank_charges=request.POST.get("bank_charges", ""),
                plan_item_id=request.POST.get("plan_item_id", ""),
                reference=request.POST.get("reference", ""),
                note=request.POST.get("note", ""),
            )
        except ServiceError as exc:
            _raise_http(exc)
            errors = exc.fields or {}
            errors.setdefault("__all__", []).insert(0, exc.message)
        else:
            text = _("Receipt of %(amount)s %(currency)s recorded.") % {
                "amount": receipt.amount.normalize(),
                "currency": receipt.currency,
            }
            if receipt.shortfall:
                text += " " + _(
                    "%(amount)s %(currency)s short: within the tolerance, booked as bank charges."
                ) % {"amount": receipt.shortfall.normalize(), "currency": order.currency}
            return _done(request, order, text)
    return _form_answer(
        request,
        order,
        "orders/orders/_receipt_form.html",
        {
            "errors": errors,
            "values": values,
            "currencies": sorted({order.currency, *COMMON_CURRENCIES}),
            "open_items": [i for i in order.plan_items.all() if i.closed_at is None],
            "receivable": _money(order.receivable, order.currency),
            "today": orders.today_for(order.workspace).isoformat(),
        },
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    if not payments.may_record_receipts(request.member):  # type: ignore[attr-defined]
        from django.core.exceptions import PermissionDenied as Forbidden

        raise Forbidden
    items = list(order.plan_items.all())
    deposit = next((i for i in items if i.kind == "deposit"), None)
    balance = next((i for i in items if i.kind == "balance"), None)
    values: dict[str, Any] = {
        "deposit_percent": f"{deposit.percent.normalize():f}" if deposit else "0",
        "balance_trigger": balance.trigger if balance else BalanceTrigger.BEFORE_SHIPMENT,
        "balance_days": balance.days if balance and balance.days is not None else "",
        "balance_date": balance.fixed_date.isoformat() if balance and balance.fixed_date else "",
    }
    errors: dict[str, list[Any]] = {}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            payments.plan_set(
                actor=request.actor,  # type: ignore[attr-defined]
                order_id=order.pk,
                deposit_percent=request.POST.get("deposit_percent", ""),
                balance_trigger=request.POST.get("balance_trigger", ""),
                balance_days=request.POST.get("balance_days", ""),
                balance_date=request.POST.get("balance_date", ""),
            )
        except ServiceError as exc:
            _raise_http(exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            return _done(request, order, _("Payment plan saved."))
    return _form_answer(
        request,
        order,
        "orders/orders/_plan_form.html",
        {"errors": errors, "values": values, "triggers": BalanceTrigger.choices},
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def overdue_page(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    customer = request.GET.get("customer", "")
    settings_row = payments.settings_for(member.workspace)
    can_manage = member.has(Perm.WORKSPACE_MANAGE)
    if request.method == "POST":
        if not can_manage:
            from django.core.exceptions import PermissionDenied as Forbidden

            raise Forbidden
        try:
            payments.tolerance_set(
                actor=request.actor,  # type: ignore[attr-defined]
                amount=request.POST.get("tolerance_amount", ""),
                percent=request.POST.get("tolerance_percent", ""),
            )
        except ServiceError as exc:
            report_service_error(request, exc)
        else:
            messages.success(request, _("Receipt tolerance saved."))
        return redirect("orders:overdue")
    # The order list's filter (owner, team, customer, an aging bucket in `overdue` …): the
    # dashboards' receivables slices link here with it.
    filters = OrderFilter.from_params(request.GET)
    rows = receivables.overdue_rows(member, filters=filters)
    base = member.workspace.base_currency
    total = sum((r.base_remaining for r in rows), Decimal(0))
    return render(
        request,
        "orders/orders/overdue.html",
        _ctx(
            rows=[
                {
                    "row": r,
                    "remaining": _money(r.remaining, r.order.currency),
                    "base": _money(r.base_remaining, base),
                }
                for r in rows
            ],
            total=_money(total, base),
            base_currency=base,
            settings_row=settings_row,
            can_manage=can_manage,
            customer=customer if customer.isdigit() else "",
            filtered=bool(filters.params()),
            bucket=aging_labels().get(filters.overdue, ""),
            orders_count=len({r.order.pk for r in rows}),
        ),
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def receipts_page(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    customer = request.GET.get("customer", "")
    qs = receipts_visible(member, customer=customer)
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50)
    return render(
        request,
        "orders/orders/receipts.html",
        _ctx(
            page=page,
            rows=[
                {
                    "receipt": r,
                    "amount": _money(r.amount, r.currency),
                    "settled": _money(r.amount_order_currency, r.order.currency),
                }
                for r in page.items
            ],
            query=f"customer={customer}" if customer.isdigit() else "",
        ),
    )
