"""Notification preferences: per user, per workspace and per kind, in the app on/off and e-mail
off / at once / daily digest.

Only choices that differ from a kind's defaults are stored (`NotificationPreference`), so a kind
another app adds later starts at its defaults for everybody and the table stays small. Defaults:
in the app on; e-mail off, except the kinds whose `Kind.default_email` says otherwise (mentions
and assignments: at once). A daily digest lists unread in-app notifications, so "digest" needs
"in the app" on; in-app off with e-mail at once is allowed (the e-mail carries everything).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tradewind.core.errors import ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Membership

from .models_notifications import EmailMode, NotificationPreference
from .notifications import KINDS, Kind


class NotificationError(StrEnum):
    UNKNOWN_KIND = "notification_unknown_kind"
    BAD_EMAIL_MODE = "notification_bad_email_mode"
    DIGEST_NEEDS_IN_APP = "notification_digest_needs_in_app"
    NO_MEMBER = "notification_no_member"


# Area labels of the preferences page, in this order; an app adding kinds of a new area may add
# its label here. An area without a label reads as its code.
AREAS: dict[str, Promise] = {
    "lead": _("Leads"),
    "customer": _("Customers"),
    "opportunity": _("Opportunities"),
    "quote": _("Quotes"),
    "order": _("Orders"),
    "payment": _("Payments"),
    "task": _("Tasks"),
    "comment": _("Comments"),
    "automation": _("Automation"),
    "rule": _("Workflow rules"),
    "plan": _("Step plans"),
    "email": _("E-mail"),
    "mail": _("E-mail"),
    "webhook": _("Webhooks"),
    "job": _("Background jobs"),
    "schedule": _("Schedules"),
}

EMAIL_MODES = tuple(EmailMode.values)


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: str


@dataclass(frozen=True)
class KindPref:
    """One row of the preferences page / API: the kind, its words, the current and default choice."""

    kind: str
    area: str
    area_label: str
    title: str
    icon: str
    in_app: bool
    email: str
    default_in_app: bool
    default_email: str

    @property
    def is_default(self) -> bool:
        return self.in_app == self.default_in_app and self.email == self.default_email


def default_choice(kind: str) -> Choice:
    info = KINDS.get(kind)
    email = info.default_email if info and info.default_email in EMAIL_MODES else EmailMode.OFF
    return Choice(in_app=True, email=str(email))


def area_of(code: str, info: Kind | None) -> str:
    return (info.area if info and info.area else "") or code.split(".", 1)[0]


def area_label(area: str) -> str:
    label = AREAS.get(area)
    return str(label) if label is not None else area


def _area_order(area: str) -> tuple[int, str]:
    keys = list(AREAS)
    return (keys.index(area), "") if area in keys else (len(keys), area)


# --- reading --------------------------------------------------------------------------------------


def choices_for(*, workspace_id: int, kind: str, user_ids: Iterable[int]) -> dict[int, Choice]:
    """What each user wants for one kind: their stored choice, else the default (one query)."""
    ids = set(user_ids)
    default = default_choice(kind)
    result = dict.fromkeys(ids, default)
    if ids:
        rows = NotificationPreference.objects.filter(
            workspace_id=workspace_id, kind=kind, user_id__in=ids
        ).values_list("user_id", "in_app", "email")
        for user_id, in_app, email in rows:
            result[user_id] = Choice(in_app=in_app, email=email)
    return result


def preferences_for(member: Membership) -> list[KindPref]:
    """Every known kind with the member's choice, grouped by area (in AREAS order), then by title."""
    stored = {
        kind: Choice(in_app=in_app, email=email)
        for kind, in_app, email in NotificationPreference.objects.filter(
            workspace_id=member.workspace_id, user_id=member.user_id
        ).values_list("kind", "in_app", "email")
    }
    rows = []
    for code, info in KINDS.items():
        default = default_choice(code)
        mine = stored.get(code, default)
        area = area_of(code, info)
        rows.append(
            KindPref(
                kind=code,
                area=area,
                area_label=area_label(area),
                title=str(info.title),
                icon=info.icon,
                in_app=mine.in_app,
                email=mine.email,
                default_in_app=default.in_app,
                default_email=default.email,
            )
        )
    rows.sort(key=lambda r: (_area_order(r.area), r.title.casefold(), r.kind))
    return rows


