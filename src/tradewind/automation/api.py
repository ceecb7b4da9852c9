"""Workflow rules over the API (/api/v1/automation): the field catalogue, rules (CRUD, switch on
and off, test against a record) and their run log. Everything needs AUTOMATION_MANAGE: without it
every call answers 403, whatever the id; a rule of another workspace is 404.

Payload fields all have defaults, so a bad definition is answered by the service (422 with a code
naming the problem and a message per place), never half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, ErrorOut
from tradewind.core.errors import ServiceError

from . import selectors, services
from .catalogue import fields_for
from .choices import ActionType, Op, RecordType, TriggerKind
from .definition import OPS
from .errors import AutomationError
from .models import DEFAULT_MAX_RUNS_PER_HOUR, RuleRun, WorkflowRule
from .rules_engine import RuleTestResult, rule_test

router = Router(tags=["automation"])
READ = {**READ_ERRORS, 403: ErrorOut}


class WorkflowConditionIn(Schema):
    field: str = ""
    op: str = Field("", description="eq, ne, gt, gte, lt, lte, contains, in, empty, not_empty")
    value: Any = Field(None, description="A value, a list for `in`; dates: YYYY-MM-DD or today+N")


class WorkflowRuleIn(Schema):
    name: str = ""
    description: str = ""
    record_type: str = Field("", description="lead, customer or opportunity")
    trigger: str = Field("", description="created, updated, field_changed, status_changed or time")
    trigger_field: str = Field("", description="field_changed: the field; time: the date field")
    trigger_value: str = Field("", description="status_changed: only to this value ('' = any)")
    offset_days: int = Field(0, description="time: days after the date (negative: before)")
    conditions: list[list[WorkflowConditionIn]] = Field(
        default_factory=list, description="Any of these groups, each all of its comparisons"
    )
    actions: list[dict[str, Any]] = Field(
        default_factory=list,
        description=(
            "Ordered; each {type, ...}: create_task {title, to: owner|manager|user, user_id, "
            "due_days, due_hours, notes}; send_email {template_id}; set_field {field, value}; "
            "assign {user_id}; notify {to, user_id, message}; webhook {endpoint_id}"
        ),
    )
    max_runs_per_hour: int = DEFAULT_MAX_RUNS_PER_HOUR
    is_active: bool = False
    version: int | None = Field(None, description="On update: the version you read")


class WorkflowRuleOut(Schema):
    id: int
    name: str
    description: str
    record_type: str
    is_active: bool
    trigger: str
    trigger_field: str
    trigger_value: str
    offset_days: int
    conditions: list[list[dict[str, Any]]]
    actions: list[dict[str, Any]]
    max_runs_per_hour: int
    created_by_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_run_at: dt.datetime | None = None
    runs_24h: int | None = None


class RuleRunOut(Schema):
    id: int
    rule_id: int
    record_type: str
    record_id: int
    record_label: str
    event: str
    event_data: dict[str, Any]
    chain: list[int]
    outcome: str
    conditions_result: list[list[dict[str, Any]]]
    actions_result: list[dict[str, Any]]
    error: str
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_ms: int | None


class RuleRunPageOut(Schema):
    items: list[RuleRunOut]
    next_cursor: str | None = None
    prev_cursor: str | None = None


class WorkflowTestIn(Schema):
    record_id: int | None = Field(None, description="The record's id, or")
    record_code: str = Field("", description="its code (e.g. XS2024000123)")


class WorkflowCheckOut(Schema):
    field: str
    op: str
    expected: Any = None
    actual: str
    ok: bool
    missing: bool = False


class WorkflowActionPreviewOut(Schema):
    index: int
    type: str
    ok: bool
    text: str


class WorkflowTestOut(Schema):
    record_type: str
    record_id: int
    record_label: str
    trigger_ok: bool
    trigger_text: str
    conditions_met: bool
    groups: list[list[WorkflowCheckOut]]
    actions: list[WorkflowActionPreviewOut]
    runs_last_hour: int
    rate_limited: bool
    would_run: bool
    notes: list[str]


class WorkflowFieldOut(Schema):
    key: str
    label: str
    type: str
    ops: list[str]
    settable: bool
    date_trigger: bool
    choices: list[list[str]] | None = None


class WorkflowCatalogueOut(Schema):
    record_type: str
    fields: list[WorkflowFieldOut]
    triggers: list[str]
    operators: list[str]
    actions: list[str]


def _member(request: HttpRequest) -> Any:
    return selectors.require_manage(request.member)  # type: ignore[attr-defined]


def _rule_out(rule: WorkflowRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "description": rule.description,
        "record_type": rule.record_type,
        "is_active": rule.is_active,
        "trigger": rule.trigger,
        "trigger_field": rule.trigger_field,
        "trigger_value": rule.trigger_value,
        "offset_days": rule.offset_days,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "max_runs_per_hour": rule.max_runs_per_hour,
        "created_by_id": rule.created_by_id,
        "version": rule.version,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
        "last_run_at": getattr(rule, "last_run_at", None),
        "runs_24h": getattr(rule, "runs_24h", None),
    }


def _run_out(run: RuleRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "rule_id": run.rule_id,
        "record_type": run.record_type,
        "record_id": run.record_id,
        "record_label": run.record_label,
        "event": run.event,
        "event_data": run.event_data,
        "chain": run.chain,
        "outcome": run.outcome,
        "conditions_result": run.conditions_result,
        "actions_result": run.actions_result,
        "error": run.error,
        "attempts": run.attempts,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_ms": run.duration_ms,
    }


def rule_test_out(result: RuleTestResult) -> dict[str, Any]:
    return {
        "record_type": result.record_type,
        "record_id": result.record_id,
        "record_label": result.record_label,
        "trigger_ok": result.trigger.ok,
        "trigger_text": result.trigger.text,
        "conditions_met": result.conditions_met,
        "groups": [[c.as_dict() for c in group] for group in result.groups],
        "actions": [
            {"index": a.index, "type": a.type, "ok": a.ok, "text": a.text} for a in result.actions
        ],
        "runs_last_hour": result.runs_last_hour,
        "rate_limited": result.rate_limited,
        "would_run": result.would_run,
        "notes": result.notes,
    }


def _definition(payload: WorkflowRuleIn) -> dict[str, Any]:
    data = payload.dict(exclude={"version"})
    data["conditions"] = [[c.dict() for c in group] for group in payload.conditions]
    return data


@router.get("/catalogue", response={200: WorkflowCatalogueOut, **READ})
def catalogue_api(request: HttpRequest, record_type: str = RecordType.LEAD) -> dict[str, Any]:
    """What rules on a record type may compare, watch and set."""
    member = _member(request)
    kind = record_type if record_type in RecordType.values else RecordType.LEAD
    fields = []
    for spec in fields_for(member.workspace, kind).values():
        pairs = spec.choices(member.workspace_id) if spec.choices else None
        fields.append(
            {
                "key": spec.key,
                "label": str(spec.label),
                "type": spec.type,
                "ops": list(OPS[spec.type]),
                "settable": bool(spec.set_as),
                "date_trigger": bool(spec.column),
                "choices": [list(p) for p in pairs] if pairs is not None else None,
            }
        )
    return {
        "record_type": kind,
        "fields": fields,
        "triggers": list(TriggerKind.values),
        "operators": list(Op.values),
        "actions": list(ActionType.values),
    }


@router.get("/rules", response={200: list[WorkflowRuleOut], **READ})
def rules_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_rule_out(r) for r in selectors.rules_list(_member(request))]


@router.post("/rules", response={201: WorkflowRuleOut, **ERRORS})
def rule_create_api(request: HttpRequest, payload: WorkflowRuleIn) -> Status:
    rule = services.workflow_rule_create(actor=request.actor, **_definition(payload))  # type: ignore[attr-defined]
    return Status(201, _rule_out(rule))


@router.get("/rules/{workflow_rule_id}", response={200: WorkflowRuleOut, **READ})
def rule_api(request: HttpRequest, workflow_rule_id: int) -> dict[str, Any]:
    return _rule_out(selectors.rule_get(_member(request), workflow_rule_id))


@router.put("/rules/{workflow_rule_id}", response={200: WorkflowRuleOut, **ERRORS})
def rule_update_api(
    request: HttpRequest, workflow_rule_id: int, payload: WorkflowRuleIn
) -> dict[str, Any]:
    rule = services.workflow_rule_update(
        actor=request.actor,  # type: ignore[attr-defined]
        rule_id=workflow_rule_id,
        version=payload.version,
        **_definition(payload),
    )
    return _rule_out(rule)


@router.delete("/rules/{workflow_rule_id}", response={204: None, **ERRORS})
def rule_delete_api(request: HttpRequest, workflow_rule_id: int) -> Status:
    services.workflow_rule_delete(actor=request.actor, rule_id=workflow_rule_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/rules/{workflow_rule_id}/activate", response={200: WorkflowRuleOut, **ERRORS})
def rule_activate_api(request: HttpRequest, workflow_rule_id: int) -> dict[str, Any]:
    rule = services.workflow_rule_set_active(
        actor=request.actor,  # type: ignore[attr-defined]
        rule_id=workflow_rule_id,
        active=True,
    )
    return _rule_out(rule)


@router.post("/rules/{workflow_rule_id}/deactivate", response={200: WorkflowRuleOut, **ERRORS})
def rule_deactivate_api(request: HttpRequest, workflow_rule_id: int) -> dict[str, Any]:
    rule = services.workflow_rule_set_active(
        actor=request.actor,  # type: ignore[attr-defined]
        rule_id=workflow_rule_id,
        active=False,
    )
    return _rule_out(rule)


@router.post("/rules/{workflow_rule_id}/test", response={200: WorkflowTestOut, **ERRORS})
def rule_test_api(
    request: HttpRequest, workflow_rule_id: int, payload: WorkflowTestIn
) -> dict[str, Any]:
    """What the rule would do for one record now. Changes nothing."""
    member = _member(request)
    rule = selectors.rule_get(member, workflow_rule_id)
    code = payload.record_code.strip()
    if payload.record_id is not None:
        record = selectors.record_for_test(member, rule.record_type, payload.record_id)
    elif code:
        found = selectors.records_find(member, rule.record_type, code)
        exact = [r for r in found if r.code.lower() == code.lower()]
        if not exact:
            raise selectors.not_found()
        record = exact[0]
    else:
        raise ServiceError(
            AutomationError.RECORD_NOT_FOUND,
            _("Please correct the marked fields."),
            fields={"record_id": [_("Give the record's id or code.")]},
        )
    return rule_test_out(rule_test(rule=rule, record=record))


@router.get("/rules/{workflow_rule_id}/runs", response={200: RuleRunPageOut, **READ})
def rule_runs_api(
    request: HttpRequest,
    workflow_rule_id: int,
    cursor: str = "",
    limit: int = 50,
    outcome: str = "",
) -> dict[str, Any]:
    """The rule's runs, newest first (keyset pages: pass next_cursor back)."""
    member = _member(request)
    rule = selectors.rule_get(member, workflow_rule_id)
    page = selectors.runs_page(member, rule, cursor=cursor or None, limit=limit, outcome=outcome)
    return {
        "items": [_run_out(r) for r in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@router.get("/runs/{rule_run_id}", response={200: RuleRunOut, **READ})
def rule_run_api(request: HttpRequest, rule_run_id: int) -> dict[str, Any]:
    return _run_out(selectors.run_get(_member(request), rule_run_id))
