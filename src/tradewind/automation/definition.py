"""Validation of a rule's definition: trigger, conditions and actions, the one place for the page,
the API and the services. A bad definition raises one ServiceError whose code names the first
problem (unknown field, wrong operator for the type, bad value, …) and whose fields carry a
translated message per place (`conditions.0.1.value`, `actions.2.title`, …); nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.workspaces.models import Membership, Workspace

from . import integrations
from .catalogue import STATUS_FIELD, FieldSpec, fields_for
from .choices import ActionType, FieldType, Op, Recipient, RecordType, TriggerKind
from .errors import AutomationError
from .models import DEFAULT_MAX_RUNS_PER_HOUR
from .selectors import as_pk

MAX_GROUPS = 10
MAX_CONDITIONS = 20  # per group
MAX_ACTIONS = 10
MAX_LIST = 50
TEXT_MAX = 200
TITLE_MAX = 200
MESSAGE_MAX = 500
NOTES_MAX = 2000
OFFSET_MAX = 365
RATE_MAX = 10_000

OPS: dict[str, tuple[str, ...]] = {
    FieldType.TEXT: (Op.EQ, Op.NE, Op.CONTAINS, Op.IN, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.NUMBER: (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.IN, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.MONEY: (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.CHOICE: (Op.EQ, Op.NE, Op.IN, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.LIST: (Op.CONTAINS, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.DATE: (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.USER: (Op.EQ, Op.NE, Op.IN, Op.EMPTY, Op.NOT_EMPTY),
    FieldType.BOOLEAN: (Op.EQ, Op.NE),
}
NO_VALUE = (Op.EMPTY, Op.NOT_EMPTY)
_RELATIVE = re.compile(r"^today\s*(?:([+-])\s*(\d{1,4}))?$")
_TRUE = {"true", "yes", "1", "on", "是"}
_FALSE = {"false", "no", "0", "off", "否"}


class BadValue(ValueError):
    """A value that does not fit its field; the message is translated."""


@dataclass
class Problems:
    """Collects a message per place; the first problem's code becomes the error's code."""

    fields: dict[str, list[str]]
    code: str = ""

    def add(self, place: str, code: str, message: str) -> None:
        self.fields.setdefault(place, []).append(message)
        self.code = self.code or code

    def raise_if_any(self) -> None:
        if self.fields:
            raise ServiceError(
                self.code or AutomationError.INVALID,
                _("Please correct the marked fields."),
                fields=self.fields,
            )


# --- values ---------------------------------------------------------------------------------------


def parse_date(raw: Any) -> str:
    """A date as stored in a rule: "YYYY-MM-DD", "today", "today+3" or "today-3"."""
    text = str(raw or "").strip().lower().replace(" ", "")
    if _RELATIVE.match(text):
        return text
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadValue(_("Enter a date (YYYY-MM-DD) or today, today+3, today-3.")) from None


def resolve_date(stored: str, today: dt.date) -> dt.date:
    found = _RELATIVE.match(stored)
    if found is None:
        return dt.date.fromisoformat(stored)
    sign, days = found.groups()
    delta = int(days or 0) * (-1 if sign == "-" else 1)
    return today + dt.timedelta(days=delta)


def parse_number(raw: Any) -> str:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BadValue(_("Enter a number.")) from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise BadValue(_("Enter a number."))
    return format(value.normalize(), "f")


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, list | tuple):
        items = list(raw)
    else:
        items = [p for p in re.split(r"[,，;；\n]", str(raw or ""))]
    items = [i.strip() if isinstance(i, str) else i for i in items]
    return [i for i in items if i not in ("", None)]


def parse_value(spec: FieldSpec, raw: Any, workspace_id: int, *, many: bool = False) -> Any:
    """The value a condition compares with (or an action writes), as stored in the rule."""
    if many:
        items = _as_list(raw)
        if not items:
            raise BadValue(_("Give at least one value."))
        if len(items) > MAX_LIST:
            raise BadValue(_("At most %(n)s values.") % {"n": MAX_LIST})
        return [parse_value(spec, item, workspace_id) for item in items]
    kind = spec.type
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        return parse_number(raw)
    if kind == FieldType.DATE:
        return parse_date(raw)
    if kind == FieldType.BOOLEAN:
        text = str(raw).strip().lower()
        if isinstance(raw, bool):
            return raw
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadValue(_("Choose yes or no."))
    if kind == FieldType.USER:
        pk = as_pk(str(raw).strip())
        if not Membership.objects.filter(
            workspace_id=workspace_id, user_id=pk, is_active=True
        ).exists():
            raise BadValue(_("Choose an active member of this workspace."))
        return pk
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise BadValue(_("Enter a value."))
    if len(text) > TEXT_MAX:
        raise BadValue(_("At most %(n)s characters.") % {"n": TEXT_MAX})
    if kind == FieldType.CHOICE and spec.choices is not None:
        values = {v for v, _label in spec.choices(workspace_id)}
        if text not in values:
            upper = text.upper()
            if upper in values:  # country codes and grades typed in lower case
                return upper
            raise BadValue(_("Choose one of the offered values."))
    return text


# --- the definition ---------------------------------------------------------------------------------


def _int(raw: Any, default: int = 0) -> int | None:
    if raw in (None, ""):
        return default
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _trigger(
    workspace: Workspace,
    record_type: str,
    data: dict[str, Any],
    fields: dict[str, FieldSpec],
    problems: Problems,
) -> dict[str, Any]:
    kind = str(data.get("trigger") or "")
    field = str(data.get("trigger_field") or "").strip()
    value = str(data.get("trigger_value") or "").strip()
    offset = _int(data.get("offset_days"))
    result = {"trigger": kind, "trigger_field": "", "trigger_value": "", "offset_days": 0}
    if kind not in TriggerKind.values:
        problems.add("trigger", AutomationError.BAD_TRIGGER, _("Choose when the rule runs."))
        return result
    if kind == TriggerKind.FIELD_CHANGED:
        if field not in fields:
            problems.add(
                "trigger_field", AutomationError.UNKNOWN_FIELD, _("Choose a field of the record.")
            )
        result["trigger_field"] = field
    elif kind == TriggerKind.STATUS_CHANGED and value:
        spec = fields[STATUS_FIELD[record_type]]
        try:
            result["trigger_value"] = parse_value(spec, value, workspace.pk)
        except BadValue as exc:
            problems.add("trigger_value", AutomationError.BAD_VALUE, str(exc))
    elif kind == TriggerKind.TIME:
        date_spec = fields.get(field)
        if date_spec is None or not date_spec.column:
            problems.add(
                "trigger_field",
                AutomationError.UNKNOWN_FIELD,
                _("Choose a date field of the record."),
            )
        if offset is None or abs(offset) > OFFSET_MAX:
            problems.add(
                "offset_days",
                AutomationError.BAD_VALUE,
                _("Enter whole days between -%(n)s and %(n)s.") % {"n": OFFSET_MAX},
            )
            offset = 0
        result.update(trigger_field=field, offset_days=offset)
    return result


def clean_conditions(
    workspace: Workspace, raw: Any, fields: dict[str, FieldSpec], problems: Problems
) -> list[list[dict[str, Any]]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or any(not isinstance(g, list) for g in raw):
        problems.add(
            "conditions",
            AutomationError.INVALID,
            _("Conditions are a list of groups, each a list of comparisons."),
        )
        return []
    if len(raw) > MAX_GROUPS:
        problems.add(
            "conditions", AutomationError.TOO_MANY, _("At most %(n)s groups.") % {"n": MAX_GROUPS}
        )
        return []
    groups = []
    for g, group in enumerate(raw):
        if len(group) > MAX_CONDITIONS:
            problems.add(
                f"conditions.{g}",
                AutomationError.TOO_MANY,
                _("At most %(n)s conditions in a group.") % {"n": MAX_CONDITIONS},
            )
            continue
        cleaned = []
        for i, item in enumerate(group):
            place = f"conditions.{g}.{i}"
            item = item if isinstance(item, dict) else {}
            key, op = str(item.get("field") or ""), str(item.get("op") or "")
            spec = fields.get(key)
            if spec is None:
                problems.add(f"{place}.field", AutomationError.UNKNOWN_FIELD, _("Choose a field."))
                continue
            if op not in OPS[spec.type]:
                problems.add(
                    f"{place}.op",
                    AutomationError.BAD_OPERATOR,
                    _("This comparison does not fit a field of this type."),
                )
                continue
            value: Any = None
            if op not in NO_VALUE:
                try:
                    value = parse_value(spec, item.get("value"), workspace.pk, many=op == Op.IN)
                except BadValue as exc:
                    problems.add(f"{place}.value", AutomationError.BAD_VALUE, str(exc))
                    continue
            cleaned.append({"field": key, "op": op, "value": value})
        if cleaned:
            groups.append(cleaned)
    return groups


def _recipient(
    item: dict[str, Any], place: str, workspace: Workspace, problems: Problems, key: str = "to"
) -> dict[str, Any]:
    to = str(item.get(key) or Recipient.OWNER)
    if to not in Recipient.values:
        problems.add(f"{place}.{key}", AutomationError.BAD_VALUE, _("Choose who."))
        return {key: Recipient.OWNER}
    out: dict[str, Any] = {key: to}
    if to == Recipient.USER:
        try:
            out["user_id"] = parse_value(
                FieldSpec("user", "", FieldType.USER, lambda r: None),
                item.get("user_id"),
                workspace.pk,
            )
        except BadValue as exc:
            problems.add(f"{place}.user_id", AutomationError.BAD_VALUE, str(exc))
    return out


def _text(
    item: dict[str, Any], key: str, place: str, limit: int, problems: Problems, required: bool
) -> str:
    text = str(item.get(key) or "").strip()
    if required and not text:
        problems.add(f"{place}.{key}", AutomationError.BAD_ACTION, _("This field is required."))
    elif len(text) > limit:
        problems.add(
            f"{place}.{key}",
            AutomationError.BAD_ACTION,
            _("At most %(n)s characters.") % {"n": limit},
        )
    return text


def _action(
    workspace: Workspace,
    record_type: str,
    item: Any,
    place: str,
    fields: dict[str, FieldSpec],
    problems: Problems,
) -> dict[str, Any] | None:
    item = item if isinstance(item, dict) else {}
    kind = str(item.get("type") or "")
    if kind == ActionType.CREATE_TASK:
        out = {"type": kind, **_recipient(item, place, workspace, problems)}
        out["title"] = _text(item, "title", place, TITLE_MAX, problems, True)
        out["notes"] = _text(item, "notes", place, NOTES_MAX, problems, False)
        for key, limit in (("due_days", OFFSET_MAX), ("due_hours", 23)):
            number = _int(item.get(key))
            if number is None or not 0 <= number <= limit:
                problems.add(
                    f"{place}.{key}",
                    AutomationError.BAD_VALUE,
                    _("Enter a whole number from 0 to %(n)s.") % {"n": limit},
                )
                number = 0
            out[key] = number
        return out
    if kind == ActionType.SEND_EMAIL:
        template_id = as_pk(item.get("template_id"))
        problem = integrations.template_problem(workspace, template_id, record_type)
        if problem:
            problems.add(f"{place}.template_id", AutomationError.BAD_ACTION, problem)
        return {"type": kind, "template_id": template_id}
    if kind == ActionType.SET_FIELD:
        key = str(item.get("field") or "")
        spec = fields.get(key)
        if spec is None or not spec.set_as:
            problems.add(
                f"{place}.field",
                AutomationError.UNKNOWN_FIELD,
                _("Choose a field that rules may set."),
            )
            return None
        raw = item.get("value")
        value: Any = None
        if raw not in (None, ""):
            try:
                value = parse_value(spec, raw, workspace.pk)
            except BadValue as exc:
                problems.add(f"{place}.value", AutomationError.BAD_VALUE, str(exc))
        return {"type": kind, "field": key, "value": value}
    if kind == ActionType.ASSIGN:
        out = _recipient({"to": Recipient.USER, **item}, place, workspace, problems)
        out.pop("to", None)
        return {"type": kind, "user_id": out.get("user_id")}
    if kind == ActionType.NOTIFY:
        out = {"type": kind, **_recipient(item, place, workspace, problems)}
        out["message"] = _text(item, "message", place, MESSAGE_MAX, problems, True)
        return out
    if kind == ActionType.WEBHOOK:
        endpoint_id = as_pk(item.get("endpoint_id"))
        problem = integrations.endpoint_problem(workspace, endpoint_id)
        if problem:
            problems.add(f"{place}.endpoint_id", AutomationError.BAD_ACTION, problem)
        return {"type": kind, "endpoint_id": endpoint_id}
    problems.add(f"{place}.type", AutomationError.BAD_ACTION, _("Choose what the rule does."))
    return None


def clean_actions(
    workspace: Workspace,
    record_type: str,
    raw: Any,
    fields: dict[str, FieldSpec],
    problems: Problems,
) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        problems.add("actions", AutomationError.BAD_ACTION, _("Add at least one action."))
        return []
    if len(raw) > MAX_ACTIONS:
        problems.add(
            "actions", AutomationError.TOO_MANY, _("At most %(n)s actions.") % {"n": MAX_ACTIONS}
        )
        return []
    cleaned = [
        _action(workspace, record_type, item, f"actions.{i}", fields, problems)
        for i, item in enumerate(raw)
    ]
    return [a for a in cleaned if a is not None]


def clean_definition(*, workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a valid rule from raw input; raises ServiceError listing every problem."""
    problems = Problems({})
    name = str(data.get("name") or "").strip()
    if not name:
        problems.add("name", AutomationError.INVALID, _("Give the rule a name."))
    elif len(name) > 120:
        problems.add("name", AutomationError.INVALID, _("At most %(n)s characters.") % {"n": 120})
    description = str(data.get("description") or "").strip()
    if len(description) > 300:
        problems.add(
            "description", AutomationError.INVALID, _("At most %(n)s characters.") % {"n": 300}
        )
    record_type = str(data.get("record_type") or "")
    if record_type not in RecordType.values:
        problems.add("record_type", AutomationError.UNKNOWN_RECORD_TYPE, _("Choose a record type."))
        problems.raise_if_any()
    fields = fields_for(workspace, record_type)
    trigger = _trigger(workspace, record_type, data, fields, problems)
    conditions = clean_conditions(workspace, data.get("conditions"), fields, problems)
    actions = clean_actions(workspace, record_type, data.get("actions"), fields, problems)
    rate = _int(data.get("max_runs_per_hour"), default=DEFAULT_MAX_RUNS_PER_HOUR)
    if rate is None or not 1 <= rate <= RATE_MAX:
        problems.add(
            "max_runs_per_hour",
            AutomationError.BAD_VALUE,
            _("Enter a whole number from 1 to %(n)s.") % {"n": RATE_MAX},
        )
    problems.raise_if_any()
    return {
        "name": name,
        "description": description,
        "record_type": record_type,
        **trigger,
        "conditions": conditions,
        "actions": actions,
        "max_runs_per_hour": rate,
        "is_active": bool(data.get("is_active", False)),
    }
