"""What a rule does: each action runs through the owning app's service (tasks, e-mail, the record's
update and assign services, notifications, webhooks), as the automation actor, so it is
validated, permission-checked and audited like a person's change. `preview_actions` says what the
same actions would do, reading only.

`{record}` in a task title or a notification message is replaced by the record's code and name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.notifications import notify
from tradewind.activities.targets import TARGETS
from tradewind.activities.task_choices import DueKind
from tradewind.activities.task_services import task_create
from tradewind.core.errors import ServiceError
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, User, Workspace
from tradewind.workspaces.timezones import zone

from . import integrations
from .catalogue import FieldSpec, fields_for, record_model
from .choices import ActionType, FieldType, Recipient, RecordType
from .conditions import record_value, shown
from .definition import resolve_date
from .errors import AutomationError
from .models import RuleRun, WorkflowRule

NOTICE_KIND = "automation.rule_notice"


@dataclass
class ActionOutcome:
    index: int
    type: str
    ok: bool
    text: str
    rolled_back: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_url(record_type: str, record: Any) -> str:
    return TARGETS[record_type].url(record)


def _fill(text: str, record: Any) -> str:
    return text.replace("{record}", str(record))


def manager_of(workspace_id: int, user_id: int | None) -> int | None:
    """The nearest manager above a member: their team's, else the parent team's, … (never the
    member themself); None when nobody manages them."""
    if user_id is None:
        return None
    member = (
        Membership.objects.filter(workspace_id=workspace_id, user_id=user_id)
        .select_related("team")
        .first()
    )
    team = member.team if member is not None else None
    seen: set[int] = set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        if team.manager_id and team.manager_id != user_id:
            return int(team.manager_id)
        team = team.parent
    return None


def recipients(action: dict[str, Any], record: Any, rule: WorkflowRule) -> list[int]:
    to = action.get("to", Recipient.OWNER)
    owner = getattr(record, "owner_id", None)
    if to == Recipient.USER:
        return [int(action["user_id"])] if action.get("user_id") else []
    if to == Recipient.MANAGER:
        manager = manager_of(rule.workspace_id, owner)
        return [manager] if manager is not None else []
    return [owner] if owner is not None else []


def task_assignee(action: dict[str, Any], record: Any, rule: WorkflowRule) -> int | None:
    """Who gets the task: the chosen person; for the owner's manager with nobody above the owner,
    the owner; for a record without owner, the rule's author."""
    found = recipients(action, record, rule)
    if not found and action.get("to") == Recipient.MANAGER:
        found = [record.owner_id] if getattr(record, "owner_id", None) else []
    if not found and rule.created_by_id:
        found = [rule.created_by_id]
    return found[0] if found else None


def _set_value(spec: FieldSpec, value: Any, today: dt.date) -> Any:
    """A rule's stored value as the update service takes it (None clears)."""
    if value is None:
        return "" if spec.type in (FieldType.TEXT, FieldType.CHOICE) else None
    if spec.type == FieldType.DATE:
        return resolve_date(str(value), today)
    if spec.type in (FieldType.NUMBER, FieldType.MONEY):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else number
    return value


def _update(actor: Actor, record_type: str, record: Any, changes: dict[str, Any]) -> None:
    if record_type == RecordType.LEAD:
        from tradewind.leads.services import lead_update

        lead_update(actor=actor, lead=record, **changes)
    elif record_type == RecordType.CUSTOMER:
        from tradewind.customers.services import customer_update

        customer_update(actor=actor, customer=record, **changes)
    else:
        from tradewind.sales.services import opportunity_update

        opportunity_update(actor=actor, opportunity=record, **changes)


def _assign(actor: Actor, record_type: str, record: Any, user_id: int) -> None:
    if record_type == RecordType.LEAD:
        from tradewind.leads.assignment import lead_assign

        lead_assign(actor=actor, lead=record, owner_id=user_id)
    elif record_type == RecordType.CUSTOMER:
        from tradewind.customers.assignment import customer_assign

        customer_assign(actor=actor, customer=record, owner_id=user_id)
    else:
        from tradewind.sales.services import opportunity_update

        opportunity_update(actor=actor, opportunity=record, owner_id=user_id)


def _names(user_ids: list[int]) -> str:
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    return ", ".join(users.get(pk, f"#{pk}") for pk in user_ids)


def _local(moment: dt.datetime, workspace: Workspace) -> str:
    return moment.astimezone(zone(workspace.time_zone)).strftime("%Y-%m-%d %H:%M")


def _webhook_data(rule: WorkflowRule, run: RuleRun | None, record: Any) -> dict[str, Any]:
    return {
        "rule": {"id": rule.pk, "name": rule.name},
        "run_id": run.pk if run is not None else None,
        "trigger": run.event if run is not None else "",
        "record": {
            "type": rule.record_type,
            "id": record.pk,
            "code": getattr(record, "code", ""),
            "name": str(record),
        },
    }


def _no_one() -> ServiceError:
    return ServiceError(
        AutomationError.BAD_ACTION, _("Nobody to give this to: the record has no owner.")
    )


