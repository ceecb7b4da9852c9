"""Validation and normalisation of customer and contact input, shared by the form, the API and lead
conversion. Same normalising as leads/capture.py: NFKC for identifiers, E.164 phones with the
workspace's default country, company keys and pinyin for dedupe."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tradewind.core import normalize
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces.models import Membership, Workspace

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


def _text(data: dict[str, Any], text: list[str], codes: set[str]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name in codes:
            cleaned[name] = normalize.clean_text(value)
        elif name in text:
            cleaned[name] = normalize.trim_text(value)
        else:
            cleaned[name] = value
    return cleaned


def _email_phone(
    workspace: Workspace, cleaned: dict[str, Any], errors: dict[str, list[Any]]
) -> None:
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


def _fail(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)


def clean_customer(*, workspace: Workspace, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    unknown = set(data) - set(CUSTOMER_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[Any]] = {}
    cleaned = _text(data, CUSTOMER_TEXT, CUSTOMER_CODES)
    if (creating or "name" in cleaned) and not cleaned.get("name"):
        raise ServiceError(
            CustomerError.NAME_REQUIRED,
            _("Please correct the marked fields."),
            fields={"name": [_("Enter the company name.")]},
        )
    _email_phone(workspace, cleaned, errors)
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper()
        if cleaned["country"] and len(cleaned["country"]) != 2:
            errors["country"] = [_("Use a two-letter country code, e.g. DE.")]
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
    if "name" in cleaned:
        cleaned["company_key"] = normalize.company_key(cleaned["name"])
        cleaned["company_pinyin"] = normalize.company_pinyin(cleaned["name"])[:400]
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
    _fail(errors)
    return cleaned


def clean_contact(*, workspace: Workspace, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    unknown = set(data) - set(CONTACT_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[Any]] = {}
    cleaned = _text(data, CONTACT_TEXT, CONTACT_CODES)
    if (creating or "name" in cleaned) and not cleaned.get("name"):
        raise ServiceError(
            CustomerError.CONTACT_NAME_REQUIRED,
            _("Please correct the marked fields."),
            fields={"name": [_("Enter the contact’s name.")]},
        )
    _email_phone(workspace, cleaned, errors)
    if cleaned.get("decision_role") and cleaned["decision_role"] not in DecisionRole.values:
        errors["decision_role"] = [_("Choose a decision role from the list.")]
    if "is_primary" in cleaned:
        cleaned["is_primary"] = bool(cleaned["is_primary"])
    _fail(errors)
    return cleaned
