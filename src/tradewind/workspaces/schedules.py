"""Schedules: periodic work, run per workspace, each run kept as a `ScheduleRun` row.

    from huey import crontab
    from tradewind.workspaces.schedules import schedule

    @schedule("leads.daily", label=_("Lead pool jobs"), cron=crontab(minute="5"))
    def leads_daily(*, workspace, now):
        return {"recycled": 3}  # a dict, a count, a list (its length is kept) or None

The decorator registers the function here (the schedules page lists it) and a huey periodic task
`schedule.<name>` that calls `schedule_run(name)` at every tick of `cron` (huey's clock is UTC).
`per_workspace=True` (the default) calls the function once per workspace, each in its own
transaction that also writes that workspace's `ScheduleRun` row: an exception rolls back that
workspace's work only, is recorded on an error row and the next workspace runs.
`per_workspace=False` calls `fn(*, now)` once and keeps one row with no workspace.
`atomic=False` is for work that talks to the network (IMAP polling): no transaction is held
around it, and the function keeps its own progress.

A schedule must be idempotent: a tick can run twice (two consumers, a "run now" beside the
periodic run, a crash before the run row was written) and must change nothing more the second
time. Daily work keeps a once-a-day table (workspaces/daily_jobs.py) or a notification key.

The periodic tick runs in huey's consumer directly, not through the job table: a tick lost to a
killed worker is made up by the next tick, because every schedule works on what is due rather than
on what the tick names. "Run now" from the schedules page queues a durable job
(`schedules.run`, jobs_builtin.py) for the admin's workspace only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from .models import Workspace
from .models_jobs import ScheduleRun

log = logging.getLogger(__name__)

Cron = Callable[[dt.datetime], bool]


@dataclass(frozen=True)
class Schedule:
    name: str
    label: Promise | str
    cron: Cron
    fn: Callable[..., Any]
    per_workspace: bool = True
    atomic: bool = True
    # Work done once a day after this hour of the workspace's clock (the function checks it; the
    # page says it). None: the function does its work at every tick.
    daily_at: int | None = None

    @property
    def when(self) -> str:
        from .schedules_words import describe

        return describe(self)


_schedules: dict[str, Schedule] = {}
_loaded = False


def schedule(
    name: str,
    *,
    label: Promise | str,
    cron: Cron,
    per_workspace: bool = True,
    atomic: bool = True,
    daily_at: int | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a periodic function `fn(*, workspace, now)` (or `fn(*, now)` when
    `per_workspace=False`) run at every tick of the huey crontab `cron`."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        first = name not in _schedules
        _schedules[name] = Schedule(
            name=name,
            label=label,
            cron=cron,
            fn=fn,
            per_workspace=per_workspace,
            atomic=atomic,
            daily_at=daily_at,
        )
        if first:
            _periodic(name, cron)
        return fn

    return register


def _periodic(name: str, cron: Cron) -> None:
    from huey.contrib.djhuey import db_periodic_task

    def tick() -> int:
        return len(schedule_run(name))

    tick.__name__ = tick.__qualname__ = "schedule_" + name.replace(".", "_")
    db_periodic_task(cron, name=f"schedule.{name}")(tick)


def schedules_load() -> None:
    """Import every app's tasks module (where schedules are declared) once: the web process and
    `tradewind jobs work` do not autoload them the way huey's consumer does."""
    global _loaded
    if _loaded:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    _loaded = True


def all_schedules() -> list[Schedule]:
    schedules_load()
    return sorted(_schedules.values(), key=lambda s: s.name)


def get_schedule(name: str) -> Schedule | None:
    schedules_load()
    return _schedules.get(name)


# --- running --------------------------------------------------------------------------------------


def _summary(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if isinstance(result, dict):
        value: Any = result
    elif isinstance(result, (list, tuple, set)):
        value = {"count": len(result)}
    else:
        value = {"count": result}
    # Stored as JSON: dates and decimals become strings rather than failing the run.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]


def _run_one(item: Schedule, workspace: Workspace | None, now: dt.datetime) -> ScheduleRun:
    started = timezone.now()
    kwargs: dict[str, Any] = {"now": now}
    if item.per_workspace:
        kwargs["workspace"] = workspace
    try:
        if item.atomic:
            # The run row commits with the work it describes.
            with transaction.atomic():
                result = _summary(item.fn(**kwargs))
                return ScheduleRun.objects.create(
                    schedule=item.name,
                    workspace=workspace,
                    started_at=started,
                    finished_at=timezone.now(),
                    ok=True,
                    result=result,
                )
        result = _summary(item.fn(**kwargs))
        return ScheduleRun.objects.create(
            schedule=item.name,
            workspace=workspace,
            started_at=started,
            finished_at=timezone.now(),
            ok=True,
            result=result,
        )
    except Exception as exc:
        log.exception(
            "schedule %s failed for workspace %s", item.name, workspace.pk if workspace else "-"
        )
        return ScheduleRun.objects.create(
            schedule=item.name,
            workspace=workspace,
            started_at=started,
            finished_at=timezone.now(),
            ok=False,
            error=_error_text(exc),
        )


def schedule_run(
    name: str, *, workspace: Workspace | None = None, now: dt.datetime | None = None
) -> list[ScheduleRun]:
    """Run a schedule now: for one workspace, or (the periodic tick) for every workspace; returns
    the run rows written. A per-workspace-less schedule ignores `workspace`."""
    item = get_schedule(name)
    if item is None:
        raise ValueError(f"unknown schedule {name!r}")
    now = now or timezone.now()
    if not item.per_workspace:
        return [_run_one(item, None, now)]
    workspaces = [workspace] if workspace is not None else Workspace.objects.order_by("pk")
    return [_run_one(item, ws, now) for ws in workspaces]
