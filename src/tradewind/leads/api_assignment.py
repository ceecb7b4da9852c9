"""Assignment API: hand one lead or many to a member (or the pool), try the rules on a lead, and
edit the ordered assignment rules (WORKSPACE_MANAGE; without it a rule id answers 404)."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import assignment, assignment_rules, selectors
from .api import LeadOut
from .assignment_engine import CONDITION_KEYS
from .models import Lead
from .models_webforms import AssignmentRule

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


# --- the rules (settings) ---------------------------------------------------------------------------


class AssignmentRuleOut(Schema):
    id: int
    name: str
    is_active: bool
    position: int
    conditions: dict[str, list[str]]
    action: str
    target_user_id: int | None
    target_team_id: int | None
    version: int


class AssignmentRuleIn(Schema):
    # Defaults everywhere: an outsider's empty body answers 404, and the service refuses a missing
    # name or action with coded, translated field errors.
    name: str = Field("", max_length=120)
    is_active: bool = True
    conditions: dict[str, list[str]] = Field(
        default_factory=dict, description=f"Lists of values by key: {', '.join(CONDITION_KEYS)}"
    )
    action: str = Field("", description="user, round_robin, least_loaded or pool")
    target_user_id: int | None = Field(None, description="For action=user")
    target_team_id: int | None = Field(None, description="For round_robin and least_loaded")


class RuleMoveIn(Schema):
    direction: Literal["up", "down"] | None = None


class RuleOrderIn(Schema):
    rule_ids: list[int] = Field(default_factory=list, max_length=500)


def _rule_data(payload: AssignmentRuleIn) -> dict:
    data = payload.dict()
    unknown = sorted(set(data["conditions"]) - set(CONDITION_KEYS))
    if unknown:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={
                "conditions": [_("Unknown condition: %(keys)s.") % {"keys": ", ".join(unknown)}]
            },
        )
    data["target_user"] = data.pop("target_user_id")
    data["target_team"] = data.pop("target_team_id")
    return data


def _rule_get(request: HttpRequest, assignment_rule_id: int) -> AssignmentRule:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404  # configuration: not there for members who cannot edit it
    rule = AssignmentRule.objects.visible_to(request.member).filter(pk=assignment_rule_id).first()
    if rule is None:
        raise Http404
    return rule


def _rules(request: HttpRequest) -> list[AssignmentRule]:
    return list(AssignmentRule.objects.visible_to(request.member).order_by("position", "id"))


@router.get(
    "/assignment-rules",
    response={200: list[AssignmentRuleOut], 403: ERRORS[403], **READ_ERRORS},
    summary="The assignment rules, in the order they are tried",
)
def assignment_rule_list(request: HttpRequest) -> list[AssignmentRule]:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    return _rules(request)


@router.post(
    "/assignment-rules",
    response={201: AssignmentRuleOut, **ERRORS},
    summary="Add an assignment rule (tried last)",
)
def assignment_rule_create(request: HttpRequest, payload: AssignmentRuleIn) -> Status:
    rule = assignment_rules.assignment_rule_create(actor=request.actor, **_rule_data(payload))
    return Status(201, rule)


@router.post(
    "/assignment-rules/reorder",
    response={200: list[AssignmentRuleOut], **ERRORS},
    summary="Put the rules in this order (ids not listed keep theirs, after)",
)
def assignment_rules_reorder(request: HttpRequest, payload: RuleOrderIn) -> list[AssignmentRule]:
    return assignment_rules.assignment_rules_reorder(actor=request.actor, rule_ids=payload.rule_ids)


@router.put(
    "/assignment-rules/{assignment_rule_id}",
    response={200: AssignmentRuleOut, **ERRORS},
    summary="Change an assignment rule (all its fields)",
)
def assignment_rule_update(
    request: HttpRequest, assignment_rule_id: int, payload: AssignmentRuleIn
) -> AssignmentRule:
    rule = _rule_get(request, assignment_rule_id)
    return assignment_rules.assignment_rule_update(
        actor=request.actor, rule=rule, **_rule_data(payload)
    )


@router.delete(
    "/assignment-rules/{assignment_rule_id}",
    response={204: None, **ERRORS},
    summary="Delete an assignment rule",
)
def assignment_rule_delete(request: HttpRequest, assignment_rule_id: int) -> Status:
    rule = _rule_get(request, assignment_rule_id)
    assignment_rules.assignment_rule_delete(actor=request.actor, rule=rule)
    return Status(204, None)


@router.post(
    "/assignment-rules/{assignment_rule_id}/move",
    response={200: list[AssignmentRuleOut], **ERRORS},
    summary="Move a rule one step up or down; answers the new order",
)
def assignment_rule_move(
    request: HttpRequest, assignment_rule_id: int, payload: RuleMoveIn
) -> list[AssignmentRule]:
    rule = _rule_get(request, assignment_rule_id)
    return assignment_rules.assignment_rule_move(
        actor=request.actor, rule=rule, up=payload.direction != "down"
    )
