"""Row work of the customer import: clean a row with the capture rules of the form and the API,
dedupe a chunk on the exact normalised keys (one query per key kind) and against earlier rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _

from tradewind.core import spreadsheets
from tradewind.core.errors import ServiceError
from tradewind.core.import_columns import country_value
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.custom_fields import clean_custom, definitions
from tradewind.workspaces.models import Membership

from .capture import clean_contact, clean_customer
from .errors import CustomerListError
from .imports_fields import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    choice_value,
    contact_custom_header,
    custom_columns,
    rating_value,
)
from .imports_models import CustomerImport
from .models import Contact, Customer

CHUNK = 500
KEY_FIELDS = ("company_key", "company_pinyin", "email_domain", "web_domain", "phone_e164")


def _unreadable() -> ServiceError:
    message = _("This file cannot be read as a spreadsheet. Save it as CSV or XLSX and try again.")
    return ServiceError(CustomerListError.FILE_UNREADABLE, message, fields={"file": [message]})


def read(path: str, kind: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from spreadsheets.read_rows(path, kind)
    except spreadsheets.SpreadsheetError:
        raise _unreadable() from None
    except FileNotFoundError:  # the stored upload was removed (disk cleaned, restored backup)
        message = _("The uploaded file is no longer stored. Upload it again.")
        raise ServiceError(
            CustomerListError.FILE_UNREADABLE, message, fields={"file": [message]}
        ) from None


# --- rows ------------------------------------------------------------------------------------------


@dataclass
class Context:
    batch: CustomerImport
    actor: Actor
    owners: dict[str, int]  # folded e-mail or name -> user id
    labels: dict[str, str] = field(default_factory=dict)  # field -> column header
    # Customer custom fields, loaded once per file, and the columns mapped to them by header.
    custom_defs: list[Any] = field(default_factory=list)
    custom_columns: list[tuple[int, Any, str]] = field(default_factory=list)
    # The same for contact custom fields ("联系人<label>" / "Contact <label>" columns).
    contact_defs: list[Any] = field(default_factory=list)
    contact_columns: list[tuple[int, Any, str]] = field(default_factory=list)


def _context(batch: CustomerImport, actor: Actor) -> Context:
    owners: dict[str, int] = {}
    for m in Membership.objects.filter(workspace=batch.workspace, is_active=True).select_related(
        "user"
    ):
        owners[m.user.email.lower()] = m.user_id
        if m.user.full_name:
            owners.setdefault(m.user.full_name.strip().lower(), m.user_id)
    labels = {name: batch.headers[int(i)] for i, name in batch.mapping.items()}
    defs = definitions(batch.workspace, "customer")
    columns = custom_columns(defs, batch.headers, batch.mapping)
    for _index, defn, text in columns:
        labels[defn.param] = text
    for defn in defs:
        labels.setdefault(defn.param, defn.header)
    contact_defs = definitions(batch.workspace, "contact")
    contact_columns = custom_columns(
        contact_defs,
        batch.headers,
        batch.mapping,
        contact=True,
        taken={index for index, _d, _h in columns},
    )
    for _index, defn, text in contact_columns:
        labels[f"contact_{defn.param}"] = text
    for defn in contact_defs:
        labels.setdefault(f"contact_{defn.param}", contact_custom_header(defn))
    return Context(
        batch=batch,
        actor=actor,
        owners=owners,
        labels=labels,
        custom_defs=defs,
        custom_columns=columns,
        contact_defs=contact_defs,
        contact_columns=contact_columns,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def clean_row(ctx: Context, cells: list[Any]) -> tuple[dict, dict | None, list[tuple[str, str]]]:
    """(customer values, contact values or None, [(column, message)])."""
    raw = {
        name: _text(cells[int(i)]) if int(i) < len(cells) else ""
        for i, name in ctx.batch.mapping.items()
    }
    errors: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    for name in CUSTOMER_FIELDS:
        value = raw.get(name, "")
        if name not in raw or name == "owner":
            continue
        if name in ("type", "size", "source"):
            value = choice_value(name, value)
        elif name == "country":
            value = country_value(value)
        elif name == "rating":
            value = rating_value(value)
        elif name == "tags":
            value = [t.strip() for t in re.split(r"[,，;；]", value) if t.strip()]
        data[name] = value
    owner_id: int | None = ctx.actor.user_id
    if raw.get("owner"):
        owner_id = ctx.owners.get(raw["owner"].lower())
        if owner_id is None:
            errors.append((ctx.labels["owner"], _("No active member has this e-mail or name.")))
    customer: dict[str, Any] = {}
    try:
        customer = clean_customer(workspace=ctx.batch.workspace, data=data, creating=True)
    except ServiceError as exc:
        errors += [(ctx.labels.get(k, k), str(m)) for k, ms in exc.fields.items() for m in ms]
        if not exc.fields:
            errors.append(("", str(exc.message)))
    customer["owner_id"] = owner_id
    customer["custom"] = _clean_custom(ctx, cells, errors)
    contact = None
    values = {CONTACT_FIELDS[k]: v for k, v in raw.items() if k in CONTACT_FIELDS and v}
    if values:
        if "decision_role" in values:
            values["decision_role"] = choice_value("decision_role", values["decision_role"])
        reverse = {v: k for k, v in CONTACT_FIELDS.items()}
        try:
            contact = clean_contact(workspace=ctx.batch.workspace, data=values, creating=True)
        except ServiceError as exc:
            errors += [
                (ctx.labels.get(reverse.get(k, k), k), str(m))
                for k, ms in exc.fields.items()
                for m in ms
            ]
    contact_custom = _clean_contact_custom(ctx, cells, errors, has_contact=bool(values))
    if contact is not None:
        contact["custom"] = contact_custom
    return customer, contact, errors


def _clean_custom(ctx: Context, cells: list[Any], errors: list[tuple[str, str]]) -> dict:
    """The row's custom values through the one validator (`clean_custom`, required included, as a
    creation), each error reported under its column's header."""
    data = {
        defn.key: _text(cells[index]) if index < len(cells) else ""
        for index, defn, _header in ctx.custom_columns
    }
    try:
        return clean_custom(ctx.batch.workspace, "customer", data, None, defs=ctx.custom_defs)
    except ServiceError as exc:
        errors += [(ctx.labels.get(k, k), str(m)) for k, ms in exc.fields.items() for m in ms]
        return {}


