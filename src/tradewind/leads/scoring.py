"""Lead scores from the workspace's scoring rules, with a per-rule breakdown and a suggested grade.

- `score_breakdown(lead, rules)` says, rule by rule, whether the fact holds and the points it gives.
- `score_leads(workspace=…, lead_ids=…)` recomputes and stores scores in chunks of 2,000: the rules
  and the policy are read once, "has replied" is one grouped query per chunk, exchange rates are
  read once per currency pair, and the changed rows are written with one bulk UPDATE per batch.
  When the policy says so (`auto_grade`), the suggested grade is applied to every lead whose grade
  nobody set by hand.
- `lead_grade_set` is the hand grade (audited); from then on the suggestion never overwrites it.

Budget: the lead's upper budget (`budget_max`, or `budget_min` when only that is known) in its
currency (the workspace's base currency when blank) is converted into the rule's currency (the
base currency when blank) at the workspace's rate of today (workspaces/rates.py). Without a rate
the rule does not match and the breakdown says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.choices import FollowUpResult
from tradewind.activities.models import FollowUp
from tradewind.core.errors import Conflict, ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.rates import rate_on
from tradewind.workspaces.timezones import workspace_today

from .choices import LeadGrade
from .models import Lead, LeadPolicy
from .models_scoring import ScoringFact, ScoringRule
from .scoring_defaults import seed_rules

CHUNK = 2000
# A reply is any answer from the other side; "no response" and "other" are not.
REPLIED_RESULTS = (
    FollowUpResult.RESPONDED,
    FollowUpResult.INTERESTED,
    FollowUpResult.NOT_INTERESTED,
    FollowUpResult.MEETING_BOOKED,
)
# What the score reads from a lead (keeps the chunk query narrow).
SCORED_FIELDS = (
    "id",
    "workspace_id",
    "source",
    "company_size",
    "country",
    "industry",
    "budget_min",
    "budget_max",
    "budget_currency",
    "contact_title",
    "email",
    "phone",
    "website",
    "need",
    "score",
    "grade",
    "grade_set_by_hand",
)


# Points that apps the leads app cannot import add to a lead's score (campaign clicks and replies):
# each source answers {lead_id: points} for a workspace and some lead ids, in one query.
BonusSource = Callable[[int, Sequence[int]], dict[int, int]]
_bonus_sources: list[BonusSource] = []


def register_score_bonus(source: BonusSource) -> None:
    if source not in _bonus_sources:
        _bonus_sources.append(source)


def score_bonus(workspace_id: int, lead_ids: Sequence[int]) -> dict[int, int]:
    points: dict[int, int] = defaultdict(int)
    for source in _bonus_sources:
        for lead_id, value in source(workspace_id, lead_ids).items():
            points[int(lead_id)] += int(value)
    return dict(points)


class ScoreLine(NamedTuple):
    rule: ScoringRule
    points: int  # what the rule gave this lead (0 when the fact does not hold)
    matched: bool
    note: str = ""  # why not, when it is not obvious (no exchange rate)


class Facts:
    """What the rules need beyond the lead row, gathered once for a batch of leads."""

    def __init__(self, workspace: Workspace, replied_ids: set[int]) -> None:
        self.workspace = workspace
        self.replied_ids = replied_ids
        self.today: dt.date = workspace_today(workspace)
        self._rates: dict[tuple[str, str], Decimal | None] = {}

    @classmethod
    def gather(cls, workspace: Workspace, lead_ids: Sequence[int]) -> Facts:
        replied = set(
            FollowUp.objects.filter(
                workspace_id=workspace.pk,
                target_type=Lead.AUDIT_TYPE,
                target_id__in=list(lead_ids),
                result__in=REPLIED_RESULTS,
            )
            .order_by()
            .values_list("target_id", flat=True)
            .distinct()
        )
        return cls(workspace, {int(i) for i in replied})

    def rate(self, from_currency: str, to_currency: str) -> Decimal | None:
        key = (from_currency, to_currency)
        if key not in self._rates:
            try:
                self._rates[key] = rate_on(
                    workspace=self.workspace,
                    from_currency=from_currency,
                    to_currency=to_currency,
                    on=self.today,
                )
            except ServiceError:
                self._rates[key] = None
        return self._rates[key]


# --- the facts ------------------------------------------------------------------------------------

_ASCII_WORD = re.compile(r"^[\x00-\x7f]+$")


def title_matches(title: str, keywords: Iterable[str]) -> bool:
    """Latin keywords match whole words, case-insensitive ("CEO" not in "CEOffice"); Chinese ones
    match anywhere ("采购经理" in "高级采购经理")."""
    text = (title or "").strip().casefold()
    if not text:
        return False
    for word in keywords:
        word = word.strip().casefold()
        if not word:
            continue
        if _ASCII_WORD.match(word):
            if re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text):
                return True
        elif word in text:
            return True
    return False


def _budget(lead: Lead, rule: ScoringRule, facts: Facts) -> tuple[bool, str]:
    amount = lead.budget_max if lead.budget_max is not None else lead.budget_min
    if amount is None or rule.amount is None:
        return False, ""
    base = facts.workspace.base_currency
    have = (lead.budget_currency or base).upper()
    want = (rule.currency or base).upper()
    rate = facts.rate(have, want)
    if rate is None:
        return False, _("no exchange rate %(from)s→%(to)s") % {"from": have, "to": want}
    return amount * rate >= rule.amount, ""


def _holds(lead: Lead, rule: ScoringRule, facts: Facts) -> tuple[bool, str]:
    fact = rule.fact
    if fact == ScoringFact.SOURCE_IS:
        return lead.source in rule.values(), ""
    if fact == ScoringFact.COMPANY_SIZE_IS:
        return bool(lead.company_size) and lead.company_size in rule.values(), ""
    if fact == ScoringFact.COUNTRY_IN:
        code = str(lead.country or "").upper()
        return bool(code) and code in {v.upper() for v in rule.values()}, ""
    if fact == ScoringFact.INDUSTRY_CONTAINS:
        industry = (lead.industry or "").casefold()
        return bool(industry) and any(v.casefold() in industry for v in rule.values()), ""
    if fact == ScoringFact.BUDGET_AT_LEAST:
        return _budget(lead, rule, facts)
    if fact == ScoringFact.TITLE_DECISION_MAKER:
        return title_matches(lead.contact_title, rule.values()), ""
    if fact == ScoringFact.HAS_REPLIED:
        return lead.pk in facts.replied_ids, ""
    if fact == ScoringFact.HAS_EMAIL:
        return bool(lead.email), ""
    if fact == ScoringFact.HAS_PHONE:
        return bool(lead.phone), ""
    if fact == ScoringFact.HAS_WEBSITE:
        return bool(lead.website), ""
    if fact == ScoringFact.NEED_LONGER_THAN:
        return len((lead.need or "").strip()) > (rule.number or 0), ""
    return False, ""


def score_breakdown(
    lead: Lead, rules: Sequence[ScoringRule], facts: Facts | None = None
) -> list[ScoreLine]:
    """One line per active rule: (rule, points given, matched, note)."""
    if facts is None:
        facts = Facts.gather(lead.workspace, [lead.pk])
    lines = []
    for rule in rules:
        if not rule.active:
            continue
        matched, note = _holds(lead, rule, facts)
        lines.append(ScoreLine(rule, rule.points if matched else 0, matched, note))
    return lines


def total(lines: Iterable[ScoreLine]) -> int:
    return sum(line.points for line in lines)


def suggested_grade(score: int, policy: LeadPolicy) -> str:
    if score >= policy.grade_a_min:
        return LeadGrade.A.value
    if score >= policy.grade_b_min:
        return LeadGrade.B.value
    return LeadGrade.C.value


def active_rules(workspace: Workspace, policy: LeadPolicy | None = None) -> list[ScoringRule]:
    """The workspace's active rules in order; the default rules are created on first use."""
    policy = policy or LeadPolicy.for_workspace(workspace)
    if not policy.scoring_rules_seeded:
        seed_rules(workspace=workspace, policy=policy)
    return list(ScoringRule.objects.filter(workspace=workspace, active=True))


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def score_leads(*, workspace: Workspace, lead_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Recompute and store the score (and, by the policy, the suggested grade) of these leads.
    Returns {lead_id: (score, grade)} for the leads found in the workspace."""
    ids = sorted({int(i) for i in lead_ids})
    if not ids:
        return {}
    policy = LeadPolicy.for_workspace(workspace)
    rules = active_rules(workspace, policy)
    result: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(ids, CHUNK):
        leads = list(Lead.objects.filter(workspace=workspace, pk__in=chunk).only(*SCORED_FIELDS))
        facts = Facts.gather(workspace, chunk)
        bonus = score_bonus(workspace.pk, chunk)
        # Leads sharing a (score, grade) are written by one UPDATE: a handful of statements per
        # chunk instead of bulk_update's CASE over every row (measured: 2.3 s -> 0.1 s per 2,000).
        changed: dict[tuple[int, str], list[int]] = defaultdict(list)
        for lead in leads:
            score = total(score_breakdown(lead, rules, facts)) + bonus.get(lead.pk, 0)
            grade = lead.grade
            if policy.auto_grade and not lead.grade_set_by_hand:
                grade = suggested_grade(score, policy)
            if score != lead.score or grade != lead.grade:
                changed[(score, grade)].append(lead.pk)
            result[lead.pk] = (score, grade)
        if changed:
            with transaction.atomic():
                for (score, grade), pks in changed.items():
                    Lead.objects.filter(pk__in=pks).update(score=score, grade=grade)
    return result


# What _holds reads from a lead; a row about to be inserted may lack some of them.
_ROW_DEFAULTS: dict[str, object] = {
    "source": "",
    "company_size": "",
    "country": "",
    "industry": "",
    "budget_min": None,
    "budget_max": None,
    "budget_currency": "",
    "contact_title": "",
    "email": "",
    "phone": "",
    "website": "",
    "need": "",
}


# (score, grade, grade set by hand) of a row about to be inserted.
Score = tuple[int, str, bool | None]


class RowScorer:
    """Scores rows before they are inserted (an import chunk), so no lead is written twice: the
    rules, policy and rates are loaded once; a new row has no follow-ups, so "has replied" never
    holds. Same rules and same grade suggestion as score_leads."""

    def __init__(self, workspace: Workspace) -> None:
        self.policy = LeadPolicy.for_workspace(workspace)
        self.rules = active_rules(workspace, self.policy)
        self.facts = Facts(workspace, set())

    def score(self, values: dict[str, object]) -> Score:
        """(score, grade, grade_set_by_hand) for a cleaned row; a grade given in the row is a
        hand grade and stays."""
        row = SimpleNamespace(**{**_ROW_DEFAULTS, **values, "pk": None})
        points = sum(
            rule.points
            for rule in self.rules
            if rule.active and _holds(row, rule, self.facts)[0]  # type: ignore[arg-type]
        )
        grade = str(values.get("grade") or "")
        by_hand = True if grade else None
        if self.policy.auto_grade and not by_hand:
            grade = suggested_grade(points, self.policy)
        return points, grade, by_hand


def rescore_all(*, workspace: Workspace) -> int:
    """Every lead of the workspace, by keyset over the primary key; returns how many were scored."""
    done = 0
    last = 0
    while True:
        chunk = list(
            Lead.objects.filter(workspace=workspace, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not chunk:
            return done
        score_leads(workspace=workspace, lead_ids=chunk)
        done += len(chunk)
        last = chunk[-1]


# --- the hand grade -------------------------------------------------------------------------------


class ScoringError(StrEnum):
    UNKNOWN_GRADE = "unknown_grade"


@transaction.atomic
def lead_grade_set(*, actor: Actor, lead: Lead, grade: str, version: int | None = None) -> Lead:
    """Grade a lead by hand; the suggestion never overwrites it afterwards. An empty grade hands
    the lead back to the suggestion (applied at once when the policy applies suggestions)."""
    require(actor, Perm.LEAD_EDIT)
    grade = str(grade or "").strip().upper()
    if grade and grade not in LeadGrade.values:
        raise ServiceError(
            ScoringError.UNKNOWN_GRADE,
            _("Choose grade A, B or C."),
            fields={"grade": [_("Choose grade A, B or C.")]},
        )
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this lead since you opened it. Reload to see their changes."),
        )
    by_hand = bool(grade)
    if not by_hand:
        policy = LeadPolicy.for_workspace(actor.workspace)
        if policy.auto_grade:
            grade = suggested_grade(current.score, policy)
    changes: dict[str, Any] = {}
    if current.grade != grade:
        changes["grade"] = [current.grade, grade]
    if bool(current.grade_set_by_hand) != by_hand:
        changes["grade_set_by_hand"] = [bool(current.grade_set_by_hand), by_hand]
    if not changes:
        return current
    current.grade = grade
    current.grade_set_by_hand = by_hand
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["grade", "grade_set_by_hand", "version", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
    emit(
        "lead.updated", workspace_id=actor.workspace.pk, lead_id=current.pk, fields=sorted(changes)
    )
    return current
