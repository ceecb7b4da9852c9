"""Lead score over the API: the per-rule breakdown and the suggested grade; grade by hand. The
scoring settings (rules, grade thresholds, recycling days; WORKSPACE_MANAGE) as on the settings page:
without the permission a rule id answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import scoring, scoring_rules, selectors
from .api import LeadOut
from .models import Lead, LeadPolicy
from .models_scoring import ScoringRule
from .recycling import recycle_days

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


# --- settings: rules and policy -----------------------------------------------------------------


class ScoringRuleOut(Schema):
    id: int
    name: str
    active: bool
    fact: str
    value: str
    amount: Decimal | None
    currency: str
    number: int | None
    points: int
    position: int
    version: int


class ScoringRuleIn(Schema):
    # Loose on purpose: the service judges by the rule's fact and answers `bad_scoring_rule` with
    # translated field errors; an outsider's empty body answers 404 first.
    name: str = Field("", max_length=120)
    active: bool = True
    fact: str = Field("", description="What the rule checks (see the settings page's list)")
    value: str = Field("", max_length=500, description="Codes or words, comma-separated")
    amount: Decimal | None = Field(None, description="Budget rules: the amount")
    currency: str = Field("", max_length=3, description="Budget rules; blank: base currency")
    number: int | None = Field(None, description="Need rules: N characters")
    points: int | None = Field(None, description="Points, negative allowed")


class ScoringPolicyOut(Schema):
    grade_a_min: int
    grade_b_min: int
    auto_grade: bool
    recycle_after_days: dict[str, int] = Field(
        description="Days without a follow-up before a lead of grade A, B, C or '' (none) goes "
        "back to the pool; 0 = never"
    )


class ScoringPolicyIn(Schema):
    grade_a_min: int
    grade_b_min: int
    auto_grade: bool = False
    recycle_after_days: dict[str, int] = Field(default_factory=dict)


class RescoreOut(Schema):
    queued_at: dt.datetime


def _scoring_rule(request: HttpRequest, scoring_rule_id: int) -> ScoringRule:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404  # configuration: not there for members who cannot edit it
    rule = ScoringRule.objects.filter(workspace=request.workspace, pk=scoring_rule_id).first()
    if rule is None:
        raise Http404
    return rule


def _policy_out(policy: LeadPolicy) -> dict:
    return {
        "grade_a_min": policy.grade_a_min,
        "grade_b_min": policy.grade_b_min,
        "auto_grade": policy.auto_grade,
        "recycle_after_days": recycle_days(policy),
    }


@router.get(
    "/scoring/rules",
    response={200: list[ScoringRuleOut], 403: ERRORS[403], **READ_ERRORS},
    summary="The scoring rules, active and not",
)
def scoring_rule_list(request: HttpRequest) -> list[ScoringRule]:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    scoring.active_rules(request.workspace)  # seeds the default rules on first use
    return list(ScoringRule.objects.filter(workspace=request.workspace))


@router.post(
    "/scoring/rules",
    response={201: ScoringRuleOut, **ERRORS},
    summary="Add a scoring rule; leads are rescored in the background",
)
def scoring_rule_create(request: HttpRequest, payload: ScoringRuleIn) -> Status:
    return Status(201, scoring_rules.scoring_rule_create(actor=request.actor, **payload.dict()))


@router.put(
    "/scoring/rules/{scoring_rule_id}",
    response={200: ScoringRuleOut, **ERRORS},
    summary="Change a scoring rule (all its fields); leads are rescored in the background",
)
def scoring_rule_update(
    request: HttpRequest, scoring_rule_id: int, payload: ScoringRuleIn
) -> ScoringRule:
    rule = _scoring_rule(request, scoring_rule_id)
    return scoring_rules.scoring_rule_update(actor=request.actor, rule=rule, **payload.dict())


@router.delete(
    "/scoring/rules/{scoring_rule_id}",
    response={204: None, **ERRORS},
    summary="Delete a scoring rule; leads are rescored in the background",
)
def scoring_rule_delete(request: HttpRequest, scoring_rule_id: int) -> Status:
    rule = _scoring_rule(request, scoring_rule_id)
    scoring_rules.scoring_rule_delete(actor=request.actor, rule=rule)
    return Status(204, None)


@router.get(
    "/scoring/policy",
    response={200: ScoringPolicyOut, 403: ERRORS[403], **READ_ERRORS},
    summary="Grade thresholds, automatic grading and recycling days by grade",
)
def scoring_policy_get(request: HttpRequest) -> dict:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    return _policy_out(LeadPolicy.for_workspace(request.workspace))


@router.put(
    "/scoring/policy",
    response={200: ScoringPolicyOut, **ERRORS},
    summary="Set the grade thresholds, automatic grading and recycling days by grade",
    description="422 `bad_grade_thresholds` (A must need more than B) or `bad_recycle_days` "
    "(0 to 365). A missing grade key in recycle_after_days means 0 (never).",
)
def scoring_policy_set(request: HttpRequest, payload: ScoringPolicyIn) -> dict:
    policy = scoring_rules.lead_policy_scoring_update(actor=request.actor, **payload.dict())
    return _policy_out(policy)


@router.post(
    "/scoring/rescore",
    response={202: RescoreOut, **ERRORS},
    summary="Rescore every lead of the workspace in the background",
)
def scoring_rescore(request: HttpRequest) -> Status:
    from .tasks import rescore_workspace  # the page imports it late too (tasks import services)

    require(request.actor, Perm.WORKSPACE_MANAGE)
    rescore_workspace(request.workspace.pk)
    return Status(202, {"queued_at": timezone.now()})
