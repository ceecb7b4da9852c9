"""The rule form's builder state: what the page shows and posts, to and from a rule definition.

The page works without JavaScript: every builder button ("add a condition", "remove", "add an
action", a changed select) posts the whole form with an `op`, and the view answers the form
again with the change applied and nothing saved; with htmx only the builder is swapped. Field
names: `c-<group>-<row>-field|op|value` for conditions, `a-<index>-<param>` for actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from tradewind.workspaces.models import Workspace

from . import integrations
from .catalogue import STATUS_FIELD, STATUS_TRIGGER_LABEL, FieldSpec, fields_for, user_choices
from .choices import ActionType, FieldType, Op, RecordType, TriggerKind
from .definition import MAX_ACTIONS, MAX_CONDITIONS, MAX_GROUPS, NO_VALUE, OPS
from .models import DEFAULT_MAX_RUNS_PER_HOUR, WorkflowRule

_COND = re.compile(r"^c-(\d+)-(\d+)-field$")
_ACT = re.compile(r"^a-(\d+)-type$")
ACTION_PARAMS = (
    "title",
    "to",
    "user_id",
    "due_days",
    "due_hours",
    "notes",
    "template_id",
    "field",
    "value",
    "message",
    "endpoint_id",
)


@dataclass
class ConditionRow:
    group: int
    index: int
    field: str = ""
    op: str = ""
    value: Any = ""
    spec: FieldSpec | None = None
    ops: list[tuple[str, str]] = dc_field(default_factory=list)
    input: str = "none"  # none, select, multi, text
    choices: list[tuple[str, str]] = dc_field(default_factory=list)
    errors: list[str] = dc_field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"c-{self.group}-{self.index}"

    @property
    def selected(self) -> set[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return {str(v) for v in values}


@dataclass
class ActionRow:
    index: int
    type: str = ActionType.CREATE_TASK
    params: dict[str, Any] = dc_field(default_factory=dict)
    errors: dict[str, list[str]] = dc_field(default_factory=dict)
    value_input: str = "text"
    value_choices: list[tuple[str, str]] = dc_field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"a-{self.index}"


@dataclass
class Builder:
    workspace: Workspace
    data: dict[str, Any]
    groups: list[list[ConditionRow]]
    actions: list[ActionRow]
    errors: dict[str, list[str]] = dc_field(default_factory=dict)

    # --- what the selects offer --------------------------------------------------------------

    @property
    def record_type(self) -> str:
        value = self.data.get("record_type") or RecordType.LEAD
        return value if value in RecordType.values else RecordType.LEAD

    @property
    def fields(self) -> dict[str, FieldSpec]:
        if not hasattr(self, "_fields"):
            self._fields = fields_for(self.workspace, self.record_type)
        return self._fields

    def field_choices(self) -> list[tuple[str, str]]:
        return [(k, str(s.label)) for k, s in self.fields.items()]

    def date_field_choices(self) -> list[tuple[str, str]]:
        return [(k, str(s.label)) for k, s in self.fields.items() if s.column]

    def settable_choices(self) -> list[tuple[str, str]]:
        return [(k, str(s.label)) for k, s in self.fields.items() if s.set_as]

    def status_choices(self) -> list[tuple[str, str]]:
        spec = self.fields[STATUS_FIELD[self.record_type]]
        return spec.choices(self.workspace.pk) if spec.choices else []

    def status_label(self) -> str:
        return str(STATUS_TRIGGER_LABEL[self.record_type])

    def user_choices(self) -> list[tuple[str, str]]:
        if not hasattr(self, "_users"):
            self._users = user_choices(self.workspace.pk)
        return self._users

    def template_choices(self) -> list[tuple[str, str]]:
        return integrations.template_choices(self.workspace.pk, self.record_type)

    def endpoint_choices(self) -> list[tuple[str, str]]:
        return integrations.endpoint_choices(self.workspace.pk)

    # --- changes ------------------------------------------------------------------------------

    def apply(self, op: str) -> None:
        """A builder button: add or remove a row, then recompute what each row offers."""
        parts = op.split(":")
        name, args = parts[0], [int(a) for a in parts[1:] if a.isdigit()]
        if name == "add_group" and len(self.groups) < MAX_GROUPS:
            self.groups.append([ConditionRow(len(self.groups), 0)])
        elif name == "add_condition" and args and args[0] < len(self.groups):
            group = self.groups[args[0]]
            if len(group) < MAX_CONDITIONS:
                group.append(ConditionRow(args[0], len(group)))
        elif name == "remove_condition" and len(args) == 2 and args[0] < len(self.groups):
            group = self.groups[args[0]]
            if args[1] < len(group):
                del group[args[1]]
            self.groups = [g for g in self.groups if g]
        elif name == "add_action" and len(self.actions) < MAX_ACTIONS:
            self.actions.append(ActionRow(len(self.actions)))
        elif name == "remove_action" and args and args[0] < len(self.actions):
            del self.actions[args[0]]
        elif name == "action_up" and args and 0 < args[0] < len(self.actions):
            i = args[0]
            self.actions[i - 1], self.actions[i] = self.actions[i], self.actions[i - 1]
        self.refresh()

    def refresh(self) -> None:
        """Number the rows again and fit each row's inputs to its field and operator."""
        fields = self.fields
        for g, group in enumerate(self.groups):
            for i, row in enumerate(group):
                row.group, row.index = g, i
                row.spec = fields.get(row.field)
                if row.spec is None:
                    row.ops, row.input, row.choices = [], "none", []
                    continue
                allowed = OPS[row.spec.type]
                row.ops = [(o, str(Op(o).label)) for o in allowed]
                if row.op not in allowed:
                    row.op = allowed[0]
                row.input, row.choices = _input_for(row.spec, row.op, self.workspace.pk)
        for i, action in enumerate(self.actions):
            action.index = i
            spec = fields.get(str(action.params.get("field") or ""))
            if action.type == ActionType.SET_FIELD and spec is not None:
                action.value_input, action.value_choices = _input_for(
                    spec, Op.EQ, self.workspace.pk
                )
            else:
                action.value_input, action.value_choices = "text", []

    def place_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service's messages (`conditions.0.1.value`, `actions.2.title`) on their rows."""
        self.errors = {}
        for place, messages in errors.items():
            parts = place.split(".")
            if parts[0] == "conditions" and len(parts) >= 3:
                g, i = int(parts[1]), int(parts[2])
                if g < len(self.groups) and i < len(self.groups[g]):
                    self.groups[g][i].errors.extend(str(m) for m in messages)
                    continue
            if parts[0] == "actions" and len(parts) >= 3:
                i = int(parts[1])
                if i < len(self.actions):
                    self.actions[i].errors.setdefault(parts[2], []).extend(str(m) for m in messages)
                    continue
            self.errors.setdefault(place, []).extend(str(m) for m in messages)

    # --- to the service -----------------------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        data = self.data
        offset = _int(data.get("offset_amount"))
        if offset is not None and data.get("offset_dir") == "before":
            offset = -offset
        return {
            "name": data.get("name", ""),
            "description": data.get("description", ""),
            "record_type": data.get("record_type", ""),
            "is_active": bool(data.get("is_active")),
            "max_runs_per_hour": data.get("max_runs_per_hour", ""),
            "trigger": data.get("trigger", ""),
            "trigger_field": data.get("trigger_field", ""),
            "trigger_value": data.get("trigger_value", ""),
            "offset_days": offset if offset is not None else data.get("offset_amount"),
            "conditions": [
                [{"field": r.field, "op": r.op, "value": r.value} for r in group if r.field]
                for group in self.groups
                if any(r.field for r in group)
            ],
            "actions": [
                {"type": a.type, **{k: v for k, v in a.params.items() if v not in (None, "")}}
                for a in self.actions
            ],
        }


