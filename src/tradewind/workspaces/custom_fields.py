"""Custom field values: the ONE place that validates them (`clean_custom`), for every path — forms,
API, imports — and turns them into text for pages and exports. Storage formats (docs/custom-fields.md):
text: str; number: str of a Decimal ("1250.5"); money: {"amount": str, "currency": "USD"};
date: "YYYY-MM-DD"; single choice: the choice's value; multi choice: [values]; yes/no: true/false.
An empty value is stored as an absent key."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.core.money import all_currencies

from .errors import WorkspaceError
from .models import Workspace
from .models_custom_fields import CustomFieldDefinition, CustomFieldType

T = CustomFieldType
TEXT_MAX = {T.TEXT: 500, T.LONG_TEXT: 5000}
YES = frozenset({"yes", "y", "true", "1", "on", "是", "有", "对", "√", "✓"})
NO = frozenset({"no", "n", "false", "0", "off", "否", "无", "不是", "×", "✗"})
_SPLIT = re.compile(r"[,，;；、\n]")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def definitions(workspace: Workspace | int, target: str) -> list[CustomFieldDefinition]:
    """The active fields of one record type, in their order (one indexed query)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return list(
        CustomFieldDefinition.objects.filter(
            workspace_id=workspace_id, target=target, active=True
        ).order_by("position", "id")
    )


def fold(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")).lower())


def _empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | dict):
        return not raw or (isinstance(raw, dict) and _empty(raw.get("amount")))
    return False


def number_text(raw: Any) -> str:
    """A Decimal as plain text ("1250.5", never "1.2505E+3"); ValueError if it is not a number."""
    if isinstance(raw, bool):
        raise ValueError
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    if not _NUMBER.fullmatch(text) and not isinstance(raw, int | float | Decimal):
        raise ValueError
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise ValueError
    result = format(value.normalize(), "f")
    return "0" if result in ("-0", "") else result


def _money(raw: Any, base_currency: str) -> dict[str, str]:
    if isinstance(raw, dict):
        amount, currency = raw.get("amount"), str(raw.get("currency") or "")
    else:
        text = unicodedata.normalize("NFKC", str(raw)).upper()
        found = re.search(r"\b([A-Z]{3})\b", text)
        currency = found.group(1) if found else ""
        amount = re.sub(r"[A-Z¥$€£\s]", "", text)
    currency = (currency.strip().upper() or base_currency).upper()
    if currency not in all_currencies():
        raise ValueError(_("Unknown currency code."))
    try:
        value = number_text(amount)
    except ValueError as exc:
        raise ValueError(_("Enter an amount, e.g. 200000.")) from exc
    if Decimal(value) < 0:
        raise ValueError(_("Enter an amount, e.g. 200000."))
    return {"amount": value, "currency": currency}


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"[年月/.]", "-", text).replace("日", "").strip("-")
    text = text.split(" ")[0].split("T")[0]
    try:
        year, month, day = (int(p) for p in text.split("-"))
        return dt.date(year, month, day).isoformat()
    except (ValueError, TypeError) as exc:
        raise ValueError(_("Enter a valid date (YYYY-MM-DD).")) from exc


def _choice(defn: CustomFieldDefinition, raw: Any) -> str:
    wanted = fold(raw)
    for choice in defn.choices or []:
        if wanted in (fold(choice.get("value")), fold(choice.get("en")), fold(choice.get("zh"))):
            return str(choice["value"])
    raise ValueError(
        _("Choose one of: %(values)s.")
        % {"values": ", ".join(defn.choice_label(v) for v in defn.choice_values)}
    )


