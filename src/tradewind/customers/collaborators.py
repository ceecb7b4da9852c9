"""Collaborators (协作人) of a customer: members who work the account with its owner.

The owner or a CUSTOMER_ASSIGN holder adds and removes them; a collaborator may also leave. A
collaborator sees the customer and its contacts whatever their data scope (`visible_to`), is told
in-app when added, and every change is audited on the customer (docs/customers-pool.md).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.notifications import notify
from tradewind.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS

from .models import Customer
from .models_collaborators import CustomerCollaborator

ACTION_LABELS.setdefault("collaborator_added", gettext_lazy("added a collaborator"))
ACTION_LABELS.setdefault("collaborator_removed", gettext_lazy("removed a collaborator"))


class CollaboratorError(StrEnum):
    NOT_A_MEMBER = "not_a_member"
    IS_OWNER = "is_owner"
    ALREADY_COLLABORATOR = "already_collaborator"
    NOT_COLLABORATOR = "not_collaborator"


def can_manage(member: Membership | None, customer: Customer) -> bool:
    """Who may add or remove collaborators: the owner, or a CUSTOMER_ASSIGN holder."""
    return (
        member is not None
        and member.has(Perm.CUSTOMER_EDIT)
        and (customer.owner_id == member.user_id or member.has(Perm.CUSTOMER_ASSIGN))
    )


def collaborators_of(customer: Customer) -> list[CustomerCollaborator]:
    return list(
        CustomerCollaborator.objects.filter(customer=customer)
        .select_related("user", "added_by")
        .order_by("added_at", "id")
    )


def candidates(member: Membership, customer: Customer) -> list[Membership]:
    """Active members who could be added: not the owner, not already collaborating."""
    taken = set(
        CustomerCollaborator.objects.filter(customer=customer).values_list("user_id", flat=True)
    )
    if customer.owner_id:
        taken.add(customer.owner_id)
    return [
        m
        for m in Membership.objects.filter(
            workspace_id=member.workspace_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
        if m.user_id not in taken
    ]


def _locked(actor: Actor, customer: Customer) -> Customer:
    current = (
        Customer.objects.select_for_update()
        .filter(pk=customer.pk, workspace=actor.workspace)
        .first()
    )
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return current


def _refuse_unless_manager(actor: Actor, customer: Customer) -> None:
    if actor.member is not None and not can_manage(actor.member, customer):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the customer’s owner or a manager can change its collaborators."),
        )


def _invalid(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, fields={"user_id": [message]})


@transaction.atomic
def customer_collaborator_add(
    *, actor: Actor, customer: Customer, user_id: int
) -> CustomerCollaborator:
    require(actor, Perm.CUSTOMER_EDIT)
    current = _locked(actor, customer)
    _refuse_unless_manager(actor, current)
    colleague = (
        Membership.objects.filter(
            workspace=actor.workspace, user_id=user_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if colleague is None:
        raise _invalid(
            CollaboratorError.NOT_A_MEMBER, _("Choose an active member of this workspace.")
        )
    if current.owner_id == colleague.user_id:
        raise _invalid(CollaboratorError.IS_OWNER, _("The owner already works this customer."))
    try:
        with transaction.atomic():
            row = CustomerCollaborator.objects.create(
                workspace=actor.workspace,
                customer=current,
                user=colleague.user,
                added_by_id=actor.user_id,
                added_at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(
            CollaboratorError.ALREADY_COLLABORATOR,
            _("%(name)s already collaborates on this customer.") % {"name": colleague.user},
        ) from None
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="collaborator_added",
        target=current,
        changes={"collaborator": [None, str(colleague.user)]},
    )
    if colleague.user_id != actor.user_id:
        notify(
            workspace=actor.workspace,
            user_ids=[colleague.user_id],
            kind="customer.collaborator_added",
            params={"by": str(actor.user or ""), "customer": str(current)},
            url=reverse("customers:detail", args=[current.pk]),
        )
    emit(
        "customer.collaborator_added",
        workspace_id=actor.workspace.pk,
        customer_id=current.pk,
        user_id=colleague.user_id,
    )
    return row


@transaction.atomic
def customer_collaborator_remove(*, actor: Actor, customer: Customer, user_id: int) -> None:
    """The owner or a manager removes a collaborator; a collaborator may leave by themself."""
    require(actor, Perm.CUSTOMER_EDIT)
    current = _locked(actor, customer)
    if actor.user_id != user_id:
        _refuse_unless_manager(actor, current)
    row = (
        CustomerCollaborator.objects.filter(customer=current, user_id=user_id)
        .select_related("user")
        .first()
    )
    if row is None:
        raise NotFound(
            CollaboratorError.NOT_COLLABORATOR,
            _("This person does not collaborate on this customer."),
        )
    name = str(row.user)
    row.delete()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="collaborator_removed",
        target=current,
        changes={"collaborator": [name, None]},
    )
    emit(
        "customer.collaborator_removed",
        workspace_id=actor.workspace.pk,
        customer_id=current.pk,
        user_id=user_id,
    )
