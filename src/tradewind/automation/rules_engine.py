"""Running workflow rules: from a domain event (or the time scan) to a logged, durable run.

1. `on_events` (subscribed to every event, after commit) finds the workspace's active rules of the
   event's record type whose trigger matches and queues one `RuleRun` + one durable job per rule.
   A rule is never queued for an event its own actions caused (`_rules` carries it) nor beyond a
   chain of MAX_CHAIN rules: such runs are logged as skipped (loop).
2. The job (`automation.rule_run`) runs the rule on the fresh record in one transaction: the
   conditions, the per-rule hourly rate limit, then the actions as the automation actor inside
   `running_rules(chain + (rule,))`. The run row is written in the same transaction, so a worker
   killed mid-run leaves nothing half done and the retry runs it once; a run already final is
   never run again. A refusal of a domain service (a ServiceError) fails the run at once; any
   other error rolls back, is logged on the run and retried with the job's backoff.
3. `rule_test` says what a rule would do for a record, writing nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.notifications import notify
from tradewind.core.errors import ServiceError
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind
from tradewind.workspaces.events import each, running_rules
from tradewind.workspaces.jobs import job_enqueue, job_type
from tradewind.workspaces.models_jobs import Job
from tradewind.workspaces.timezones import zone

from .actions import ActionOutcome, preview_actions, run_actions
from .catalogue import (
    EVENTS,
    STATUS_FIELD,
    EventSpec,
    event_fields,
    fields_for,
    record_model,
    record_type_of,
)
from .choices import EXECUTED_OUTCOMES, FINAL_OUTCOMES, RunOutcome, TriggerKind
from .conditions import ConditionCheck, evaluate, record_value, shown
from .models import RuleRun, WorkflowRule

log = logging.getLogger(__name__)

JOB_KIND = "automation.rule_run"
MAX_CHAIN = 3  # a rule's action may trigger a rule whose action may trigger a third; no further
RATE_KIND = "automation.rate_limited"
CATCHUP_DAYS = 1  # the time scan also fires what fell due yesterday (a missed hour, a restart)


# --- queueing ---------------------------------------------------------------------------------------


def trigger_matches(
    rule: WorkflowRule, spec: EventSpec, payload: dict[str, Any], fields: list[str]
) -> bool:
    kind = rule.trigger
    if kind == TriggerKind.CREATED:
        return spec.created
    if spec.created or kind == TriggerKind.TIME:
        return False
    if kind == TriggerKind.UPDATED:
        return True
    if kind == TriggerKind.FIELD_CHANGED:
        wanted = rule.trigger_field
        # Events name a change of custom values as "custom": any custom field may have changed.
        return wanted in fields or (wanted.startswith("custom.") and "custom" in fields)
    if kind == TriggerKind.STATUS_CHANGED:
        if not spec.status_key:
            return False
        return not rule.trigger_value or str(payload.get(spec.status_key)) == rule.trigger_value
    return False


def queue_run(
    *,
    rule: WorkflowRule,
    record_id: int,
    event: str,
    data: dict[str, Any],
    chain: list[int],
    run_key: str,
) -> RuleRun:
    """Log the firing and queue its job, or log it as a loop when the chain says so. The same
    `run_key` queued twice gives the first run back."""
    loop = rule.pk in chain or len(chain) >= MAX_CHAIN
    now = timezone.now()
    with transaction.atomic():
        run, created = RuleRun.objects.get_or_create(
            run_key=run_key,
            defaults={
                "workspace_id": rule.workspace_id,
                "rule": rule,
                "record_type": rule.record_type,
                "record_id": record_id,
                "event": event,
                "event_data": data,
                "chain": chain,
                "outcome": RunOutcome.SKIPPED_LOOP if loop else RunOutcome.QUEUED,
                "created_at": now,
                "finished_at": now if loop else None,
            },
        )
        if created and not loop:
            job_enqueue(
                kind=JOB_KIND,
                payload={"run_id": run.pk},
                workspace=rule.workspace,
                key=f"{JOB_KIND}:{run.pk}",
            )
    return run


def on_events(name: str, payloads: list[dict[str, Any]]) -> None:
    """Domain events of one name, after commit: queue the runs of the rules they trigger. The
    rules are read once per workspace in the list (an import routing 50,000 leads asks once)."""
    spec = EVENTS.get(name)
    if spec is None:
        return
    by_workspace: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for payload in payloads:
        if payload.get("workspace_id") and payload.get(spec.id_key):
            by_workspace[int(payload["workspace_id"])].append(payload)
    for workspace_id, group in by_workspace.items():
        rules = list(
            WorkflowRule.objects.filter(
                workspace_id=workspace_id, is_active=True, record_type=spec.record_type
            )
            .exclude(trigger=TriggerKind.TIME)
            .select_related("workspace")
            .order_by("pk")
        )
        if rules:
            each(name, group, partial(_queue_triggered, spec=spec, rules=rules))


def _queue_triggered(
    name: str, payload: dict[str, Any], *, spec: EventSpec, rules: list[WorkflowRule]
) -> None:
    fields = event_fields(spec, payload)
    chain = [int(r) for r in payload.get("_rules") or []]
    data: dict[str, Any] = {"fields": fields}
    if spec.status_key and payload.get(spec.status_key) is not None:
        data["to"] = str(payload[spec.status_key])
    event_key = uuid.uuid4().hex
    for rule in rules:
        if trigger_matches(rule, spec, payload, fields):
            queue_run(
                rule=rule,
                record_id=int(payload[spec.id_key]),
                event=name,
                data=data,
                chain=chain,
                run_key=f"e:{rule.pk}:{event_key}",
            )


# --- running ----------------------------------------------------------------------------------------


def automation_actor(rule: WorkflowRule) -> Actor:
    return Actor.system(rule.workspace, label=f"rule: {rule.name}", kind=ActorKind.AUTOMATION)


def _checks_json(groups: list[list[ConditionCheck]]) -> list[list[dict[str, Any]]]:
    return [[c.as_dict() for c in group] for group in groups]


def _rate_limited(rule: WorkflowRule, now: dt.datetime) -> bool:
    done = RuleRun.objects.filter(
        rule=rule,
        outcome__in=EXECUTED_OUTCOMES,
        finished_at__gt=now - dt.timedelta(hours=1),
    ).count()
    return done >= rule.max_runs_per_hour


def _tell_rate_limited(rule: WorkflowRule, now: dt.datetime) -> None:
    """The rule's author hears of it once per rule and hour, however long the storm."""
    if rule.created_by_id is None:
        return
    notify(
        workspace=rule.workspace,
        user_ids=[rule.created_by_id],
        kind=RATE_KIND,
        params={"rule": rule.name, "limit": rule.max_runs_per_hour},
        url=reverse("automation:rule_runs", args=[rule.pk]),
        key=f"{RATE_KIND}:{rule.pk}:{now:%Y%m%d%H}",
    )


