"""Assignment and pool policy API: `POST /customers/{id}/assign`, `GET/PATCH /customers/policy`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors
from .api_pool import PoolCustomerOut
from .assignment import NOTE_MAX, customer_assign
from .models import Customer
from .models_pool import CustomerPolicy
from .policy import customer_policy_update

router = Router(tags=["customers"])


class CustomerAssignIn(Schema):
    owner_id: int | None = Field(None, description="The member who gets the customer")
    note: str = Field("", max_length=NOTE_MAX, description="Why; shown to the new owner")


class PolicyIn(Schema):
    # All optional: send only what changes. The service validates (0 switches a rule off).
    holding_cap: int | None = None
    daily_claim_limit: int | None = None
    release_cooldown_days: int | None = None
    recycle_no_followup_days: int | None = None
    recycle_no_opportunity_days: int | None = None
    recycle_signed: bool | None = None
    warn_days_before: int | None = None
    lost_reasons: list[str] | None = None


class PolicyOut(Schema):
    holding_cap: int
    daily_claim_limit: int
    release_cooldown_days: int
    recycle_no_followup_days: int
    recycle_no_opportunity_days: int
    recycle_signed: bool
    warn_days_before: int
    lost_reasons: list[str]


@router.post(
    "/{customer_id}/assign",
    response={200: PoolCustomerOut, **ERRORS},
    summary="Assign a customer to a member (customer.assign)",
    description="422 `bad_owner` for someone who is not an active member able to work customers.",
)
def customer_assign_api(
    request: HttpRequest, customer_id: int, payload: CustomerAssignIn
) -> Customer:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return customer_assign(
        actor=request.actor, customer=customer, owner_id=payload.owner_id, note=payload.note
    )


@router.get(
    "/policy",
    response={200: PolicyOut, **READ_ERRORS},
    summary="The workspace's public pool policy",
)
def policy_get(request: HttpRequest) -> CustomerPolicy:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return CustomerPolicy.for_workspace(request.actor.workspace)


@router.patch(
    "/policy",
    response={200: PolicyOut, **ERRORS},
    summary="Change some of the public pool rules (workspace.manage)",
    description="Send only the keys to change. 422 `invalid` with field errors; 0 switches a "
    "rule off.",
)
def policy_update(request: HttpRequest, payload: PolicyIn) -> CustomerPolicy:
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return customer_policy_update(actor=request.actor, **values)
