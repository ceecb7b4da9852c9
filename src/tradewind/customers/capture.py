"""Validation and normalisation of customer and contact input, shared by the form, the API and lead
conversion. The rules customers share with leads (e-mail, phone, country, tags, company keys) live
in core/field_cleaning.py, so a converted lead is cleaned the same way twice."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tradewind.core import field_cleaning
from tradewind.core.errors import ServiceError
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.owners import clean_owner

from .choices import CustomerSize, CustomerSource, CustomerType, DecisionRole
from .errors import CustomerError

CUSTOMER_TEXT = [
    "name",
    "name_alt",
    "short_name",
    "country",
    "city",
    "type",
    "size",
    "industry",
    "main_products",
    "website",
    "email",
    "phone",
    "source",
]
CUSTOMER_CODES = {"country", "type", "size", "website", "email", "phone", "source"}
CUSTOMER_EDITABLE = [*CUSTOMER_TEXT, "rating", "tags", "owner"]

CONTACT_TEXT = [
    "name",
    "title",
    "decision_role",
    "phone",
    "email",
    "whatsapp",
    "wechat",
    "linkedin",
    "notes",
]
CONTACT_CODES = {"decision_role", "phone", "email", "whatsapp", "wechat", "linkedin"}
CONTACT_EDITABLE = [*CONTACT_TEXT, "is_primary"]


def clean_customer(*, workspace: Workspace, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    field_cleaning.reject_unknown(data, CUSTOMER_EDITABLE)
    errors: field_cleaning.Errors = {}
    cleaned = field_cleaning.clean_texts(data, CUSTOMER_TEXT, CUSTOMER_CODES)
    if (creating or "name" in cleaned) and not cleaned.get("name"):
        raise ServiceError(
            CustomerError.NAME_REQUIRED,
            _("Please correct the marked fields."),
            fields={"name": [_("Enter the company name.")]},
        )
    field_cleaning.clean_email_phone(cleaned, errors, workspace.default_country)
    field_cleaning.clean_country(cleaned, errors)
    for name, choices, message in (
        ("type", CustomerType.values, _("Choose a customer type from the list.")),
        ("size", CustomerSize.values, _("Choose a company size from the list.")),
    ):
        if cleaned.get(name) and cleaned[name] not in choices:
            errors[name] = [message]
    if "source" in cleaned:
        cleaned["source"] = cleaned["source"] or CustomerSource.OTHER
        if cleaned["source"] not in CustomerSource.values:
            errors["source"] = [_("Choose a source from the list.")]
    if "rating" in cleaned:
        rating = cleaned["rating"]
        if rating in ("", None):
            cleaned["rating"] = None
        else:
            try:
                cleaned["rating"] = int(rating)
                if not 1 <= cleaned["rating"] <= 5:
                    raise ValueError
            except (TypeError, ValueError):
                errors["rating"] = [_("A rating is 1 to 5 stars.")]
    field_cleaning.clean_tags(cleaned)
    field_cleaning.derive_company_keys(cleaned, errors, "name")
    clean_owner(workspace, cleaned, errors)
    field_cleaning.raise_if_errors(errors)
    return cleaned


def clean_contact(*, workspace: Workspace, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    field_cleaning.reject_unknown(data, CONTACT_EDITABLE)
    errors: field_cleaning.Errors = {}
    cleaned = field_cleaning.clean_texts(data, CONTACT_TEXT, CONTACT_CODES)
    if (creating or "name" in cleaned) and not cleaned.get("name"):
        raise ServiceError(
            CustomerError.CONTACT_NAME_REQUIRED,
            _("Please correct the marked fields."),
            fields={"name": [_("Enter the contact’s name.")]},
        )
    field_cleaning.clean_email_phone(cleaned, errors, workspace.default_country)
    if cleaned.get("decision_role") and cleaned["decision_role"] not in DecisionRole.values:
        errors["decision_role"] = [_("Choose a decision role from the list.")]
    if "is_primary" in cleaned:
        cleaned["is_primary"] = bool(cleaned["is_primary"])
    field_cleaning.raise_if_errors(errors)
    return cleaned
