"""A small, safe renderer for e-mail templates: `{{ object.field }}` and nothing else.

User-written text never reaches Django's template engine: there are no tags, no filters and no
attribute access beyond a catalogue of fields per object (FIELDS). Which objects a template may
use depends on its record type (OBJECTS); a field outside them is refused when the template is
saved (`check_template_text`), with a translated message naming it. Values are plain text: the text
part carries them as they are, the HTML part escapes them (and the template's own text).

Objects: the record (`lead`, `contact`, `customer`, `opportunity`), the people around it
(`customer` of a contact or opportunity, `contact` = a customer's primary contact or the
opportunity's contact), `recipient` (the person written to), `me` (the sender) and `workspace`.

Language: `pick_language` takes the one asked for, else the record's (its country: Chinese for
mainland China, Taiwan, Hong Kong and Macao, English for any other country), else the workspace's
(its default country, the same way), else whichever language the template has.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import ServiceError

from .choices import RecordType
from .errors import MailError
from .models import EmailTemplate

ZH_COUNTRIES = frozenset({"CN", "TW", "HK", "MO"})
UI_LANGUAGE = {"en": "en", "zh": "zh-hans"}

_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME = re.compile(r"^\s*([a-z_]+)\.([a-z_]+)\s*$")


@dataclass(frozen=True)
class Field:
    label: Promise
    get: Callable[[Any], Any]


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name, "")


def _country(obj: Any) -> str:
    country = getattr(obj, "country", None)
    return str(country.name) if country else ""


def _stage(obj: Any) -> str:
    stage = getattr(obj, "stage", None)
    return str(getattr(stage, "label", "")) if stage is not None else ""


FIELDS: dict[str, dict[str, Field]] = {
    "lead": {
        "company_name": Field(gettext_lazy("company"), _attr("company_name")),
        "contact_name": Field(gettext_lazy("contact"), _attr("contact_name")),
        "title": Field(gettext_lazy("title"), _attr("contact_title")),
        "email": Field(gettext_lazy("e-mail"), _attr("email")),
        "phone": Field(gettext_lazy("phone"), _attr("phone")),
        "code": Field(gettext_lazy("code"), _attr("code")),
        "country": Field(gettext_lazy("country/region"), _country),
        "city": Field(gettext_lazy("city"), _attr("city")),
        "website": Field(gettext_lazy("website"), _attr("website")),
        "industry": Field(gettext_lazy("industry"), _attr("industry")),
    },
    "contact": {
        "name": Field(gettext_lazy("name"), _attr("name")),
        "title": Field(gettext_lazy("title"), _attr("title")),
        "email": Field(gettext_lazy("e-mail"), _attr("email")),
        "phone": Field(gettext_lazy("phone"), _attr("phone")),
    },
    "customer": {
        "name": Field(gettext_lazy("company"), _attr("name")),
        "short_name": Field(gettext_lazy("short name"), _attr("short_name")),
        "code": Field(gettext_lazy("code"), _attr("code")),
        "country": Field(gettext_lazy("country/region"), _country),
        "city": Field(gettext_lazy("city"), _attr("city")),
        "website": Field(gettext_lazy("website"), _attr("website")),
        "email": Field(gettext_lazy("company e-mail"), _attr("email")),
        "phone": Field(gettext_lazy("company phone"), _attr("phone")),
    },
    "opportunity": {
        "code": Field(gettext_lazy("code"), _attr("code")),
        "name": Field(gettext_lazy("name"), _attr("name")),
        "amount": Field(gettext_lazy("amount"), _attr("amount")),
        "currency": Field(gettext_lazy("currency"), _attr("currency")),
        "expected_close_date": Field(
            gettext_lazy("expected close date"), _attr("expected_close_date")
        ),
        "stage": Field(gettext_lazy("stage"), _stage),
        "incoterm": Field(gettext_lazy("Incoterm"), _attr("incoterm")),
        "named_place": Field(gettext_lazy("named place"), _attr("named_place")),
    },
    "recipient": {
        "name": Field(gettext_lazy("name"), lambda r: r.get("name", "")),
        "email": Field(gettext_lazy("e-mail"), lambda r: r.get("email", "")),
    },
    "me": {
        "full_name": Field(gettext_lazy("name"), lambda u: getattr(u, "display_name", "")),
        "email": Field(gettext_lazy("e-mail"), _attr("email")),
    },
    "workspace": {"name": Field(gettext_lazy("name"), _attr("name"))},
}
_COMMON = ("recipient", "me", "workspace")
OBJECTS: dict[str, tuple[str, ...]] = {
    RecordType.ANY: _COMMON,
    RecordType.LEAD: ("lead", *_COMMON),
    RecordType.CONTACT: ("contact", "customer", *_COMMON),
    RecordType.CUSTOMER: ("customer", "contact", *_COMMON),
    RecordType.OPPORTUNITY: ("opportunity", "customer", "contact", *_COMMON),
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    language: str


def record_type_of(record: models.Model | None) -> str:
    kind = getattr(record, "AUDIT_TYPE", "") if record is not None else ""
    return kind if kind in OBJECTS and kind != RecordType.ANY else RecordType.ANY


def template_fits(template: EmailTemplate, record: models.Model | None) -> bool:
    """A template fits a record when every object it may use is there for that record."""
    return set(OBJECTS[template.record_type]) <= set(OBJECTS[record_type_of(record)])


def catalogue(record_type: str) -> list[tuple[str, str]]:
    """(`object.field`, label) of every merge field a template of this record type may use."""
    return [
        (f"{obj}.{name}", f"{obj} · {field.label}")
        for obj in OBJECTS.get(record_type, _COMMON)
        for name, field in FIELDS[obj].items()
    ]


# --- checking ------------------------------------------------------------------------------------


def field_names(text: str) -> tuple[list[str], list[str]]:
    """(merge fields used, pieces that are not a merge field) in the order they appear."""
    names, bad = [], []
    if "{%" in text or "%}" in text:
        bad.append("{% … %}")
    for match in _TOKEN.finditer(text):
        inner = _NAME.match(match.group(1))
        if inner is None:
            bad.append(match.group(0)[:60])
        else:
            names.append(f"{inner.group(1)}.{inner.group(2)}")
    rest = _TOKEN.sub("", text)
    if "{{" in rest or "}}" in rest:
        bad.append("{{" if "{{" in rest else "}}")
    return names, bad


def unknown_fields(text: str, record_type: str) -> list[str]:
    allowed = OBJECTS.get(record_type, _COMMON)
    names, _bad = field_names(text)
    return [
        n
        for n in names
        if n.split(".")[0] not in allowed or n.split(".")[1] not in FIELDS.get(n.split(".")[0], {})
    ]


def check_template_text(record_type: str, texts: dict[str, str]) -> None:
    """Refuses (422, nothing saved) merge fields outside the catalogue of `record_type` and
    anything that looks like template code; `texts` maps a form field to its text."""
    errors: dict[str, list[str]] = {}
    code = MailError.UNKNOWN_FIELD
    for form_field, text in texts.items():
        _names, bad = field_names(text or "")
        if bad:
            errors[form_field] = [
                _("Only merge fields like {{ lead.company_name }} are allowed, not “%(piece)s”.")
                % {"piece": bad[0]}
            ]
            code = MailError.BAD_SYNTAX
            continue
        unknown = unknown_fields(text or "", record_type)
        if unknown:
            errors[form_field] = [
                _("Unknown merge field “%(field)s” for this record type.") % {"field": unknown[0]}
            ]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(code, first, fields=errors)


# --- values --------------------------------------------------------------------------------------


def record_language(record: models.Model | None) -> str | None:
    """ "zh" or "en" from the country of the record (a contact's or opportunity's customer)."""
    if record is None:
        return None
    holder: Any = record
    if getattr(record, "AUDIT_TYPE", "") in ("contact", "opportunity"):
        holder = getattr(record, "customer", None)
    country = getattr(holder, "country", None) if holder is not None else None
    code = getattr(country, "code", None) or (str(country) if country else "")
    if not code:
        return None
    return "zh" if code.upper() in ZH_COUNTRIES else "en"


def workspace_language(workspace: Any) -> str:
    country = str(getattr(workspace, "default_country", "") or "").upper()
    return "zh" if country in ZH_COUNTRIES else "en"


def pick_language(
    template: EmailTemplate | None,
    record: models.Model | None,
    *,
    workspace: Any,
    requested: str | None = None,
) -> str:
    have = template.languages if template is not None else ["en", "zh"]
    for candidate in (requested, record_language(record), workspace_language(workspace)):
        if candidate in have:
            return candidate  # type: ignore[return-value]
    return have[0] if have else "en"


def _primary_contact(customer: Any) -> Any:
    if customer is None:
        return None
    return customer.contacts.order_by("-is_primary", "id").first()


def related_objects(record: models.Model | None) -> dict[str, Any]:
    """The record and the people around it, by object name (missing ones are left out)."""
    kind = record_type_of(record)
    found: dict[str, Any] = {}
    if kind == RecordType.LEAD:
        found["lead"] = record
    elif kind == RecordType.CONTACT:
        found["contact"] = record
        found["customer"] = record.customer  # type: ignore[union-attr]
    elif kind == RecordType.CUSTOMER:
        found["customer"] = record
        found["contact"] = _primary_contact(record)
    elif kind == RecordType.OPPORTUNITY:
        found["opportunity"] = record
        found["customer"] = getattr(record, "customer", None)
        found["contact"] = getattr(record, "contact", None) or _primary_contact(found["customer"])
    return {k: v for k, v in found.items() if v is not None}


def recipient_of(record: models.Model | None) -> dict[str, str]:
    """The person an e-mail about this record goes to: name and address ("" when unknown)."""
    objs = related_objects(record)
    if "lead" in objs:
        lead = objs["lead"]
        return {"name": lead.contact_name or lead.company_name, "email": lead.email}
    contact = objs.get("contact")
    if contact is not None and contact.email:
        return {"name": contact.name, "email": contact.email}
    customer = objs.get("customer")
    if customer is not None:
        name = contact.name if contact is not None else customer.name
        return {"name": name, "email": customer.email}
    return {"name": "", "email": ""}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def merge_values(
    *,
    record: models.Model | None,
    workspace: Any,
    sender: Any = None,
    language: str = "en",
    extra: dict[str, Any] | None = None,
) -> dict[str, str]:
    """`object.field` -> text for every field of the objects around `record`. `sender` is `me`
    (default: the record's owner); `extra` adds or overrides values, as {"obj.field": v} or
    {"obj": {"field": v}}."""
    objs = related_objects(record)
    objs["recipient"] = recipient_of(record)
    objs["workspace"] = workspace
    me = sender if sender is not None else getattr(record, "owner", None)
    if me is not None:
        objs["me"] = me
    values: dict[str, str] = {}
    with translation.override(UI_LANGUAGE.get(language, "en")):
        for obj_name, obj in objs.items():
            for name, field in FIELDS[obj_name].items():
                values[f"{obj_name}.{name}"] = _text(field.get(obj))
    for key, value in (extra or {}).items():
        if isinstance(value, dict):
            for name, inner in value.items():
                values[f"{key}.{name}"] = _text(inner)
        else:
            values[str(key)] = _text(value)
    return values


# --- rendering -----------------------------------------------------------------------------------


def fill(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """`text` with each {{ object.field }} replaced (unknown ones by ""); escaped when `html`."""
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        literal = text[last : match.start()]
        inner = _NAME.match(match.group(1))
        value = values.get(f"{inner.group(1)}.{inner.group(2)}", "") if inner else ""
        out.append(escape(literal) if html else literal)
        out.append(escape(value) if html else value)
        last = match.end()
    tail = text[last:]
    out.append(escape(tail) if html else tail)
    return "".join(out)


def text_to_html(escaped: str) -> str:
    """Paragraphs on blank lines, <br> inside them; the input is already escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", escaped.replace("\r\n", "\n")) if p.strip()]
    body = "\n".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<!DOCTYPE html><html><body style="font-family:sans-serif">{body}</body></html>'


def render_free(*, subject: str, body: str) -> tuple[str, str, str]:
    """(subject, text, html) of a message written by hand (no merge fields)."""
    clean_subject = " ".join(subject.split())
    return clean_subject, body, text_to_html(escape(body))


def render_template(
    *,
    template: EmailTemplate,
    record: models.Model | None,
    language: str,
    extra: dict | None = None,
    sender: Any = None,
) -> RenderedMail:
    """The template rendered for `record` in `language` ("en" or "zh"; the other one when the
    template is not written in it). `sender` is `me` (default: the record's owner). Without a
    record, record fields come out empty (a preview shows the placeholders instead)."""
    have = template.languages
    lang = language if language in have else (have[0] if have else "en")
    subject_src = template.subject_zh if lang == "zh" else template.subject_en
    body_src = template.body_zh if lang == "zh" else template.body_en
    values = merge_values(
        record=record,
        workspace=template.workspace,
        sender=sender,
        language=lang,
        extra=extra,
    )
    subject = " ".join(fill(subject_src, values).split())  # no line breaks in a header
    text = fill(body_src, values)
    html = text_to_html(fill(body_src, values, html=True))
    return RenderedMail(subject=subject, text=text, html=html, language=lang)


def placeholder_values(record_type: str) -> dict[str, str]:
    """[object.field] for every field: what a preview without a record shows."""
    return {name: f"[{name}]" for name, _label in catalogue(record_type)}