@dataclass
class _Progress:
    acting: bool = False
    done: list[ActionOutcome] = field(default_factory=list)


def _execute(
    run: RuleRun, rule: WorkflowRule | None, now: dt.datetime, progress: _Progress
) -> dict[str, Any]:
    """Decide and do, inside the caller's transaction; returns the run's new fields."""
    if rule is None or not rule.is_active:
        return {"outcome": RunOutcome.SKIPPED, "error": _("The rule was switched off.")}
    record = (
        record_model(run.record_type)
        .objects.filter(workspace_id=run.workspace_id, pk=run.record_id)
        .first()
    )
    if record is None:
        return {"outcome": RunOutcome.SKIPPED, "error": _("The record no longer exists.")}
    result: dict[str, Any] = {"record_label": str(record)[:250]}
    fields = fields_for(rule.workspace, rule.record_type)
    met, groups = evaluate(rule.conditions, record, fields, rule.workspace, now)
    result["conditions_result"] = _checks_json(groups)
    if not met:
        return {**result, "outcome": RunOutcome.NOT_MET}
    if _rate_limited(rule, now):
        _tell_rate_limited(rule, now)
        return {**result, "outcome": RunOutcome.SKIPPED_RATE}
    progress.acting = True
    with running_rules((*[int(r) for r in run.chain], rule.pk)):
        run_actions(
            rule=rule,
            run=run,
            record=record,
            actor=automation_actor(rule),
            now=now,
            progress=progress.done,
        )
    actions = [p.as_dict() for p in progress.done]
    return {**result, "outcome": RunOutcome.DONE, "actions_result": actions}


