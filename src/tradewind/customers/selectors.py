"""Reads of the customers app; every one goes through visible_to()."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership

from .filters import CustomerFilter
from .models import Contact, Customer


def customers_visible(member: Membership) -> QuerySet[Customer]:
    return Customer.objects.visible_to(member)


def customer_list(
    *, member: Membership, filters: CustomerFilter, cursor: str | None, limit: int
) -> Page:
    qs = filters.apply(
        customers_visible(member), user_id=member.user_id, member=member
    ).select_related("owner")
    return keyset_page(qs, order=filters.order, cursor=cursor, limit=limit)


def customer_get(*, member: Membership, pk: int) -> Customer:
    """404 for anything outside the member's scope: no existence leak."""
    return get_object_or_404(customers_visible(member).select_related("owner"), pk=pk)


def contacts_of(customer: Customer) -> list[Contact]:
    return list(customer.contacts.order_by("-is_primary", "name", "id"))


def contact_get(*, member: Membership, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.visible_to(member).select_related("customer", "customer__owner"), pk=pk
    )


def opportunities_of(customer: Customer, member: Membership, limit: int = 20) -> list:
    """The customer's opportunities the member may see (the reverse relation from sales; customers
    does not import sales)."""
    return list(
        customer.opportunities.visible_to(member)  # type: ignore[attr-defined]
        .select_related("stage", "owner")
        .order_by("-created_at", "-id")[:limit]
    )