def grouped(rows: list[KindPref]) -> list[tuple[str, str, list[KindPref]]]:
    """(area, label, rows) in the order of `rows`."""
    groups: dict[str, tuple[str, str, list[KindPref]]] = {}
    for row in rows:
        groups.setdefault(row.area, (row.area, row.area_label, []))[2].append(row)
    return list(groups.values())


# --- writing --------------------------------------------------------------------------------------


def _problem(item: dict[str, Any]) -> tuple[NotificationError, Any] | None:
    kind = str(item.get("kind") or "")
    email = item.get("email")
    if kind not in KINDS:
        return NotificationError.UNKNOWN_KIND, _("Unknown kind of notification.")
    if email not in EMAIL_MODES:
        return NotificationError.BAD_EMAIL_MODE, _("Choose one of: %(values)s.") % {
            "values": ", ".join(EMAIL_MODES)
        }
    if not isinstance(item.get("in_app"), bool):
        return NotificationError.BAD_EMAIL_MODE, _("Choose on or off.")
    if email == EmailMode.DIGEST and not item["in_app"]:
        return NotificationError.DIGEST_NEEDS_IN_APP, _(
            "The daily digest lists unread notifications in the app: keep them in the app or "
            "choose e-mail at once."
        )
    return None


def _clean(items: Iterable[dict[str, Any]]) -> dict[str, Choice]:
    """Every item checked before anything is written; the first problem names the error code."""
    wanted: dict[str, Choice] = {}
    errors: dict[str, list[Any]] = {}
    first: tuple[NotificationError, Any] | None = None
    for item in items:
        problem = _problem(item)
        if problem is None:
            wanted[str(item["kind"])] = Choice(in_app=item["in_app"], email=str(item["email"]))
            continue
        first = first or problem
        errors.setdefault(str(item.get("kind") or "kind"), []).append(problem[1])
    if first is not None:
        raise ServiceError(first[0], first[1], fields=errors)
    return wanted


@transaction.atomic
def notification_preferences_set(*, actor: Actor, items: Iterable[dict[str, Any]]) -> int:
    """Set the acting member's own choices for the kinds given (`{"kind", "in_app", "email"}`
    each); kinds left out keep theirs. All or nothing: one bad item saves none. Returns how many
    kinds changed."""
    member = actor.member
    if member is None or not member.is_active:
        raise ServiceError(NotificationError.NO_MEMBER, _("Only a member has preferences."))
    wanted = _clean(items)
    if not wanted:
        return 0
    stored = {
        row.kind: row
        for row in NotificationPreference.objects.select_for_update().filter(
            workspace_id=member.workspace_id, user_id=member.user_id, kind__in=list(wanted)
        )
    }
    changes: dict[str, list[Any]] = {}
    now = timezone.now()
    for kind, choice in wanted.items():
        default = default_choice(kind)
        row = stored.get(kind)
        before = Choice(row.in_app, row.email) if row else default
        if before == choice:
            continue
        changes[kind] = [_describe(before), _describe(choice)]
        if choice == default:
            if row is not None:
                row.delete()
        elif row is None:
            NotificationPreference.objects.create(
                workspace_id=member.workspace_id,
                user_id=member.user_id,
                kind=kind,
                in_app=choice.in_app,
                email=choice.email,
                updated_at=now,
            )
        else:
            row.in_app, row.email, row.updated_at = choice.in_app, choice.email, now
            row.save(update_fields=["in_app", "email", "updated_at"])
    if changes:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            target=member,
            action="notification_preferences",
            changes=changes,
        )
    return len(changes)


def _describe(choice: Choice) -> str:
    return f"{'app' if choice.in_app else 'no app'}, e-mail {choice.email}"
