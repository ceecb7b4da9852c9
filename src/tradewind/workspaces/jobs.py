"""Durable jobs: background work kept in a table with state and a lease.

Huey is the doorbell, the `Job` row is the work. `job_enqueue()` writes the row in the caller's
transaction (a rollback queues nothing) and rings huey after commit; huey's task, the once-a-minute
sweeper and `tradewind jobs work` all run jobs the same way:

1. claim: one conditional UPDATE takes a due job (queued and `run_after` passed, or running with
   an expired lease) and gives it a lease owned by this worker, so two workers never both hold it;
2. run the registered handler;
3. finish: mark it done only while the lease is still ours.

An *atomic* job type (the default) runs its handler and the finish in one transaction that first
locks the job row: a worker killed mid-job rolls everything back, the lease runs out, the next
worker runs it again and the effect happens once. Handlers that talk to the outside world (SMTP,
HTTP) are registered `atomic=False`: they must not hold a database transaction over the network,
so they keep their own progress rows and give the outside world a stable id to deduplicate
(webhook-id, Message-ID); their effect is at-least-once.

A failure schedules a retry with backoff until `max_attempts`, then the job is dead and its type's
`on_dead` hook runs (e.g. tell the owner).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise

from .models import Workspace
from .models_jobs import Job, JobState

log = logging.getLogger(__name__)

Handler = Callable[[Job], dict[str, Any] | None]


def default_backoff(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th failure: 1, 2, 4 … minutes, at most six hours."""
    return int(min(60 * 2 ** max(attempt - 1, 0), 6 * 3600))


@dataclass(frozen=True)
class JobType:
    kind: str
    handler: Handler
    label: Promise | str
    atomic: bool = True
    lease_seconds: int = 300
    max_attempts: int = 5
    backoff: Callable[[int], int] = default_backoff
    on_dead: Callable[[Job], None] | None = None


_types: dict[str, JobType] = {}


