"""The qualification panel of a customer page (三定 + follow-up nodes + custom field values): one
URL answers the panel (htmx, loaded by the detail page) and its edit form; node ticks post to a
second URL and answer the panel again. Without htmx both redirect to the customer page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.workspaces.custom_fields import definitions, rows_for
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import qualification, selectors
from .models import Customer
from .qualification_forms import QualificationForm

PANEL = "customers/qualification/_panel_body.html"


def _initial(current: Any, base_currency: str) -> dict:
    if current is None:
        return {"currency": base_currency, "version": 0}
    return {
        "qualitative": current.qualitative,
        "deal_grade": current.deal_grade,
        "expected_sign_date": current.expected_sign_date.isoformat()
        if current.expected_sign_date
        else "",
        "expected_amount": current.expected_amount,
        "currency": current.currency or base_currency,
        "version": current.version,
    }


def _panel(
    request: HttpRequest,
    customer: Customer,
    form: QualificationForm | None = None,
    error: str = "",
) -> HttpResponse:
    """htmx swaps 2xx answers only, so a refusal is shown inside the panel with status 200."""
    current = qualification.qualification_of(customer)
    context = {
        "customer": customer,
        "q": current,
        "nodes": qualification.node_rows(customer),
        "custom_rows": rows_for(definitions(request.workspace, "customer"), customer.custom),
        "form": form,
        "can_edit": request.member.has(Perm.CUSTOMER_EDIT),
        "today": timezone.localdate(),
        "error": error,
    }
    return render(request, PANEL, context)


@member_required(Perm.CUSTOMER_VIEW)
def qualification_panel(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    base = request.workspace.base_currency
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    if not editing:
        return _panel(request, customer)
    if not request.member.has(Perm.CUSTOMER_EDIT):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    current = qualification.qualification_of(customer)
    form = QualificationForm(
        request.POST or None, base_currency=base, initial=_initial(current, base)
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            qualification.customer_qualify(
                actor=request.actor, customer=customer, version=form.cleaned_data["version"], **data
            )
        except ServiceError as exc:
            if not request.htmx:
                report_service_error(request, exc)
                return redirect("customers:detail", pk=customer.pk)
            add_service_error(form, exc)
            return _panel(request, customer, form)
        if not request.htmx:
            messages.success(request, _("Qualification saved."))
            return redirect("customers:detail", pk=customer.pk)
        return _panel(request, customer)
    return _panel(request, customer, form)


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def node_tick(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    node = request.POST.get("node", "")
    try:
        if request.POST.get("action") == "untick":
            qualification.customer_node_untick(actor=request.actor, customer=customer, node=node)
        else:
            qualification.customer_node_tick(
                actor=request.actor,
                customer=customer,
                node=node,
                reached_on=request.POST.get("reached_on") or None,
            )
    except ServiceError as exc:
        if not request.htmx:
            report_service_error(request, exc)
            return redirect("customers:detail", pk=customer.pk)
        messages_text = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
        return _panel(request, customer, error=" ".join(messages_text))
    if not request.htmx:
        return redirect("customers:detail", pk=customer.pk)
    return _panel(request, customer)
