"""Comments with @mentions on any record (lead, customer, contact, opportunity).

Whoever may see a record reads its comments and, holding Perm.COMMENT_CREATE, adds one; only the
author edits or deletes a comment (anyone else gets 404). A mention is "@" followed by an active
member's display name (what the autocomplete inserts) or an explicit user id (the API's
`mentions`); newly mentioned colleagues get an in-app notification, once per comment.
The body is stored as typed and rendered escaped, with the mentions highlighted (comments_render).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, WorkspaceModel
from tradewind.workspaces.permissions import Perm

from .errors_tasks import CommentError
from .models_tasks import Comment
from .notifications import notify
from .targets import target_get, target_url

BODY_MAX = 5000
LIST_LIMIT = 200
AUDIT_FIELDS = ["target_type", "target_id", "body", "mentions"]


def mentionable(workspace_id: int) -> list[tuple[int, str]]:
    """(user id, display name) of the workspace's active members, for the autocomplete."""
    rows = (
        Membership.objects.filter(workspace_id=workspace_id, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(m.user_id, m.user.display_name) for m in rows]


def find_mentions(
    body: str, members: list[tuple[int, str]], explicit: Iterable[Any] = ()
) -> list[int]:
    """The ids mentioned: "@Name" in the body (case-insensitive, longest names first so "@Li Lei"
    is not read as "@Li") plus explicit ids of active members."""
    known = {uid for uid, _name in members}
    found: set[int] = set()
    lowered = body.lower()
    taken: list[tuple[int, int]] = []
    for uid, name in sorted(members, key=lambda m: -len(m[1])):
        needle = "@" + name.lower()
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(s <= start < e for s, e in taken):
                taken.append((start, end))
                found.add(uid)
            start = lowered.find(needle, end)
    for value in explicit or ():
        try:
            uid = int(value)
        except (TypeError, ValueError):
            continue
        if uid in known:
            found.add(uid)
    return sorted(found)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(
            CommentError.INVALID,
            _("Please correct the marked fields."),
            fields={"body": [_("Write something first.")]},
        )
    if len(body) > BODY_MAX:
        raise ServiceError(
            CommentError.INVALID,
            _("Please correct the marked fields."),
            fields={"body": [_("At most %(n)s characters.") % {"n": BODY_MAX}]},
        )
    return body


def _who_may_read(comment: Comment, user_ids: Iterable[int]) -> list[int]:
    """Of the mentioned, those who may open the record: nobody learns of a record (or reads an
    excerpt about it) through a mention that they could not open."""
    members = Membership.objects.filter(
        workspace_id=comment.workspace_id, user_id__in=list(user_ids), is_active=True
    ).select_related("user", "workspace", "team")
    readers = []
    for member in members:
        try:
            target_get(
                member=member,
                workspace=member.workspace,
                target_type=comment.target_type,
                target_id=comment.target_id,
            )
        except NotFound:
            continue
        readers.append(member.user_id)
    return readers


def _notify_mentioned(actor: Actor, comment: Comment, user_ids: Iterable[int]) -> None:
    ids = _who_may_read(comment, [u for u in user_ids if u != comment.author_id])
    if ids:
        notify(
            workspace=actor.workspace,
            user_ids=ids,
            kind="comment.mention",
            params={"by": str(actor.user or actor.label), "excerpt": comment.body[:120]},
            url=comment_url(comment),
            key=f"comment_mention:{comment.pk}",
        )


@transaction.atomic
def comment_add(
    *, actor: Actor, target: WorkspaceModel, body: str, mentions: Iterable[Any] = ()
) -> Comment:
    """A comment on `target`, which the caller fetched through visible_to()."""
    require(actor, Perm.COMMENT_CREATE)
    if target.pk is None or target.workspace_id != actor.workspace.pk or actor.user_id is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    body = _clean_body(body)
    now = timezone.now()
    comment = Comment.objects.create(
        workspace=actor.workspace,
        target_type=audit.target_type(target),
        target_id=target.pk,
        author_id=actor.user_id,
        body=body,
        mentions=find_mentions(body, mentionable(actor.workspace.pk), mentions),
        created_at=now,
        updated_at=now,
    )
    audit.record_create(actor=actor, target=comment, fields=AUDIT_FIELDS)
    _notify_mentioned(actor, comment, comment.mentions)
    emit(
        "comment.added",
        workspace_id=actor.workspace.pk,
        comment_id=comment.pk,
        target_type=comment.target_type,
        target_id=comment.target_id,
        mentions=comment.mentions,
    )
    return comment


def own_comment_get(*, member: Membership, pk: int) -> Comment:
    """The member's own comment; anybody else's (or none) is 404."""
    row = Comment.objects.visible_to(member).filter(pk=pk, author_id=member.user_id).first()
    if row is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return row


@transaction.atomic
def comment_edit(
    *, actor: Actor, comment: Comment, body: str, mentions: Iterable[Any] = ()
) -> Comment:
    """The author rewrites their comment; colleagues mentioned for the first time are told."""
    require(actor, Perm.COMMENT_CREATE)
    if comment.author_id != actor.user_id or comment.workspace_id != actor.workspace.pk:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    body = _clean_body(body)
    before = set(comment.mentions or [])
    found = find_mentions(body, mentionable(actor.workspace.pk), mentions)
    changes = audit.apply_changes(comment, {"body": body, "mentions": found}, AUDIT_FIELDS)
    if not changes:
        return comment
    comment.edited_at = timezone.now()
    audit.save_update(actor=actor, target=comment, changes=changes)
    _notify_mentioned(actor, comment, [u for u in found if u not in before])
    emit("comment.edited", workspace_id=actor.workspace.pk, comment_id=comment.pk)
    return comment


@transaction.atomic
def comment_delete(*, actor: Actor, comment: Comment) -> None:
    require(actor, Perm.COMMENT_CREATE)
    if comment.author_id != actor.user_id or comment.workspace_id != actor.workspace.pk:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=comment,
        changes={"body": [comment.body, None]},
    )
    pk = comment.pk
    comment.delete()
    emit("comment.deleted", workspace_id=actor.workspace.pk, comment_id=pk)


# --- reading --------------------------------------------------------------------------------------


def comments_of(target: WorkspaceModel, *, limit: int = LIST_LIMIT) -> list[Comment]:
    """A record's comments, oldest first (a conversation). The caller fetched the record through
    visible_to()."""
    rows = list(
        Comment.objects.filter(
            workspace_id=target.workspace_id,
            target_type=audit.target_type(target),
            target_id=target.pk,
        )
        .select_related("author")
        .order_by("-id")[:limit]
    )
    rows.reverse()
    return rows


def comment_url(comment: Comment) -> str:
    """Where a mention notification leads: the record's page at the comment."""
    from django.apps import apps

    from .targets import TARGETS

    kind = TARGETS.get(comment.target_type)
    if kind is None:
        return ""
    model = apps.get_model(kind.model)
    obj = model.objects.filter(pk=comment.target_id).first()  # type: ignore[attr-defined]
    return f"{target_url(obj)}#comment-{comment.pk}" if obj is not None else ""
