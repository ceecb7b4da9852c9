"""Customer collaborators API: list, add, remove (docs/customers-pool.md)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import collaborators, selectors
from .models_collaborators import CustomerCollaborator

router = Router(tags=["customers"])


class CollaboratorOut(Schema):
    user_id: int
    name: str
    email: str
    added_by_id: int | None
    added_at: dt.datetime


class CollaboratorIn(Schema):
    # Defaulted so the customer is looked up first: a foreign customer answers 404, never 422.
    user_id: int = Field(0, description="The member to add")


def _out(row: CustomerCollaborator) -> dict:
    return {
        "user_id": row.user_id,
        "name": str(row.user),
        "email": row.user.email,
        "added_by_id": row.added_by_id,
        "added_at": row.added_at,
    }


@router.get(
    "/{customer_id}/collaborators",
    response={200: list[CollaboratorOut], **READ_ERRORS},
    summary="The collaborators of a customer",
)
def collaborator_list(request: HttpRequest, customer_id: int) -> list[dict]:
    require(request.actor, Perm.CUSTOMER_VIEW)
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return [_out(r) for r in collaborators.collaborators_of(customer)]


@router.post(
    "/{customer_id}/collaborators",
    response={201: CollaboratorOut, **ERRORS},
    summary="Add a collaborator (the owner or customer.assign)",
    description="422 `not_a_member`, `is_owner`; 409 `already_collaborator`.",
)
def collaborator_add(request: HttpRequest, customer_id: int, payload: CollaboratorIn) -> Status:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    row = collaborators.customer_collaborator_add(
        actor=request.actor, customer=customer, user_id=payload.user_id
    )
    return Status(201, _out(CustomerCollaborator.objects.select_related("user").get(pk=row.pk)))


@router.delete(
    "/{customer_id}/collaborators/{user_id}",
    response={204: None, **ERRORS},
    summary="Remove a collaborator (the owner or customer.assign; a collaborator may leave)",
    description="404 `not_collaborator` when the user does not collaborate on it.",
)
def collaborator_remove(request: HttpRequest, customer_id: int, user_id: int) -> Status:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    collaborators.customer_collaborator_remove(
        actor=request.actor, customer=customer, user_id=user_id
    )
    return Status(204, None)
