"""Time-relative triggers ("3 days before the expected close date", "1 day after the next
follow-up is due"): an hourly scan per workspace.

A rule with offset N fires for a record on the workspace-local day `date + N`. Each scan queues
the runs of the records whose day is today (or yesterday: CATCHUP_DAYS makes up a missed scan),
keyed (rule, record, date): a record fires once per date, however often the scan runs, and again
only when its date moves. The conditions are checked when the run runs, on the fresh record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from tradewind.workspaces.daily_jobs import day_start, local_date
from tradewind.workspaces.models import Workspace

from .catalogue import fields_for, record_model
from .choices import TriggerKind
from .conditions import record_value
from .models import RuleRun, WorkflowRule
from .rules_engine import CATCHUP_DAYS, queue_run

BATCH = 2000
KEEP_RUNS_DAYS = 90


def _due_records(
    rule: WorkflowRule, workspace: Workspace, today: dt.date
) -> models.QuerySet | None:
    spec = fields_for(workspace, rule.record_type).get(rule.trigger_field)
    if spec is None or not spec.column:
        return None
    model = record_model(rule.record_type)
    # fires on date + offset, within [today - CATCHUP_DAYS, today]
    first = today - dt.timedelta(days=CATCHUP_DAYS + rule.offset_days)
    last = today - dt.timedelta(days=rule.offset_days)
    column = model._meta.get_field(spec.column)
    qs = model.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
    if isinstance(column, models.DateTimeField):
        start, end = day_start(first, workspace), day_start(last + dt.timedelta(days=1), workspace)
        return qs.filter(**{f"{spec.column}__gte": start, f"{spec.column}__lt": end})
    return qs.filter(**{f"{spec.column}__gte": first, f"{spec.column}__lte": last})


def rules_time_scan(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, Any]:
    """Queue the time-triggered runs due in this workspace; idempotent (run keys)."""
    now = now or timezone.now()
    today = local_date(now, workspace)
    rules = list(
        WorkflowRule.objects.filter(
            workspace=workspace, is_active=True, trigger=TriggerKind.TIME
        ).select_related("workspace")
    )
    queued = 0
    for rule in rules:
        records = _due_records(rule, workspace, today)
        if records is None:
            continue
        spec = fields_for(workspace, rule.record_type)[rule.trigger_field]
        for chunk_start in range(0, 10**9, BATCH):
            chunk = list(records.order_by("pk")[chunk_start : chunk_start + BATCH])
            if not chunk:
                break
            keys = {}
            for record in chunk:
                day = record_value(spec, record, workspace)
                if day is not None:
                    keys[f"t:{rule.pk}:{record.pk}:{day.isoformat()}"] = (record, day)
            seen = set(RuleRun.objects.filter(run_key__in=keys).values_list("run_key", flat=True))
            for key, (record, day) in keys.items():
                if key in seen:
                    continue
                queue_run(
                    rule=rule,
                    record_id=record.pk,
                    event="time",
                    data={"date": day.isoformat(), "field": rule.trigger_field},
                    chain=[],
                    run_key=key,
                )
                queued += 1
    return {"rules": len(rules), "queued": queued}


def rule_runs_prune(*, now: dt.datetime | None = None) -> int:
    """The run log keeps KEEP_RUNS_DAYS days."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=KEEP_RUNS_DAYS)
    deleted, _by_model = RuleRun.objects.filter(created_at__lt=cutoff).delete()
    return deleted
