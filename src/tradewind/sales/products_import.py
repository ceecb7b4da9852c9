"""Import of the product catalogue from CSV (UTF-8 or GBK) / XLSX / XLS / ODS (产品导入).

upload -> column mapping + dry run (every row checked, nothing written) -> run. The reading and the
header matching are the shared engine's (core/spreadsheets.py, core/import_columns.py); the rows
are cleaned by the same rules as the form and the API (products.clean_product / clean_price).

Synchronous on purpose: a catalogue is a few thousand rows, checked and written inside the request
in one transaction (MAX_ROWS caps it). There is no batch table: the page keeps the uploaded file
under MEDIA_ROOT/imports/products/<workspace>/ between the dry run and the run, named by a random
token and the uploader's id; the API uploads and runs in one call.

Rerunning a file updates the products by SKU (NFKC-folded, so "ＡＢ－１" and "AB-1" are one product),
never duplicates them. An empty cell keeps the stored value (a file of SKU + "Price USD" only
changes prices); a run refuses the whole file when any row has an error unless told to skip them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tradewind.core import import_columns, spreadsheets
from tradewind.core.errors import ServiceError
from tradewind.core.money import COMMON_CURRENCIES, all_currencies
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .errors import ProductError
from .models_products import Product, ProductPrice
from .products import AUDIT_FIELDS, check_names, clean_price, clean_product, fold_sku

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
REPORT_LIMIT = 200
SAMPLE_ROWS = 20
SKU_CHUNK = 500

# field -> (label, synonyms). The template's header is "<Chinese> <English>" of the first two.
# "name" is a column of either language: a value with Chinese characters fills the Chinese name.
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "sku": (
        gettext_lazy("SKU"),
        (
            "货号",
            "SKU",
            "产品编号",
            "产品编码",
            "物料号",
            "Item no",
            "Item number",
            "Article number",
        ),
    ),
    "name_zh": (
        gettext_lazy("name (Chinese)"),
        ("中文品名", "Chinese name", "中文名称", "中文名", "Name (Chinese)", "Name CN", "Name zh"),
    ),
    "name_en": (
        gettext_lazy("name (English)"),
        (
            "英文品名",
            "English name",
            "英文名称",
            "英文名",
            "Name (English)",
            "Name EN",
            "Description",
        ),
    ),
    "name": (
        gettext_lazy("name (either language)"),
        ("品名", "Name", "产品名称", "名称", "商品名称", "Product name", "Product"),
    ),
    "specs": (
        gettext_lazy("specifications"),
        ("规格", "Specs", "规格型号", "规格说明", "Specifications", "Specification", "Spec"),
    ),
    "unit": (gettext_lazy("unit"), ("单位", "Unit", "计量单位", "UOM")),
    "hs_code": (
        gettext_lazy("HS code"),
        ("海关编码", "HS code", "HS编码", "商品编码", "税则号", "HS", "Tariff code"),
    ),
    "moq": (
        gettext_lazy("MOQ"),
        ("起订量", "MOQ", "最小起订量", "最低起订量", "Minimum order quantity", "Min order"),
    ),
    "is_active": (gettext_lazy("active"), ("启用", "Active", "状态", "Status", "是否启用")),
}
PRICE_PREFIX = "price:"
PRICE_WORDS = ("价格", "单价", "售价", "报价", "价", "price", "unitprice", "listprice")
CURRENCY_WORDS = {
    "美元": "USD",
    "美金": "USD",
    "人民币": "CNY",
    "欧元": "EUR",
    "英镑": "GBP",
    "日元": "JPY",
    "港币": "HKD",
    "港元": "HKD",
}
TEMPLATE_CURRENCIES = ("USD", "EUR", "CNY")
YES = {"1", "是", "y", "yes", "true", "启用", "有效", "active", "在售", "对", "✓", "√"}
NO = {"0", "否", "n", "no", "false", "停用", "无效", "inactive", "停售", "禁用", "×", "✗"}


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return import_columns.synonym_table(FIELDS)


def price_currency(header: object) -> str:
    """The currency a price column names: "价格 USD", "Price USD", "单价(美元)", "USD" -> "USD"."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    folded = import_columns.fold(text)
    codes = {w.upper() for w in re.findall(r"[A-Za-z]+", text)} & all_currencies()
    codes |= {code for word, code in CURRENCY_WORDS.items() if word in text}
    if len(codes) != 1:
        return ""
    code = next(iter(codes))
    if folded == code.lower() or any(word in folded for word in PRICE_WORDS):
        return code
    return ""


