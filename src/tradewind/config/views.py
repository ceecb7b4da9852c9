"""Pages that span apps: the home dashboard, modules not built yet, the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tradewind.core.paging import capped_count
from tradewind.leads.models import Lead
from tradewind.workspaces.decorators import member_required

MODULES = {
    "customers": (
        _("Customers"),
        "bi-building",
        _("Customers and contacts, the public customer pool and the customer 360 page."),
    ),
    "opportunities": (
        _("Opportunities"),
        "bi-kanban",
        _("Pipelines, stages with tasks, the opportunity board and the forecast."),
    ),
    "orders": (
        _("Orders"),
        "bi-receipt",
        _("Quotes, proforma invoices and contracts as PDF, orders, shipments and payments."),
    ),
    "reports": (
        _("Reports"),
        "bi-graph-up",
        _("Conversion reviews, funnels, goals, RFM segments and churn warnings."),
    ),
}


@member_required()
def home(request: HttpRequest) -> HttpResponse:
    leads = Lead.objects.visible_to(request.member)
    context = {
        "nav_active": "home",
        "my_leads": capped_count(leads.filter(owner_id=request.member.user_id)),
        "pool_leads": capped_count(leads.filter(owner__isnull=True)),
        "recent": list(leads.select_related("owner").order_by("-created_at", "-id")[:8]),
    }
    return render(request, "home.html", context)


@member_required()
def module(request: HttpRequest, name: str) -> HttpResponse:
    title, icon, description = MODULES[name]
    return render(
        request,
        "modules/placeholder.html",
        {"nav_active": name, "title": title, "icon": icon, "description": description},
    )


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