def _clean_contact_custom(
    ctx: Context, cells: list[Any], errors: list[tuple[str, str]], *, has_contact: bool
) -> dict:
    """The row contact's custom values. Without contact columns filled, the row has no contact:
    values in contact custom columns are then an error rather than silently dropped, and required
    contact custom fields are not asked for."""
    data = {
        defn.key: _text(cells[index]) if index < len(cells) else ""
        for index, defn, _header in ctx.contact_columns
    }
    if not has_contact:
        for _index, defn, text in ctx.contact_columns:
            if data.get(defn.key):
                message = _("This value belongs to a contact: fill in the contact's name too.")
                errors.append((text, message))
        return {}
    try:
        return clean_custom(ctx.batch.workspace, "contact", data, None, defs=ctx.contact_defs)
    except ServiceError as exc:
        errors += [
            (ctx.labels.get(f"contact_{k}", k), str(m)) for k, ms in exc.fields.items() for m in ms
        ]
        return {}


def _existing(workspace_id: int, chunk_keys: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """(key kind, value) -> "code name" of the customer already holding it; one query per kind."""
    found: dict[tuple[str, str], str] = {}
    for kind in KEY_FIELDS:
        values = chunk_keys.get(kind, set())
        if values:
            for value, code, name in Customer.objects.filter(
                workspace_id=workspace_id, **{f"{kind}__in": values}
            ).values_list(kind, "code", "name"):
                found.setdefault((kind, value), f"{code} {name}")
    for kind, column in (("contact_email", "email"), ("contact_phone", "phone_e164")):
        values = chunk_keys.get(kind, set())
        if values:
            for value, code, name in Contact.objects.filter(
                workspace_id=workspace_id, **{f"{column}__in": values}
            ).values_list(column, "customer__code", "customer__name"):
                found.setdefault((kind, value), f"{code} {name}")
    return found


def _keys(customer: dict, contact: dict | None) -> list[tuple[str, str]]:
    keys = [(k, customer[k]) for k in KEY_FIELDS if customer.get(k)]
    if contact:
        keys += [("contact_email", contact["email"])] if contact.get("email") else []
        keys += [("contact_phone", contact["phone_e164"])] if contact.get("phone_e164") else []
    return keys


@dataclass
class Outcome:
    good: list[tuple[int, dict, dict | None]] = field(default_factory=list)
    extra_contacts: list[tuple[int, int, dict]] = field(default_factory=list)  # row, first row
    bad: list[tuple[int, list[Any], str]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def _chunks(batch: CustomerImport) -> Iterator[list[tuple[int, list[Any]]]]:
    rows = islice(read(batch.file.path, batch.file_kind), 1, None)  # past the header row
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _sort_chunk(
    ctx: Context, chunk: list[tuple[int, list[Any]]], seen: dict[tuple[str, str], int]
) -> Outcome:
    """Clean and dedupe one chunk (against the database and earlier rows of the file)."""
    out = Outcome()
    cleaned = [(number, cells, *clean_row(ctx, cells)) for number, cells in chunk]
    wanted: dict[str, set[str]] = {}
    for _n, _c, customer, contact, errors in cleaned:
        if not errors:
            for kind, value in _keys(customer, contact):
                wanted.setdefault(kind, set()).add(value)
    existing = _existing(ctx.batch.workspace_id, wanted)
    for number, cells, customer, contact, errors in cleaned:
        if errors:
            reason = "; ".join(f"{col}: {msg}" if col else msg for col, msg in errors)
            out.bad.append((number, cells, reason))
            out.errors += [{"row": number, "column": c, "message": m} for c, m in errors]
            continue
        keys = _keys(customer, contact)
        match = next((existing[k] for k in keys if k in existing), "")
        if match:
            out.duplicates.append({"row": number, "name": customer["name"], "match": match})
            continue
        company = [k for k in keys if k[0] in KEY_FIELDS]
        earlier = next((seen[k] for k in company if k in seen), None)
        if earlier is not None:
            if contact:
                out.extra_contacts.append((number, earlier, contact))
            else:
                match = _("same as row %(row)s of this file") % {"row": earlier}
                out.duplicates.append({"row": number, "name": customer["name"], "match": match})
            continue
        for key in keys:
            seen.setdefault(key, number)
        out.good.append((number, customer, contact))
    return out


def _shown(customer: dict, contact: dict | None) -> dict[str, str]:
    shown = {
        k: ", ".join(v) if isinstance(v, list) else str(v or "")
        for k, v in customer.items()
        if k != "custom"
    }
    shown["contact"] = contact.get("name", "") if contact else ""
    return shown
