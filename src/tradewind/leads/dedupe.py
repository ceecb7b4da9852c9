"""Who else already works this company? (撞单) Matches a new or edited lead against the workspace.

Exact keys first (e-mail, E.164 phone, company domain, company key, pinyin key), each an indexed
equality; then a fuzzy company-name score over a small candidate set that shares the key's first
characters. The same search runs against customers and contacts (customers/dedupe.py): a lead
whose company is already a customer is a duplicate too. Matches are shown with their owner even when the member cannot open them: telling a rep
"張強 already has this customer" is the point; the record itself stays behind visible_to().
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.urls import reverse

from tradewind.core.normalize import company_similarity
from tradewind.customers import dedupe as customer_dedupe
from tradewind.customers.dedupe import CANDIDATES, FUZZY_THRESHOLD, REASONS, Match
from tradewind.workspaces.models import Membership, Workspace

from .models import Lead

__all__ = ["CANDIDATES", "FUZZY_THRESHOLD", "REASONS", "Match", "find_duplicates", "with_links"]


def find_duplicates(
    *,
    workspace: Workspace,
    keys: dict[str, Any],
    exclude_id: int | None = None,
    limit: int = 10,
    customers: bool = True,
) -> list[Match]:
    """`keys` are the cleaned values from capture.clean_lead (email, phone_e164, email_domain,
    web_domain, company_key, company_pinyin, company_name). Lead matches first, then customers
    and contacts (`customers=False` looks at leads only, e.g. to merge leads)."""
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
    matches = matches[:limit]
    if customers:
        matches += customer_dedupe.find_customer_matches(
            workspace=workspace, keys=keys, limit=limit
        )
    return matches


def with_links(matches: list[Match], member: Membership) -> list[Match]:
    """Link each match the member may open: a lead through visible_to(), a customer or contact
    through its customer's visibility. The rest stay plain text (code, company, owner)."""
    lead_ids = {m.lead_id for m in matches if m.kind == "lead" and m.lead_id}
    visible = (
        set(Lead.objects.visible_to(member).filter(pk__in=lead_ids).values_list("pk", flat=True))
        if lead_ids
        else set()
    )
    linked = [
        replace(m, url=reverse("leads:detail", args=[m.lead_id]))
        if m.kind == "lead" and m.lead_id in visible
        else m
        for m in matches
    ]
    return customer_dedupe.with_links(linked, member)
