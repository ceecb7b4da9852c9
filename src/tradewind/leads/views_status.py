"""Lead status pages: one POST that moves a lead through the status machine (leads.status).

A refused move is a message on the lead's page, never an error page; out of scope is 404 and a
move the member's role may not take is 403.
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

from . import selectors, status, views
from .choices import LeadStatus


def _version(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


@require_POST
@member_required(Perm.LEAD_EDIT)
def lead_transition(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    try:
        lead = status.lead_transition(
            actor=request.actor,
            lead=lead,
            to_status=request.POST.get("to_status", ""),
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            version=_version(request.POST.get("version")),
        )
    except errors.ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Lead %(code)s is now “%(status)s”.")
            % {"code": lead.code, "status": LeadStatus(lead.status).label},
        )
    if getattr(request, "htmx", None):
        # One URL, one view: answer with the lead's page, as the detail view renders it.
        response = views.lead_detail(request, pk=pk)
        response["HX-Push-Url"] = reverse("leads:detail", args=[pk])
        return response
    return redirect("leads:detail", pk=pk)
