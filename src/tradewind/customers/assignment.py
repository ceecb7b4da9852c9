"""Assigning a customer to a rep (分配) through the pool's records.

A manager (CUSTOMER_ASSIGN) gives a customer to a member. The previous owner's open stint is
closed without a cool-down (they did not give the customer up: `pool.STALE_REASON`), and an open
stint with no `claimed_at` starts for the new owner, so a later release or recycling closes it
with its cool-down and the daily claim count is untouched. The holding cap is not applied: it
limits what a rep takes from the pool, not what a manager hands out (docs/customers-pool.md).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.notifications import notify
from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS

from .models import Customer
from .models_pool import CustomerClaim
from .pool import STALE_REASON

ACTION_LABELS.setdefault("assigned", gettext_lazy("assigned the customer"))
NOTE_MAX = 200


class AssignError(StrEnum):
    BAD_OWNER = "bad_owner"
    NOTE_TOO_LONG = "note_too_long"


def _refuse(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, message, fields={field: [message]})


@transaction.atomic
def customer_assign(
    *, actor: Actor, customer: Customer, owner_id: int | None, note: str = ""
) -> Customer:
    """Give a customer to an active member. Assigning it to its current owner changes nothing."""
    require(actor, Perm.CUSTOMER_ASSIGN)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise _refuse(
            AssignError.NOTE_TOO_LONG,
            "note",
            _("Keep the note to %(max)s characters or fewer.") % {"max": NOTE_MAX},
        )
    new_owner = None
    if owner_id is not None and str(owner_id).isdigit():
        new_owner = (
            Membership.objects.filter(
                workspace=actor.workspace,
                user_id=int(owner_id),
                is_active=True,
                user__is_active=True,
            )
            .select_related("user")
            .first()
        )
    if new_owner is None or not new_owner.has(Perm.CUSTOMER_EDIT):
        raise _refuse(
            AssignError.BAD_OWNER,
            "owner_id",
            _("Choose an active member who can work customers."),
        )
    current = (
        Customer.objects.select_for_update()
        .filter(pk=customer.pk, workspace=actor.workspace)
        .first()
    )
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    previous = current.owner_id
    if previous == new_owner.user_id:
        return current
    now = timezone.now()
    CustomerClaim.objects.filter(
        workspace=actor.workspace, customer=current, released_at__isnull=True
    ).update(released_at=now, release_reason=STALE_REASON)
    CustomerClaim.objects.create(
        workspace=actor.workspace, customer=current, user_id=new_owner.user_id, claimed_at=None
    )
    Customer.objects.filter(pk=current.pk).update(
        owner_id=new_owner.user_id, version=F("version") + 1, updated_at=now
    )
    result = Customer.objects.select_related("owner").get(pk=current.pk)
    changes: dict[str, list] = {"owner": [previous, new_owner.user_id]}
    if note:
        changes["note"] = [None, note]
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="assigned", target=result, changes=changes
    )
    if new_owner.user_id != actor.user_id:
        notify(
            workspace=actor.workspace,
            user_ids=[new_owner.user_id],
            kind="customer.assigned",
            params={"by": str(actor.user or ""), "customer": str(result), "note": note},
            url=reverse("customers:detail", args=[result.pk]),
        )
    emit(
        "customer.assigned",
        workspace_id=actor.workspace.pk,
        customer_id=result.pk,
        user_id=new_owner.user_id,
        previous_id=previous,
    )
    return result
