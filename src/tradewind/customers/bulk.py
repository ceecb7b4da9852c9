"""Bulk actions on the customer list: assign, release to the pool, rate, tag, delete.

The selection is ticked ids or "everything the current filters match", always narrowed to what the
actor can see and capped (core.bulk.BULK_MAX). The action's permission is checked once before
anything is touched; then each customer goes through the same service as a single change inside its
own savepoint (core.bulk.apply_each): one that refuses is skipped and counted by its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.bulk import BULK_MAX, BulkResult, apply_each, selection_ids
from tradewind.core.errors import Conflict, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import services
from .capture import CUSTOMER_EDITABLE
from .errors import CustomerListError
from .filters import CustomerFilter
from .models import Customer

PERMS = {
    "assign": Perm.CUSTOMER_ASSIGN,
    "release": Perm.CUSTOMER_EDIT,
    "rate": Perm.CUSTOMER_EDIT,
    "tag": Perm.CUSTOMER_EDIT,
    "untag": Perm.CUSTOMER_EDIT,
    "delete": Perm.CUSTOMER_DELETE,
}
ACTIONS = {
    "assign": gettext_lazy("Assign"),
    "release": gettext_lazy("Release to the public pool"),
    "rate": gettext_lazy("Set rating"),
    "tag": gettext_lazy("Add a tag"),
    "untag": gettext_lazy("Remove a tag"),
    "delete": gettext_lazy("Delete"),
}


def bulk_selection(
    *, member: Membership, ids: Iterable[Any] = (), filters: CustomerFilter | None = None
) -> QuerySet[Customer]:
    qs = Customer.objects.visible_to(member)
    if filters is not None:
        return filters.apply(qs, user_id=member.user_id, member=member)
    clean = {int(i) for i in ids if str(i).strip().isdigit()}
    return qs.filter(pk__in=clean)


def _refuse(code: str, message: str, field: str = "selection") -> ServiceError:
    return ServiceError(code, message, fields={field: [message]})


@transaction.atomic
def customer_delete(*, actor: Actor, customer: Customer) -> None:
    """Delete a customer and its contacts (audited with its values). A customer with opportunities
    is refused: they are sales history (close or move them first)."""
    require(actor, Perm.CUSTOMER_DELETE)
    if customer.opportunities.exists():  # type: ignore[attr-defined]
        raise Conflict(
            CustomerListError.HAS_OPPORTUNITIES,
            _("A customer with opportunities cannot be deleted."),
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=customer,
        changes={
            k: [v, None]
            for k, v in audit.snapshot(customer, ["code", *CUSTOMER_EDITABLE]).items()
            if v not in (None, "", [])
        },
    )
    customer_id = customer.pk
    Customer.objects.filter(pk=customer_id, workspace=actor.workspace).delete()
    emit("customer.deleted", workspace_id=actor.workspace.pk, customer_id=customer_id)


def customers_bulk_apply(
    *, actor: Actor, selection: QuerySet[Customer], action: str, value: str = ""
) -> BulkResult:
    """Run one action over the selection; returns how many were done and why others were skipped."""
    if action not in ACTIONS:
        message = _("Choose what to do with the selected customers.")
        raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "action")
    require(actor, PERMS[action])
    step = _step(actor, action, value.strip())
    ids = selection_ids(
        selection,
        nothing=lambda: _refuse(
            CustomerListError.NOTHING_SELECTED, _("Select at least one customer.")
        ),
        too_many=lambda: _refuse(
            CustomerListError.TOO_MANY,
            _("At most %(max)s customers at a time. Narrow the filters and try again.")
            % {"max": BULK_MAX},
        ),
        limit=BULK_MAX,
    )
    rows = Customer.objects.filter(pk__in=ids, workspace=actor.workspace).select_related("owner")
    return apply_each(rows, step)


def _step(actor: Actor, action: str, value: str) -> Callable[[Customer], object]:
    if action == "assign":
        if value in ("", "none"):
            message = _("Choose who gets the customers.")
            raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "value")
        if not value.isdigit():
            message = _("Choose who gets the customers.")
            raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "value")
        owner = int(value)
        from .assignment import customer_assign

        return lambda c: customer_assign(actor=actor, customer=c, owner_id=owner)
    if action == "release":
        if not value:
            message = _("Say why these customers go back to the pool.")
            raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "value")
        from .pool import customer_release

        return lambda c: customer_release(actor=actor, customer=c, reason=value)
    if action == "rate":
        if value not in {"", "1", "2", "3", "4", "5"}:
            message = _("A rating is 1 to 5 stars.")
            raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "value")
        rating = int(value) if value else None
        return lambda c: services.customer_update(actor=actor, customer=c, rating=rating)
    if action in ("tag", "untag"):
        tag = " ".join(value.split())[:40]
        if not tag:
            message = _("Enter the tag.")
            raise _refuse(CustomerListError.UNKNOWN_ACTION, message, "value")

        def retag(c: Customer) -> object:
            tags = list(c.tags or [])
            if action == "tag" and tag not in tags:
                tags.append(tag)
            elif action == "untag":
                tags = [t for t in tags if t != tag]
            return services.customer_update(actor=actor, customer=c, tags=tags)

        return retag
    return lambda c: customer_delete(actor=actor, customer=c)
