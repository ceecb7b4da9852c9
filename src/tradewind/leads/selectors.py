from __future__ import annotations

from django.db.models import QuerySet

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership

from .filters import LIST_ORDER, SEARCH_ORDER, LeadFilter
from .models import Lead

__all__ = ["LIST_ORDER", "SEARCH_ORDER", "lead_get", "lead_list", "leads_visible"]


def lead_list(*, member: Membership, filters: LeadFilter, cursor: str | None, limit: int) -> Page:
    qs = filters.apply(
        Lead.objects.visible_to(member), user_id=member.user_id, member=member
    ).select_related("owner")
    return keyset_page(qs, order=filters.order, cursor=cursor, limit=limit)


def lead_get(*, member: Membership, pk: int) -> Lead:
    """404 for anything outside the member's scope: no existence leak."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Lead.objects.visible_to(member).select_related("owner"), pk=pk)


def leads_visible(member: Membership) -> QuerySet[Lead]:
    return Lead.objects.visible_to(member)
