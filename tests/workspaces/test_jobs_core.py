"""The durable job runner: claim with a lease, finish once, retry with backoff, die, dedupe by key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradewind.activities.models import Notification
from tradewind.workspaces.jobs import job_claim, job_enqueue, job_run, job_type, jobs_work
from tradewind.workspaces.models_jobs import Job, JobState

CALLS: list[int] = []


@job_type("test.note", label="test note")
def _note(job: Job) -> dict:
    CALLS.append(job.pk)
    if job.payload.get("fail_times", 0) >= job.attempts:
        raise RuntimeError("boom")
    Notification.objects.create(
        workspace_id=job.workspace_id, user_id=job.payload["user_id"], kind="test", key=str(job.pk)
    )
    return {"ok": True}


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


def test_enqueued_job_runs_after_commit_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            kind="test.note", workspace=world.ws, payload={"user_id": world.rep.user_id}
        )
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 1 and job.result == {"ok": True}
    assert Notification.objects.filter(kind="test").count() == 1
    assert jobs_work(once=True) == 0  # nothing more is due


def test_failure_retries_with_backoff_then_dies(world):
    job = job_enqueue(
        kind="test.note",
        workspace=world.ws,
        payload={"user_id": world.rep.user_id, "fail_times": 9},
        max_attempts=2,
    )
    assert jobs_work(once=True) == 1
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and "boom" in job.last_error
    assert job.run_after > timezone.now() + dt.timedelta(seconds=50)
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs_work(once=True) == 1
    job.refresh_from_db()
    assert job.state == JobState.DEAD and job.attempts == 2
    assert not Notification.objects.filter(kind="test").exists()  # failed work rolled back


def test_same_key_queues_once(world):
    first = job_enqueue(kind="test.note", workspace=world.ws, key="k1", payload={"user_id": 1})
    again = job_enqueue(kind="test.note", workspace=world.ws, key="k1", payload={"user_id": 2})
    assert first.pk == again.pk and Job.objects.filter(key="k1").count() == 1


def test_expired_lease_is_taken_over_and_the_late_worker_does_not_count(world):
    job = job_enqueue(kind="test.note", workspace=world.ws, payload={"user_id": world.rep.user_id})
    first = job_claim(worker="w1")
    assert first is not None and first.pk == job.pk
    assert job_claim(worker="w2") is None  # leased
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    second = job_claim(worker="w2")
    assert second is not None and second.attempts == 2
    assert job_run(first, worker="w1") == "lost"  # w1 woke up late: its work rolled back
    assert job_run(second, worker="w2") == JobState.DONE
    assert Notification.objects.filter(kind="test").count() == 1