def detect_field(header: object) -> str:
    """The field (or "price:XXX") a header names, or ""."""
    currency = price_currency(header)
    if currency:
        return PRICE_PREFIX + currency
    return import_columns.detect(header, _table())


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{column index: field}, each field taken by its first matching column only."""
    mapping: dict[str, str] = {}
    for index, text in enumerate(headers):
        name = detect_field(text)
        if name and name not in mapping.values():
            mapping[str(index)] = name
    return mapping


def field_choices(headers: list[str]) -> list[tuple[str, str]]:
    """What a column can be mapped to: the fields, then a price per currency (the common ones and
    any the file's headers name)."""
    choices = [(name, str(label)) for name, (label, _words) in FIELDS.items()]
    codes = list(COMMON_CURRENCIES)
    for text in headers:
        code = price_currency(text)
        if code and code not in codes:
            codes.append(code)
    price = _("price")
    choices += [(PRICE_PREFIX + code, f"{price} {code}") for code in codes]
    return choices


def header(name: str) -> str:
    if name.startswith(PRICE_PREFIX):
        return f"价格 Price {name.removeprefix(PRICE_PREFIX)}"
    return import_columns.bilingual_header(FIELDS[name][1])


def columns(currencies: list[str]) -> list[str]:
    """The template's and the export's columns: every field but "name", then one price column per
    currency."""
    return [n for n in FIELDS if n != "name"] + [PRICE_PREFIX + c for c in currencies]


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for index, name in mapping.items():
        if not name:
            continue
        known = name in FIELDS or (
            name.startswith(PRICE_PREFIX) and name.removeprefix(PRICE_PREFIX) in all_currencies()
        )
        if not known or not str(index).isdigit() or int(index) >= len(headers):
            message = _("This mapping names a column or a field that does not exist.")
            raise ServiceError(ProductError.BAD_MAPPING, message, fields={"mapping": [message]})
        if name in clean.values():
            message = _("Each field can be taken by one column only.")
            raise ServiceError(ProductError.BAD_MAPPING, message, fields={"mapping": [message]})
        clean[str(index)] = name
    if "sku" not in clean.values():
        message = _("Choose the column that holds the SKU.")
        raise ServiceError(ProductError.SKU_NOT_MAPPED, message, fields={"mapping": [message]})
    return clean


# --- stored uploads --------------------------------------------------------------------------------


@dataclass
class Upload:
    token: str
    path: Path
    kind: str
    name: str
    headers: list[str]
    total_rows: int


def _folder(actor: Actor) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "products" / str(actor.workspace.pk)


def _unreadable() -> ServiceError:
    message = _("This file cannot be read as a spreadsheet. Save it as CSV or XLSX and try again.")
    return ServiceError(ProductError.FILE_UNREADABLE, message, fields={"file": [message]})


def _read(path: Path, kind: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from spreadsheets.read_rows(path, kind)
    except spreadsheets.SpreadsheetError:
        raise _unreadable() from None


def _scan(path: Path, kind: str) -> tuple[list[str], int]:
    headers: list[str] | None = None
    total = 0
    for _number, cells in _read(path, kind):
        if headers is None:
            headers = [str(c or "").strip() for c in cells]
        else:
            total += 1
            if total > MAX_ROWS:
                message = _("At most %(max)s rows per file. Split the file and try again.") % {
                    "max": f"{MAX_ROWS:,}"
                }
                raise ServiceError(ProductError.TOO_MANY_ROWS, message, fields={"file": [message]})
    if not headers:
        raise _unreadable()
    return headers, total


def upload_store(*, actor: Actor, name: str, data: bytes) -> Upload:
    """Keep an uploaded file for its dry run and run: checks size, kind, header row, row count."""
    require(actor, Perm.PRODUCT_MANAGE)
    if len(data) > MAX_BYTES:
        message = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 1024 // 1024}
        raise ServiceError(ProductError.FILE_TOO_LARGE, message, fields={"file": [message]})
    if not data:
        raise _unreadable()
    try:
        kind = spreadsheets.detect_kind(name, data[:8])
    except spreadsheets.SpreadsheetError:
        raise _unreadable() from None
    folder = _folder(actor)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = folder / f"{actor.user_id or 0}-{token}.{kind}"
    path.write_bytes(data)
    try:
        headers, total = _scan(path, kind)
    except ServiceError:
        path.unlink(missing_ok=True)
        raise
    return Upload(token, path, kind, name[:200], headers, total)


def upload_get(*, actor: Actor, token: str, name: str = "") -> Upload:
    """The member's own stored upload (another member's or workspace's token finds nothing)."""
    require(actor, Perm.PRODUCT_MANAGE)
    found = None
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        for kind in spreadsheets.KINDS:
            path = _folder(actor) / f"{actor.user_id or 0}-{token}.{kind}"
            if path.exists():
                found = (path, kind)
                break
    if found is None:
        message = _("The uploaded file is no longer here. Upload it again.")
        raise ServiceError(ProductError.IMPORT_EXPIRED, message, status=409)
    headers, total = _scan(*found)
    return Upload(token, found[0], found[1], name[:200], headers, total)


def upload_discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)


# --- rows ------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _has_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def active_value(text: str) -> bool | None:
    """是 / 否, yes / no, 1 / 0, 启用 / 停用 … and the export's own "是 yes" / "否 no"."""
    cjk = "".join(ch for ch in text if ord(ch) >= 0x2E80)
    latin = "".join(ch for ch in text if ord(ch) < 0x2E80)
    for candidate in (import_columns.fold(text) or text.strip(), cjk, import_columns.fold(latin)):
        if candidate in YES:
            return True
        if candidate in NO:
            return False
    return None


@dataclass(eq=False)
class Row:
    number: int
    sku: str
    values: dict[str, Any] = field(default_factory=dict)  # product fields to set
    prices: dict[str, Decimal] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    product: Product | None = None  # the existing product of this SKU
    changes: dict[str, list[Any]] = field(default_factory=dict)


def _clean_row(number: int, cells: list[Any], headers: list[str], mapping: dict[str, str]) -> Row:
    raw = {name: _text(cells[int(i)]) if int(i) < len(cells) else "" for i, name in mapping.items()}
    labels = {name: headers[int(i)] or name for i, name in mapping.items()}
    row = Row(number=number, sku=fold_sku(raw.get("sku", "")))
    data = {
        name: value
        for name, value in raw.items()
        if value and name in ("sku", "name_zh", "name_en", "specs", "unit", "hs_code", "moq")
    }
    data["sku"] = raw.get("sku", "")
    either = raw.get("name", "")
    if either:
        target = "name_zh" if _has_cjk(either) else "name_en"
        data.setdefault(target, either)
        labels.setdefault(target, labels["name"])
    cleaned, errors = clean_product(data, creating=False)
    for name, messages in errors.items():
        row.errors += [(labels.get(name, name), str(m)) for m in messages]
    row.values = cleaned
    if raw.get("is_active"):
        active = active_value(raw["is_active"])
        if active is None:
            row.errors.append((labels["is_active"], _("Write yes or no (是 / 否).")))
        else:
            row.values["is_active"] = active
    for name, value in raw.items():
        if name.startswith(PRICE_PREFIX) and value:
            code, price, price_errors = clean_price(name.removeprefix(PRICE_PREFIX), value)
            for messages in price_errors.values():
                row.errors += [(labels[name], str(m)) for m in messages]
            if price is not None and not price_errors:
                row.prices[code] = price
    return row


def _current(product: Product | None) -> dict[str, Any]:
    if product is None:
        return {"name_en": "", "name_zh": ""}
    return {name: getattr(product, name) for name in AUDIT_FIELDS}


def _compare(row: Row, labels: dict[str, str]) -> None:
    """Check the names the row leaves and work out what it changes."""
    before = _current(row.product)
    after = before | row.values
    errors: dict[str, list[Any]] = {}
    check_names(after, errors)
    for messages in errors.values():
        column = labels.get("name_en") or labels.get("name") or labels.get("name_zh") or ""
        row.errors += [(column, str(m)) for m in messages]
    row.changes = {
        k: [audit.to_json(before.get(k)), audit.to_json(v)]
        for k, v in row.values.items()
        if row.product is None or before.get(k) != v
    }
    if row.product is None:
        row.changes = {k: v for k, v in row.changes.items() if v[1] not in (None, "")}
        row.changes.setdefault("is_active", [None, True])
    stored = (
        {} if row.product is None else {p.currency: p.unit_price for p in row.product.prices.all()}
    )
    for code, price in row.prices.items():
        if stored.get(code) != price:
            old = stored.get(code)
            row.changes[f"price {code}"] = [None if old is None else str(old), str(price)]


@dataclass
class Report:
    headers: list[str]
    mapping: dict[str, str]
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    sample: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "headers": self.headers,
            "mapping": self.mapping,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "errors": self.errors,
            "sample": self.sample,
            "dry_run": self.dry_run,
            "written": self.written,
        }


