"""What moves runs from outside: the domain events a waiting step cares about, the durable job
that settles the runs concerned, and the notification kind of a due step. Imported once by
wiring.connect().

An event handler only looks up which active runs wait for that kind of event on that record (one
indexed query) and queues a durable job for them; the job settles each run, which reads the
records again (engine.event_met), so a replayed or a late event does no harm.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind
from tradewind.workspaces.events import subscribe
from tradewind.workspaces.jobs import job_enqueue, job_type
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.models_jobs import Job

from . import engine
from .choices import RunState, StepEvent

SETTLE_JOB = "plans.settle"

KINDS["plan.step_due"] = Kind(
    _("A plan step is due"),
    _("%(plan)s: %(title)s (%(record)s)"),
    "bi-signpost-split",
)


@job_type(SETTLE_JOB, label=_("Advance step plans"))
def settle_job(job: Job) -> dict[str, Any]:
    completed = 0
    for run_id in job.payload.get("run_ids", []):
        run = engine.lock_run(int(run_id))
        if run is not None and run.state == RunState.ACTIVE:
            completed += engine.settle(run)
    return {"completed": completed}


def _queue(payload: dict[str, Any], event: str, filters: Q, name: str) -> None:
    run_ids = engine.waiting_run_ids(event=event, filters=filters)
    if not run_ids:
        return
    workspace = Workspace.objects.filter(pk=int(payload.get("workspace_id") or 0)).first()
    job_enqueue(kind=SETTLE_JOB, payload={"run_ids": run_ids, "event": name}, workspace=workspace)


def on_task_completed(name: str, payload: dict[str, Any]) -> None:
    _queue(payload, StepEvent.TASK_DONE, Q(task_id=payload.get("task_id")), name)


def on_followup(name: str, payload: dict[str, Any]) -> None:
    kind, pk = payload.get("target_type"), payload.get("target_id")
    if kind not in ("customer", "opportunity") or pk is None:
        return
    _queue(payload, StepEvent.FOLLOWUP, Q(**{f"run__{kind}_id": pk}), name)


def on_opportunity_stage(name: str, payload: dict[str, Any]) -> None:
    pk = payload.get("opportunity_id")
    _queue(payload, StepEvent.OPPORTUNITY_STAGE, Q(run__opportunity_id=pk), name)


def on_customer_stage(name: str, payload: dict[str, Any]) -> None:
    pk = payload.get("customer_id")
    filters = Q(run__customer_id=pk) | Q(run__opportunity__customer_id=pk)
    _queue(payload, StepEvent.CUSTOMER_STAGE, filters, name)


def connect() -> None:
    subscribe("task.completed", on_task_completed)
    subscribe("followup.recorded", on_followup)
    for name in ("opportunity.stage_changed", "opportunity.closed", "opportunity.reopened"):
        subscribe(name, on_opportunity_stage)
    subscribe("customer.stage_changed", on_customer_stage)
