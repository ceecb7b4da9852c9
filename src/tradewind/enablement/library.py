"""Writes of the library: talk scripts and files with their tags, and their use (folders:
library_folders.py; the shared lookups: library_common.py).

Every service takes the acting member, looks the row up through `visible_to` first (a row the
member cannot read is 404 whatever else is wrong), then checks the verb (403), validates (422 with
field messages), writes, audits and emits after commit. Deal reviews are written by reviews.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.sales.models import Opportunity
from tradewind.sales.models_products import Product
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership

from . import access, files, search
from .choices import ItemKind, TagKind, UsageAction, Visibility
from .errors import LibraryError
from .library_common import (  # noqa: F401 - the library's API for other modules
    acting_member,
    denied,
    folder_get,
    invalid,
    item_get,
    not_found,
)
from .library_folders import (  # noqa: F401
    FOLDER_DEPTH,
    folder_create,
    folder_delete,
    folder_update,
    may_change_folder,
)
from .models import LibraryFolder, LibraryItem, LibraryTag, LibraryUsage
from .tags import MAX_TAGS, TAG_MAX, split_tags, stage_label, tag_key

TITLE_MAX = 200
BODY_MAX = 20_000
ITEM_FIELDS = ["kind", "title", "body", "folder", "visibility", "owner", "file_name"]
FREE_TAGS = (TagKind.INDUSTRY, TagKind.STAGE, TagKind.OBJECTION)


# --- items ---------------------------------------------------------------------------------------


def clean_tags(
    actor: Actor,
    *,
    products: Any = None,
    industries: Any = None,
    stages: Any = None,
    objections: Any = None,
) -> list[tuple[str, str, str]]:
    """(kind, key, value) of every tag, products checked against the workspace's catalogue."""
    out: list[tuple[str, str, str]] = []
    errors: dict[str, list[str]] = {}
    for kind, raw, field in (
        (TagKind.INDUSTRY, industries, "industries"),
        (TagKind.STAGE, stages, "stages"),
        (TagKind.OBJECTION, objections, "objections"),
    ):
        values = split_tags(raw)
        if len(values) > MAX_TAGS:
            errors[field] = [_("At most %(n)s tags.") % {"n": MAX_TAGS}]
            continue
        if any(len(v) > TAG_MAX for v in values):
            errors[field] = [_("A tag has at most %(n)s characters.") % {"n": TAG_MAX}]
            continue
        seen: set[str] = set()
        for value in values:
            key = tag_key(kind, value)
            if key and key not in seen:
                seen.add(key)
                shown = stage_label(key) if kind == TagKind.STAGE and key != value else value
                out.append((kind, key, shown[:TAG_MAX]))
    ids = _ids(products)
    if ids is None or len(ids) > MAX_TAGS:
        errors["products"] = [_("Choose products of the catalogue.")]
    elif ids:
        found = {p.pk: p for p in Product.objects.filter(workspace=actor.workspace, pk__in=ids)}
        if len(found) != len(set(ids)):
            errors["products"] = [_("Choose products of the catalogue.")]
        for pk in dict.fromkeys(ids):
            if pk in found:
                out.append((TagKind.PRODUCT, str(pk), str(found[pk])[:TAG_MAX]))
    if errors:
        code = LibraryError.BAD_PRODUCT if "products" in errors else LibraryError.BAD_TAG
        raise ServiceError(code, _("Please correct the marked fields."), fields=errors)
    return out


def _ids(value: Any) -> list[int] | None:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    out = []
    for v in value if isinstance(value, Iterable) else [value]:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            return None
    return out


def write_tags(item: LibraryItem, tags: list[tuple[str, str, str]]) -> None:
    """Replace the item's tags and refresh its search text (they are searched too)."""
    LibraryTag.objects.filter(item=item).delete()
    LibraryTag.objects.bulk_create(
        [
            LibraryTag(workspace_id=item.workspace_id, item=item, kind=k, key=key, value=v)
            for k, key, v in tags
        ]
    )
    refresh_search(item, [v for _k, _key, v in tags])


def refresh_search(item: LibraryItem, tag_values: list[str] | None = None) -> None:
    if tag_values is None:
        tag_values = list(item.tags.values_list("value", flat=True))
    item.search_text, item.search_pairs = search.search_fields(item, tag_values)
    LibraryItem.objects.filter(pk=item.pk).update(
        search_text=item.search_text, search_pairs=item.search_pairs
    )


