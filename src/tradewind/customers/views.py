"""Customer pages: list (keyset pages, search, filters), create and edit forms for customers and
contacts. The detail page is the 360 page (views_360.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradewind.core.forms import initial_from, save_form
from tradewind.core.htmx import render_page
from tradewind.workspaces.custom_fields import definitions
from tradewind.workspaces.custom_fields_query import custom_sorts, filter_inputs
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of

from . import selectors, services
from .choices import CustomerType
from .dedupe import with_links
from .filters import CustomerFilter
from .forms import ContactForm, CustomerForm
from .views_lists import list_context

PAGE_SIZE = 50


@member_required(Perm.CUSTOMER_VIEW)
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = CustomerFilter.from_params(request.GET)
    page = selectors.customer_list(
        member=request.member, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    context = {
        "nav_active": "customers",
        "page": page,
        "filters": filters,
        "types": CustomerType.choices,
        "can_create": request.member.has(Perm.CUSTOMER_CREATE),
        **list_context(request.member, filters, request.GET.get("view", "")),
    }
    # Custom fields: their sorts in the sort menu, their inputs among "more filters".
    defs = definitions(request.workspace, "customer")
    context["sorts"] = context["sorts"] + custom_sorts(request.workspace.pk, "customer", defs)
    context["custom_filter_inputs"] = filter_inputs(
        request.workspace.pk, "customer", filters.custom, defs
    )
    return render_page(request, "customers/list.html", context, partial="customer-results")


@member_required(Perm.CUSTOMER_CREATE)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(
        request.POST or None,
        owners=active_members_of(request.member),
        initial={"owner": request.member.user_id},
        workspace=request.workspace,
    )
    duplicates = None
    try:
        customer = save_form(
            request,
            form,
            lambda: services.customer_create(
                actor=request.actor,
                allow_duplicates=form.cleaned_data["confirm_duplicate"],
                **form.service_data(),
            ),
            lambda created: _("Customer %(code)s created.") % {"code": created.code},
            let_through=(services.DuplicateCustomer,),
        )
    except services.DuplicateCustomer as exc:
        duplicates = with_links(exc.matches, request.member)
    else:
        if customer is not None:
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"nav_active": "customers", "form": form, "customer": None, "duplicates": duplicates},
    )


@member_required(Perm.CUSTOMER_EDIT)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    form = CustomerForm(
        request.POST or None,
        owners=active_members_of(request.member),
        initial=initial_from(customer, CustomerForm),
        workspace=request.workspace,
        custom=customer.custom,
    )
    saved = save_form(
        request,
        form,
        lambda: services.customer_update(
            actor=request.actor,
            customer=customer,
            version=form.cleaned_data["version"],
            **_kept_owner(request, form.service_data()),
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"nav_active": "customers", "form": form, "customer": customer},
    )


def _kept_owner(request: HttpRequest, data: dict) -> dict:
    """Without customer.assign the edit form keeps the owner (the service would refuse a change:
    handing on and releasing to the pool have their own flows)."""
    if not request.member.has(Perm.CUSTOMER_ASSIGN):  # type: ignore[attr-defined]
        data.pop("owner", None)
    return data


@member_required(Perm.CUSTOMER_EDIT)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    form = ContactForm(request.POST or None, workspace=request.workspace)
    contact = save_form(
        request,
        form,
        lambda: services.contact_create(
            actor=request.actor, customer=customer, **form.service_data()
        ),
        lambda added: _("Contact %(name)s added.") % {"name": added.name},
    )
    if contact is not None:
        return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/contact_form.html",
        {"nav_active": "customers", "form": form, "customer": customer, "contact": None},
    )


@member_required(Perm.CUSTOMER_EDIT)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(member=request.member, pk=pk)
    form = ContactForm(
        request.POST or None,
        initial=initial_from(contact, ContactForm),
        workspace=request.workspace,
        custom=contact.custom,
    )
    saved = save_form(
        request,
        form,
        lambda: services.contact_update(
            actor=request.actor,
            contact=contact,
            version=form.cleaned_data["version"],
            **form.service_data(),
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("customers:detail", pk=contact.customer_id)
    return render(
        request,
        "customers/contact_form.html",
        {
            "nav_active": "customers",
            "form": form,
            "customer": contact.customer,
            "contact": contact,
        },
    )
