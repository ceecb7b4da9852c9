"""The team panel of a customer's 360 page: owner, manual assignment, collaborators.

Loaded by htmx into the page; its forms answer with the panel again (htmx) or a redirect to the
customer with a message (no JavaScript). A refusal is shown in the panel, never an error page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core import errors
from tradewind.core.forms import report_service_error
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import collaborators, selectors
from .assignment import customer_assign
from .models import Customer

PANEL = "collab-panel"
TEMPLATE = "customers/collaborators/panel.html"


def _context(request: HttpRequest, customer: Customer, error: str = "") -> dict:
    member = request.member
    manage = collaborators.can_manage(member, customer)
    can_assign = member.has(Perm.CUSTOMER_ASSIGN)
    rows = collaborators.collaborators_of(customer)
    needs_people = manage or can_assign
    people = collaborators.candidates(member, customer) if needs_people else []
    return {
        "nav_active": "customers",
        "customer": customer,
        "rows": rows,
        "can_manage": manage,
        "can_assign": can_assign,
        "candidates": people,
        "assignees": [m for m in people if m.has(Perm.CUSTOMER_EDIT)] if can_assign else [],
        "error": error,
    }


def _visible(request: HttpRequest, pk: int) -> bool:
    return selectors.customers_visible(request.member).filter(pk=pk).exists()


@member_required(Perm.CUSTOMER_VIEW)
def collaborators_panel(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    return render_page(request, TEMPLATE, _context(request, customer), partial=PANEL)


def _answer(
    request: HttpRequest, pk: int, action: Callable[[Customer], object], done: str
) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    htmx = bool(getattr(request, "htmx", None))
    error = ""
    try:
        action(customer)
    except errors.ServiceError as exc:
        if not htmx or exc.status == 403:
            report_service_error(request, exc)
            if not htmx:
                return redirect("customers:detail", pk=pk)
        error = "; ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message)
    else:
        if not htmx or not _visible(request, pk):
            messages.success(request, done)
            if not _visible(request, pk):  # e.g. left a customer seen only as a collaborator
                response = redirect("customers:list")
                if htmx:
                    response = HttpResponse(status=204, headers={"HX-Redirect": response.url})
                return response
            return redirect("customers:detail", pk=pk)
    customer = selectors.customer_get(member=request.member, pk=pk)
    return render(request, f"{TEMPLATE}#{PANEL}", _context(request, customer, error))


def _user_id(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def collaborator_add(request: HttpRequest, pk: int) -> HttpResponse:
    user_id = _user_id(request.POST.get("user_id", ""))
    return _answer(
        request,
        pk,
        lambda c: collaborators.customer_collaborator_add(
            actor=request.actor, customer=c, user_id=user_id
        ),
        _("Collaborator added."),
    )


@require_POST
@member_required(Perm.CUSTOMER_EDIT)
def collaborator_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        lambda c: collaborators.customer_collaborator_remove(
            actor=request.actor, customer=c, user_id=user_id
        ),
        _("Collaborator removed."),
    )


@require_POST
@member_required(Perm.CUSTOMER_ASSIGN)
def customer_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    owner_id = _user_id(request.POST.get("owner_id", ""))
    return _answer(
        request,
        pk,
        lambda c: customer_assign(
            actor=request.actor,
            customer=c,
            owner_id=owner_id or None,
            note=request.POST.get("note", ""),
        ),
        _("Customer assigned."),
    )
