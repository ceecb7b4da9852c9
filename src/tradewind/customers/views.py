"""Customer pages: list (keyset pages, search, filters), detail with contacts, follow-ups and
history, create and edit forms for customers and contacts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradewind.activities.selectors import timeline_for
from tradewind.core.errors import ServiceError
from tradewind.core.forms import add_service_error
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import history_for, members_of

from . import selectors, services
from .choices import CustomerType
from .dedupe import with_links
from .filters import CustomerFilter
from .forms import ContactForm, CustomerForm

PAGE_SIZE = 50


def _owners(request: HttpRequest) -> list:
    return list(members_of(request.member).filter(is_active=True))


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
    }
    return render_page(request, "customers/list.html", context, partial="customer-results")


@member_required(Perm.CUSTOMER_CREATE)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(
        request.POST or None, owners=_owners(request), initial={"owner": request.member.user_id}
    )
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.actor,
                allow_duplicates=form.cleaned_data["confirm_duplicate"],
                **form.service_data(),
            )
        except services.DuplicateCustomer as exc:
            duplicates = with_links(exc.matches, request.member)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"nav_active": "customers", "form": form, "customer": None, "duplicates": duplicates},
    )


@member_required(Perm.CUSTOMER_VIEW)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    context = {
        "nav_active": "customers",
        "customer": customer,
        "contacts": selectors.contacts_of(customer),
        "opportunities": selectors.opportunities_of(customer, request.member),
        "followups": timeline_for(customer),
        "history": history_for(target=customer, user_fields=("owner",)),
        "can_edit": request.member.has(Perm.CUSTOMER_EDIT),
    }
    return render_page(request, "customers/detail.html", context, partial="history")


@member_required(Perm.CUSTOMER_EDIT)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    initial = {n: getattr(customer, n) for n in CustomerForm.base_fields if hasattr(customer, n)}
    initial |= {
        "country": customer.country.code if customer.country else "",
        "owner": customer.owner_id,
        "tags": ", ".join(customer.tags or []),
    }
    form = CustomerForm(request.POST or None, owners=_owners(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                actor=request.actor,
                customer=customer,
                version=form.cleaned_data["version"],
                **form.service_data(),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"nav_active": "customers", "form": form, "customer": customer},
    )


@member_required(Perm.CUSTOMER_EDIT)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(member=request.member, pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                actor=request.actor, customer=customer, **form.service_data()
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/contact_form.html",
        {"nav_active": "customers", "form": form, "customer": customer, "contact": None},
    )


@member_required(Perm.CUSTOMER_EDIT)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(member=request.member, pk=pk)
    initial = {n: getattr(contact, n) for n in ContactForm.base_fields if hasattr(contact, n)}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(
                actor=request.actor,
                contact=contact,
                version=form.cleaned_data["version"],
                **form.service_data(),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
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
