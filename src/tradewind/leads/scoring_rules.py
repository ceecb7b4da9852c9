"""Writes of the scoring and recycling settings: rules, grade thresholds, recycling days by grade.

Workspace managers only (WORKSPACE_MANAGE). Every change is audited; after commit the workspace's
leads are rescored in the background (leads/tasks.py), chunked.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.permissions import Perm

from .choices import CompanySize, LeadSource
from .models import LeadPolicy
from .models_scoring import FACT_VALUE, ScoringFact, ScoringRule

POINTS_LIMIT = 1000
DAYS_LIMIT = 365
RULE_FIELDS = ["name", "active", "fact", "value", "amount", "currency", "number", "points"]
GRADE_KEYS = ("A", "B", "C", "")


class ScoringSettingsError(StrEnum):
    BAD_RULE = "bad_scoring_rule"
    BAD_THRESHOLDS = "bad_grade_thresholds"
    BAD_RECYCLE_DAYS = "bad_recycle_days"


def _invalid(code: str, fields: dict[str, list[str]]) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields=fields)


def clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one rule's fields by its fact; returns the values to store."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    fact = str(data.get("fact") or "")
    value = str(data.get("value") or "").strip()
    currency = str(data.get("currency") or "").strip().upper()
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    if fact not in ScoringFact.values:
        errors["fact"] = [_("Choose what the rule checks.")]
    try:
        points = int(data.get("points"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["points"] = [_("Enter a whole number of points (negative allowed).")]
        points = 0
    if abs(points) > POINTS_LIMIT:
        errors["points"] = [_("Between −%(n)s and %(n)s points.") % {"n": POINTS_LIMIT}]
    amount: Decimal | None = None
    number: int | None = None
    kind = FACT_VALUE.get(fact, "")
    parts = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    if kind == "text" and not parts:
        errors["value"] = [_("This rule needs a value.")]
    elif fact == ScoringFact.SOURCE_IS and not set(parts) <= set(LeadSource.values):
        errors["value"] = [
            _("Use source codes: %(codes)s.") % {"codes": ", ".join(LeadSource.values)}
        ]
    elif fact == ScoringFact.COMPANY_SIZE_IS and not set(parts) <= set(CompanySize.values):
        errors["value"] = [
            _("Use company size codes: %(codes)s.") % {"codes": ", ".join(CompanySize.values)}
        ]
    elif fact == ScoringFact.COUNTRY_IN and not all(re.fullmatch(r"[A-Za-z]{2}", p) for p in parts):
        errors["value"] = [_("Use two-letter country codes, e.g. US, DE, AE.")]
    if kind == "money":
        try:
            amount = Decimal(str(data.get("amount")))
            if not amount.is_finite() or amount <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            errors["amount"] = [_("Enter an amount above zero.")]
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            errors["currency"] = [_("Use a three-letter currency code, e.g. USD.")]
    if kind == "number":
        try:
            number = int(data.get("number"))  # type: ignore[arg-type]
            if number < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["number"] = [_("Enter a whole number, zero or more.")]
    if len(value) > 500:
        errors["value"] = [_("At most %(n)s characters.") % {"n": 500}]
    if errors:
        raise _invalid(ScoringSettingsError.BAD_RULE, errors)
    return {
        "name": name,
        "active": bool(data.get("active", True)),
        "fact": fact,
        "value": ", ".join(parts) if kind == "text" else "",
        "amount": amount,
        "currency": currency if kind == "money" else "",
        "number": number,
        "points": points,
    }


def _rescore_after_commit(workspace_id: int) -> None:
    from .tasks import rescore_workspace

    transaction.on_commit(lambda: rescore_workspace(workspace_id))


@transaction.atomic
def scoring_rule_create(*, actor: Actor, **data: Any) -> ScoringRule:
    require(actor, Perm.WORKSPACE_MANAGE)
    cleaned = clean_rule(data)
    last = ScoringRule.objects.filter(workspace=actor.workspace).order_by("-position").first()
    rule = ScoringRule.objects.create(
        workspace=actor.workspace, position=(last.position + 10) if last else 10, **cleaned
    )
    audit.record_create(actor=actor, target=rule, fields=RULE_FIELDS)
    _rescore_after_commit(actor.workspace.pk)
    return rule


def rule_get(*, actor: Actor, pk: int) -> ScoringRule:
    rule = ScoringRule.objects.filter(workspace=actor.workspace, pk=pk).first()
    if rule is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return rule


@transaction.atomic
def scoring_rule_update(*, actor: Actor, rule: ScoringRule, **data: Any) -> ScoringRule:
    require(actor, Perm.WORKSPACE_MANAGE)
    current = rule_get(actor=actor, pk=rule.pk)
    cleaned = clean_rule(data)
    before = audit.snapshot(current, RULE_FIELDS)
    for key, value in cleaned.items():
        setattr(current, key, value)
    changes = audit.diff(before, audit.snapshot(current, RULE_FIELDS))
    if not changes:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
    _rescore_after_commit(actor.workspace.pk)
    return current


@transaction.atomic
def scoring_rule_delete(*, actor: Actor, rule: ScoringRule) -> None:
    require(actor, Perm.WORKSPACE_MANAGE)
    current = rule_get(actor=actor, pk=rule.pk)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={k: [v, None] for k, v in audit.snapshot(current, RULE_FIELDS).items()},
    )
    current.delete()
    _rescore_after_commit(actor.workspace.pk)


POLICY_FIELDS = ["grade_a_min", "grade_b_min", "auto_grade", "recycle_after_days"]


def _days(raw: Any) -> int | None:
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return None
    return days if 0 <= days <= DAYS_LIMIT else None


@transaction.atomic
def lead_policy_scoring_update(
    *,
    actor: Actor,
    grade_a_min: int,
    grade_b_min: int,
    auto_grade: bool,
    recycle_after_days: dict[str, Any],
) -> LeadPolicy:
    """Grade thresholds, the auto-grade flag and the recycling days by grade (0 = never)."""
    require(actor, Perm.WORKSPACE_MANAGE)
    errors: dict[str, list[str]] = {}
    try:
        a_min, b_min = int(grade_a_min), int(grade_b_min)
    except (TypeError, ValueError):
        a_min = b_min = 0
        errors["grade_a_min"] = [_("Enter whole numbers.")]
    if not errors and a_min <= b_min:
        errors["grade_a_min"] = [_("Grade A needs a higher score than grade B.")]
    days: dict[str, int] = {}
    for key in GRADE_KEYS:
        value = _days((recycle_after_days or {}).get(key, 0))
        if value is None:
            errors[f"recycle_{key or 'none'}"] = [
                _("Between 0 (never) and %(n)s days.") % {"n": DAYS_LIMIT}
            ]
        else:
            days[key] = value
    if errors:
        code = (
            ScoringSettingsError.BAD_THRESHOLDS
            if "grade_a_min" in errors
            else ScoringSettingsError.BAD_RECYCLE_DAYS
        )
        raise _invalid(code, errors)
    policy = LeadPolicy.for_workspace(actor.workspace)
    policy = LeadPolicy.objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy, POLICY_FIELDS)
    policy.grade_a_min, policy.grade_b_min = a_min, b_min
    policy.auto_grade = bool(auto_grade)
    policy.recycle_after_days = days
    changes = audit.diff(before, audit.snapshot(policy, POLICY_FIELDS))
    if changes:
        policy.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=policy, changes=changes)
        if {"grade_a_min", "grade_b_min", "auto_grade"} & set(changes):
            _rescore_after_commit(actor.workspace.pk)
    return policy
