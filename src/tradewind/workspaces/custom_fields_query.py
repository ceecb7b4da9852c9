"""Filtering and sorting lists by custom fields (`cf_<key>=value`, `sort=cf_<key>` / `-cf_<key>`),
shared by every list that has a `custom` column (leads now; customers, contacts, opportunities).

PostgreSQL: equality and membership use JSON containment (`custom @> {...}`), served by the GIN
index on `custom` (jsonb_path_ops). SQLite: `json_extract` / `json_each` over the rows the other
filters left (the workspace index first). Text fields match by "contains" (no index on either).
Sorting is by an expression (not index-backed): the rows that match are sorted, then keyset-paged."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import BooleanField, DecimalField, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from .custom_fields import definitions, parse_value
from .models_custom_fields import CustomFieldDefinition, CustomFieldType

T = CustomFieldType
PARAM = re.compile(r"cf_([a-z][a-z0-9_]{0,39})")
MAX_FILTERS = 10
SORTABLE = frozenset({T.TEXT, T.NUMBER, T.MONEY, T.DATE, T.CHOICE})
SORT_ALIAS = "cf_sort"
_LOWEST = Decimal("-1000000000000000")


def params_from(params: Any) -> tuple[tuple[str, str], ...]:
    """The `cf_<key>` parameters of a query (a QueryDict or a dict), bounded, as (key, value)."""
    items = params.items() if hasattr(params, "items") else []
    found = []
    for name, value in items:
        match = PARAM.fullmatch(str(name))
        text = (value[-1] if isinstance(value, list) and value else value) or ""
        if match and str(text).strip():
            found.append((match.group(1), str(text).strip()[:200]))
    return tuple(sorted(found))[:MAX_FILTERS]


def sort_key(sort: str) -> str | None:
    """ "cf_<key>" or "-cf_<key>" -> the key, else None."""
    match = PARAM.fullmatch(sort.lstrip("-")) if sort else None
    return match.group(1) if match else None


def _vendor(qs: QuerySet) -> str:
    return connections[qs.db].vendor


def _condition(qs: QuerySet, defn: CustomFieldDefinition, raw: str, base: str) -> QuerySet:
    key, kind = defn.key, defn.type
    if kind in (T.TEXT, T.LONG_TEXT):
        alias = f"_cf_{key}"
        return qs.alias(**{alias: _text(KeyTextTransform(key, "custom"))}).filter(
            **{f"{alias}__icontains": raw}
        )
    try:
        value = parse_value(defn, raw, base_currency=base)
    except ValueError:
        return qs.none()  # a value the field cannot hold matches nothing
    if value is None:
        return qs
    if kind == T.MONEY:
        value = {"amount": value["amount"]}
    if kind == T.MULTI_CHOICE:
        value = value[:1]
    if _vendor(qs) == "postgresql":
        return qs.filter(custom__contains={key: value})
    if kind == T.MULTI_CHOICE:
        table = connections[qs.db].ops.quote_name(qs.model._meta.db_table)
        sql = f"EXISTS (SELECT 1 FROM json_each({table}.custom, %s) WHERE value = %s)"  # noqa: S608
        alias = f"_cf_{key}"
        path = '$."' + key + '"'
        return qs.alias(
            **{alias: RawSQL(sql, (path, value[0]), output_field=BooleanField())}  # noqa: S611
        ).filter(**{alias: True})
    alias = f"_cf_{key}"
    if kind == T.BOOLEAN:
        return qs.alias(**{alias: KeyTransform(key, "custom")}).filter(**{alias: value})
    if kind == T.MONEY:
        expr = _text(KeyTextTransform("amount", KeyTransform(key, "custom")))
        return qs.alias(**{alias: expr}).filter(**{alias: value["amount"]})
    return qs.alias(**{alias: _text(KeyTextTransform(key, "custom"))}).filter(**{alias: value})


def _text(expr: KeyTextTransform) -> Cast:
    """A JSON value as plain text, compared as text (not by the JSON field's own lookups)."""
    return Cast(expr, TextField())


def apply_filters(
    qs: QuerySet, *, workspace_id: int, target: str, filters: tuple[tuple[str, str], ...]
) -> QuerySet:
    """Filters by the custom fields named in `filters`; unknown or inactive keys are ignored (a
    saved view outliving a field still opens)."""
    if not filters:
        return qs
    by_key = {d.key: d for d in definitions(workspace_id, target)}
    base = _base_currency(workspace_id)
    for key, raw in filters:
        defn = by_key.get(key)
        if defn is not None:
            qs = _condition(qs, defn, raw, base)
    return qs


def _base_currency(workspace_id: int) -> str:
    from .models import Workspace

    return Workspace.objects.filter(pk=workspace_id).values_list("base_currency", flat=True).first()


def annotate_sort(qs: QuerySet, *, workspace_id: int, target: str, key: str) -> QuerySet:
    """Adds the NOT NULL sort value `cf_sort` (empty values sort first ascending, last descending);
    a key that is no sortable field sorts as equal (then by id)."""
    defn = next((d for d in definitions(workspace_id, target) if d.key == key), None)
    if defn is None or defn.type not in SORTABLE:
        return qs.annotate(**{SORT_ALIAS: Value("")})
    if defn.type in (T.NUMBER, T.MONEY):
        text = KeyTextTransform(key, "custom")
        if defn.type == T.MONEY:
            text = KeyTextTransform("amount", KeyTransform(key, "custom"))
        number = Cast(text, DecimalField(max_digits=30, decimal_places=6))
        return qs.annotate(**{SORT_ALIAS: Coalesce(number, Value(_LOWEST))})
    return qs.annotate(**{SORT_ALIAS: Coalesce(KeyTextTransform(key, "custom"), Value(""))})


# A list page passes the definitions it read once (`defs`), so the sort menu and the filter inputs
# cost one query together, not one each.
Defs = list[CustomFieldDefinition] | None


def sortable_fields(
    workspace_id: int, target: str, defs: Defs = None
) -> list[CustomFieldDefinition]:
    return [
        d
        for d in (defs if defs is not None else definitions(workspace_id, target))
        if d.type in SORTABLE
    ]


def filterable_fields(
    workspace_id: int, target: str, defs: Defs = None
) -> list[CustomFieldDefinition]:
    return defs if defs is not None else definitions(workspace_id, target)


def custom_sorts(workspace_id: int, target: str, defs: Defs = None) -> list[tuple[str, str]]:
    """(sort value, label) pairs a list page adds to its sort menu."""
    result: list[tuple[str, str]] = []
    for defn in sortable_fields(workspace_id, target, defs):
        result.append((defn.param, _("%(field)s (ascending)") % {"field": defn.label}))
        result.append(("-" + defn.param, _("%(field)s (descending)") % {"field": defn.label}))
    return result


def filter_inputs(
    workspace_id: int, target: str, current: tuple[tuple[str, str], ...], defs: Defs = None
) -> list[dict[str, Any]]:
    """One input per filterable field for a list's "more filters" area
    (templates/core/_custom_filter_inputs.html): the field, its parameter, the value in use, and
    the options of a select (choices, yes/no) — None for a text box."""
    values = dict(current)
    result: list[dict[str, Any]] = []
    for defn in filterable_fields(workspace_id, target, defs):
        options: list[tuple[str, str]] | None = None
        value = values.get(defn.key, "")
        if defn.type in (T.CHOICE, T.MULTI_CHOICE, T.BOOLEAN):
            value = _option_value(defn, value)
            options = [("yes", _("Yes")), ("no", _("No"))]
            if defn.type != T.BOOLEAN:
                options = [(v, defn.choice_label(v)) for v in defn.choice_values]
        result.append({"defn": defn, "name": defn.param, "value": value, "options": options})
    return result


def _option_value(defn: CustomFieldDefinition, raw: str) -> str:
    """The option a select shows as chosen for a parameter written any way the filter accepts
    (a choice by value or either label, 是/否/yes/no)."""
    try:
        value = parse_value(defn, raw) if raw else None
    except ValueError:
        return ""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def apply_to_list(
    qs: QuerySet, *, member: Any, target: str, filters: tuple[tuple[str, str], ...], sort: str
) -> QuerySet:
    """A list's cf_<key> filters and its cf_<key> sort value, for any record type. Without a
    member (the benchmark's bare query) the sort alias is an empty constant."""
    workspace_id = member.workspace_id if member is not None else None
    if filters and workspace_id:
        qs = apply_filters(qs, workspace_id=workspace_id, target=target, filters=filters)
    key = sort_key(sort)
    if key:
        if workspace_id:
            qs = annotate_sort(qs, workspace_id=workspace_id, target=target, key=key)
        else:
            qs = qs.annotate(**{SORT_ALIAS: Value("")})
    return qs
