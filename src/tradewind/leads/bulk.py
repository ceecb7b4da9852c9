"""Bulk actions on the leads list: assign, grade, release to the pool, delete.

The selection is either ticked ids or "everything the current filters match", always narrowed to
what the actor can see, and capped (BULK_MAX) so one click cannot lock the table for minutes. Each
lead goes through the same service as a single change (same checks, same audit row) inside its own
savepoint: a lead that refuses (not yours, already in the pool, closed) is skipped and reported
with its reason; the others are done. Bad input (no action, no selection, too many) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.bulk import BULK_MAX, BulkResult, apply_each, selection_ids
from tradewind.core.errors import ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import pool, services
from .choices import LeadGrade
from .errors import LeadBulkError
from .filters import LeadFilter
from .models import Lead

__all__ = ["ACTIONS", "BULK_MAX", "PERMS", "BulkResult", "bulk_selection", "leads_bulk_apply"]

# The permission each action needs, checked once before anything is touched.
PERMS = {
    "assign": Perm.LEAD_ASSIGN,
    "grade": Perm.LEAD_EDIT,
    "release": Perm.LEAD_EDIT,
    "delete": Perm.LEAD_DELETE,
}

ACTIONS = {
    "assign": gettext_lazy("Assign"),
    "grade": gettext_lazy("Set grade"),
    "release": gettext_lazy("Release to the pool"),
    "delete": gettext_lazy("Delete"),
}


def bulk_selection(
    *, member: Membership, ids: Iterable[Any] = (), filters: LeadFilter | None = None
) -> QuerySet[Lead]:
    """The visible leads chosen by ticked ids, or by the filters when `filters` is given."""
    qs = Lead.objects.visible_to(member)
    if filters is not None:
        return filters.apply(qs, user_id=member.user_id, member=member)
    clean = {int(i) for i in ids if str(i).strip().isdigit()}
    return qs.filter(pk__in=clean)


def _refuse(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, fields={"selection": [message]})


def leads_bulk_apply(
    *, actor: Actor, selection: QuerySet[Lead], action: str, value: str = ""
) -> BulkResult:
    """Run one action over the selection; returns how many were done and why others were skipped."""
    if action not in ACTIONS:
        raise ServiceError(
            LeadBulkError.UNKNOWN_ACTION,
            _("Choose what to do with the selected leads."),
            fields={"action": [_("Choose what to do with the selected leads.")]},
        )
    require(actor, PERMS[action])
    step = _step(actor, action, value)
    ids = selection_ids(
        selection,
        nothing=lambda: _refuse(LeadBulkError.NOTHING_SELECTED, _("Select at least one lead.")),
        too_many=lambda: _refuse(
            LeadBulkError.TOO_MANY,
            _("At most %(max)s leads at a time. Narrow the filters and try again.")
            % {"max": BULK_MAX},
        ),
        limit=BULK_MAX,
    )
    leads = Lead.objects.filter(pk__in=ids, workspace=actor.workspace).select_related("owner")
    return apply_each(leads, step)


def _step(actor: Actor, action: str, value: str) -> Callable[[Lead], object]:
    if action == "assign":
        from .assignment import lead_assign

        owner_id = int(value) if value.isdigit() else None
        if value not in ("", "none") and owner_id is None:
            raise ServiceError(
                LeadBulkError.UNKNOWN_ACTION,
                _("Choose who gets the leads."),
                fields={"value": [_("Choose who gets the leads.")]},
            )
        return lambda lead: lead_assign(actor=actor, lead=lead, owner_id=owner_id)
    if action == "grade":
        grade = value.upper()
        if grade not in LeadGrade.values and grade != "":
            raise ServiceError(
                LeadBulkError.UNKNOWN_ACTION,
                _("Choose a grade."),
                fields={"value": [_("Choose a grade.")]},
            )
        return lambda lead: services.lead_update(actor=actor, lead=lead, grade=grade)
    if action == "release":
        reason = value.strip()
        if not reason:
            raise ServiceError(
                LeadBulkError.UNKNOWN_ACTION,
                _("Say why these leads go back to the pool."),
                fields={"value": [_("Say why these leads go back to the pool.")]},
            )
        return lambda lead: pool.lead_release(actor=actor, lead=lead, reason=reason)
    return lambda lead: services.lead_delete(actor=actor, lead=lead)
