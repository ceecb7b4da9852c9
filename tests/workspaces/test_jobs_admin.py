"""The job log: retry and cancel (services, pages, API), the list with filters, keyset pages,
counts and an empty state, the detail, the worker check; permissions and workspace isolation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tradewind.core.errors import Conflict, NotFound, PermissionDenied
from tradewind.workspaces import jobs_services as services
from tradewind.workspaces.jobs import jobs_work
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import Job, JobState


def make_job(ws, *, state=JobState.DEAD, kind="jobs.probe", **extra) -> Job:
    values = {"attempts": 3, "max_attempts": 3, "last_error": "RuntimeError: boom"}
    if state == JobState.QUEUED:
        values = {"attempts": 0}
    values["payload"] = {"seconds": 0}
    values.update(extra)
    return Job.objects.create(workspace=ws, kind=kind, state=state, **values)


def snapshot(job: Job) -> tuple:
    job.refresh_from_db()
    return (job.state, job.attempts, job.run_after, job.finished_at)


# --- services -------------------------------------------------------------------------------------


def test_retry_queues_a_dead_job_now_with_attempts_reset_and_it_runs(
    world, django_capture_on_commit_callbacks
):
    job = make_job(world.ws, finished_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.job_retry(actor=world.actor(world.owner), job_id=job.pk)
    job.refresh_from_db()
    # huey is immediate in tests: the ring after commit ran it at once
    assert job.state == JobState.DONE and job.attempts == 1
    event = AuditEvent.objects.get(action="job_retried", target_id=job.pk)
    assert event.changes["state"] == ["dead", "queued"]
    assert AuditEvent.objects.filter(action="worker_probe", target_id=job.pk).count() == 1


def test_retry_a_cancelled_job(world):
    job = make_job(world.ws, state=JobState.CANCELLED)
    services.job_retry(actor=world.actor(world.owner), job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.attempts == 0 and job.finished_at is None


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.DONE])
def test_retry_refuses_a_job_that_did_not_fail(world, state):
    job = make_job(world.ws, state=state)
    before = snapshot(job)
    with pytest.raises(Conflict) as exc:
        services.job_retry(actor=world.actor(world.owner), job_id=job.pk)
    assert exc.value.code == "job_not_retryable"
    assert snapshot(job) == before


def test_cancel_a_queued_job_then_it_does_not_run(world):
    job = make_job(world.ws, state=JobState.QUEUED)
    services.job_cancel(actor=world.actor(world.owner), job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.finished_at is not None
    assert jobs_work(once=True) == 0
    assert AuditEvent.objects.filter(action="job_cancelled", target_id=job.pk).count() == 1


@pytest.mark.parametrize("state", [JobState.RUNNING, JobState.DONE, JobState.DEAD])
def test_cancel_refuses_a_job_that_is_not_queued(world, state):
    job = make_job(world.ws, state=state)
    before = snapshot(job)
    with pytest.raises(Conflict) as exc:
        services.job_cancel(actor=world.actor(world.owner), job_id=job.pk)
    assert exc.value.code == "job_not_cancellable"
    assert snapshot(job) == before


@pytest.mark.parametrize("action", [services.job_retry, services.job_cancel])
def test_services_refuse_without_permission_and_across_workspaces(world, action):
    dead = make_job(world.ws)
    queued = make_job(world.ws, state=JobState.QUEUED)
    before = (snapshot(dead), snapshot(queued))
    for job in (dead, queued):
        with pytest.raises(PermissionDenied):
            action(actor=world.actor(world.manager), job_id=job.pk)
        with pytest.raises(NotFound):
            action(actor=world.actor(world.owner2), job_id=job.pk)
    system_job = Job.objects.create(workspace=None, kind="jobs.probe", state=JobState.DEAD)
    with pytest.raises(NotFound):
        action(actor=world.actor(world.owner), job_id=system_job.pk)
    assert (snapshot(dead), snapshot(queued)) == before
    assert not AuditEvent.objects.filter(action__in=["job_retried", "job_cancelled"]).exists()


def test_worker_check_queues_the_probe_which_leaves_one_audit_row(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.worker_check(actor=world.actor(world.owner))
    job.refresh_from_db()
    assert job.kind == "jobs.probe" and job.state == JobState.DONE
    assert AuditEvent.objects.filter(action="worker_probe", target_id=job.pk).count() == 1
    with pytest.raises(PermissionDenied):
        services.worker_check(actor=world.actor(world.rep))


# --- pages ----------------------------------------------------------------------------------------


def test_job_log_lists_newest_first_with_counts_filters_and_pages(
    world, client_for, django_assert_max_num_queries
):
    jobs = [make_job(world.ws, state=JobState.DONE, attempts=1) for _ in range(53)]
    failed = make_job(world.ws)
    make_job(world.ws2, last_error="BETA-SECRET")
    client = client_for(world.owner)
    with django_assert_max_num_queries(12):
        resp = client.get("/settings/jobs/")
    page = resp.content.decode()
    assert resp.status_code == 200
    assert page.count('data-testid="job-row"') == 50
    assert f"/settings/jobs/{failed.pk}/" in page  # newest first
    assert f"/settings/jobs/{jobs[0].pk}/" not in page
    assert "任务进程检查" in page and "BETA-SECRET" not in page  # the kind's label, in zh-Hans
    assert 'data-testid="count-done"' in page and ">53<" in page
    older = client.get(
        f"/settings/jobs/?before={jobs[3].pk}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-results"
    )
    body = older.content.decode()
    assert "<html" not in body and body.count('data-testid="job-row"') == 3
    only_dead = client.get("/settings/jobs/?state=dead").content.decode()
    assert only_dead.count('data-testid="job-row"') == 1
    other_kind = client.get("/settings/jobs/?kind=schedules.run").content.decode()
    assert 'data-testid="empty-state"' in other_kind and "没有符合筛选条件的任务" in other_kind


def test_job_log_empty_state_and_permission(world, client_for):
    resp = client_for(world.owner).get("/settings/jobs/")
    assert resp.status_code == 200 and b'data-testid="empty-state"' in resp.content
    assert client_for(world.manager).get("/settings/jobs/").status_code == 403
    assert b'data-testid="settings-jobs"' in client_for(world.owner).get("/settings/").content
    assert (
        b'data-testid="settings-jobs"'
        not in client_for(world.manager).get("/settings/rates/").content
    )


def test_job_detail_shows_payload_error_and_buttons(world, client_for):
    job = make_job(world.ws, payload={"seconds": 0, "note": "détail 中文"})
    page = client_for(world.owner).get(f"/settings/jobs/{job.pk}/").content.decode()
    assert "RuntimeError: boom" in page and "détail 中文" in page
    assert 'data-testid="job-retry"' in page and 'data-testid="job-cancel"' not in page
    assert client_for(world.owner2).get(f"/settings/jobs/{job.pk}/").status_code == 404
    assert client_for(world.manager).get(f"/settings/jobs/{job.pk}/").status_code == 403


def test_job_detail_in_chinese(world, client_for):
    job = make_job(world.ws)
    client = client_for(world.owner)
    client.cookies["tradewind_language"] = "zh-hans"
    page = client.get(f"/settings/jobs/{job.pk}/").content.decode()
    assert "重新运行" in page and "最近错误" in page


@pytest.mark.parametrize("route", ["retry", "cancel"])
def test_page_actions_authorization(world, client, client_for, route):
    job = make_job(world.ws, state=JobState.DEAD if route == "retry" else JobState.QUEUED)
    url = f"/settings/jobs/{job.pk}/{route}/"
    before = snapshot(job)
    assert client.post(url).status_code == 302 and "/accounts/" in client.post(url)["Location"]
    assert client_for(world.owner2).post(url).status_code == 404
    assert client_for(world.manager).post(url).status_code == 403
    assert client_for(world.owner).get(url).status_code == 405
    assert snapshot(job) == before
    resp = client_for(world.owner).post(url)
    assert resp.status_code == 302 and resp["Location"] == f"/settings/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == (JobState.QUEUED if route == "retry" else JobState.CANCELLED)


def test_page_refusal_is_a_translated_message(world, client_for):
    job = make_job(world.ws, state=JobState.DONE)
    client = client_for(world.owner)
    client.cookies["tradewind_language"] = "zh-hans"
    resp = client.post(f"/settings/jobs/{job.pk}/cancel/", follow=True)
    assert "只能取消排队中的任务" in resp.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_worker_check_button(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(world.owner).post("/settings/jobs/check/")
    job = Job.objects.get(workspace=world.ws, kind="jobs.probe")
    assert resp["Location"] == f"/settings/jobs/{job.pk}/"
    assert job.state == JobState.DONE
    assert client_for(world.manager).post("/settings/jobs/check/").status_code == 403


# --- API ------------------------------------------------------------------------------------------


def test_api_lists_filters_and_pages(world, api, token_for, django_assert_max_num_queries):
    for _ in range(3):
        make_job(world.ws, state=JobState.DONE, attempts=1)
    dead = make_job(world.ws)
    make_job(world.ws2)
    token = token_for(world.owner)
    with django_assert_max_num_queries(10):
        data = api("get", "/jobs?limit=2", token=token).json()
    assert data["items"][0]["id"] == dead.pk and len(data["items"]) == 2
    rest = api("get", f"/jobs?limit=5&cursor={data['next_cursor']}", token=token).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    dead_only = api("get", "/jobs?state=dead", token=token).json()["items"]
    assert [j["id"] for j in dead_only] == [dead.pk]
    assert dead_only[0]["kind"] == "jobs.probe" and dead_only[0]["kind_label"] == "任务进程检查"
    counts = api("get", "/jobs/counts", token=token).json()
    assert counts == {"queued": 0, "running": 0, "done": 3, "dead": 1, "cancelled": 0}
    detail = api("get", f"/jobs/{dead.pk}", token=token).json()
    assert detail["last_error"] == "RuntimeError: boom" and detail["payload"] == {"seconds": 0}


@pytest.mark.parametrize("route", ["retry", "cancel"])
def test_api_actions_authorization(world, api, token_for, route):
    job = make_job(world.ws, state=JobState.DEAD if route == "retry" else JobState.QUEUED)
    before = snapshot(job)
    path = f"/jobs/{job.pk}/{route}"
    assert api("post", path).status_code == 401
    resp = api("post", path, token=token_for(world.owner2))
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    resp = api("post", path, token=token_for(world.manager))
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    assert snapshot(job) == before
    resp = api("post", path, token=token_for(world.owner))
    assert resp.status_code == 200
    assert resp.json()["state"] == ("queued" if route == "retry" else "cancelled")


def test_api_conflict_changes_nothing(world, api, token_for):
    job = make_job(world.ws, state=JobState.DONE)
    before = snapshot(job)
    resp = api(
        "post",
        f"/jobs/{job.pk}/retry",
        token=token_for(world.owner),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "job_not_retryable"
    assert snapshot(job) == before


def test_api_reads_need_the_permission(world, api, token_for):
    job = make_job(world.ws)
    token = token_for(world.manager)
    assert api("get", "/jobs", token=token).status_code == 403
    assert api("get", f"/jobs/{job.pk}", token=token).status_code == 403
    assert api("get", f"/jobs/{job.pk}", token=token_for(world.owner2)).status_code == 404
