"""Lead pool pages: claim a lead from the pool, release one back to it.

A refused claim (someone was faster, the holding cap, the daily limit) is a message, never an error
page: the losing rep of a race is told who won and sent on.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core import errors
from tradewind.core.forms import report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import pool, selectors


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead's page while the member can still see it; otherwise the pool list."""
    if selectors.leads_visible(request.member).filter(pk=pk).exists():
        return redirect("leads:detail", pk=pk)
    return redirect(reverse("leads:list") + "?owner=none")


@require_POST
@member_required(Perm.LEAD_EDIT)
def lead_claim(request: HttpRequest, pk: int) -> HttpResponse:
    lead = pool.lead_for_claim(member=request.member, pk=pk)
    try:
        lead = pool.lead_claim(actor=request.actor, lead=lead)
    except errors.ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Lead %(code)s is yours now.") % {"code": lead.code})
    return _back(request, pk)


@require_POST
@member_required(Perm.LEAD_EDIT)
def lead_release(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    try:
        lead = pool.lead_release(
            actor=request.actor, lead=lead, reason=request.POST.get("reason", "")
        )
    except errors.ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request, _("Lead %(code)s was released to the lead pool.") % {"code": lead.code}
        )
    return _back(request, pk)
