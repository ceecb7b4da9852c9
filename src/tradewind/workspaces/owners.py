"""Who may own a record: an active member of the record's workspace."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Membership, Workspace


def is_active_member(workspace: Workspace, user_id: int) -> bool:
    return Membership.objects.filter(workspace=workspace, user_id=user_id, is_active=True).exists()


def clean_owner(
    workspace: Workspace, cleaned: dict[str, Any], errors: dict[str, list[Any]]
) -> None:
    """`owner` (a user or an id, None for the pool) becomes `owner_id`."""
    if "owner" in cleaned:
        owner_id = cleaned.pop("owner")
        owner_id = getattr(owner_id, "pk", owner_id)
        if owner_id is not None and not is_active_member(workspace, owner_id):
            errors["owner"] = [_("The owner must be an active member of this workspace.")]
        cleaned["owner_id"] = owner_id
