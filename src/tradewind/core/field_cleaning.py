"""Cleaning rules for the fields every record of a company shares (leads, customers, contacts):
one rule and one message per field, whichever form, API or import the value came through.

Each helper reads `cleaned` and adds to `errors` (field -> messages) so that a caller reports every
problem in one ServiceError, in its own order of fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from . import normalize
from .errors import ErrorCode, ServiceError

Errors = dict[str, list[Any]]


def reject_unknown(data: dict[str, Any], editable: Iterable[str]) -> None:
    # A programming error, not user input: services pass only the fields they know.
    unknown = set(data) - set(editable)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


def clean_texts(data: dict[str, Any], text: Iterable[str], codes: Iterable[str]) -> dict[str, Any]:
    """Codes are width-folded (full-width and half-width mean the same thing); what people wrote
    stays as written (full-width ，。（）in Chinese prose): only the derived keys are folded."""
    text, codes = set(text), set(codes)
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name in codes:
            cleaned[name] = normalize.clean_text(value)
        elif name in text:
            cleaned[name] = normalize.trim_text(value)
        else:
            cleaned[name] = value
    return cleaned


def clean_email_phone(cleaned: dict[str, Any], errors: Errors, default_country: str) -> None:
    if "email" in cleaned:
        try:
            cleaned["email"] = normalize.normalize_email(cleaned["email"])
        except ValueError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if "phone" in cleaned:
        try:
            cleaned["phone_e164"] = normalize.normalize_phone(cleaned["phone"], default_country)
        except ValueError:
            errors["phone"] = [
                _(
                    "This is not a phone number we can dial. Include the country code, e.g. +86 138 0013 8000."
                )
            ]


def clean_country(cleaned: dict[str, Any], errors: Errors) -> None:
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper()
        if cleaned["country"] and len(cleaned["country"]) != 2:
            errors["country"] = [_("Use a two-letter country code, e.g. DE.")]


def clean_tags(cleaned: dict[str, Any]) -> None:
    """A list, or one line separated by commas (the Chinese ，too)."""
    if "tags" in cleaned:
        tags = cleaned["tags"] or []
        if isinstance(tags, str):
            tags = [
                t
                for t in (normalize.clean_text(x) for x in tags.replace("，", ",").split(","))
                if t
            ]
        cleaned["tags"] = sorted({str(t)[:40] for t in tags})


def derive_company_keys(cleaned: dict[str, Any], errors: Errors, name_field: str) -> None:
    """The keys dedupe and search match on: domains, company key and its pinyin."""
    if "website" in cleaned:
        cleaned["web_domain"] = normalize.website_domain(cleaned["website"])
    if "email" in cleaned and "email" not in errors:
        cleaned["email_domain"] = (
            normalize.email_domain(cleaned["email"]) if cleaned["email"] else ""
        )
    if name_field in cleaned:
        cleaned["company_key"] = normalize.company_key(cleaned[name_field])
        cleaned["company_pinyin"] = normalize.company_pinyin(cleaned[name_field])[:400]


def raise_if_errors(errors: Errors) -> None:
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
