"""Sending a library item by e-mail: a file goes as an attachment, a script (or review) as the text
of the message, through the mail helper's queue (mailing/sending.py `email_queue`), on the
record's timeline; the send is counted as the item's use on that record in the same transaction.

The mail app is reached lazily: enablement lists it nowhere in its imports at start-up, and the
library keeps working (copy, download, "mark as sent") where it is not installed.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.db import transaction

from tradewind.workspaces.actors import Actor

from . import access
from .choices import ItemKind, UsageAction
from .library import acting_member, item_get, usage_record
from .models import LibraryItem

MAILING = "tradewind.mailing.sending"


def email_available() -> bool:
    try:
        return importlib.util.find_spec(MAILING) is not None
    except ModuleNotFoundError:  # pragma: no cover - the mailing package itself is missing
        return False


def default_recipient(record: Any) -> dict[str, str]:
    if record is None or not email_available():
        return {"name": "", "email": ""}
    from tradewind.mailing.rendering import recipient_of

    return recipient_of(record)


def default_message(item: LibraryItem) -> tuple[str, str]:
    """Subject and text a send starts with."""
    if item.kind == ItemKind.FILE:
        return item.title, item.body
    text = item.body or "\n\n".join(p for p in (item.worked, item.failed, item.profile) if p)
    return item.title, text


@transaction.atomic
def library_email(
    *,
    actor: Actor,
    item_id: Any,
    to: Any,
    subject: str,
    body_text: str,
    target_type: str = "",
    target_id: Any = None,
    cc: Any = None,
) -> Any:
    """Queue the e-mail (403 without EMAIL_SEND, 422 for bad addresses or a file over the mail
    size limit, 404 for an item or record the member cannot see) and count the send."""
    from tradewind.activities.targets import target_get
    from tradewind.mailing.sending import email_queue

    member = acting_member(actor)
    item = item_get(member, item_id)
    from tradewind.workspaces.access import require

    require(actor, access.ADD)
    target = None
    if target_type or target_id not in (None, ""):
        target = target_get(
            member=member, workspace=actor.workspace, target_type=target_type, target_id=target_id
        )
    attachments = None
    if item.kind == ItemKind.FILE and item.file:
        with item.file.open("rb") as handle:
            attachments = [(item.file_name or "file", item.file_type, handle.read())]
    recipients = [to] if isinstance(to, str) else list(to or [])
    message = email_queue(
        actor=actor,
        to=recipients,
        cc=[cc] if isinstance(cc, str) and cc else list(cc or []),
        subject=subject,
        body_text=body_text,
        target=target,
        attachments=attachments,
    )
    usage_record(
        actor=actor,
        item_id=item.pk,
        action=UsageAction.SENT,
        target_type=target_type if target is not None else "",
        target_id=target.pk if target is not None else None,
    )
    return message
