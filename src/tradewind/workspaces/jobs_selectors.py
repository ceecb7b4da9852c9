"""Reads of the job log and the schedules page: the workspace's own rows only.

Jobs list newest first with keyset paging on the id (index job_workspace_idx, or
job_ws_state_idx with a state filter); the counts per state read the latter index. The schedules
overview is three queries whatever the number of schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.http import Http404

from .jobs import job_types
from .models import Membership
from .models_jobs import Job, JobState, ScheduleRun
from .schedules import Schedule, all_schedules

PAGE_SIZE = 50
LIST_FIELDS = (
    "pk",
    "workspace_id",
    "kind",
    "state",
    "attempts",
    "max_attempts",
    "run_after",
    "created_at",
    "started_at",
    "finished_at",
)


def kind_label(kind: str) -> str:
    item = job_types().get(kind)
    return str(item.label) if item is not None else kind


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((k, str(t.label)) for k, t in job_types().items()), key=lambda c: c[1])


@dataclass(frozen=True)
class JobPage:
    items: list[Job]
    next_before: int | None


def _cursor(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def jobs_page(
    member: Membership,
    *,
    state: str = "",
    kind: str = "",
    before: Any = None,
    limit: int = PAGE_SIZE,
) -> JobPage:
    """The workspace's jobs newest first; `before` is the id the previous page ended on."""
    qs = Job.objects.filter(workspace_id=member.workspace_id)
    if state in JobState.values:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    cursor = _cursor(before)
    if cursor is not None:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.only(*LIST_FIELDS).order_by("-id")[: limit + 1])
    for job in rows:
        job.kind_label = kind_label(job.kind)  # type: ignore[attr-defined]
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(items=rows, next_before=rows[-1].pk if more and rows else None)


def job_counts(member: Membership) -> dict[str, int]:
    counts = {state: 0 for state in JobState.values}
    for row in (
        Job.objects.filter(workspace_id=member.workspace_id)
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["state"]] = row["n"]
    return counts


def job_get(member: Membership, job_id: int) -> Job:
    """One job of the member's workspace; any other answers 404."""
    job = Job.objects.filter(pk=job_id, workspace_id=member.workspace_id).first()
    if job is None:
        raise Http404
    job.kind_label = kind_label(job.kind)  # type: ignore[attr-defined]
    return job


# --- schedules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    schedule: Schedule
    last: ScheduleRun | None
    last_failure: ScheduleRun | None

    @property
    def shared(self) -> bool:
        """Runs once for all workspaces: its results are not this workspace's to show."""
        return not self.schedule.per_workspace


def schedules_overview(member: Membership) -> list[ScheduleRow]:
    items = all_schedules()
    own = [s.name for s in items if s.per_workspace]
    shared = [s.name for s in items if not s.per_workspace]
    scope = Q(schedule__in=own, workspace_id=member.workspace_id) | Q(
        schedule__in=shared, workspace__isnull=True
    )
    grouped = (
        ScheduleRun.objects.filter(scope)
        .values("schedule")
        .annotate(last=Max("id"), failed=Max("id", filter=Q(ok=False)))
        .order_by()
    )
    ids = {row["schedule"]: (row["last"], row["failed"]) for row in grouped}
    wanted = {pk for pair in ids.values() for pk in pair if pk}
    runs = ScheduleRun.objects.in_bulk(wanted) if wanted else {}
    rows = []
    for item in items:
        last_id, failed_id = ids.get(item.name, (None, None))
        rows.append(
            ScheduleRow(
                schedule=item,
                last=runs.get(last_id) if last_id else None,
                last_failure=runs.get(failed_id) if failed_id else None,
            )
        )
    return rows
