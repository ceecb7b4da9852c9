"""Qualification API: a customer's 三定 (GET/PUT) and its follow-up node ticks (POST), plus the
workspace's node sequence (/followup-nodes; admins add, rename, deactivate and reorder)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import qualification, qualification_nodes, selectors
from .models import Customer
from .models_qualification import FollowUpNode

router = Router(tags=["customers"])
nodes_router = Router(tags=["customers"])


class NodeOut(Schema):
    id: int
    key: str
    label: str
    label_en: str
    label_zh: str
    position: int
    active: bool


class NodeTickOut(Schema):
    node: str
    label: str
    reached_on: dt.date | None
    ticked_by_id: int | None


class QualificationOut(Schema):
    customer_id: int
    qualitative: str = Field(description="valuable, uncertain, not_valuable or empty")
    qualified: bool = Field(
        description="qualitative == valuable (the automatic pools' 'qualified')"
    )
    deal_grade: str = Field(description="big, normal, small or empty")
    expected_sign_date: dt.date | None
    expected_amount: Decimal | None
    currency: str
    qualified_at: dt.datetime | None
    version: int = Field(description="Send it back with PUT; 0 before the first qualification")
    nodes: list[NodeTickOut]


class QualificationIn(Schema):
    qualitative: str = ""
    deal_grade: str = ""
    expected_sign_date: dt.date | None = None
    expected_amount: Decimal | None = None
    currency: str = Field("", max_length=3)
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class NodeTickIn(Schema):
    # Defaulted so the customer is looked up first (a foreign id answers 404, never 422); an
    # empty node is refused by the service with a coded, translated error.
    node: str = Field("", description="The node's key (e.g. price_confirmed) or id")
    reached_on: dt.date | None = Field(None, description="Default: today")
    reached: bool = Field(True, description="false removes the tick")


class NodeIn(Schema):
    label_en: str = Field("", max_length=80)
    label_zh: str = Field("", max_length=80)
    key: str = Field("", max_length=40)


class NodePatch(Schema):
    label_en: str | None = Field(None, max_length=80)
    label_zh: str | None = Field(None, max_length=80)
    active: bool | None = None
    position: int | None = Field(None, ge=1)


def _out(customer: Customer) -> dict:
    q = qualification.qualification_of(customer)
    return {
        "customer_id": customer.pk,
        "qualitative": q.qualitative if q else "",
        "qualified": bool(q and q.qualitative == qualification.QUALIFIED),
        "deal_grade": q.deal_grade if q else "",
        "expected_sign_date": q.expected_sign_date if q else None,
        "expected_amount": q.expected_amount if q else None,
        "currency": q.currency if q else "",
        "qualified_at": q.qualified_at if q else None,
        "version": q.version if q else 0,
        "nodes": [
            {
                "node": node.key,
                "label": node.label,
                "reached_on": tick.reached_on if tick else None,
                "ticked_by_id": tick.ticked_by_id if tick else None,
            }
            for node, tick in qualification.node_rows(customer)
        ],
    }


@router.get("/{customer_id}/qualification", response={200: QualificationOut, **READ_ERRORS})
def qualification_get(request: HttpRequest, customer_id: int) -> dict:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return _out(selectors.customer_get(member=request.member, pk=customer_id))


@router.put("/{customer_id}/qualification", response={200: QualificationOut, **ERRORS})
def qualification_put(request: HttpRequest, customer_id: int, payload: QualificationIn) -> dict:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    data = payload.dict()
    version = data.pop("version")
    qualification.customer_qualify(actor=request.actor, customer=customer, version=version, **data)
    return _out(customer)


@router.post("/{customer_id}/nodes", response={200: QualificationOut, **ERRORS})
def node_tick(request: HttpRequest, customer_id: int, payload: NodeTickIn) -> dict:
    customer = selectors.customer_get(member=request.member, pk=customer_id)
    if payload.reached:
        qualification.customer_node_tick(
            actor=request.actor, customer=customer, node=payload.node, reached_on=payload.reached_on
        )
    else:
        qualification.customer_node_untick(
            actor=request.actor, customer=customer, node=payload.node
        )
    return _out(customer)


@nodes_router.get("", response={200: list[NodeOut], **READ_ERRORS})
def node_list(request: HttpRequest, include_inactive: bool = False) -> list[FollowUpNode]:
    require(request.actor, Perm.CUSTOMER_VIEW)
    return qualification.nodes_of(request.workspace, include_inactive=include_inactive)


@nodes_router.post("", response={201: NodeOut, **ERRORS})
def node_create(request: HttpRequest, payload: NodeIn) -> Status:
    return Status(
        201, qualification_nodes.followup_node_create(actor=request.actor, **payload.dict())
    )


@nodes_router.patch("/{node_id}", response={200: NodeOut, **ERRORS})
def node_update(request: HttpRequest, node_id: int, payload: NodePatch) -> FollowUpNode:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404
    node = FollowUpNode.objects.visible_to(request.member).filter(pk=node_id).first()
    if node is None:
        raise Http404
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return qualification_nodes.followup_node_update(actor=request.actor, node=node, **data)