def tag_snapshot(tags: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, _key, value in tags:
        out.setdefault(f"tags_{kind}", []).append(value)
    return out


def _folder_for(member: Membership, folder_id: Any, visibility: str) -> LibraryFolder | None:
    if folder_id in (None, "", 0, "0"):
        return None
    try:
        folder = folder_get(member, folder_id)
    except NotFound:
        raise invalid(LibraryError.BAD_FOLDER, "folder", _("Choose one of your folders.")) from None
    if folder.visibility == Visibility.PRIVATE and visibility == Visibility.SHARED:
        raise invalid(
            LibraryError.BAD_FOLDER,
            "folder",
            _("A company-shared item cannot be in a private folder."),
        )
    return folder


def _clean_item(kind: str, title: Any, body: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title_text = str(title or "").strip()
    body_text = str(body or "").replace("\r\n", "\n").strip()
    if not title_text:
        errors["title"] = [_("Enter a title.")]
    elif len(title_text) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if kind == ItemKind.SCRIPT and not body_text:
        errors["body"] = [_("Write the script.")]
    if len(body_text) > BODY_MAX:
        errors["body"] = [_("At most %(n)s characters.") % {"n": BODY_MAX}]
    if errors:
        code = LibraryError.TITLE_REQUIRED if "title" in errors else LibraryError.BODY_REQUIRED
        raise ServiceError(code, _("Please correct the marked fields."), fields=errors)
    return title_text, body_text


def _store_file(item: LibraryItem, file_name: str, data: bytes) -> None:
    if not data:
        raise invalid(LibraryError.FILE_REQUIRED, "file", _("Choose a file to upload."))
    if len(data) > files.MAX_BYTES:
        raise invalid(
            LibraryError.FILE_TOO_LARGE,
            "file",
            _("A file may be at most %(mb)s MB.") % {"mb": files.MAX_BYTES // (1024 * 1024)},
        )
    item.file_name = files.safe_name(file_name)
    item.file_type = files.sniff(data)
    item.file_size = len(data)
    item.file.save("upload", ContentFile(data), save=False)


@transaction.atomic
def item_create(
    *,
    actor: Actor,
    kind: str,
    title: Any,
    body: Any = "",
    folder_id: Any = None,
    visibility: str = Visibility.SHARED,
    products: Any = None,
    industries: Any = None,
    stages: Any = None,
    objections: Any = None,
    file_name: str = "",
    file_data: bytes | None = None,
) -> LibraryItem:
    """A talk script (title and text) or a file (title, upload, optional description)."""
    member = acting_member(actor)
    kind = str(kind or "")
    if kind == ItemKind.REVIEW:
        raise ServiceError(
            LibraryError.USE_REVIEW_FORM,
            _("Deal reviews are written from a closed opportunity."),
            fields={"kind": [_("Choose a talk script or a file.")]},
        )
    if kind not in (ItemKind.SCRIPT, ItemKind.FILE):
        raise invalid(LibraryError.BAD_KIND, "kind", _("Choose a talk script or a file."))
    visibility = str(visibility or "")
    if visibility not in Visibility.values:
        raise invalid(LibraryError.BAD_VISIBILITY, "visibility", _("Choose shared or private."))
    require(actor, access.CURATE if visibility == Visibility.SHARED else access.ADD)
    title_text, body_text = _clean_item(kind, title, body)
    folder = _folder_for(member, folder_id, visibility)
    tags = clean_tags(
        actor, products=products, industries=industries, stages=stages, objections=objections
    )
    now = timezone.now()
    item = LibraryItem(
        workspace=actor.workspace,
        kind=kind,
        title=title_text,
        body=body_text,
        folder=folder,
        visibility=visibility,
        owner_id=member.user_id,
        created_at=now,
        updated_at=now,
    )
    if kind == ItemKind.FILE:
        _store_file(item, file_name, file_data or b"")
    item.save()
    write_tags(item, tags)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=item,
        changes={
            k: [None, v]
            for k, v in (audit.snapshot(item, ITEM_FIELDS) | tag_snapshot(tags)).items()
            if v not in (None, "", [])
        },
    )
    emit("library_item.created", workspace_id=actor.workspace.pk, library_item_id=item.pk)
    return item


def current_tags(item: LibraryItem) -> list[tuple[str, str, str]]:
    return [(t.kind, t.key, t.value) for t in item.tags.order_by("id")]


@transaction.atomic
def item_update(
    *,
    actor: Actor,
    item_id: Any,
    expected_version: int | None = None,
    title: Any = None,
    body: Any = None,
    folder_id: Any = ...,
    visibility: str | None = None,
    products: Any = None,
    industries: Any = None,
    stages: Any = None,
    objections: Any = None,
    file_name: str = "",
    file_data: bytes | None = None,
) -> LibraryItem:
    """Change a script or a file. Arguments left at None keep their value; tags given replace
    that kind's tags. A new upload replaces the file."""
    member = acting_member(actor)
    item = item_get(member, item_id, for_update=True)
    if item.kind == ItemKind.REVIEW:
        raise ServiceError(
            LibraryError.USE_REVIEW_FORM, _("Deal reviews are written from a closed opportunity.")
        )
    if not access.can_change_item(member, item):
        raise denied()
    if expected_version is not None and item.version != expected_version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this item since you opened it. Reload to see it."),
        )
    if visibility is not None:
        visibility = str(visibility)
        if visibility not in Visibility.values:
            raise invalid(LibraryError.BAD_VISIBILITY, "visibility", _("Choose shared or private."))
        if visibility != item.visibility:
            # Sharing a private item, or taking a shared one private, is a curator's call; a
            # private item stays its owner's.
            require(actor, access.CURATE)
            if visibility == Visibility.PRIVATE and item.owner_id != member.user_id:
                raise denied()
    else:
        visibility = item.visibility
    title_text, body_text = _clean_item(
        item.kind,
        item.title if title is None else title,
        item.body if body is None else body,
    )
    folder = item.folder if folder_id is ... else _folder_for(member, folder_id, visibility)
    if folder_id is ... and folder is not None:
        folder = _folder_for(member, folder.pk, visibility)
    old_tags = current_tags(item)
    new = clean_tags(
        actor,
        products=products
        if products is not None
        else [key for k, key, _v in old_tags if k == TagKind.PRODUCT],
        industries=industries
        if industries is not None
        else [v for k, _key, v in old_tags if k == TagKind.INDUSTRY],
        stages=stages
        if stages is not None
        else [key for k, key, _v in old_tags if k == TagKind.STAGE],
        objections=objections
        if objections is not None
        else [v for k, _key, v in old_tags if k == TagKind.OBJECTION],
    )
    before = audit.snapshot(item, ITEM_FIELDS) | tag_snapshot(old_tags)
    item.title, item.body, item.folder, item.visibility = title_text, body_text, folder, visibility
    if file_data is not None and item.kind == ItemKind.FILE:
        _store_file(item, file_name, file_data)
    after = audit.snapshot(item, ITEM_FIELDS) | tag_snapshot(new)
    for key in before.keys() - after.keys():
        after[key] = []
    changes = audit.diff(before, after)
    if file_data is not None and item.kind == ItemKind.FILE:
        changes.setdefault("file_name", [before.get("file_name"), item.file_name])
    if not changes:
        return item
    item.version += 1
    item.updated_at = timezone.now()
    item.save()
    write_tags(item, new)
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=item, changes=changes)
    emit("library_item.updated", workspace_id=actor.workspace.pk, library_item_id=item.pk)
    return item