def parse_value(defn: CustomFieldDefinition, raw: Any, *, base_currency: str = "CNY") -> Any:
    """The stored form of one value; None for empty; ValueError with a translated message."""
    if _empty(raw):
        return None
    kind = defn.type
    if kind in TEXT_MAX:
        if not isinstance(raw, str | int | Decimal) or isinstance(raw, bool):
            raise ValueError(_("Enter text."))
        text = str(raw).strip()
        if len(text) > TEXT_MAX[kind]:
            raise ValueError(_("At most %(n)s characters.") % {"n": TEXT_MAX[kind]})
        return text
    if kind == T.NUMBER:
        try:
            return number_text(raw)
        except ValueError as exc:
            raise ValueError(_("Enter a number.")) from exc
    if kind == T.MONEY:
        return _money(raw, base_currency)
    if kind == T.DATE:
        return _date(raw)
    if kind == T.CHOICE:
        if isinstance(raw, list | tuple | dict):
            raise ValueError(_("Choose only one value."))
        return _choice(defn, raw)
    if kind == T.MULTI_CHOICE:
        items = raw if isinstance(raw, list | tuple) else _SPLIT.split(str(raw))
        picked = {_choice(defn, item) for item in items if not _empty(item)}
        return [v for v in defn.choice_values if v in picked] or None
    if kind == T.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        word = fold(raw)
        if word in YES:
            return True
        if word in NO:
            return False
        raise ValueError(_("Answer yes or no."))
    raise ValueError(_("Invalid value."))


def clean_custom(
    workspace: Workspace,
    target: str,
    data: dict[str, Any] | None,
    existing: dict[str, Any] | None = None,
    *,
    defs: list[CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """The record's new `custom` dict: `existing` with the keys of `data` validated and applied.
    Creating (`existing` is None) checks every required field; an edit checks the ones it sends.
    Raises one ServiceError with a translated message per field, keyed `cf_<key>`."""
    defs = definitions(workspace, target) if defs is None else defs
    by_key = {d.key: d for d in defs}
    data = data or {}
    result = dict(existing or {})
    errors: dict[str, list[Any]] = {}
    if not isinstance(data, dict):
        data = {}
        errors["custom"] = [_("Custom fields are an object of key: value.")]
    for key, raw in data.items():
        defn = by_key.get(key)
        if defn is None:
            errors[f"cf_{key}"] = [_("There is no active custom field with this key.")]
            continue
        try:
            value = parse_value(defn, raw, base_currency=workspace.base_currency)
        except ValueError as exc:
            errors[defn.param] = [str(exc)]
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    for defn in defs:
        checked = existing is None or defn.key in data
        if defn.required and checked and defn.param not in errors and defn.key not in result:
            errors[defn.param] = [_("%(field)s is required.") % {"field": defn.label}]
    if errors:
        raise ServiceError(
            WorkspaceError.CUSTOM_FIELD_INVALID,
            _("Please correct the marked fields."),
            fields=errors,
        )
    return result


def display_value(defn: CustomFieldDefinition, value: Any) -> str:
    """A stored value as text in the reader's language (pages, exports; an export re-imports)."""
    if value is None or value == "" or value == []:
        return ""
    kind = defn.type
    if kind == T.MONEY and isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}".strip()
    if kind == T.CHOICE:
        return defn.choice_label(str(value))
    if kind == T.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(defn.choice_label(str(v)) for v in value)
    if kind == T.BOOLEAN:
        return _("Yes") if value is True else _("No") if value is False else str(value)
    return str(value)


def rows_for(defs: list[CustomFieldDefinition], values: dict[str, Any] | None) -> list[tuple]:
    """(definition, text) of the fields that have a value, for a detail page."""
    values = values or {}
    return [(d, display_value(d, values.get(d.key))) for d in defs if d.key in values]


def form_value(defn: CustomFieldDefinition, value: Any) -> Any:
    """A stored value as a form's initial value (money: the amount; its currency goes apart)."""
    if value is None:
        return None
    if defn.type == T.MONEY and isinstance(value, dict):
        return value.get("amount")
    if defn.type == T.BOOLEAN:
        return "yes" if value else "no"
    return value
