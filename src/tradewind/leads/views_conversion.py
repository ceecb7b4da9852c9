"""The convert step of a qualified lead: dedupe candidates among customers ("join X" or "create
new"), the fields the customer and contact take, an optional opportunity."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error
from tradewind.customers.dedupe import with_links
from tradewind.customers.services import DuplicateCustomer
from tradewind.sales.selectors import open_stages
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import conversion, selectors
from .conversion_forms import ConvertForm


def _candidates(request: HttpRequest, lead: object) -> list:
    """One row per candidate customer, linked when the member may open it; only those can be
    joined. A contact match names its customer."""
    seen: set[int] = set()
    rows = []
    for m in with_links(conversion.customer_candidates(lead), request.member):
        if m.customer_id in seen:
            continue
        seen.add(m.customer_id)
        rows.append(m)
    return rows


@member_required(Perm.LEAD_EDIT)
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    if not conversion.can_convert(request.member, lead):
        if lead.status != "qualified":
            messages.error(request, _("Only a qualified lead can be converted. Qualify it first."))
            return redirect("leads:detail", pk=lead.pk)
        raise PermissionDenied
    candidates = _candidates(request, lead)
    joinable = [(str(m.customer_id), f"{m.code} {m.company_name}") for m in candidates if m.url]
    stages = open_stages(request.member)
    form = ConvertForm(
        request.POST or None,
        targets=joinable,
        stages=stages,
        initial={
            "target": joinable[0][0] if joinable else "new",
            "version": lead.version,
            "opportunity_name": (lead.need or "")[:200],
            "amount": lead.budget_max or lead.budget_min or "",
            # The lead's budget currency, else the workspace's: an amount never lacks one.
            "currency": lead.budget_currency or lead.workspace.base_currency,
            "stage": stages[0].pk if stages else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = conversion.lead_convert(actor=request.actor, lead=lead, **form.service_data())
        except DuplicateCustomer as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Lead %(lead)s converted to customer %(customer)s.")
                % {"lead": lead.code, "customer": result.customer.code},
            )
            return redirect("customers:detail", pk=result.customer.pk)
    return render(
        request,
        "leads/conversion/convert.html",
        {
            "nav_active": "leads",
            "lead": lead,
            "form": form,
            "candidates": candidates,
            "customer_fields": conversion.customer_fields(lead),
            "contact_fields": conversion.contact_fields(lead),
        },
    )
