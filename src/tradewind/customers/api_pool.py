"""Public pool and life cycle API: claim, release, stage, targeted, tonight's recycling, the
automatic pools' counts."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import lifecycle, pool, pools, selectors
from .api import CustomerOut
from .models import Customer
from .recycling import PREVIEW_LIMIT, next_run_date, recycle_candidates

router = Router(tags=["customers"])


class PoolCustomerOut(CustomerOut):
    stage: str
    stage_manual: bool
    stage_reason: str
    targeted: bool


class CustomerReleaseIn(Schema):
    # Optional in the schema so a missing reason answers like a blank one: a coded, translated
    # field error from the service, the same words the page shows.
    reason: str = Field(
        "", max_length=pool.REASON_MAX, description="Why the customer goes back to the pool"
    )


class CustomerStageIn(Schema):
    stage: str = Field(
        "",
        description="potential, signed, repeat, lost, invalid (held until handed back), or "
        "`auto` to hand the stage back to the records",
    )
    reason: str = Field(
        "",
        max_length=lifecycle.REASON_MAX,
        description="Required except for `auto`; for `lost`, one of the workspace's lost reasons",
    )
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class TargetedIn(Schema):
    # Defaulted so the customer is looked up first: a foreign id answers 404, never 422.
    targeted: bool = Field(True, description="true: in the focus pool; false: out of it")


class CustomerRecycleRowOut(Schema):
    customer_id: int
    code: str
    name: str
    owner_id: int
    owner: str
    stage: str
    rule: str
    idle_days: int
    limit_days: int
    idle_since: dt.datetime
    reason: str


class CustomerRecyclePreviewOut(Schema):
    on_date: dt.date
    items: list[CustomerRecycleRowOut]


class PoolCountOut(Schema):
    key: str
    label: str
    count: int


@router.post(
    "/{customer_id}/claim",
    response={200: PoolCustomerOut, **ERRORS},
    summary="Claim a customer from the public pool",
    description="409 `already_claimed` names who was faster; 422 `holding_cap`, `daily_limit` "
    "or `cooldown` when the workspace's pool policy says no; 422 `not_claimable` for an "
    "invalid customer.",
)
def customer_claim(request: HttpRequest, customer_id: int) -> Customer:
    customer = pool.customer_for_claim(member=request.member, pk=customer_id)
    return pool.customer_claim(actor=request.actor, customer=customer)


@router.post(
    "/{customer_id}/release",
    response={200: PoolCustomerOut, **ERRORS},
    summary="Release a customer to the public pool",
)
def customer_release(
    request: HttpRequest, customer_id: int, payload: CustomerReleaseIn
) -> Customer:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return pool.customer_release(actor=request.actor, customer=customer, reason=payload.reason)


@router.post(
    "/{customer_id}/stage",
    response={200: PoolCustomerOut, **ERRORS},
    summary="Set a customer's life-cycle stage by hand, mark it lost or invalid, or hand it back",
    description="422 `unknown_stage`, `reason_required`, `unknown_lost_reason`.",
)
def customer_stage(request: HttpRequest, customer_id: int, payload: CustomerStageIn) -> Customer:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return lifecycle.customer_stage_set(
        actor=request.actor,
        customer=customer,
        stage=payload.stage,
        reason=payload.reason,
        version=payload.version,
    )


@router.post(
    "/{customer_id}/targeted",
    response={200: PoolCustomerOut, **ERRORS},
    summary="Mark a customer targeted (the focus pool) or not",
)
def customer_targeted(request: HttpRequest, customer_id: int, payload: TargetedIn) -> Customer:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    return lifecycle.customer_targeted_set(
        actor=request.actor, customer=customer, targeted=payload.targeted
    )


@router.get(
    "/recycling-preview",
    response={200: CustomerRecyclePreviewOut, **READ_ERRORS},
    summary="What the next nightly run would put back in the public pool, and why",
    description="Members holding customer.assign see every customer in their scope; others "
    f"their own. At most {PREVIEW_LIMIT} rows, longest idle first.",
)
def recycling_preview(request: HttpRequest) -> dict:
    require(request.actor, Perm.CUSTOMER_VIEW)
    ws = request.member.workspace
    on_date = next_run_date(ws)
    rows = recycle_candidates(
        workspace=ws, on_date=on_date, member=request.member, limit=PREVIEW_LIMIT
    )
    return {
        "on_date": on_date,
        "items": [
            {
                "customer_id": c.customer.pk,
                "code": c.customer.code,
                "name": c.customer.name,
                "owner_id": c.customer.owner_id,
                "owner": str(c.customer.owner),
                "stage": c.customer.stage,
                "rule": c.rule,
                "idle_days": c.idle_days,
                "limit_days": c.limit_days,
                "idle_since": c.idle_since,
                "reason": c.reason,
            }
            for c in rows
        ],
    }


@router.get(
    "/pools",
    response={200: list[PoolCountOut], **READ_ERRORS},
    summary="The automatic pools with live counts of the customers you may see",
    description="nurturing, demand, focus, success, failure, invalid (docs/customers-pool.md).",
)
def pool_counts(request: HttpRequest) -> list[dict]:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return [
        {"key": p.key, "label": str(p.label), "count": count}
        for p, count in pools.pools_with_counts(request.member)
    ]
