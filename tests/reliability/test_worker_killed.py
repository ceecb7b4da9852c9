"""The issue's "done when": a worker killed mid-job (SIGKILL) loses nothing — after its lease runs
out a new worker runs the job again and its effect happens exactly once.

Real processes against a database both see: `tradewind jobs work` subprocesses on a fresh SQLite
file (WAL, as in production) or, on the PostgreSQL suite, a fresh database created and dropped
here. The job is the built-in `jobs.probe` (workspaces/jobs_builtin.py): atomic, a 5-second lease;
it hangs on its first attempt (`hang_first_attempt`) and writes one audit row when it completes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.support import migrated

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tradewind.workspaces import services
from tradewind.workspaces.models import User
from tradewind.workspaces.models_jobs import Job
user = User.objects.create_user(email="kill@w.test", password="x-Long-password-1")
ws, _member = services.workspace_create(name="Kill", owner=user, slug="kill")
# A row, not job_enqueue(): nothing rings in this process, only the workers below run it.
job = Job.objects.create(workspace=ws, kind="jobs.probe",
                         payload={"seconds": 0, "hang_first_attempt": 90})
print(json.dumps({"job": job.pk}))
"""

QUERY_JOB = "SELECT state, attempts, lease_owner, result FROM workspaces_job WHERE id = %s"
QUERY_EFFECT = (
    "SELECT COUNT(*) FROM workspaces_auditevent WHERE action = 'worker_probe' AND target_id = %s"
)


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env.update(
        TRADEWIND_DATA_DIR=str(tmp_path),
        TRADEWIND_TESTING="1",
        DJANGO_SETTINGS_MODULE="tradewind.config.settings",
    )
    return env


@pytest.fixture
def shared_db(tmp_path) -> Iterator[tuple[dict[str, str], Callable[[str, Any], tuple]]]:
    """(environment for the worker processes, query(sql, param) -> first row) on a database both
    the workers and this test see."""
    env = _base_env(tmp_path)
    if connection.vendor == "sqlite":
        path = migrated.sqlite_copy(tmp_path / "tradewind.sqlite3")

        def query(sql: str, param: Any) -> tuple:
            with sqlite3.connect(path, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), (param,)).fetchone()

        yield env, query
        return
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    settings = connection.settings_dict
    server = make_conninfo(
        host=settings["HOST"] or "127.0.0.1",
        port=str(settings["PORT"] or 5432),
        user=settings["USER"],
        password=settings["PASSWORD"] or "",
        dbname="postgres",
    )
    name = f"tw_jobs_kill_{os.getpid()}"
    migrated.postgres_create(settings, name)
    parts = conninfo_to_dict(server)
    env["DATABASE_URL"] = (
        f"postgres://{parts['user']}:{parts.get('password', '')}@{parts['host']}:{parts['port']}/{name}"
    )

    def query(sql: str, param: Any) -> tuple:
        with psycopg.connect(make_conninfo(server, dbname=name), autocommit=True) as db:
            return db.execute(sql, (param,)).fetchone()  # type: ignore[return-value]

    try:
        yield env, query
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tradewind(*args: str) -> list[str]:
    return [sys.executable, "-m", "tradewind", *args]


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_worker_killed_mid_job_loses_nothing_and_the_effect_happens_once(shared_db):
    env, query = shared_db
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    job_id = json.loads(setup.stdout.strip().splitlines()[-1])["job"]

    first = subprocess.Popen(  # fixed argv
        _tradewind("jobs", "work", "--seconds", "300", "--worker", "first"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(
            lambda: (
                query(QUERY_JOB, job_id)[:3] == ("running", 1, "first") or first.poll() is not None
            ),
            "the first worker to take the job",
        )
        assert first.poll() is None, first.stderr.read().decode()[-3000:] if first.stderr else ""
        # Give it a moment inside the handler (it hangs there for 90 s), then kill it hard.
        time.sleep(1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        if first.stderr:
            first.stderr.close()
    assert first.returncode == -signal.SIGKILL
    state, attempts, owner, _result = query(QUERY_JOB, job_id)
    assert (state, attempts, owner) == ("running", 1, "first")  # its lease still holds the job
    assert query(QUERY_EFFECT, job_id)[0] == 0  # the killed attempt left no effect

    # A new worker: nothing is due until the lease runs out; then it takes the job over.
    second = subprocess.run(
        _tradewind("jobs", "work", "--limit", "1", "--seconds", "120", "--worker", "second"),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert "1 job(s) run" in second.stdout
    state, attempts, _owner, result = query(QUERY_JOB, job_id)
    result = json.loads(result) if isinstance(result, str) else result
    assert (state, attempts) == ("done", 2)
    assert result == {"worker": "second", "attempt": 2}
    assert query(QUERY_EFFECT, job_id)[0] == 1  # the effect happened exactly once

    # And nothing runs it a third time.
    again = subprocess.run(
        _tradewind("jobs", "work", "--once"), env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and "0 job(s) run" in again.stdout
    assert query(QUERY_EFFECT, job_id)[0] == 1


ENQUEUE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import transaction
from tradewind.workspaces import services
from tradewind.workspaces.jobs import job_enqueue
from tradewind.workspaces.models import User
user = User.objects.create_user(email="run@w.test", password="x-Long-password-1")
ws, _member = services.workspace_create(name="Run", owner=user, slug="run")
with transaction.atomic():
    job = job_enqueue(kind="jobs.probe", workspace=ws, payload={"seconds": 0})
print(json.dumps({"job": job.pk}))
"""


def test_the_embedded_worker_of_make_run_runs_jobs_and_schedules(tmp_path):
    """`tradewind serve` (make run) starts `tradewind run_huey`: with no REDIS_URL that is huey's
    SqliteHuey (a file beside the database, no extra server). The consumer runs a queued job and
    the periodic schedules (the every-minute task reminders write a ScheduleRun row)."""
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default is checked with the SQLite suite")
    env = _base_env(tmp_path)
    env.pop("TRADEWIND_TESTING")  # production settings: SqliteHuey, not the tests' MemoryHuey
    env.pop("REDIS_URL", None)
    migrated.sqlite_copy(tmp_path / "tradewind.sqlite3")
    setup = subprocess.run(
        [sys.executable, "-c", ENQUEUE], env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    job_id = json.loads(setup.stdout.strip().splitlines()[-1])["job"]
    path = tmp_path / "tradewind.sqlite3"

    def one(sql: str, *params: Any) -> tuple:
        with sqlite3.connect(path, timeout=30) as db:
            return db.execute(sql, params).fetchone()

    assert one("SELECT state FROM workspaces_job WHERE id = ?", job_id) == ("queued",)
    consumer = subprocess.Popen(  # fixed argv, as serve.py starts it
        _tradewind("run_huey", "--workers", "1"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(
            lambda: one("SELECT state FROM workspaces_job WHERE id = ?", job_id) == ("done",),
            "the consumer to run the job",
            timeout=240,
        )
        _wait_for(
            lambda: (
                one(
                    "SELECT COUNT(*) FROM workspaces_schedulerun "
                    "WHERE schedule = 'activities.task_reminders' AND ok"
                )[0]
                > 0
            ),
            "a periodic schedule run",
            timeout=240,
        )
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
    assert (tmp_path / "huey.sqlite3").exists()
    assert one(
        "SELECT COUNT(*) FROM workspaces_auditevent WHERE action = 'worker_probe' AND target_id = ?",
        job_id,
    ) == (1,)
