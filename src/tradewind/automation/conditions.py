"""Evaluating a rule's conditions on a record: any-of groups of all-of comparisons.

Values are compared by the field's type: text case-insensitively, numbers and money as decimals
(money compares the amount, whatever the currency), dates as workspace-local days (a timestamp
counts on the day it falls on in the workspace's zone; "today+3" is relative to the run's day).
A field that is empty never equals, orders or contains anything; "is not" holds for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from tradewind.workspaces.models import Workspace
from tradewind.workspaces.timezones import zone

from .catalogue import FieldSpec
from .choices import FieldType, Op
from .definition import resolve_date


@dataclass
class ConditionCheck:
    field: str
    op: str
    expected: Any
    actual: str
    ok: bool
    missing: bool = False  # the field left the catalogue (a custom field was removed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _decimal(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def record_value(spec: FieldSpec, record: Any, workspace: Workspace) -> Any:
    """The record's value of a field, in the form conditions compare."""
    raw = spec.get(record)
    kind = spec.type
    if kind == FieldType.DATE:
        if isinstance(raw, dt.datetime):
            return raw.astimezone(zone(workspace.time_zone)).date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw)) if raw else None
        except ValueError:
            return None
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        return _decimal(raw)
    if kind == FieldType.USER:
        return int(raw) if raw not in (None, "") else None
    if kind == FieldType.BOOLEAN:
        return bool(raw)
    if kind == FieldType.LIST:
        return [str(v) for v in raw] if isinstance(raw, list | tuple) else []
    return "" if raw is None else str(raw)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


def _typed(kind: str, value: Any, today: dt.date) -> Any:
    """A stored rule value in the form record values take."""
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        return _decimal(value)
    if kind == FieldType.DATE:
        return resolve_date(str(value), today)
    if kind == FieldType.USER:
        return int(value)
    if kind == FieldType.BOOLEAN:
        return bool(value)
    if kind in (FieldType.TEXT, FieldType.LIST):
        return _fold(value)
    return str(value)


def compare(kind: str, op: str, actual: Any, expected: Any, today: dt.date) -> bool:
    if op == Op.EMPTY:
        return is_empty(actual)
    if op == Op.NOT_EMPTY:
        return not is_empty(actual)
    if kind == FieldType.BOOLEAN:
        result = bool(actual) == bool(expected)
        return result if op == Op.EQ else not result
    if is_empty(actual):
        return op == Op.NE
    if kind == FieldType.TEXT:
        actual = _fold(actual)
    if op == Op.IN:
        return actual in {_typed(kind, v, today) for v in expected}
    if kind == FieldType.LIST:
        return _typed(kind, expected, today) in {_fold(v) for v in actual}
    target = _typed(kind, expected, today)
    if op == Op.CONTAINS:
        return str(target) in str(actual)
    if op == Op.EQ:
        return actual == target
    if op == Op.NE:
        return actual != target
    if target is None:
        return False
    if op == Op.GT:
        return actual > target
    if op == Op.GTE:
        return actual >= target
    if op == Op.LT:
        return actual < target
    if op == Op.LTE:
        return actual <= target
    return False


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def evaluate(
    conditions: list[list[dict[str, Any]]],
    record: Any,
    fields: dict[str, FieldSpec],
    workspace: Workspace,
    now: dt.datetime | None = None,
) -> tuple[bool, list[list[ConditionCheck]]]:
    """(met, checks per group). No conditions: met. Every comparison is evaluated (the test panel
    and the run log show each one), not only up to the first that decides."""
    today = (now or timezone.now()).astimezone(zone(workspace.time_zone)).date()
    groups: list[list[ConditionCheck]] = []
    for group in conditions:
        checks = []
        for item in group:
            spec = fields.get(item.get("field", ""))
            op, expected = item.get("op", ""), item.get("value")
            if spec is None:
                checks.append(ConditionCheck(item.get("field", ""), op, expected, "", False, True))
                continue
            actual = record_value(spec, record, workspace)
            ok = compare(spec.type, op, actual, expected, today)
            checks.append(ConditionCheck(spec.key, op, expected, shown(actual), ok))
        groups.append(checks)
    met = not groups or any(all(c.ok for c in checks) for checks in groups)
    return met, groups
