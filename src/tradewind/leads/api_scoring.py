"""Lead score over the API: the per-rule breakdown and the suggested grade; grade by hand."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS

from . import scoring, selectors
from .api import LeadOut
from .models import Lead, LeadPolicy

router = Router(tags=["leads"])


class ScoreLineOut(Schema):
    rule_id: int
    rule: str
    fact: str
    points: int = Field(description="Points this rule gave the lead (0 when it did not match)")
    rule_points: int
    matched: bool
    note: str


class ScoreOut(Schema):
    lead_id: int
    score: int = Field(description="The sum of the breakdown, computed now")
    stored_score: int = Field(description="The score stored on the lead (lists sort by it)")
    grade: str
    grade_set_by_hand: bool
    suggested_grade: str
    breakdown: list[ScoreLineOut]


class GradeIn(Schema):
    # Optional so an out-of-scope lead answers 404 before the body is judged; the service
    # refuses anything but A, B, C or "" with the code `unknown_grade` (422).
    grade: str = Field(
        "", max_length=1, description="A, B or C; empty hands it back to the suggestion"
    )
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class GradedLeadOut(LeadOut):
    grade_set_by_hand: bool | None


@router.get(
    "/{lead_id}/score",
    response={200: ScoreOut, **READ_ERRORS},
    summary="A lead's score, rule by rule, and the suggested grade",
)
def lead_score(request: HttpRequest, lead_id: int) -> dict:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    policy = LeadPolicy.for_workspace(request.member.workspace)
    lines = scoring.score_breakdown(lead, scoring.active_rules(request.member.workspace, policy))
    total = scoring.total(lines)
    return {
        "lead_id": lead.pk,
        "score": total,
        "stored_score": lead.score,
        "grade": lead.grade,
        "grade_set_by_hand": bool(lead.grade_set_by_hand),
        "suggested_grade": scoring.suggested_grade(total, policy),
        "breakdown": [
            {
                "rule_id": line.rule.pk,
                "rule": line.rule.name,
                "fact": line.rule.fact,
                "points": line.points,
                "rule_points": line.rule.points,
                "matched": line.matched,
                "note": line.note,
            }
            for line in lines
        ],
    }


@router.post(
    "/{lead_id}/grade",
    response={200: GradedLeadOut, **ERRORS},
    summary="Grade a lead by hand",
    description="The suggested grade never overwrites a grade set by hand; an empty grade hands "
    "the lead back to the suggestion. 422 `unknown_grade` for anything but A, B, C or empty.",
)
def lead_grade(request: HttpRequest, lead_id: int, payload: GradeIn) -> Lead:
    lead = selectors.lead_get(member=request.member, pk=lead_id)
    return scoring.lead_grade_set(
        actor=request.actor, lead=lead, grade=payload.grade, version=payload.version
    )
