"""Reads of import batches: always through visible_to() (the importer, and managers by scope)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .models_imports import ImportStatus, LeadImport


def import_list(*, member: Membership, cursor: str | None, limit: int = 30) -> Page:
    qs = LeadImport.objects.visible_to(member).select_related("created_by")
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, limit=limit)


def import_get(*, member: Membership, pk: int) -> LeadImport:
    """404 for a batch outside the member's scope, as for every record."""
    return get_object_or_404(
        LeadImport.objects.visible_to(member).select_related("created_by", "workspace"), pk=pk
    )


def can_undo(member: Membership, batch: LeadImport) -> bool:
    return (
        batch.status in (ImportStatus.DONE, ImportStatus.FAILED)
        and batch.created_count > 0
        and (batch.created_by_id == member.user_id or member.has(Perm.LEAD_ASSIGN))
    )
