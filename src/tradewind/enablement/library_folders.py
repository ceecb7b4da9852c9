"""Library folders: a tree (at most FOLDER_DEPTH levels), company-shared or private; a shared folder
never sits inside a private one; a folder is deleted only when empty."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, NotFound
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership

from . import access
from .choices import Visibility
from .errors import LibraryError
from .library_common import acting_member, denied, folder_get, invalid
from .models import LibraryFolder

FOLDER_DEPTH = 6


def _clean_name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise invalid(LibraryError.NAME_REQUIRED, "name", _("Enter a name."))
    if len(text) > 120:
        raise invalid(
            LibraryError.NAME_REQUIRED, "name", _("At most %(n)s characters.") % {"n": 120}
        )
    return text


def _depth(folder: LibraryFolder | None) -> int:
    depth = 0
    while folder is not None and depth <= FOLDER_DEPTH + 1:
        depth += 1
        folder = folder.parent
    return depth


def _parent_for(
    member: Membership, parent_id: Any, visibility: str, moving: LibraryFolder | None = None
) -> LibraryFolder | None:
    if parent_id in (None, "", 0, "0"):
        return None
    try:
        parent = folder_get(member, parent_id)
    except NotFound:
        raise invalid(LibraryError.BAD_FOLDER, "parent", _("Choose one of your folders.")) from None
    if visibility == Visibility.SHARED and parent.visibility == Visibility.PRIVATE:
        raise invalid(
            LibraryError.BAD_FOLDER,
            "parent",
            _("A company-shared folder cannot be inside a private folder."),
        )
    if moving is not None:
        walk: LibraryFolder | None = parent
        while walk is not None:
            if walk.pk == moving.pk:
                raise invalid(
                    LibraryError.FOLDER_CYCLE,
                    "parent",
                    _("A folder cannot move into itself or one of its subfolders."),
                )
            walk = walk.parent
    if _depth(parent) >= FOLDER_DEPTH:
        raise invalid(
            LibraryError.FOLDER_TOO_DEEP,
            "parent",
            _("Folders nest at most %(n)s levels deep.") % {"n": FOLDER_DEPTH},
        )
    return parent


@transaction.atomic
def folder_create(
    *, actor: Actor, name: Any, parent_id: Any = None, visibility: str = Visibility.SHARED
) -> LibraryFolder:
    member = acting_member(actor)
    visibility = str(visibility or Visibility.SHARED)
    if visibility not in Visibility.values:
        raise invalid(LibraryError.BAD_VISIBILITY, "visibility", _("Choose shared or private."))
    require(actor, access.CURATE if visibility == Visibility.SHARED else access.ADD)
    text = _clean_name(name)
    parent = _parent_for(member, parent_id, visibility)
    folder = LibraryFolder.objects.create(
        workspace=actor.workspace,
        name=text,
        parent=parent,
        visibility=visibility,
        owner_id=member.user_id,
    )
    audit.record_create(actor=actor, target=folder, fields=["name", "parent", "visibility"])
    emit("library_folder.created", workspace_id=actor.workspace.pk, folder_id=folder.pk)
    return folder


def may_change_folder(member: Membership, folder: LibraryFolder) -> bool:
    if folder.visibility == Visibility.SHARED:
        return member.has(access.CURATE)
    return folder.owner_id == member.user_id and member.has(access.ADD)


@transaction.atomic
def folder_update(
    *, actor: Actor, folder_id: Any, name: Any = None, parent_id: Any = None
) -> LibraryFolder:
    """Rename a folder or move it under another one (its visibility stays what it was made)."""
    member = acting_member(actor)
    folder = folder_get(member, folder_id)
    if not may_change_folder(member, folder):
        raise denied()
    before = audit.snapshot(folder, ["name", "parent"])
    if name is not None:
        folder.name = _clean_name(name)
    folder.parent = _parent_for(member, parent_id, folder.visibility, moving=folder)
    changes = audit.diff(before, audit.snapshot(folder, ["name", "parent"]))
    if changes:
        folder.version += 1
        folder.updated_at = timezone.now()
        folder.save(update_fields=["name", "parent", "version", "updated_at"])
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=folder, changes=changes)
    return folder


@transaction.atomic
def folder_delete(*, actor: Actor, folder_id: Any) -> None:
    """Delete an empty folder (its items and subfolders must be moved or deleted first)."""
    member = acting_member(actor)
    folder = folder_get(member, folder_id)
    if not may_change_folder(member, folder):
        raise denied()
    if folder.children.exists() or folder.items.exists():
        raise Conflict(
            LibraryError.FOLDER_NOT_EMPTY,
            _("This folder is not empty: move or delete its items and subfolders first."),
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=folder,
        changes={"name": [folder.name, None]},
    )
    pk = folder.pk
    folder.delete()
    emit("library_folder.deleted", workspace_id=actor.workspace.pk, folder_id=pk)
