"""The import engine's row work: clean one row, dedupe a chunk with set-based queries, insert a chunk.

Cleaning follows `capture.clean_lead` rule for rule and message for message (a parity test keeps
them together), but with the workspace's policy and members loaded once per file instead of once
per row. Dedupe matches exact normalised keys only (e-mail, E.164 phone, company domain, company
key, pinyin key): one `IN (…)` query per key kind and chunk. The fuzzy company-name score of the
form and the API would cost a query per row, so imports do not use it (docs/leads-import.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core import normalize
from tradewind.core.bulk_write import write_values
from tradewind.core.money import all_currencies
from tradewind.workspaces.custom_fields import definitions, fold, parse_value
from tradewind.workspaces.models import Membership, Workspace

from . import search
from .capture import CODE_FIELDS, REQUIRABLE, TEXT_FIELDS
from .choices import CompanySize, LeadGrade, LeadSource, LeadStatus
from .dedupe import REASONS
from .imports_fields import FIELDS, country_value, size_value, source_value
from .models import Lead, LeadPolicy
from .scoring import Score
from .search import SEARCHED_FIELDS, cjk_pairs

CHUNK_SIZE = 2000
# Lead columns an import fills; every other column has a database default or is nullable.
INSERT_FIELDS = [
    "workspace",
    "code",
    "created_at",
    "updated_at",
    "version",
    "status",
    "source",
    "score",
    "tags",
    *[f for f in TEXT_FIELDS if f != "source"],
    "budget_min",
    "budget_max",
    "phone_e164",
    "email_domain",
    "web_domain",
    "company_key",
    "company_pinyin",
    "search_pairs",
    "owner",
    "import_batch",
    "grade_set_by_hand",
    "custom",
]
_MAX_LENGTH = {
    f: Lead._meta.get_field(f).max_length for f in TEXT_FIELDS if f not in ("need", "country")
}
SOURCES = frozenset(LeadSource.values)
GRADES = frozenset(LeadGrade.values)
SIZES = frozenset(CompanySize.values)
# Plain ASCII addresses skip email-validator's full (IDNA) domain check, which costs more than the
# rest of a row; anything unusual still goes through normalize_email. A parity test keeps the two
# in step. Special-use names (.local, .localhost, .invalid, .arpa, .onion) are refused there.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion"})
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|w|k|千)?", re.IGNORECASE)
_MULTIPLIER = {"万": 10000, "w": 10000, "k": 1000, "千": 1000}


@dataclass
class RowContext:
    """What cleaning a row needs, loaded once per file."""

    workspace: Workspace
    columns: list[tuple[int, str, str]]  # (column index, field, header as written)
    required: list[str]
    owners: dict[str, int]  # folded e-mail or name -> user id
    owner_names: dict[int, str]
    currencies: frozenset[str] = field(default_factory=lambda: frozenset(all_currencies()))
    # Columns whose header names an active lead custom field (its key, a label or "中文 English")
    # and that no lead field took: (column index, definition, header as written).
    custom_columns: list[tuple[int, Any, str]] = field(default_factory=list)
    custom_required: list[Any] = field(default_factory=list)

    @classmethod
    def load(
        cls, *, workspace: Workspace, headers: list[str], mapping: dict[str, str]
    ) -> RowContext:
        columns = sorted(
            (int(index), name, headers[int(index)] if int(index) < len(headers) else name)
            for index, name in mapping.items()
            if name
        )
        owners: dict[str, int] = {}
        names: dict[int, str] = {}
        for member in Membership.objects.filter(workspace=workspace).select_related("user"):
            names[member.user_id] = str(member.user)
            if member.is_active and member.user.is_active:
                owners[member.user.email.lower()] = member.user_id
                if member.user.full_name:
                    owners.setdefault(
                        normalize.clean_text(member.user.full_name).lower(), member.user_id
                    )
        defs = definitions(workspace, "lead")
        names_of = {}
        for defn in defs:
            for word in (defn.key, defn.param, defn.label_en, defn.label_zh, defn.header):
                if word:
                    names_of.setdefault(fold(word), defn)
        taken = {int(i) for i, name in mapping.items() if name}
        custom_columns, seen = [], set()
        for index, header in enumerate(headers):
            defn = names_of.get(fold(header))
            if index not in taken and defn is not None and defn.key not in seen:
                custom_columns.append((index, defn, str(header)))
                seen.add(defn.key)
        return cls(
            workspace=workspace,
            columns=columns,
            required=list(LeadPolicy.for_workspace(workspace).required_fields),
            owners=owners,
            owner_names=names,
            custom_columns=custom_columns,
            custom_required=[d for d in defs if d.required],
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _amount(text: str) -> Decimal:
    match = _NUMBER.fullmatch(text.strip()) if text else None
    if not match:
        raise InvalidOperation
    amount = Decimal(match.group(1).replace(",", ""))
    if match.group(2):
        amount *= _MULTIPLIER[match.group(2).lower()]
    if not amount.is_finite() or amount < 0:
        raise InvalidOperation
    return amount


def _budget(text: str, values: dict[str, Any]) -> bool:
    """ "200000-300000 CNY", "20万~30万", "USD 5000": fills budget_min/max/currency; False if unreadable."""
    text = normalize.clean_text(text).upper()
    currency = re.search(r"\b([A-Z]{3})\b", text)
    if currency:
        values["budget_currency"] = currency.group(1)
        text = text.replace(currency.group(1), "")
    text = (
        text.replace("¥", "").replace("$", "").replace("€", "").replace("W", "w").replace("K", "k")
    )
    parts = [p for p in re.split(r"\s*(?:-|~|–|—|至|到)\s*", text.strip()) if p]
    try:
        amounts = [_amount(p) for p in parts]
    except InvalidOperation:
        return False
    if not 1 <= len(amounts) <= 2:
        return False
    values["budget_min"], values["budget_max"] = amounts[0], amounts[-1]
    return True


def fast_email(text: str) -> str:
    """normalize_email's result, without its slow path for plain ASCII addresses."""
    lowered = text.lower()
    if (
        len(lowered) <= 254
        and _PLAIN_EMAIL.fullmatch(lowered)
        and len(lowered.partition("@")[0]) <= 64
        and lowered.rpartition(".")[2] not in _SPECIAL_USE_TLDS
    ):
        return lowered
    return normalize.normalize_email(text)