def _int(raw: Any) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _input_for(spec: FieldSpec, op: str, workspace_id: int) -> tuple[str, list[tuple[str, str]]]:
    if op in NO_VALUE:
        return "none", []
    if spec.type == FieldType.BOOLEAN:
        return "select", [("true", _("yes")), ("false", _("no"))]
    if spec.type == FieldType.USER:
        pairs = user_choices(workspace_id)
        return ("multi" if op == Op.IN else "select"), pairs
    if spec.type == FieldType.CHOICE and spec.choices is not None:
        return ("multi" if op == Op.IN else "select"), spec.choices(workspace_id)
    return "text", []


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def from_rule(workspace: Workspace, rule: WorkflowRule | None) -> Builder:
    if rule is None:
        data: dict[str, Any] = {
            "record_type": RecordType.LEAD,
            "trigger": TriggerKind.CREATED,
            "max_runs_per_hour": DEFAULT_MAX_RUNS_PER_HOUR,
            "offset_dir": "after",
            "offset_amount": 1,
            "is_active": False,
        }
        builder = Builder(workspace, data, [], [ActionRow(0)])
        builder.refresh()
        return builder
    data = {
        "name": rule.name,
        "description": rule.description,
        "record_type": rule.record_type,
        "is_active": rule.is_active,
        "max_runs_per_hour": rule.max_runs_per_hour,
        "trigger": rule.trigger,
        "trigger_field": rule.trigger_field,
        "trigger_value": rule.trigger_value,
        "offset_amount": abs(rule.offset_days),
        "offset_dir": "before" if rule.offset_days < 0 else "after",
    }
    groups = []
    for g, group in enumerate(rule.conditions):
        rows = []
        for i, item in enumerate(group):
            spec_value = item.get("value")
            row = ConditionRow(g, i, item.get("field", ""), item.get("op", ""), spec_value)
            rows.append(row)
        groups.append(rows)
    actions = [
        ActionRow(i, a.get("type", ""), {k: _shown(v) for k, v in a.items() if k != "type"})
        for i, a in enumerate(rule.actions)
    ]
    builder = Builder(workspace, data, groups, actions)
    builder.refresh()
    for group in builder.groups:
        for row in group:
            if row.input == "text" and isinstance(row.value, list):
                row.value = ", ".join(str(v) for v in row.value)
            elif row.input == "select":
                row.value = _shown(row.value)
    return builder


