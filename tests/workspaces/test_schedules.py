"""Schedules: the registry and its huey periodic tasks, runs per workspace with a ScheduleRun row
each (one workspace's failure rolls back only its own work), timings in words in both languages,
"run now" as a job (service, page, API) and the schedules page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import HUEY

from tradewind.activities.models import Notification
from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.workspaces import jobs_services as services
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_jobs import Job, JobState, ScheduleRun
from tradewind.workspaces.schedules import all_schedules, get_schedule, schedule, schedule_run
from tradewind.workspaces.schedules_words import describe_cron

seen: list[int] = []


@schedule("test.note", label="test: note the workspace", cron=crontab(minute="*/10"))
def _note(*, workspace, now):
    """Writes a notification, then fails for the second workspace (after writing)."""
    seen.append(workspace.pk)
    member = workspace.memberships.order_by("pk").first()
    Notification.objects.create(
        workspace=workspace, user_id=member.user_id, kind="test.note", key=f"note:{now:%Y%m%d}"
    )
    if workspace.slug == "beta":
        raise RuntimeError("beta is broken")
    return {"noted": 1, "when": now.date()}


@schedule(
    "test.shared",
    label="test: all at once",
    cron=crontab(minute="3", hour="4"),
    per_workspace=False,
)
def _shared(*, now):
    return ["a", "b"]


@pytest.fixture(autouse=True)
def _reset():
    seen.clear()


NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def test_every_app_schedule_is_registered_with_a_huey_periodic_task():
    names = {s.name for s in all_schedules()}
    assert {
        "leads.daily",
        "leads.followups_due",
        "leads.sla",
        "leads.webform_overflow",
        "customers.daily",
        "customers.followups_due",
        "sales.daily",
        "orders.receivables",
        "orders.quote_expiry",
        "analytics.churn",
        "activities.task_reminders",
    } <= names
    periodic = {t.__name__ for t in HUEY._registry._periodic_tasks}
    assert {f"schedule.{n}" for n in names} <= periodic
    # the old direct periodic tasks are gone: each piece of work has one timer
    assert not periodic & {
        "lead_daily_jobs",
        "customer_daily_jobs",
        "quote_expiry",
        "churn_reminders",
    }


def test_a_run_per_workspace_and_one_failure_stops_nobody(world):
    runs = schedule_run("test.note", now=NOW)
    by_ws = {r.workspace_id: r for r in runs}
    assert set(by_ws) == {world.ws.pk, world.ws2.pk} and seen == sorted(seen)
    ok, failed = by_ws[world.ws.pk], by_ws[world.ws2.pk]
    assert ok.ok and ok.result == {"noted": 1, "when": "2026-04-01"} and ok.finished_at
    assert not failed.ok and "beta is broken" in failed.error and failed.result == {}
    # the failing workspace's own work rolled back with it; the other's stands
    assert Notification.objects.filter(kind="test.note", workspace=world.ws).count() == 1
    assert not Notification.objects.filter(kind="test.note", workspace=world.ws2).exists()
    assert ScheduleRun.objects.filter(schedule="test.note").count() == 2


def test_one_workspace_only_and_the_shared_kind(world):
    runs = schedule_run("test.note", workspace=world.ws, now=NOW)
    assert [r.workspace_id for r in runs] == [world.ws.pk]
    shared = schedule_run("test.shared", workspace=world.ws, now=NOW)
    assert [(r.workspace_id, r.result) for r in shared] == [(None, {"count": 2})]
    with pytest.raises(ValueError):
        schedule_run("test.nope")


@pytest.mark.parametrize(
    ("cron", "en", "zh"),
    [
        (crontab(), "Every minute", "每分钟"),
        (crontab(minute="*/15"), "Every 15 minutes", "每 15 分钟"),
        (crontab(minute="5"), "Every hour at minute 05", "每小时第 05 分"),
        (crontab(minute="50", hour="3"), "Every day at 03:50 UTC", "每天 03:50（UTC）"),
        (crontab(minute="0", hour="*/6"), "Every 6 hours at minute 00", "每 6 小时的第 00 分"),
        (
            crontab(minute="0", hour="9", day_of_week="1"),
            "Every day at 09:00 UTC, on Monday",
            "每天 09:00（UTC），仅在星期一",
        ),
    ],
)
def test_timing_in_words(cron, en, zh):
    with translation.override("en"):
        assert describe_cron(cron) == en
    with translation.override("zh-hans"):
        assert describe_cron(cron) == zh
    assert describe_cron(lambda moment: True) != ""


def test_daily_work_says_its_local_hour():
    with translation.override("en"):
        assert get_schedule("leads.daily").when == (
            "Every hour at minute 05; does its work once a day after 01:00 workspace time"
        )


# --- run now --------------------------------------------------------------------------------------


def test_run_now_queues_a_job_that_runs_for_this_workspace_only(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.schedule_run_now(actor=world.actor(world.owner), name="test.note")
    job.refresh_from_db()
    assert job.kind == "schedules.run" and job.state == JobState.DONE
    assert seen == [world.ws.pk]
    assert [r.workspace_id for r in ScheduleRun.objects.filter(schedule="test.note")] == [
        world.ws.pk
    ]
    assert AuditEvent.objects.filter(action="schedule_run_now", target_id=job.pk).count() == 1
    # a second click within the minute is the same job
    again = services.schedule_run_now(actor=world.actor(world.owner), name="test.note")
    assert again.pk == job.pk


def test_run_now_failure_shows_on_the_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.schedule_run_now(actor=world.actor(world.owner2), name="test.note")
    job.refresh_from_db()
    assert job.state == JobState.DEAD and "beta is broken" in job.last_error


def test_run_now_refusals_change_nothing(world):
    with pytest.raises(PermissionDenied):
        services.schedule_run_now(actor=world.actor(world.manager), name="test.note")
    with pytest.raises(ServiceError) as exc:
        services.schedule_run_now(actor=world.actor(world.owner), name="nope")
    assert exc.value.code == "schedule_unknown"
    with pytest.raises(ServiceError) as exc:
        services.schedule_run_now(actor=world.actor(world.owner), name="test.shared")
    assert exc.value.code == "schedule_not_per_workspace"
    assert not Job.objects.exists() and not ScheduleRun.objects.exists()


def test_run_now_page_authorization(world, client, client_for, django_capture_on_commit_callbacks):
    url = "/settings/schedules/run/"
    assert client.post(url, {"name": "test.note"}).status_code == 302  # to the sign-in page
    assert client_for(world.manager).post(url, {"name": "test.note"}).status_code == 403
    assert client_for(world.owner).get(url).status_code == 405
    assert not Job.objects.exists()
    zh = client_for(world.owner)
    zh.cookies["tradewind_language"] = "zh-hans"
    resp = zh.post(url, {"name": "nope"}, follow=True)
    assert "没有这个定时任务" in resp.content.decode() and not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(world.owner2).post(url, {"name": "test.note"})
    assert resp.status_code == 302
    assert list(ScheduleRun.objects.values_list("workspace_id", flat=True)) == [world.ws2.pk]


def test_run_now_api(world, api, token_for, django_capture_on_commit_callbacks):
    assert api("post", "/schedules/run", json={"name": "test.note"}).status_code == 401
    resp = api("post", "/schedules/run", token=token_for(world.manager), json={"name": "test.note"})
    assert resp.status_code == 403
    resp = api(
        "post",
        "/schedules/run",
        token=token_for(world.owner),
        json={"name": "nope"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "schedule_unknown"
    assert resp.json()["fields"]["name"]
    assert not Job.objects.exists()
    token = token_for(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api("post", "/schedules/run", token=token, json={"name": "test.note"})
    assert resp.status_code == 202 and resp.json()["kind"] == "schedules.run"
    assert seen == [world.ws.pk]


# --- the page and the list API --------------------------------------------------------------------


def test_schedules_page_lists_timing_and_last_runs(
    world, client_for, django_assert_max_num_queries
):
    schedule_run("test.note", now=NOW)
    schedule_run("test.shared", now=NOW)
    client = client_for(world.owner)
    client.cookies["tradewind_language"] = "en"
    with django_assert_max_num_queries(12):
        page = client.get("/settings/schedules/").content.decode()
    assert "Every hour at minute 05; does its work once a day after 01:00 workspace time" in page
    assert "test: note the workspace" in page and "noted 1" in page
    assert 'data-testid="run-now-leads.daily"' in page
    assert 'data-testid="run-now-test.shared"' not in page and "All workspaces" in page
    assert "Not run yet" in page
    # the other workspace sees its own failure, not our result
    other = client_for(world.owner2)
    other.cookies["tradewind_language"] = "zh-hans"
    page2 = other.get("/settings/schedules/").content.decode()
    assert "beta is broken" in page2 and "noted 1" not in page2 and "每小时第 05 分" in page2
    assert client_for(world.manager).get("/settings/schedules/").status_code == 403


def test_schedules_api(world, api, token_for):
    schedule_run("test.note", now=NOW)
    schedule_run("test.shared", now=NOW)
    rows = {r["name"]: r for r in api("get", "/schedules", token=token_for(world.owner)).json()}
    assert rows["test.note"]["last_run"]["result"] == {"noted": 1, "when": "2026-04-01"}
    assert rows["test.note"]["last_failure"] is None
    assert (
        rows["test.shared"]["last_run"]["ok"] and rows["test.shared"]["last_run"]["result"] is None
    )
    assert rows["leads.daily"]["last_run"] is None and rows["leads.daily"]["per_workspace"]
    other = {r["name"]: r for r in api("get", "/schedules", token=token_for(world.owner2)).json()}
    assert "beta is broken" in other["test.note"]["last_failure"]["error"]
    assert api("get", "/schedules", token=token_for(world.manager)).status_code == 403
