"""Reads of step plans: the templates (workspace configuration) and the runs on the records a
member sees. A run is read through its record's visibility (PlanRun.objects.visible_to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, PermissionDenied
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .choices import RUNNING_STATES, AppliesTo, StepState
from .models import Plan, PlanRun, PlanRunStep, PlanStep

RECENT_ENDED = 5
RUN_LIST_LIMIT = 100


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def may_read_plans(member: Membership) -> bool:
    return member.has(Perm.PLAN_MANAGE) or member.has(Perm.PLAN_RUN)


def require_plan_reader(member: Membership) -> None:
    """Plans are read by who may run or manage them; anybody else gets 403 for every id."""
    if not may_read_plans(member):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )


def _steps_prefetch() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=PlanStep.objects.select_related("executor_user", "event_stage").order_by(
            "position", "id"
        ),
    )


def plans_of(member: Membership, *, applies_to: str = "", active_only: bool = False) -> list[Plan]:
    """The workspace's plans with their steps, by name (two queries)."""
    qs = Plan.objects.filter(workspace_id=member.workspace_id)
    if applies_to:
        qs = qs.filter(applies_to=applies_to)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("name", "id").prefetch_related(_steps_prefetch()))


def plan_get(member: Membership, pk: Any) -> Plan:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise _not_found() from None
    plan = (
        Plan.objects.filter(workspace_id=member.workspace_id, pk=key)
        .prefetch_related(_steps_prefetch())
        .first()
    )
    if plan is None:
        raise _not_found()
    return plan


def _run_steps() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=PlanRunStep.objects.select_related("assignee", "task").order_by(
            "position", "occurrence"
        ),
    )


def runs_visible(member: Membership) -> QuerySet:
    """Whoever sees a record sees the plans running on it (PlanRun.objects.visible_to)."""
    return PlanRun.objects.visible_to(member)


def run_get(member: Membership, pk: Any) -> PlanRun:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise _not_found() from None
    run = (
        runs_visible(member)
        .filter(pk=key)
        .select_related("started_by", "customer", "opportunity")
        .prefetch_related(_run_steps())
        .first()
    )
    if run is None:
        raise _not_found()
    return run


def runs_list(
    member: Membership, *, target: Any = None, state: str = "", limit: int = RUN_LIST_LIMIT
) -> list[PlanRun]:
    """Runs the member sees (on one record when given), newest first, steps prefetched."""
    qs = runs_visible(member)
    if target is not None:
        qs = qs.filter(**{target.AUDIT_TYPE: target})
    if state:
        qs = qs.filter(state=state)
    return list(
        qs.select_related("started_by")
        .prefetch_related(_run_steps())
        .order_by("-started_at", "-id")[:limit]
    )


@dataclass
class RunView:
    """A run as the record's panel shows it: its steps (a recurring step's occurrences folded
    into one line with its count) and the progress."""

    run: PlanRun
    steps: list[PlanRunStep] = field(default_factory=list)
    done: int = 0

    @property
    def percent(self) -> int:
        total = self.run.step_count or 1
        return int(100 * self.done / total)


def _fold(run: PlanRun) -> RunView:
    view = RunView(run=run)
    latest: dict[int, PlanRunStep] = {}
    counts: dict[int, int] = {}
    for step in run.steps.all():
        latest[step.position] = step  # ordered by occurrence: the last one wins
        if step.state == StepState.DONE:
            counts[step.position] = counts.get(step.position, 0) + 1
    for position in sorted(latest):
        step = latest[position]
        step.done_count = counts.get(position, 0)  # type: ignore[attr-defined]
        view.steps.append(step)
        # A recurring step's next occurrence is made when one is done: its latest occurrence is
        # done only once the series is over.
        if step.state == StepState.DONE:
            view.done += 1
    return view


@dataclass
class Panel:
    running: list[RunView]
    ended: list[RunView]
    startable: list[Plan]
    can_run: bool
    kind: str


def record_panel(member: Membership, record: Any) -> Panel:
    """The step plans panel of a customer's or an opportunity's page (the caller read the record
    through visible_to): running plans, the latest ended ones, and the plans that can start."""
    kind = record.AUDIT_TYPE
    runs = (
        PlanRun.objects.filter(workspace_id=member.workspace_id, **{kind: record})
        .select_related("started_by")
        .prefetch_related(_run_steps())
        .order_by("-started_at", "-id")
    )
    running = [_fold(r) for r in runs.filter(state__in=RUNNING_STATES)]
    ended = [_fold(r) for r in runs.exclude(state__in=RUNNING_STATES)[:RECENT_ENDED]]
    can_run = member.has(Perm.PLAN_RUN)
    startable: list[Plan] = []
    if can_run and kind in AppliesTo.values:
        busy = {v.run.plan_id for v in running}
        startable = [
            p
            for p in Plan.objects.filter(
                workspace_id=member.workspace_id, applies_to=kind, is_active=True
            ).order_by("name", "id")
            if p.pk not in busy
        ]
    return Panel(running=running, ended=ended, startable=startable, can_run=can_run, kind=kind)
