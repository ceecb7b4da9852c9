"""In-app notifications (通知): a kind and its parameters, rendered when read in the reader's language.

Writers call `notify()` (one bulk INSERT, idempotent per `key`); readers list their own rows only.
A notification belongs to one user in one workspace: anybody else's answers 404. The kinds and
their words live here because activities may not import the apps that send them; other apps add
theirs with `KINDS["x.y"] = Kind(...)` at import time.

Each user chooses per kind whether it shows in the app and whether it comes by e-mail (off, at
once, or in the daily digest): notification_prefs.py. `notify()` honours the choice: in-app off
writes no row; e-mail at once queues a keyed job per user (notification_mail.py); the digest
(digests.py) reads the unread rows of the user's digest kinds once a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tradewind.core.errors import ErrorCode, NotFound
from tradewind.workspaces.models import Membership, Workspace

from .models import Notification

LIST_LIMIT = 100


@dataclass(frozen=True)
class Kind:
    title: Promise
    body: Promise  # %(name)s placeholders filled from the stored params
    icon: str = "bi-bell"
    # The preferences page groups kinds by area: this, else the code's first part ("lead.x").
    area: str = ""
    # What a user who never changed the setting gets: "off", "instant" or "digest".
    default_email: str = "off"


# The words of every kind. Unknown kinds (from a newer version) read as their code.
KINDS: dict[str, Kind] = {
    "lead.recycle_warning": Kind(
        _("Leads go back to the pool tomorrow"),
        _(
            "Not followed up in time: %(codes)s. Record a follow-up today or they return to the "
            "lead pool tonight."
        ),
        "bi-hourglass-split",
    ),
    "lead.recycled": Kind(
        _("Leads went back to the pool"),
        _("Not followed up in time, now in the lead pool: %(codes)s."),
        "bi-recycle",
    ),
    "lead.to_reactivate": Kind(
        _("Dormant leads are back for reactivation"),
        _("Time to contact them again: %(codes)s."),
        "bi-alarm",
    ),
    "task.reminder": Kind(
        _("Task reminder"),
        _("Due soon: %(title)s"),
        "bi-alarm",
    ),
    "task.assigned": Kind(
        _("A task for you"),
        _("%(by)s gave you a task: %(title)s"),
        "bi-check2-square",
        default_email="instant",
    ),
    "comment.mention": Kind(
        _("You were mentioned"),
        _("%(by)s mentioned you: %(excerpt)s"),
        "bi-at",
        default_email="instant",
    ),
    "customer.collaborator_added": Kind(
        _("You collaborate on a customer"),
        _("%(by)s added you as a collaborator on %(customer)s."),
        "bi-people",
    ),
    "customer.assigned": Kind(
        _("A customer was assigned to you"),
        _("%(by)s assigned %(customer)s to you. %(note)s"),
        "bi-person-check",
        default_email="instant",
    ),
}


@dataclass(frozen=True)
class Rendered:
    id: int
    kind: str
    title: str
    body: str
    icon: str
    url: str
    created_at: Any
    read_at: Any

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _fill(text: Promise | str, params: dict[str, Any]) -> str:
    values = dict(params)
    codes = values.get("codes")
    if isinstance(codes, list):
        shown = ", ".join(str(c) for c in codes[:20])
        more = len(codes) - 20
        if more > 0:
            shown += " " + ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more}
        values["codes"] = shown
    try:
        return str(text) % values
    except (KeyError, TypeError, ValueError):
        return str(text)


def render(row: Notification) -> Rendered:
    kind = KINDS.get(row.kind)
    title = str(kind.title) if kind else row.kind
    body = _fill(kind.body, row.params or {}) if kind else ""
    return Rendered(
        id=row.pk,
        kind=row.kind,
        title=title,
        body=body,
        icon=kind.icon if kind else "bi-bell",
        url=row.url,
        created_at=row.created_at,
        read_at=row.read_at,
    )


# --- writing --------------------------------------------------------------------------------------


def notify(
    *,
    workspace: Workspace,
    user_ids: Iterable[int],
    kind: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    key: str = "",
) -> int:
    """One notification per user, in one INSERT, as each user's preferences for `kind` say. With a
    `key`, a user who already has a notification with that key gets no second one (the daily
    warning is sent once per day), nor a second e-mail. Returns how many users were asked for."""
    ids = sorted({int(u) for u in user_ids if u is not None})
    return notify_each(
        workspace=workspace, items=[(u, params or {}, url) for u in ids], kind=kind, key=key
    )


def notify_each(
    *, workspace: Workspace, items: list[tuple[int, dict[str, Any], str]], kind: str, key: str = ""
) -> int:
    """Different params per user, still one INSERT: items are (user_id, params, url). Costs one
    query for the preferences, one INSERT, and a queued job per user who wants an e-mail at once."""
    if not items:
        return 0
    from .notification_mail import queue_instant
    from .notification_prefs import choices_for

    choices = choices_for(workspace_id=workspace.pk, kind=kind, user_ids={u for u, _p, _u in items})
    now = timezone.now()
    rows = [
        Notification(
            workspace=workspace,
            user_id=user_id,
            kind=kind,
            params=params,
            url=url,
            key=key,
            created_at=now,
        )
        for user_id, params, url in items
        if choices[user_id].in_app
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    mailed = [item for item in items if choices[item[0]].email == "instant"]
    if mailed:
        # Without a key the rows have their ids (no ignore_conflicts): the e-mail job uses them.
        row_ids = {row.user_id: row.pk for row in rows if row.pk is not None}
        queue_instant(workspace=workspace, kind=kind, key=key, items=mailed, row_ids=row_ids)
    return len(items)


def _mine(member: Membership) -> QuerySet[Notification]:
    if member is None or not member.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(workspace_id=member.workspace_id, user_id=member.user_id)


@transaction.atomic
def notification_mark_read(*, member: Membership, notification_id: int) -> Notification:
    """Mark one of the member's own notifications read; anybody else's is 404."""
    row = _mine(member).filter(pk=notification_id).first()
    if row is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


@transaction.atomic
def notifications_mark_all_read(*, member: Membership) -> int:
    return _mine(member).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- reading --------------------------------------------------------------------------------------


def notifications_for(
    member: Membership,
    *,
    unread_only: bool = False,
    limit: int = LIST_LIMIT,
    before: int | None = None,
) -> list[Rendered]:
    """Newest first; `before` (an id) pages to older ones along the (workspace, user, -id) index."""
    qs = _mine(member)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return [render(row) for row in qs.order_by("-id")[:limit]]


def unread_count(member: Membership, cap: int = 99) -> int:
    """At most cap + 1 rows counted: the bell says "99+" rather than scanning a backlog."""
    return _mine(member).filter(read_at__isnull=True).order_by().values("pk")[: cap + 1].count()