class ImportRefused(ServiceError):
    """A run refused because rows have errors: nothing was written; `report` says which."""

    def __init__(self, report: Report) -> None:
        message = ngettext(
            "%(count)s row has an error, so nothing was written. Fix it, or choose to skip bad rows.",
            "%(count)s rows have errors, so nothing was written. Fix them, or choose to skip bad rows.",
            report.error_rows,
        ) % {"count": report.error_rows}
        super().__init__(ProductError.ROWS_HAVE_ERRORS, message)
        self.report = report


def _sort_rows(
    actor: Actor, upload: Upload, mapping: dict[str, str], lock: bool
) -> tuple[list[Row], Report]:
    report = Report(headers=upload.headers, mapping=mapping)
    labels = {name: upload.headers[int(i)] or name for i, name in mapping.items()}
    rows: list[Row] = []
    first_row: dict[str, int] = {}
    header_seen = False
    for number, cells in _read(upload.path, upload.kind):
        if not header_seen:
            header_seen = True
            continue
        row = _clean_row(number, cells, upload.headers, mapping)
        if row.sku and row.sku in first_row:
            row.errors.append(
                (
                    labels["sku"],
                    _("This SKU is already on row %(row)s.") % {"row": first_row[row.sku]},
                )
            )
        elif row.sku:
            first_row[row.sku] = number
        rows.append(row)
    skus = [r.sku for r in rows if r.sku]
    existing: dict[str, Product] = {}
    for start in range(0, len(skus), SKU_CHUNK):
        qs = Product.objects.filter(
            workspace=actor.workspace, sku__in=skus[start : start + SKU_CHUNK]
        )
        if lock:
            qs = qs.select_for_update()
        existing |= {p.sku: p for p in qs.prefetch_related("prices")}
    for row in rows:
        row.product = existing.get(row.sku)
        _compare(row, labels)
        report.total += 1
        if row.errors:
            report.error_rows += 1
            for column, message in row.errors:
                if len(report.errors) < REPORT_LIMIT:
                    report.errors.append(
                        {"row": row.number, "sku": row.sku, "column": column, "message": message}
                    )
            continue
        if row.product is None:
            report.created += 1
            action = "create"
        elif row.changes:
            report.updated += 1
            action = "update"
        else:
            report.unchanged += 1
            action = "unchanged"
        if len(report.sample) < SAMPLE_ROWS:
            values = _current(row.product) | row.values
            report.sample.append(
                {
                    "row": row.number,
                    "sku": row.sku,
                    "action": action,
                    "name_zh": values.get("name_zh", ""),
                    "name_en": values.get("name_en", ""),
                    "prices": {k: str(v) for k, v in row.prices.items()},
                }
            )
    return rows, report


