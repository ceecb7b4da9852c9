"""Who else already works this company? The customer and contact half of duplicate detection (撞单).

Indexed equality on the normalised keys (company key, pinyin, domain, E.164 phone, e-mail), then a
fuzzy company-name score over at most CANDIDATES customers sharing the key's first characters —
the same engine as leads/dedupe.py, which calls this for the customer and contact matches of a lead.
A match names its owner even when the member cannot open the record; `with_links()` adds a link
only where the member may.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tradewind.core.normalize import company_similarity
from tradewind.workspaces.models import Membership, Workspace

from .models import Contact, Customer

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
KINDS = {"lead": _("lead"), "customer": _("customer"), "contact": _("contact")}


@dataclass(frozen=True)
class Match:
    lead_id: int | None  # the matched lead; None when the match is a customer or a contact
    code: str  # the lead's code, or the customer's (a contact's customer)
    company_name: str
    owner_name: str  # "" for the pool
    reasons: tuple[str, ...]
    score: int
    kind: str = "lead"  # "lead", "customer" or "contact"
    customer_id: int | None = None
    contact_id: int | None = None
    contact_name: str = ""
    url: str = ""  # set by with_links() when the member may open the record

    @property
    def record_id(self) -> int | None:
        return {"lead": self.lead_id, "customer": self.customer_id}.get(self.kind, self.contact_id)

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def reason_text(self) -> str:
        return ", ".join(str(REASONS[r]) for r in self.reasons)

    @property
    def reason_labels(self) -> list[str]:
        """What matched; a customer or contact match says so first, so every surface that lists
        reasons (the lead form, the API's 409) tells a lead from a customer."""
        labels = [str(REASONS[r]) for r in self.reasons]
        if self.kind == "contact":
            return [f"{self.kind_label} {self.contact_name}", *labels]
        if self.kind != "lead":
            return [self.kind_label, *labels]
        return labels


def _exact_conditions(keys: dict[str, Any], *, email: bool) -> list[tuple[str, Q]]:
    exact: list[tuple[str, Q]] = []
    for reason, key in (
        *((("email", "email"),) if email else ()),
        ("company", "company_key"),
        ("pinyin", "company_pinyin"),
        ("phone", "phone_e164"),
    ):
        if keys.get(key):
            exact.append((reason, Q(**{key: keys[key]})))
    for domain in {d for d in (keys.get("email_domain"), keys.get("web_domain")) if d}:
        exact.append(("domain", Q(email_domain=domain) | Q(web_domain=domain)))
    return exact


def company_matches(
    base: QuerySet[Any], keys: dict[str, Any], *, name_field: str, limit: int, email: bool = False
) -> list[tuple[Any, tuple[str, ...], int]]:
    """The rows of `base` (leads or customers) that look like the company in `keys`, each with its
    reasons and score: 100 for a shared key, else the fuzzy score of the names. `email` also
    matches the exact address, for records that hold a person's address."""
    reasons: dict[int, set[str]] = {}
    rows: dict[int, Any] = {}
    for reason, condition in _exact_conditions(keys, email=email):
        for row in base.filter(condition)[:limit]:
            rows[row.pk] = row
            reasons.setdefault(row.pk, set()).add(reason)
    name = keys.get("company_name") or ""
    key = keys.get("company_key") or ""
    if len(key) >= 2:
        candidates = base.filter(company_key__startswith=key[:2]).exclude(pk__in=rows)[:CANDIDATES]
        for row in candidates:
            if company_similarity(name, getattr(row, name_field)) >= FUZZY_THRESHOLD:
                rows[row.pk] = row
                reasons.setdefault(row.pk, set()).add("similar")
    return [
        (
            row,
            tuple(sorted(reasons[pk])),
            100
            if reasons[pk] - {"similar"}
            else company_similarity(name, getattr(row, name_field)),
        )
        for pk, row in rows.items()
    ]


def find_customer_matches(
    *,
    workspace: Workspace,
    keys: dict[str, Any],
    exclude_customer_id: int | None = None,
    limit: int = 10,
) -> list[Match]:
    """`keys`: company_name, company_key, company_pinyin, email, email_domain, web_domain,
    phone_e164 (the cleaned values of a lead or a customer). Customers first, then contacts."""
    base = Customer.objects.filter(workspace=workspace).select_related("owner")
    if exclude_customer_id:
        base = base.exclude(pk=exclude_customer_id)
    matches = [
        Match(
            lead_id=None,
            code=c.code,
            company_name=c.name,
            owner_name=str(c.owner) if c.owner_id else "",
            reasons=reasons,
            score=score,
            kind="customer",
            customer_id=c.pk,
        )
        for c, reasons, score in company_matches(base, keys, name_field="name", limit=limit)
    ]
    matches.sort(key=lambda m: (-m.score, -len(m.reasons), m.code))
    return matches[:limit] + find_contact_matches(
        workspace=workspace, keys=keys, exclude_customer_id=exclude_customer_id, limit=limit
    )


def find_contact_matches(
    *,
    workspace: Workspace,
    keys: dict[str, Any],
    exclude_customer_id: int | None = None,
    limit: int = 10,
) -> list[Match]:
    conditions = []
    if keys.get("email"):
        conditions.append(("email", Q(email=keys["email"])))
    if keys.get("phone_e164"):
        conditions.append(("phone", Q(phone_e164=keys["phone_e164"])))
    reasons: dict[int, set[str]] = {}
    rows: dict[int, Contact] = {}
    base = Contact.objects.filter(workspace=workspace).select_related("customer__owner")
    if exclude_customer_id:
        base = base.exclude(customer_id=exclude_customer_id)
    for reason, condition in conditions:
        for contact in base.filter(condition)[:limit]:
            rows[contact.pk] = contact
            reasons.setdefault(contact.pk, set()).add(reason)
    return [
        Match(
            lead_id=None,
            code=c.customer.code,
            company_name=c.customer.name,
            owner_name=str(c.customer.owner) if c.customer.owner_id else "",
            reasons=tuple(sorted(reasons[pk])),
            score=100,
            kind="contact",
            customer_id=c.customer_id,
            contact_id=pk,
            contact_name=c.name,
        )
        for pk, c in sorted(rows.items())
    ][:limit]


def with_links(matches: list[Match], member: Membership) -> list[Match]:
    """The same matches, customers and contacts linked when the member may open the customer (one
    query). Lead matches are linked by leads.dedupe.with_links, which calls this."""
    customer_ids = {m.customer_id for m in matches if m.customer_id}
    visible = (
        set(
            Customer.objects.visible_to(member)
            .filter(pk__in=customer_ids)
            .values_list("pk", flat=True)
        )
        if customer_ids
        else set()
    )
    linked = []
    for m in matches:
        if m.kind in ("customer", "contact") and m.customer_id in visible:
            url = reverse("customers:detail", args=[m.customer_id])
            if m.kind == "contact":
                url += f"#contact-{m.contact_id}"
            m = replace(m, url=url)
        linked.append(m)
    return linked