def job_type(
    kind: str,
    *,
    label: Promise | str,
    atomic: bool = True,
    lease_seconds: int = 300,
    max_attempts: int = 5,
    backoff: Callable[[int], int] = default_backoff,
    on_dead: Callable[[Job], None] | None = None,
) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind (at import time of the app's jobs module)."""

    def register(handler: Handler) -> Handler:
        _types[kind] = JobType(
            kind=kind,
            handler=handler,
            label=label,
            atomic=atomic,
            lease_seconds=lease_seconds,
            max_attempts=max_attempts,
            backoff=backoff,
            on_dead=on_dead,
        )
        return handler

    return register


def job_types() -> dict[str, JobType]:
    return dict(_types)


class LeaseLost(Exception):
    """Another worker took the job over (our lease ran out): our work must not count."""


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


# --- queueing -------------------------------------------------------------------------------------


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    workspace: Workspace | None = None,
    key: str = "",
    run_after: dt.datetime | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Queue work in the caller's transaction. With a `key`, the same (kind, key) queued twice gives
    the first job back and queues nothing more."""
    job_kind = _types.get(kind)
    if job_kind is None:
        raise ValueError(f"unknown job kind {kind!r}")
    if key:
        existing = Job.objects.filter(kind=kind, key=key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            job = Job.objects.create(
                workspace=workspace,
                kind=kind,
                payload=payload or {},
                key=key,
                run_after=run_after or now,
                max_attempts=max_attempts or job_kind.max_attempts,
                created_at=now,
            )
    except IntegrityError:
        return Job.objects.get(kind=kind, key=key)
    if run_after is None or run_after <= now:
        job_id = job.pk
        transaction.on_commit(lambda: ring(job_id))
    return job


def ring(job_id: int) -> None:
    """Tell huey there is work. Losing the ring loses nothing: the sweeper finds the row."""
    from .tasks_jobs import run_job

    try:
        run_job(job_id)
    except Exception:  # the queue being down must not fail the caller's request
        log.exception("could not hand job %s to huey; the sweeper will run it", job_id)


# --- running --------------------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    return Q(state=JobState.QUEUED, run_after__lte=now) | Q(
        state=JobState.RUNNING, lease_until__lt=now
    )


def job_claim(*, worker: str, job_id: int | None = None) -> Job | None:
    """Take one due job (a given one, or the oldest due) with a lease; None when there is none."""
    now = timezone.now()
    candidates = Job.objects.filter(_due(now))
    if job_id is not None:
        candidates = candidates.filter(pk=job_id)
    for pk, kind in candidates.order_by("run_after", "id").values_list("pk", "kind")[:20]:
        job_kind = _types.get(kind)
        if job_kind is None:
            Job.objects.filter(pk=pk, state=JobState.QUEUED).update(
                state=JobState.DEAD, last_error=f"unknown job kind {kind!r}", finished_at=now
            )
            continue
        taken = Job.objects.filter(_due(now), pk=pk).update(
            state=JobState.RUNNING,
            lease_owner=worker,
            lease_until=now + dt.timedelta(seconds=job_kind.lease_seconds),
            attempts=F("attempts") + 1,
            started_at=now,
        )
        if taken:
            return Job.objects.get(pk=pk)
    return None


def job_heartbeat(job: Job, *, worker: str) -> None:
    """Extend the lease of a long non-atomic job; raises LeaseLost if it was taken over."""
    job_kind = _types[job.kind]
    until = timezone.now() + dt.timedelta(seconds=job_kind.lease_seconds)
    if not Job.objects.filter(pk=job.pk, lease_owner=worker, state=JobState.RUNNING).update(
        lease_until=until
    ):
        raise LeaseLost(job.pk)


def _finish(job: Job, *, worker: str, result: dict[str, Any]) -> None:
    done = Job.objects.filter(pk=job.pk, lease_owner=worker, state=JobState.RUNNING).update(
        state=JobState.DONE, finished_at=timezone.now(), result=result, lease_until=None
    )
    if not done:
        raise LeaseLost(job.pk)


def _fail(job: Job, *, worker: str, error: str) -> str:
    job_kind = _types[job.kind]
    now = timezone.now()
    mine = Job.objects.filter(pk=job.pk, lease_owner=worker, state=JobState.RUNNING)
    if job.attempts >= job.max_attempts:
        if mine.update(state=JobState.DEAD, last_error=error, finished_at=now, lease_until=None):
            job.refresh_from_db()
            if job_kind.on_dead is not None:
                try:
                    job_kind.on_dead(job)
                except Exception:
                    log.exception("on_dead of job %s failed", job.pk)
        return JobState.DEAD
    mine.update(
        state=JobState.QUEUED,
        last_error=error,
        run_after=now + dt.timedelta(seconds=job_kind.backoff(job.attempts)),
        lease_until=None,
    )
    return JobState.QUEUED


def job_run(job: Job, *, worker: str) -> str:
    """Run a claimed job; returns its new state ("lost" when another worker took it over)."""
    job_kind = _types[job.kind]
    try:
        if job_kind.atomic:
            with transaction.atomic():
                # Holding the row lock (PostgreSQL) or the write lock (SQLite) means a second
                # worker cannot take the job over until this transaction ends.
                list(Job.objects.select_for_update().filter(pk=job.pk).values_list("pk", flat=True))
                result = job_kind.handler(job) or {}
                _finish(job, worker=worker, result=result)
        else:
            result = job_kind.handler(job) or {}
            _finish(job, worker=worker, result=result)
    except LeaseLost:
        log.warning("job %s was taken over by another worker", job.pk)
        return "lost"
    except Exception as exc:
        log.warning("job %s (%s) failed: %s", job.pk, job.kind, exc)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return _fail(job, worker=worker, error=detail[:4000])
    return JobState.DONE


def jobs_work(
    *,
    worker: str | None = None,
    once: bool = False,
    seconds: float | None = None,
    limit: int | None = None,
    idle_sleep: float = 1.0,
) -> int:
    """Run due jobs one after another. `once`: stop when nothing is due; `seconds`: stop after
    that long; `limit`: stop after that many jobs. Returns how many were run."""
    worker = worker or worker_name()
    deadline = time.monotonic() + seconds if seconds is not None else None
    count = 0
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            break
        if limit is not None and count >= limit:
            break
        job = job_claim(worker=worker)
        if job is None:
            if once:
                break
            time.sleep(idle_sleep)
            continue
        job_run(job, worker=worker)
        count += 1
    return count


def job_run_now(job_id: int, *, worker: str | None = None) -> str | None:
    """Claim and run one given job if it is due (huey's task and tests use this)."""
    worker = worker or worker_name()
    job = job_claim(worker=worker, job_id=job_id)
    if job is None:
        return None
    return job_run(job, worker=worker)
