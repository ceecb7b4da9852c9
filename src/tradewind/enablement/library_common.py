"""What the library's writes share: the acting member, the coded refusals, and the visible-row
lookups every write starts from (a row the member cannot read is 404 whatever else is wrong)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership

from .models import LibraryFolder, LibraryItem


def not_found(message: str | None = None) -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, message or _("Not found."))


def denied() -> PermissionDenied:
    return PermissionDenied(
        ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
    )


def acting_member(actor: Actor) -> Membership:
    if actor.member is None:  # the library is people's work: system actors do not write it
        raise denied()
    return actor.member


def invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


def folder_get(member: Membership, folder_id: Any) -> LibraryFolder:
    try:
        pk = int(folder_id)
    except (TypeError, ValueError):
        raise not_found() from None
    folder = LibraryFolder.objects.visible_to(member).filter(pk=pk).first()
    if folder is None:
        raise not_found(_("Folder not found."))
    return folder


def item_get(member: Membership, item_id: Any, *, for_update: bool = False) -> LibraryItem:
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise not_found() from None
    qs = LibraryItem.objects.visible_to(member).filter(pk=pk)
    if for_update:
        # Locked by id once visibility is established (the visibility query has a subquery).
        if not qs.exists():
            raise not_found(_("Library item not found."))
        return LibraryItem.objects.select_for_update().get(pk=pk)
    item = qs.select_related("folder", "owner").first()
    if item is None:
        raise not_found(_("Library item not found."))
    return item