def clean_row(ctx: RowContext, cells: list[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(values ready to insert, [(column, reason)]). Empty cells count as absent."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    column_of: dict[str, str] = {}
    for index, name, header in ctx.columns:
        raw = _text(cells[index] if index < len(cells) else None)
        column_of[name] = header
        text = normalize.clean_text(raw) if name in CODE_FIELDS else normalize.trim_text(raw)
        if not text:
            continue
        limit = _MAX_LENGTH.get(name)
        if limit and len(text) > limit:
            errors.append((header, _("At most %(n)s characters.") % {"n": limit}))
            continue
        values[name] = text

    def fail(name: str, message: str) -> None:
        errors.append((column_of.get(name, str(FIELDS[name][0])), message))

    if "email" in values:
        try:
            values["email"] = fast_email(values["email"])
            values["email_domain"] = normalize.email_domain(values["email"])
        except ValueError:
            fail("email", _("Enter a valid e-mail address."))
    if "phone" in values:
        try:
            values["phone_e164"] = normalize.normalize_phone(
                values["phone"], ctx.workspace.default_country
            )
        except ValueError:
            fail(
                "phone",
                _(
                    "This is not a phone number we can dial. Include the country code, e.g. +86 138 0013 8000."
                ),
            )
    if "country" in values:
        values["country"] = country_value(values["country"]).upper()
        if len(values["country"]) != 2:
            fail("country", _("Use a two-letter country code, e.g. DE."))
    if "source" in values:
        values["source"] = source_value(values["source"])
        if values["source"] not in SOURCES:
            fail("source", _("Choose a source from the list."))
    if "grade" in values:
        values["grade"] = values["grade"].upper()
        if values["grade"] not in GRADES:
            fail("grade", _("A grade is A, B or C."))
    if "company_size" in values:
        values["company_size"] = size_value(values["company_size"])
        if values["company_size"] not in SIZES:
            fail("company_size", _("Choose a company size from the list."))
    if "budget" in values and not _budget(values.pop("budget"), values):
        fail("budget", _("Enter an amount, e.g. 200000."))
    for bound in ("budget_min", "budget_max"):
        if isinstance(values.get(bound), str):
            try:
                values[bound] = _amount(values[bound])
            except InvalidOperation:
                fail(bound, _("Enter an amount, e.g. 200000."))
                values.pop(bound)
    if values.get("budget_currency"):
        values["budget_currency"] = values["budget_currency"].upper()
        if values["budget_currency"] not in ctx.currencies:
            fail("budget_currency", _("Unknown currency code."))
    lo, hi = values.get("budget_min"), values.get("budget_max")
    if isinstance(lo, Decimal) and isinstance(hi, Decimal) and lo > hi:
        fail("budget_max", _("The upper end of the budget is below the lower end."))
    if "tags" in values:
        parts = re.split(r"[,，;；、]", values["tags"])
        values["tags"] = sorted({t[:40] for t in (normalize.clean_text(p) for p in parts) if t})
    if "website" in values:
        values["web_domain"] = normalize.website_domain(values["website"])
    if "company_name" in values:
        values["company_key"] = normalize.company_key(values["company_name"])
        key = values["company_key"]
        # The pinyin of an ASCII key is the key itself; pypinyin is only needed for CJK names.
        pinyin = key if key.isascii() else normalize.company_pinyin(values["company_name"])
        values["company_pinyin"] = pinyin[:400]
    if "owner" in values:
        owner = values.pop("owner")
        owner_id = ctx.owners.get(normalize.clean_text(owner).lower())
        if owner_id is None:
            fail("owner", _("No active member of this workspace has this e-mail or name."))
        values["owner_id"] = owner_id
    for name in ctx.required:
        if name == "budget":
            if values.get("budget_min") is None and values.get("budget_max") is None:
                fail("budget", _("Your workspace requires a budget for every lead."))
        elif name in REQUIRABLE and not values.get(name):
            fail(
                name,
                _("Your workspace requires the %(field)s of every lead.")
                % {"field": REQUIRABLE[name]},
            )
    custom: dict[str, Any] = {}
    for index, defn, header in ctx.custom_columns:
        raw = cells[index] if index < len(cells) else None
        try:
            value = parse_value(
                defn,
                raw if isinstance(raw, dt.date) else _text(raw),
                base_currency=ctx.workspace.base_currency,
            )
        except ValueError as exc:
            errors.append((header, str(exc)))
            continue
        if value is not None:
            custom[defn.key] = value
    for defn in ctx.custom_required:
        if defn.key not in custom:
            headers = [h for _i, d, h in ctx.custom_columns if d.key == defn.key]
            if not any(h for h, _m in errors if h in headers):
                errors.append(
                    (
                        headers[0] if headers else defn.header,
                        _("%(field)s is required.") % {"field": defn.label},
                    )
                )
    values["custom"] = custom
    values["search_pairs"] = cjk_pairs(*(values.get(f, "") for f in SEARCHED_FIELDS))
    return values, errors


# --- dedupe ----------------------------------------------------------------------------------------

KEY_KINDS = (
    ("email", "email", ("email",)),
    ("phone", "phone_e164", ("phone_e164",)),
    ("domain", "domain", ("email_domain", "web_domain")),
    ("company", "company_key", ("company_key",)),
    ("pinyin", "company_pinyin", ("company_pinyin",)),
)


def row_keys(values: dict[str, Any]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for kind, _col, sources in KEY_KINDS:
        found = {values[s] for s in sources if values.get(s)}
        if found:
            keys[kind] = found
    return keys


@dataclass
class FileKeys:
    """Keys of the rows already accepted from this file: catches duplicates inside the file."""

    seen: dict[str, dict[str, int]] = field(default_factory=lambda: {k[0]: {} for k in KEY_KINDS})

    def match(self, keys: dict[str, set[str]]) -> int | None:
        for kind, values in keys.items():
            for value in values:
                row = self.seen[kind].get(value)
                if row is not None:
                    return row
        return None

    def add(self, keys: dict[str, set[str]], row: int) -> None:
        for kind, values in keys.items():
            for value in values:
                self.seen[kind].setdefault(value, row)


def existing_matches(
    ctx: RowContext, keyed: Iterable[dict[str, set[str]]]
) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """{(kind, value): [(code, company, owner name)]} for the chunk's keys: one query per column
    against leads, customers and contacts, each an index lookup."""
    wanted: dict[str, set[str]] = {kind: set() for kind, _c, _s in KEY_KINDS}
    for keys in keyed:
        for kind, values in keys.items():
            wanted[kind] |= values
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}

    def add(kind: str, value: str, code: str, name: str, owner_id: int | None) -> None:
        bucket = found.setdefault((kind, value), [])
        if len(bucket) < 3:
            bucket.append((code, name, ctx.owner_names.get(owner_id, "")))

    for kind, _col, sources in KEY_KINDS:
        for column in sources if wanted[kind] else ():
            for value, code, company, owner_id in _lookup(
                LEAD_LOOKUP, column, ctx.workspace.pk, wanted[kind]
            ):
                add(kind, value, code, company, owner_id)
    for kind, columns in CUSTOMER_COLUMNS.items():
        for column in columns if wanted.get(kind) else ():
            for value, code, name, owner_id in _lookup(
                CUSTOMER_LOOKUP, column, ctx.workspace.pk, wanted[kind]
            ):
                add(kind, value, code, name, owner_id)
    for kind, columns in CONTACT_COLUMNS.items():
        for column in columns if wanted.get(kind) else ():
            for value, code, company, person, owner_id in _lookup(
                CONTACT_LOOKUP, column, ctx.workspace.pk, wanted[kind]
            ):
                add(kind, value, code, f"{company} · {person}", owner_id)
    return found


# Raw SQL on purpose: building these IN lists through the ORM cost ~1 s per 20,000 rows (Django
# compiles every parameter), the queries themselves a few ms. Table and column names come from the
# models and the constants below, values are bound parameters.
LEAD_LOOKUP = (
    "SELECT {col}, code, company_name, owner_id FROM leads_lead"
    " WHERE workspace_id = %s AND {col} {match}"
)
CUSTOMER_LOOKUP = (
    "SELECT {col}, code, name, owner_id FROM customers_customer"
    " WHERE workspace_id = %s AND {col} {match}"
)
CONTACT_LOOKUP = (
    "SELECT p.{col}, c.code, c.name, p.name, c.owner_id FROM customers_contact p"
    " JOIN customers_customer c ON c.id = p.customer_id"
    " WHERE p.workspace_id = %s AND p.{col} {match}"
)


def _lookup(template: str, column: str, workspace_id: int, values: set[str]) -> list[tuple]:
    values_list = sorted(values)
    if connection.vendor == "postgresql":
        # One array parameter: PostgreSQL plans "= ANY(array)" in a fraction of the time it
        # takes for an IN list of 2,000 parameters (~19 ms -> ~2 ms a lookup).
        sql = template.format(col=column, match="= ANY(%s)")
        params: list[Any] = [workspace_id, values_list]
    else:
        sql = template.format(col=column, match=f"IN ({', '.join(['%s'] * len(values_list))})")
        params = [workspace_id, *values_list]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Customers and contacts are matched on the same exact keys (one query per column, indexed):
# a row naming a company the workspace already serves is a duplicate, not a new lead.
CUSTOMER_COLUMNS = {
    "phone": ("phone_e164",),
    "domain": ("email_domain", "web_domain"),
    "company": ("company_key",),
    "pinyin": ("company_pinyin",),
}
CONTACT_COLUMNS = {"email": ("email",), "phone": ("phone_e164",)}


def describe_match(kind: str, match: tuple[str, str, str]) -> dict[str, str]:
    code, company, owner = match
    return {"code": code, "company": company, "owner": owner, "reason": str(REASONS[kind])}


# --- insert ----------------------------------------------------------------------------------------


def insert_rows(
    *,
    batch_id: int,
    workspace_id: int,
    rows: list[dict[str, Any]],
    codes: list[str],
    scores: list[Score] | None = None,
) -> None:
    """One parameterised INSERT run for every row (executemany; COPY on PostgreSQL): no model
    instances, no per-row save(). Column names come from the model, never from input."""
    if not rows:
        return
    params = insert_params(
        batch_id=batch_id, workspace_id=workspace_id, rows=rows, codes=codes, scores=scores
    )
    write_rows(params)


def write_rows(params: list[list[Any]]) -> None:
    """Write rows of INSERT_FIELDS values: COPY on PostgreSQL (measured at 1M leads, 2-3x
    executemany's INSERTs), executemany elsewhere. The benchmark's floor uses this too, so floor
    and import write the same way."""
    if connection.vendor == "postgresql":
        write_values(Lead, INSERT_FIELDS, params)
        return
    # The FTS insert trigger skips rows with an import batch (migration 0017); they are indexed
    # below, in bulk, in this same transaction: ~4x less CPU than row by row.
    if not connection.in_atomic_block:
        raise RuntimeError("write_rows() needs a transaction: the FTS entries follow the rows")
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608 - constant name
        (last_id,) = cursor.fetchone()
    write_values(Lead, INSERT_FIELDS, params)
    if search.fts_available(connection.alias):
        with connection.cursor() as cursor:
            for sql in search.index_imported_sql(Lead._meta.db_table):
                cursor.execute(sql, [last_id or 0])


def insert_params(
    *,
    batch_id: int | None,
    workspace_id: int,
    rows: list[dict[str, Any]],
    codes: list[str],
    scores: list[Score] | None = None,
) -> list[list[Any]]:
    """The database values of these cleaned rows, in INSERT_FIELDS order; `scores` (RowScorer's,
    one per row) or none: score 0 and the row's own grade."""
    now = timezone.now()
    stamp = Lead._meta.get_field("created_at").get_db_prep_save(now, connection)
    tags_field = Lead._meta.get_field("tags")
    custom_field = Lead._meta.get_field("custom")
    dec = connection.ops.adapt_decimalfield_value
    params = []
    for index, (values, code) in enumerate(zip(rows, codes, strict=True)):
        lo, hi = values.get("budget_min"), values.get("budget_max")
        score, grade, by_hand = scores[index] if scores else (0, values.get("grade", ""), None)
        params.append(
            [
                workspace_id,
                code,
                stamp,
                stamp,
                1,
                LeadStatus.NEW,
                values.get("source") or LeadSource.OTHER,
                score,
                tags_field.get_db_prep_save(values.get("tags") or [], connection),
                *[
                    grade if f == "grade" else values.get(f, "")
                    for f in TEXT_FIELDS
                    if f != "source"
                ],
                None if lo is None else dec(lo, 16, 2),
                None if hi is None else dec(hi, 16, 2),
                values.get("phone_e164", ""),
                values.get("email_domain", ""),
                values.get("web_domain", ""),
                values.get("company_key", ""),
                values.get("company_pinyin", ""),
                values.get("search_pairs", ""),
                values.get("owner_id"),
                batch_id,
                by_hand,
                custom_field.get_db_prep_save(values.get("custom") or {}, connection),
            ]
        )
    return params