def run_actions(
    *,
    rule: WorkflowRule,
    run: RuleRun,
    record: models.Model,
    actor: Actor,
    now: dt.datetime,
    progress: list[ActionOutcome],
) -> models.Model:
    """Run the rule's actions in order inside the caller's transaction; each outcome is appended
    to `progress` as it completes. The first failure raises (the caller rolls everything back).
    Returns the record as the actions left it."""
    workspace = rule.workspace
    fields = fields_for(workspace, rule.record_type)
    model = record_model(rule.record_type)
    today = now.astimezone(zone(workspace.time_zone)).date()
    for index, action in enumerate(rule.actions):
        kind = action.get("type", "")
        key = f"rule-run:{run.pk}:{index}"
        if kind == ActionType.CREATE_TASK:
            assignee = task_assignee(action, record, rule)
            if assignee is None:
                raise _no_one()
            due = now + dt.timedelta(
                days=int(action.get("due_days") or 0), hours=int(action.get("due_hours") or 0)
            )
            task = task_create(
                actor=actor,
                title=_fill(action.get("title", ""), record)[:200],
                notes=action.get("notes", ""),
                due_kind=DueKind.EXACT,
                due_at=due,
                assignee_id=assignee,
                target_type=rule.record_type,
                target_id=record.pk,
                now=now,
            )
            text = _("Task “%(title)s” for %(who)s, due %(due)s.") % {
                "title": task.title,
                "who": _names([assignee]),
                "due": _local(due, workspace),
            }
        elif kind == ActionType.SEND_EMAIL:
            text = integrations.send_email(
                actor=actor, template_id=int(action["template_id"]), record=record, key=key
            )
        elif kind == ActionType.SET_FIELD:
            spec = fields.get(action.get("field", ""))
            if spec is None or not spec.set_as:
                raise ServiceError(AutomationError.UNKNOWN_FIELD, _("This field no longer exists."))
            value = _set_value(spec, action.get("value"), today)
            before = shown(record_value(spec, record, workspace))
            if spec.custom_key:
                _update(actor, rule.record_type, record, {"custom": {spec.custom_key: value}})
            else:
                _update(actor, rule.record_type, record, {spec.set_as: value})
            text = _("%(field)s: “%(before)s” → “%(after)s”.") % {
                "field": spec.label,
                "before": before,
                "after": shown(value),
            }
        elif kind == ActionType.ASSIGN:
            _assign(actor, rule.record_type, record, int(action["user_id"]))
            text = _("Assigned to %(who)s.") % {"who": _names([int(action["user_id"])])}
        elif kind == ActionType.NOTIFY:
            users = recipients(action, record, rule)
            if not users:
                raise _no_one()
            notify(
                workspace=workspace,
                user_ids=users,
                kind=NOTICE_KIND,
                params={
                    "rule": rule.name,
                    "record": str(record),
                    "message": _fill(action.get("message", ""), record),
                },
                url=record_url(rule.record_type, record),
                key=key,
            )
            text = _("Notified %(who)s.") % {"who": _names(users)}
        elif kind == ActionType.WEBHOOK:
            text = integrations.call_webhook(
                workspace_id=workspace.pk,
                endpoint_id=int(action["endpoint_id"]),
                data=_webhook_data(rule, run, record),
                event_id=f"rule-run-{run.pk}-{index}",
            )
        else:
            raise ServiceError(AutomationError.BAD_ACTION, _("Unknown action."))
        progress.append(ActionOutcome(index, kind, True, text))
        # The next action sees what this one changed (owner, fields).
        record = model.objects.get(pk=record.pk)
    return record


def preview_actions(
    *, rule: WorkflowRule, record: models.Model, now: dt.datetime | None = None
) -> list[ActionOutcome]:
    """What each action would do for this record now; reads only, writes nothing."""
    now = now or timezone.now()
    workspace = rule.workspace
    fields = fields_for(workspace, rule.record_type)
    today = now.astimezone(zone(workspace.time_zone)).date()
    result = []
    for index, action in enumerate(rule.actions):
        kind = action.get("type", "")
        ok, text = True, ""
        if kind == ActionType.CREATE_TASK:
            assignee = task_assignee(action, record, rule)
            due = now + dt.timedelta(
                days=int(action.get("due_days") or 0), hours=int(action.get("due_hours") or 0)
            )
            if assignee is None:
                ok, text = False, str(_no_one().message)
            else:
                text = _("Would create the task “%(title)s” for %(who)s, due %(due)s.") % {
                    "title": _fill(action.get("title", ""), record),
                    "who": _names([assignee]),
                    "due": _local(due, workspace),
                }
        elif kind == ActionType.SEND_EMAIL:
            ok, text = integrations.preview_email(
                workspace, int(action.get("template_id") or 0), record
            )
        elif kind == ActionType.SET_FIELD:
            spec = fields.get(action.get("field", ""))
            if spec is None:
                ok, text = False, _("This field no longer exists.")
            else:
                text = _("Would set %(field)s: “%(before)s” → “%(after)s”.") % {
                    "field": spec.label,
                    "before": shown(record_value(spec, record, workspace)),
                    "after": shown(_set_value(spec, action.get("value"), today)),
                }
        elif kind == ActionType.ASSIGN:
            owner = getattr(record, "owner_id", None)
            text = _("Would assign it to %(who)s (now: %(owner)s).") % {
                "who": _names([int(action.get("user_id") or 0)]),
                "owner": _names([owner]) if owner else "—",
            }
        elif kind == ActionType.NOTIFY:
            users = recipients(action, record, rule)
            if not users:
                ok, text = False, str(_no_one().message)
            else:
                text = _("Would notify %(who)s: %(message)s") % {
                    "who": _names(users),
                    "message": _fill(action.get("message", ""), record),
                }
        elif kind == ActionType.WEBHOOK:
            ok, text = integrations.preview_webhook(workspace, int(action.get("endpoint_id") or 0))
        else:
            ok, text = False, _("Unknown action.")
        result.append(ActionOutcome(index, kind, ok, text))
    return result
