"""Validation and normalisation of customer and contact input, shared by the form, the API and lead
conversion. The rules customers share with leads (e-mail, phone, country, tags, company keys) live
in core/field_cleaning.py, so a converted lead is cleaned the same way twice."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tradewind.core import field_cleaning
from tradewind.core.errors import ServiceError
from tradewind.workspaces.custom_fields import clean_custom
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


def _custom(
    workspace: Workspace,
    target: str,
    custom: Any,
    existing: dict | None,
    creating: bool,
    check_custom: bool,
    cleaned: dict[str, Any],
    errors: field_cleaning.Errors,
) -> None:
    """Custom field values through the one validator (workspaces.custom_fields)."""
    if custom is None and not (creating and check_custom):
        return
    try:
        cleaned["custom"] = clean_custom(
            workspace, target, custom, None if creating else (existing or {})
        )
    except ServiceError as exc:
        errors.update(exc.fields)


def clean_customer(
    *,
    workspace: Workspace,
    data: dict[str, Any],
    creating: bool,
    existing: dict | None = None,
    check_custom: bool = False,
) -> dict[str, Any]:
    """`existing`: the customer's current custom values (edits). A creation that sends `custom`
    (pages, API) or asks `check_custom` checks the required custom fields; lead conversion sends
    none and is not refused for them."""
    data = dict(data)
    custom = data.pop("custom", None)
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
    _custom(workspace, "customer", custom, existing, creating, check_custom, cleaned, errors)
    field_cleaning.raise_if_errors(errors)
    return cleaned


def clean_contact(
    *,
    workspace: Workspace,
    data: dict[str, Any],
    creating: bool,
    existing: dict | None = None,
    check_custom: bool = False,
) -> dict[str, Any]:
    data = dict(data)
    custom = data.pop("custom", None)
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
    _custom(workspace, "contact", custom, existing, creating, check_custom, cleaned, errors)
    field_cleaning.raise_if_errors(errors)
    return cleaned
