"""Validation and normalisation shared by every capture path: the form, the API, web forms, imports.

Returns clean field values plus the derived keys dedupe and search use; raises one ServiceError
with a translated message per field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core import normalize
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.core.money import all_currencies
from tradewind.workspaces.models import Membership, Workspace

from .choices import CompanySize, LeadGrade, LeadSource
from .models import Lead, LeadPolicy
from .search import SEARCHED_FIELDS, cjk_pairs

TEXT_FIELDS = [
    "company_name",
    "company_name_alt",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "whatsapp",
    "wechat",
    "website",
    "country",
    "city",
    "industry",
    "company_size",
    "source",
    "source_detail",
    "need",
    "budget_currency",
    "decision_chain",
    "timeframe",
    "grade",
]
# Identifiers, where full-width and half-width forms mean the same thing.
CODE_FIELDS = {
    "email",
    "phone",
    "whatsapp",
    "wechat",
    "website",
    "country",
    "company_size",
    "source",
    "budget_currency",
    "grade",
}
EDITABLE = [*TEXT_FIELDS, "budget_min", "budget_max", "tags", "owner"]

# Fields a workspace may make mandatory (seed 003's default: company, contact, phone, need, source,
# budget, decision chain). "budget" means at least one bound.
REQUIRABLE = {
    "company_name": gettext_lazy("company"),
    "contact_name": gettext_lazy("contact"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "need": gettext_lazy("need"),
    "source": gettext_lazy("source"),
    "budget": gettext_lazy("budget"),
    "decision_chain": gettext_lazy("decision chain"),
    "country": gettext_lazy("country/region"),
}


def clean_lead(
    *, workspace: Workspace, data: dict[str, Any], existing: Lead | None = None
) -> dict[str, Any]:
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name in CODE_FIELDS:
            cleaned[name] = normalize.clean_text(value)
        elif name in TEXT_FIELDS:
            # What people wrote stays as written (full-width ，。（）in Chinese prose); only the
            # derived keys below are width-folded.
            cleaned[name] = normalize.trim_text(value)
        else:
            cleaned[name] = value

    if "email" in cleaned:
        try:
            cleaned["email"] = normalize.normalize_email(cleaned["email"])
        except ValueError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if "phone" in cleaned:
        try:
            cleaned["phone_e164"] = normalize.normalize_phone(
                cleaned["phone"], workspace.default_country
            )
        except ValueError:
            errors["phone"] = [
                _(
                    "This is not a phone number we can dial. Include the country code, e.g. +86 138 0013 8000."
                )
            ]
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper()
        if cleaned["country"] and len(cleaned["country"]) != 2:
            errors["country"] = [_("Use a two-letter country code, e.g. DE.")]
    if "source" in cleaned and cleaned["source"] not in LeadSource.values:
        errors["source"] = [_("Choose a source from the list.")]
    if cleaned.get("grade") and cleaned["grade"].upper() not in LeadGrade.values:
        errors["grade"] = [_("A grade is A, B or C.")]
    elif "grade" in cleaned:
        cleaned["grade"] = cleaned["grade"].upper()
    if cleaned.get("company_size") and cleaned["company_size"] not in CompanySize.values:
        errors["company_size"] = [_("Choose a company size from the list.")]
    if cleaned.get("budget_currency"):
        cleaned["budget_currency"] = cleaned["budget_currency"].upper()
        if cleaned["budget_currency"] not in all_currencies():
            errors["budget_currency"] = [_("Unknown currency code.")]
    for bound in ("budget_min", "budget_max"):
        if bound in cleaned and cleaned[bound] not in (None, ""):
            try:
                amount = Decimal(str(cleaned[bound]).replace(",", ""))
                if not amount.is_finite() or amount < 0:
                    raise InvalidOperation
                cleaned[bound] = amount
            except (InvalidOperation, ValueError):
                errors[bound] = [_("Enter an amount, e.g. 200000.")]
        elif bound in cleaned:
            cleaned[bound] = None
    if "tags" in cleaned:
        tags = cleaned["tags"] or []
        if isinstance(tags, str):
            tags = [
                t
                for t in (normalize.clean_text(x) for x in tags.replace("，", ",").split(","))
                if t
            ]
        cleaned["tags"] = sorted({str(t)[:40] for t in tags})
    if "website" in cleaned:
        cleaned["web_domain"] = normalize.website_domain(cleaned["website"])
    if "email" in cleaned and "email" not in errors:
        cleaned["email_domain"] = (
            normalize.email_domain(cleaned["email"]) if cleaned["email"] else ""
        )
    if "company_name" in cleaned:
        cleaned["company_key"] = normalize.company_key(cleaned["company_name"])
        cleaned["company_pinyin"] = normalize.company_pinyin(cleaned["company_name"])[:400]
    if any(name in cleaned for name in SEARCHED_FIELDS):
        cleaned["search_pairs"] = cjk_pairs(
            *(_value(f, cleaned, existing) for f in SEARCHED_FIELDS)
        )
    if "owner" in cleaned:
        owner_id = cleaned.pop("owner")
        owner_id = getattr(owner_id, "pk", owner_id)
        if (
            owner_id is not None
            and not Membership.objects.filter(
                workspace=workspace, user_id=owner_id, is_active=True
            ).exists()
        ):
            errors["owner"] = [_("The owner must be an active member of this workspace.")]
        cleaned["owner_id"] = owner_id

    _check_required(workspace, cleaned, existing, errors)
    lo, hi = _value("budget_min", cleaned, existing), _value("budget_max", cleaned, existing)
    if lo is not None and hi is not None and lo > hi and "budget_max" not in errors:
        errors["budget_max"] = [_("The upper end of the budget is below the lower end.")]
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return cleaned


def _value(name: str, cleaned: dict[str, Any], existing: Lead | None) -> Any:
    if name in cleaned:
        return cleaned[name]
    return getattr(existing, name, None) if existing is not None else None


def _check_required(
    workspace: Workspace,
    cleaned: dict[str, Any],
    existing: Lead | None,
    errors: dict[str, list[Any]],
) -> None:
    required = LeadPolicy.for_workspace(workspace).required_fields
    for name in required:
        if name == "budget":
            if (
                _value("budget_min", cleaned, existing) is None
                and _value("budget_max", cleaned, existing) is None
            ):
                errors.setdefault("budget_min", []).append(
                    _("Your workspace requires a budget for every lead.")
                )
            continue
        if name not in REQUIRABLE:
            continue
        value = _value(name, cleaned, existing)
        if value in (None, "") or (hasattr(value, "code") and not value.code):
            errors.setdefault(name, []).append(
                _("Your workspace requires the %(field)s of every lead.")
                % {"field": REQUIRABLE[name]}
            )
