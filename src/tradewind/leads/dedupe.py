"""Who else already works this company? (撞单) Matches a new or edited lead against the workspace.

Exact keys first (e-mail, E.164 phone, company domain, company key, pinyin key), each an indexed
equality; then a fuzzy company-name score over a small candidate set that shares the key's first
characters. The engine is customers/dedupe.company_matches, which runs against customers and
contacts too: a lead whose company is already a customer is a duplicate as well. Matches are
shown with their owner even when the member cannot open them: telling a rep "張強 already has
this customer" is the point; the record itself stays behind visible_to().
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.urls import reverse

from tradewind.customers import dedupe as customer_dedupe
from tradewind.customers.dedupe import CANDIDATES, FUZZY_THRESHOLD, REASONS, Match
from tradewind.workspaces.models import Membership, Workspace

from .models import Lead

__all__ = [
    "CANDIDATES",
    "FUZZY_THRESHOLD",
    "REASONS",
    "Match",
    "find_duplicates",
    "lead_keys",
    "with_links",
]


def lead_keys(lead: Lead) -> dict[str, Any]:
    """A saved lead's keys, as find_duplicates and find_customer_matches read them."""
    return {
        "company_name": lead.company_name,
        "company_key": lead.company_key,
        "company_pinyin": lead.company_pinyin,
        "email": lead.email,
        "email_domain": lead.email_domain,
        "web_domain": lead.web_domain,
        "phone_e164": lead.phone_e164,
    }


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
    base = Lead.objects.filter(workspace=workspace).select_related("owner")
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    matches = [
        Match(
            lead_id=lead.pk,
            code=lead.code,
            company_name=lead.company_name,
            owner_name=str(lead.owner) if lead.owner_id else "",
            reasons=reasons,
            score=score,
        )
        for lead, reasons, score in customer_dedupe.company_matches(
            base, keys, name_field="company_name", limit=limit, email=True
        )
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