def product_import(
    *,
    actor: Actor,
    upload: Upload,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    skip_errors: bool = False,
) -> Report:
    """A dry run (nothing written) or the run. Without `skip_errors`, a run refuses the whole file
    (ImportRefused, with the report) when any row has an error; with it, bad rows are left out."""
    require(actor, Perm.PRODUCT_MANAGE)
    mapping = check_mapping(
        upload.headers, auto_mapping(upload.headers) if mapping is None else mapping
    )
    if dry_run:
        _rows, report = _sort_rows(actor, upload, mapping, lock=False)
        return report
    try:
        with transaction.atomic():
            rows, report = _sort_rows(actor, upload, mapping, lock=True)
            report.dry_run = False
            if report.error_rows and not skip_errors:
                raise ImportRefused(report)
            _write(actor, [r for r in rows if not r.errors and (r.product is None or r.changes)])
    except IntegrityError:  # a concurrent edit took a SKU of the file: nothing was written
        message = _("Another product already has this SKU.")
        raise ServiceError(ProductError.SKU_TAKEN, message, status=409) from None
    report.written = True
    emit(
        "products.imported",
        workspace_id=actor.workspace.pk,
        created=report.created,
        updated=report.updated,
    )
    return report


def _write(actor: Actor, rows: list[Row]) -> None:
    now = timezone.now()
    new_rows = [r for r in rows if r.product is None]
    created = Product.objects.bulk_create(
        [
            Product(
                workspace=actor.workspace,
                created_at=now,
                updated_at=now,
                **{k: v for k, v in r.values.items() if k != "is_active"},
                is_active=r.values.get("is_active", True),
            )
            for r in new_rows
        ],
        batch_size=500,
    )
    for row, product in zip(new_rows, created, strict=True):
        row.product = product
        if product.pk is None:  # a backend that returns no ids from bulk INSERT
            row.product = Product.objects.get(workspace=actor.workspace, sku=product.sku)
    changed = [r for r in rows if r not in new_rows and r.product is not None]
    names = ["version", "updated_at", *{k for r in changed for k in r.values}]
    for row in changed:
        assert row.product is not None
        for key, value in row.values.items():
            setattr(row.product, key, value)
        if any(not k.startswith("price ") for k in row.changes):
            row.product.version += 1
        row.product.updated_at = now
    if changed:
        Product.objects.bulk_update([r.product for r in changed], names, batch_size=500)
    add: list[ProductPrice] = []
    change: list[ProductPrice] = []
    for row in rows:
        assert row.product is not None
        stored = {p.currency: p for p in row.product.prices.all()} if row in changed else {}
        for code, price in row.prices.items():
            if code not in stored:
                add.append(ProductPrice(product=row.product, currency=code, unit_price=price))
            elif stored[code].unit_price != price:
                stored[code].unit_price = price
                change.append(stored[code])
    ProductPrice.objects.bulk_create(add, batch_size=500)
    ProductPrice.objects.bulk_update(change, ["unit_price"], batch_size=500)
    for verb, part in ((AuditVerb.CREATE, new_rows), (AuditVerb.UPDATE, changed)):
        audit.record_many(
            actor=actor,
            verb=verb,
            action="imported",
            target_type=Product.AUDIT_TYPE,
            rows=[(r.product.pk, str(r.product)[:200], r.changes) for r in part if r.product],
        )


def rows_of(report: Report) -> list[tuple[str, str, str]]:
    """The report's errors as (row, column, message), for pages."""
    return [(str(e["row"]), e["column"], e["message"]) for e in report.errors]