def execute_run(run_id: int, *, final: bool = True) -> str:
    """Run one queued run; returns its outcome. `final`: no retry follows a failure."""
    started, clock = timezone.now(), time.monotonic()
    progress = _Progress()
    try:
        with transaction.atomic():
            run = RuleRun.objects.select_for_update().filter(pk=run_id).first()
            if run is None:
                return RunOutcome.SKIPPED
            if run.outcome in FINAL_OUTCOMES:
                return run.outcome
            # The rule row's lock makes the rate limit's count exact under concurrent runs.
            rule = (
                WorkflowRule.objects.select_for_update()
                .select_related("workspace")
                .filter(pk=run.rule_id)
                .first()
            )
            changes = _execute(run, rule, started, progress)
            RuleRun.objects.filter(pk=run.pk).update(
                **changes,
                attempts=F("attempts") + 1,
                started_at=started,
                finished_at=timezone.now(),
                duration_ms=int((time.monotonic() - clock) * 1000),
            )
            return str(changes["outcome"])
    except Exception as exc:
        refused = isinstance(exc, ServiceError)
        if refused:
            error = str(exc.message)  # type: ignore[attr-defined]
        else:
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
        # Every action's write was rolled back with the failing one.
        actions = [{**p.as_dict(), "rolled_back": True} for p in progress.done]
        if progress.acting:
            failed_at = len(progress.done)
            rule_row = WorkflowRule.objects.filter(runs__pk=run_id).first()
            steps = rule_row.actions if rule_row is not None else []
            kind = steps[failed_at].get("type", "") if failed_at < len(steps) else ""
            actions.append(ActionOutcome(failed_at, kind, False, error).as_dict())
        last = final or refused
        RuleRun.objects.filter(pk=run_id).update(
            outcome=RunOutcome.FAILED if last else RunOutcome.QUEUED,
            error=error,
            actions_result=actions,
            attempts=F("attempts") + 1,
            started_at=started,
            finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - clock) * 1000),
        )
        if refused:
            return RunOutcome.FAILED  # the same input would be refused again: no retry
        raise


def _dead(job: Job) -> None:
    run_id = int((job.payload or {}).get("run_id") or 0)
    RuleRun.objects.filter(pk=run_id, outcome=RunOutcome.QUEUED).update(outcome=RunOutcome.FAILED)


@job_type(
    JOB_KIND,
    label=gettext_lazy("Workflow rule run"),
    # The run keeps its own transaction (actions and run row together) and is idempotent by its
    # final outcome; the job row's own transaction would hide a failed run's log on rollback.
    atomic=False,
    max_attempts=5,
    on_dead=_dead,
)
def rule_run_job(job: Job) -> dict[str, Any]:
    outcome = execute_run(int(job.payload["run_id"]), final=job.attempts >= job.max_attempts)
    return {"outcome": outcome}


# --- testing a rule -------------------------------------------------------------------------------


@dataclass
class TriggerCheck:
    ok: bool
    text: str