def from_post(workspace: Workspace, post: QueryDict) -> Builder:
    data: dict[str, Any] = {
        key: post.get(key, "")
        for key in (
            "name",
            "description",
            "record_type",
            "max_runs_per_hour",
            "trigger",
            "trigger_field",
            "trigger_value",
            "offset_amount",
            "offset_dir",
        )
    }
    data["is_active"] = post.get("is_active") in ("on", "true", "1")
    found: dict[int, dict[int, ConditionRow]] = {}
    for key in post:
        match = _COND.match(key)
        if match:
            g, i = int(match.group(1)), int(match.group(2))
            prefix = f"c-{g}-{i}"
            values = [v for v in post.getlist(f"{prefix}-value") if v != ""]
            value: Any = values if len(values) > 1 else (values[0] if values else "")
            found.setdefault(g, {})[i] = ConditionRow(
                g, i, post.get(key, ""), post.get(f"{prefix}-op", ""), value
            )
    groups = [[found[g][i] for i in sorted(found[g])] for g in sorted(found)]
    actions = []
    for key in post:
        match = _ACT.match(key)
        if match:
            i = int(match.group(1))
            params = {p: post.get(f"a-{i}-{p}", "") for p in ACTION_PARAMS if f"a-{i}-{p}" in post}
            actions.append(ActionRow(i, post.get(key, ""), params))
    actions.sort(key=lambda a: a.index)
    builder = Builder(workspace, data, groups, actions)
    builder.refresh()
    return builder