@transaction.atomic
def item_delete(*, actor: Actor, item_id: Any) -> None:
    member = acting_member(actor)
    item = item_get(member, item_id, for_update=True)
    if not access.can_change_item(member, item):
        raise denied()
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=item,
        changes={k: [v, None] for k, v in audit.snapshot(item, ITEM_FIELDS).items() if v},
    )
    stored = item.file.name if item.file else ""
    pk = item.pk
    item.delete()
    if stored:
        storage = LibraryItem._meta.get_field("file").storage  # type: ignore[attr-defined]
        transaction.on_commit(lambda: storage.delete(stored))
    emit("library_item.deleted", workspace_id=actor.workspace.pk, library_item_id=pk)


# --- use -----------------------------------------------------------------------------------------


@transaction.atomic
def usage_record(
    *,
    actor: Actor,
    item_id: Any,
    action: str,
    target_type: str = "",
    target_id: Any = None,
) -> LibraryUsage:
    """Count one copy or send of an item, by the acting member, on a record they can see."""
    from tradewind.activities.targets import target_get

    member = acting_member(actor)
    item = item_get(member, item_id)
    require(actor, access.ADD)
    action = str(action or "")
    if action not in UsageAction.values:
        raise invalid(LibraryError.BAD_ACTION, "action", _("Choose copied or sent."))
    if action == UsageAction.COPIED and item.kind == ItemKind.FILE:
        raise invalid(LibraryError.NOT_A_SCRIPT, "action", _("A file is sent, not copied."))
    target = None
    if target_type or target_id not in (None, ""):
        target = target_get(
            member=member, workspace=actor.workspace, target_type=target_type, target_id=target_id
        )
    usage = LibraryUsage.objects.create(
        workspace=actor.workspace,
        item=item,
        user_id=member.user_id,
        action=action,
        target_type=str(target_type) if target is not None else "",
        target_id=target.pk if target is not None else None,
        opportunity=target if isinstance(target, Opportunity) else None,
    )
    counter = "copy_count" if action == UsageAction.COPIED else "send_count"
    LibraryItem.objects.filter(pk=item.pk).update(**{counter: F(counter) + 1})
    emit(
        "library_item.used",
        workspace_id=actor.workspace.pk,
        library_item_id=item.pk,
        action=action,
        target_type=usage.target_type,
        target_id=usage.target_id,
        user_id=member.user_id,
    )
    return usage