@dataclass
class RuleTestResult:
    record_type: str
    record_id: int
    record_label: str
    trigger: TriggerCheck
    conditions_met: bool
    groups: list[list[ConditionCheck]]
    actions: list[ActionOutcome]
    runs_last_hour: int = 0
    rate_limited: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def would_run(self) -> bool:
        return self.trigger.ok and self.conditions_met and not self.rate_limited


def _trigger_check(rule: WorkflowRule, record: Any, now: dt.datetime) -> TriggerCheck:
    fields = fields_for(rule.workspace, rule.record_type)
    kind = rule.trigger
    label = str(TriggerKind(kind).label) if kind in TriggerKind.values else kind
    if kind == TriggerKind.FIELD_CHANGED:
        spec = fields.get(rule.trigger_field)
        if spec is None:
            return TriggerCheck(False, _("The trigger's field no longer exists."))
        return TriggerCheck(
            True,
            _("Runs when %(field)s changes; it is now “%(value)s”.")
            % {"field": spec.label, "value": shown(record_value(spec, record, rule.workspace))},
        )
    if kind == TriggerKind.STATUS_CHANGED:
        spec = fields[STATUS_FIELD[rule.record_type]]
        current = shown(record_value(spec, record, rule.workspace))
        if not rule.trigger_value:
            return TriggerCheck(
                True, _("Runs when it changes; it is now “%(value)s”.") % {"value": current}
            )
        ok = current == rule.trigger_value
        return TriggerCheck(
            ok,
            _("Runs when it changes to “%(wanted)s”; it is now “%(value)s”.")
            % {"wanted": rule.trigger_value, "value": current},
        )
    if kind == TriggerKind.TIME:
        spec = fields.get(rule.trigger_field)
        if spec is None:
            return TriggerCheck(False, _("The trigger's date field no longer exists."))
        day = record_value(spec, record, rule.workspace)
        if day is None:
            return TriggerCheck(
                False,
                _("%(field)s is empty: the rule does not run for this record.")
                % {"field": spec.label},
            )
        fires = day + dt.timedelta(days=rule.offset_days)
        today = now.astimezone(zone(rule.workspace.time_zone)).date()
        if fires < today - dt.timedelta(days=CATCHUP_DAYS):
            return TriggerCheck(
                False,
                _("It would have run on %(day)s (%(field)s: %(date)s); that day has passed.")
                % {"day": fires.isoformat(), "field": spec.label, "date": day.isoformat()},
            )
        return TriggerCheck(
            True,
            _("Runs on %(day)s (%(field)s: %(date)s).")
            % {"day": fires.isoformat(), "field": spec.label, "date": day.isoformat()},
        )
    return TriggerCheck(True, label)


def rule_test(*, rule: WorkflowRule, record: Any, now: dt.datetime | None = None) -> RuleTestResult:
    """Would this rule run for this record, and what would it do? Reads only: no run is logged,
    no job queued, no action taken."""
    now = now or timezone.now()
    kind = record_type_of(record)
    label = str(record)
    if kind != rule.record_type or getattr(record, "workspace_id", None) != rule.workspace_id:
        return RuleTestResult(
            kind,
            record.pk,
            label,
            TriggerCheck(False, _("This rule is for another kind of record.")),
            False,
            [],
            [],
        )
    met, groups = evaluate(
        rule.conditions, record, fields_for(rule.workspace, rule.record_type), rule.workspace, now
    )
    done = RuleRun.objects.filter(
        rule=rule, outcome__in=EXECUTED_OUTCOMES, finished_at__gt=now - dt.timedelta(hours=1)
    ).count()
    result = RuleTestResult(
        kind,
        record.pk,
        label,
        _trigger_check(rule, record, now),
        met,
        groups,
        preview_actions(rule=rule, record=record, now=now),
        runs_last_hour=done,
        rate_limited=done >= rule.max_runs_per_hour,
    )
    if not rule.is_active:
        result.notes.append(_("The rule is switched off: it runs only once you switch it on."))
    return result
