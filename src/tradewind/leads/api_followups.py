"""Follow-ups on leads over the API: record and list a lead's, and the member's due lists."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.activities.choices import Channel, FollowUpResult
from tradewind.activities.models import FollowUp
from tradewind.activities.selectors import timeline_for
from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import followups, selectors
from .api import LeadOut

router = Router(tags=["leads"])


class FollowUpIn(Schema):
    # Optional in the schema so an out-of-scope lead answers 404 before the body is judged; the
    # service refuses missing values with field errors (422).
    channel: Channel | None = None
    summary: str = Field("", description="What was said (required)")
    happened_at: dt.datetime | None = Field(None, description="Defaults to now")
    feedback: str = Field("", description="Customer feedback / objection")
    next_action: str = Field("", max_length=500)
    next_due_at: dt.datetime | None = Field(
        None, description="Empty: the grade's cadence from the lead policy"
    )
    result: FollowUpResult | None = None


class FollowUpOut(Schema):
    id: int
    target_type: str
    target_id: int
    owner_id: int
    owner_name: str
    happened_at: dt.datetime
    channel: str
    summary: str
    feedback: str
    next_action: str
    next_due_at: dt.datetime | None
    result: str
    created_at: dt.datetime

    @staticmethod
    def resolve_owner_name(obj: FollowUp) -> str:
        return str(obj.owner)


class LeadFollowUpOut(LeadOut):
    status_changed_at: dt.datetime | None
    sla_breached: bool = False


class FollowUpRecordedOut(Schema):
    followup: FollowUpOut
    lead: LeadFollowUpOut
    started_contacting: bool
    went_dormant: bool


class DueLeadOut(LeadFollowUpOut):
    last_next_action: str | None = None


class DueIn(Schema):
    when: followups.Due = followups.Due.TODAY


@router.get(
    "/followups/due",
    response={200: list[DueLeadOut], **READ_ERRORS},
    summary="My leads due for a follow-up",
    description=(
        "Open leads you own with the next follow-up due today, before today (overdue) or "
        "tomorrow, in your time zone (the workspace's if you set none); soonest first, "
        f"at most {followups.DUE_LIST_LIMIT}."
    ),
)
def due(request: HttpRequest, params: Query[DueIn]) -> list:
    require(request.actor, Perm.LEAD_VIEW)
    return followups.due_leads(request.member, params.when.value)


@router.get(
    "/{lead_id}/followups",
    response={200: list[FollowUpOut], **READ_ERRORS},
    summary="A lead's follow-ups, newest first",
)
def followup_list(request: HttpRequest, lead_id: int) -> list:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return timeline_for(lead)


@router.post(
    "/{lead_id}/followups",
    response={201: FollowUpRecordedOut, **ERRORS},
    summary="Record a follow-up on a lead",
    description=(
        "Also moves the lead: a new lead starts contacting; the next follow-up is due when you "
        "say or by the grade's cadence (working days in mainland China); the Nth `no_response` "
        "in a row sets it dormant. A closed lead answers 409 `lead_closed`."
    ),
)
def followup_add(request: HttpRequest, lead_id: int, payload: FollowUpIn) -> Status:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    outcome = followups.lead_followup_record(
        actor=request.actor,
        lead=lead,
        channel=payload.channel.value if payload.channel else "",
        summary=payload.summary,
        happened_at=payload.happened_at,
        feedback=payload.feedback,
        next_action=payload.next_action,
        next_due_at=payload.next_due_at,
        result=payload.result.value if payload.result else "",
    )
    outcome.lead.sla_breached = followups.sla_breached(outcome.lead)  # type: ignore[attr-defined]
    return Status(
        201,
        {
            "followup": outcome.followup,
            "lead": outcome.lead,
            "started_contacting": outcome.started_contacting,
            "went_dormant": outcome.went_dormant,
        },
    )
