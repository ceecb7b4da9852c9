"""Who else already works this company? (撞单) Matches a new or edited lead against the workspace.

Exact keys first (e-mail, E.164 phone, company domain, company key, pinyin key), each an indexed
equality; then a fuzzy company-name score over a small candidate set that shares the key's first
characters. Matches are shown with their owner even when the member cannot open them: telling a rep
"張強 already has this customer" is the point; the record itself stays behind visible_to().
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tradewind.core.normalize import company_similarity
from tradewind.workspaces.models import Workspace

from .models import Lead

FUZZY_THRESHOLD = 88
CANDIDATES = 200
REASONS = {
    "email": _("same e-mail"),
    "phone": _("same phone"),
    "domain": _("same company domain"),
    "company": _("same company name"),
    "pinyin": _("same company name in pinyin"),
    "similar": _("similar company name"),
}


@dataclass(frozen=True)
class Match:
    lead_id: int
    code: str
    company_name: str
    owner_name: str  # "" for the pool
    reasons: tuple[str, ...]
    score: int

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


def find_duplicates(
    *, workspace: Workspace, keys: dict[str, Any], exclude_id: int | None = None, limit: int = 10
) -> list[Match]:
    """`keys` are the cleaned values from capture.clean_lead (email, phone_e164, email_domain,
    web_domain, company_key, company_pinyin, company_name)."""
    reasons: dict[int, set[str]] = {}
    rows: dict[int, Lead] = {}
    exact: list[tuple[str, Q]] = []
    for reason, field, key in (
        ("email", "email", "email"),
        ("phone", "phone_e164", "phone_e164"),
        ("company", "company_key", "company_key"),
        ("pinyin", "company_pinyin", "company_pinyin"),
    ):
        if keys.get(key):
            exact.append((reason, Q(**{field: keys[key]})))
    for domain in {d for d in (keys.get("email_domain"), keys.get("web_domain")) if d}:
        exact.append(("domain", Q(email_domain=domain) | Q(web_domain=domain)))
    base = Lead.objects.filter(workspace=workspace).select_related("owner")
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    for reason, condition in exact:
        for lead in base.filter(condition)[:limit]:
            rows[lead.pk] = lead
            reasons.setdefault(lead.pk, set()).add(reason)
    name = keys.get("company_name") or ""
    key = keys.get("company_key") or ""
    if len(key) >= 2:
        prefix = key[:2]
        candidates = base.filter(company_key__startswith=prefix).exclude(pk__in=rows)[:CANDIDATES]
        for lead in candidates:
            score = company_similarity(name, lead.company_name)
            if score >= FUZZY_THRESHOLD:
                rows[lead.pk] = lead
                reasons.setdefault(lead.pk, set()).add("similar")
    matches = [
        Match(
            lead_id=pk,
            code=lead.code,
            company_name=lead.company_name,
            owner_name=str(lead.owner) if lead.owner_id else "",
            reasons=tuple(sorted(reasons[pk])),
            score=100 if reasons[pk] - {"similar"} else company_similarity(name, lead.company_name),
        )
        for pk, lead in rows.items()
    ]
    matches.sort(key=lambda m: (-m.score, -len(m.reasons), m.code))
    return matches[:limit]
