"""Bulk actions on the opportunity list: assign an owner, delete.

The selection is ticked ids or "everything the current filters match", always narrowed to what the
actor can see and capped (core.bulk.BULK_MAX). The action's permission is checked once before
anything is touched; then each opportunity goes through the same service as a single change inside
its own savepoint (core.bulk.apply_each): one that refuses (e.g. a closed one cannot be reassigned)
is skipped and counted by its reason."""

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

from .errors import OpportunityListError
from .filters import OpportunityFilter, filtered
from .models import Opportunity

PERMS = {"assign": Perm.OPPORTUNITY_ASSIGN, "delete": Perm.OPPORTUNITY_DELETE}
ACTIONS = {"assign": gettext_lazy("Assign"), "delete": gettext_lazy("Delete")}


def bulk_selection(
    *, member: Membership, ids: Iterable[Any] = (), filters: OpportunityFilter | None = None
) -> QuerySet[Opportunity]:
    if filters is not None:
        return filtered(member, filters)
    clean = {int(i) for i in ids if str(i).strip().isdigit()}
    return Opportunity.objects.visible_to(member).filter(pk__in=clean)


def _refuse(code: str, message: str, field: str = "selection") -> ServiceError:
    return ServiceError(code, message, fields={field: [message]})


def opportunities_bulk_apply(
    *, actor: Actor, selection: QuerySet[Opportunity], action: str, value: str = ""
) -> BulkResult:
    """Run one action over the selection; returns how many were done and why others were skipped."""
    if action not in ACTIONS:
        message = _("Choose what to do with the selected opportunities.")
        raise _refuse(OpportunityListError.UNKNOWN_ACTION, message, "action")
    require(actor, PERMS[action])
    step = _step(actor, action, value.strip())
    ids = selection_ids(
        selection,
        nothing=lambda: _refuse(
            OpportunityListError.NOTHING_SELECTED, _("Select at least one opportunity.")
        ),
        too_many=lambda: _refuse(
            OpportunityListError.TOO_MANY,
            _("At most %(max)s opportunities at a time. Narrow the filters and try again.")
            % {"max": BULK_MAX},
        ),
        limit=BULK_MAX,
    )
    rows = Opportunity.objects.filter(pk__in=ids, workspace=actor.workspace).select_related(
        "customer", "stage", "pipeline"
    )
    return apply_each(rows, step)


def _step(actor: Actor, action: str, value: str) -> Callable[[Opportunity], object]:
    from . import services

    if action == "assign":
        if not value.isdigit():
            message = _("Choose who gets the opportunities.")
            raise _refuse(OpportunityListError.UNKNOWN_ACTION, message, "value")
        owner = int(value)
        return lambda o: services.opportunity_update(actor=actor, opportunity=o, owner_id=owner)
    return lambda o: services.opportunity_delete(actor=actor, opportunity=o)
