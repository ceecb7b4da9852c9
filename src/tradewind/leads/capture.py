"""Validation and normalisation shared by every capture path: the form, the API, web forms, imports.

Returns clean field values plus the derived keys dedupe and search use; raises one ServiceError
with a translated message per field. The rules leads share with customers are in
core/field_cleaning.py.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core import field_cleaning
from tradewind.core.errors import ServiceError
from tradewind.core.money import all_currencies
from tradewind.workspaces.custom_fields import clean_custom
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.owners import clean_owner

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
    "other_im",
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
    *,
    workspace: Workspace,
    data: dict[str, Any],
    existing: Lead | None = None,
    check_custom: bool = False,
) -> dict[str, Any]:
    """`custom` (custom field values) is validated by workspaces.custom_fields when given, or on
    every creation with `check_custom` (required fields); web forms and conversions do not ask."""
    data = dict(data)
    custom = data.pop("custom", None)
    field_cleaning.reject_unknown(data, EDITABLE)
    errors: field_cleaning.Errors = {}
    cleaned = field_cleaning.clean_texts(data, TEXT_FIELDS, CODE_FIELDS)
    field_cleaning.clean_email_phone(cleaned, errors, workspace.default_country)
    field_cleaning.clean_country(cleaned, errors)
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
    field_cleaning.clean_tags(cleaned)
    field_cleaning.derive_company_keys(cleaned, errors, "company_name")
    if any(name in cleaned for name in SEARCHED_FIELDS):
        cleaned["search_pairs"] = cjk_pairs(
            *(_value(f, cleaned, existing) for f in SEARCHED_FIELDS)
        )
    clean_owner(workspace, cleaned, errors)

    _check_required(workspace, cleaned, existing, errors)
    lo, hi = _value("budget_min", cleaned, existing), _value("budget_max", cleaned, existing)
    if lo is not None and hi is not None and lo > hi and "budget_max" not in errors:
        errors["budget_max"] = [_("The upper end of the budget is below the lower end.")]
    if custom is not None or (check_custom and existing is None):
        try:
            cleaned["custom"] = clean_custom(
                workspace, "lead", custom, existing.custom if existing is not None else None
            )
        except ServiceError as exc:
            errors.update(exc.fields)
    field_cleaning.raise_if_errors(errors)
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
