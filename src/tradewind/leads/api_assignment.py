"""Assignment API: hand one lead or many to a member (or the pool), and try the rules on a lead."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import assignment, selectors
from .api import LeadOut
from .models import Lead

router = Router(tags=["leads"])


class LeadAssignIn(Schema):
    # Optional in the schema so an outsider's empty body answers 404 like every lead route; a
    # missing owner_id is refused below with a coded, translated field error.
    owner_id: int | None = Field(
        None, description="Required: a member's user id; null puts the lead in the pool"
    )
    note: str = Field("", max_length=assignment.NOTE_MAX)


class AssignBulkIn(Schema):
    lead_ids: list[int] = Field(..., max_length=assignment.BULK_MAX)
    owner_id: int | None = Field(
        ..., description="A member's user id; null puts the leads in the pool"
    )


class AssignBulkOut(Schema):
    assigned: int


class TrialOut(Schema):
    fires: bool
    rule_id: int | None = None
    rule_name: str = ""
    action: str = ""
    owner_id: int | None = None
    owner_name: str = ""


@router.post(
    "/assign-bulk",
    response={200: AssignBulkOut, **ERRORS},
    summary="Assign many leads at once",
    description="Only open leads you can see are moved; `assigned` says how many.",
)
def leads_assign_bulk(request: HttpRequest, payload: AssignBulkIn) -> dict:
    count = assignment.leads_assign_bulk(
        actor=request.actor, lead_ids=payload.lead_ids, owner_id=payload.owner_id
    )
    return {"assigned": count}


@router.post(
    "/{lead_id}/assign",
    response={200: LeadOut, **ERRORS},
    summary="Assign a lead to a member or the pool",
    description="422 `lead_closed` for converted/invalid leads; 422 `owner_not_eligible` when the "
    "member is inactive or cannot work leads.",
)
def lead_assign(request: HttpRequest, lead_id: int, payload: LeadAssignIn) -> Lead:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    if "owner_id" not in payload.model_fields_set:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={"owner_id": [_("This field is required.")]},
        )
    return assignment.lead_assign(
        actor=request.actor, lead=lead, owner_id=payload.owner_id, note=payload.note
    )


@router.get(
    "/{lead_id}/assignment-trial",
    response={200: TrialOut, 403: ERRORS[403], **READ_ERRORS},
    summary="Which assignment rule would fire for this lead (changes nothing)",
)
def lead_assignment_trial(request: HttpRequest, lead_id: int) -> dict:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    require(request.actor, Perm.LEAD_ASSIGN)
    decision = assignment.assignment_trial(member=request.member, lead=lead)
    if decision is None:
        return {"fires": False}
    return {
        "fires": True,
        "rule_id": decision.rule.pk,
        "rule_name": decision.rule.name,
        "action": decision.rule.action,
        "owner_id": decision.owner_id,
        "owner_name": decision.owner_name,
    }
