"""Issue #10, item 6: the database connection lost in the middle of a lead import.

A real worker process runs `lead_import_run` over 3,000 rows in chunks of 100 against a database
this test also sees (a fresh SQLite file, or a fresh PostgreSQL database on the PostgreSQL suite).
Inside the fifth chunk's transaction, after its leads are inserted and before the commit, the
worker writes a marker file and waits; then the fault is made for real:
- `terminate`: `pg_terminate_backend()` on the worker's backend (found in `pg_stat_activity` as the
  one connection to this database with a write transaction open); the worker then goes on and its
  next statement meets the dead connection;
- `sigkill`: the worker process is killed, the database rolls its transaction back.
Then the import is resumed the durable way (`lead_import_sweep`, in a new process) and must end with
exactly the leads of a clean run: none lost, none twice, counters, error file, codes, routing and
audit in step — and undo still removes every lead.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.reliability.test_worker_killed import _base_env, _wait_for
from tests.support import migrated

ROWS = 1500
CHUNK = 100
KILL_IN_CHUNK = 5


def _rows(*, with_bad: bool) -> list[list[str]]:
    """Every 25th row repeats the previous row's e-mail (a duplicate); with_bad: every 100th row
    has a phone too short to be one (an error row)."""
    rows = []
    for i in range(ROWS):
        j = i - 1 if i % 25 == 24 else i
        email = f"buyer{j}@fault{j}.example"
        phone = "12" if with_bad and i % 100 == 50 else f"+49 30 {1000000 + i}"
        rows.append([f"Fault Trading {i}", f"Buyer {i}", phone, email])
    return rows


EXPECTED = {
    # rows, duplicates, errors -> created
    True: {
        "duplicates": ROWS // 25,
        "errors": ROWS // 100,
        "created": ROWS - ROWS // 25 - ROWS // 100,
    },
    False: {"duplicates": ROWS // 25, "errors": 0, "created": ROWS - ROWS // 25},
}

SETUP = """
import json, sys
from pathlib import Path
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.imports import lead_import_preview, lead_import_upload
from tradewind.leads.models import LeadPolicy
from tradewind.leads.models_imports import ImportStatus, LeadImport
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import User
user = User.objects.create_user(email=f"{sys.argv[3]}@w.test", password="x-Long-password-1")
ws, member = services.workspace_create(name="Fault", owner=user, slug=sys.argv[3])
actor = Actor.for_member(member)
# Every ownerless row is routed to the owner (no holding cap in the way): routing must happen
# once per lead, resume or not.
LeadPolicy.for_workspace(ws)
LeadPolicy.objects.filter(workspace=ws).update(holding_cap=100_000)
assignment_rule_create(actor=actor, name="All to the owner", action="user", target_user=user.pk)
data = Path(sys.argv[1]).read_bytes()
batch = lead_import_upload(
    actor=actor, file=SimpleUploadedFile("fault.csv", data), file_name="fault.csv", mode=sys.argv[2]
)
batch = lead_import_preview(actor=actor, batch=batch)
# Queued as lead_import_start leaves it, without ringing the (in-process) bell: the worker runs it.
LeadImport.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
print(json.dumps({"batch": batch.pk, "totals": batch.preview["totals"]}))
"""

WORKER = f"""
import json, sys, time
from pathlib import Path
import django
django.setup()
from tradewind.leads import imports_rows
from tradewind.leads.imports import lead_import_run
imports_rows.CHUNK_SIZE = {CHUNK}
marker = Path(sys.argv[2])
real_insert = imports_rows.insert_rows
inserted = []

def insert_then_wait(**kwargs):
    real_insert(**kwargs)
    inserted.append(1)
    if len(inserted) == {KILL_IN_CHUNK}:
        # The chunk's transaction is open with its leads written: the fault happens here.
        marker.write_text("in transaction")
        go, deadline = marker.with_suffix(".go"), time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

imports_rows.insert_rows = insert_then_wait
batch = lead_import_run(import_id=int(sys.argv[1]))
print(json.dumps({{"returned": None if batch is None else batch.status}}))
"""

FINISH = f"""
import csv, datetime as dt, json, sys
import django
django.setup()
import time_machine
from django.utils import timezone
from tradewind.leads import imports_rows
from tradewind.leads.imports import _import_actor, lead_import_sweep, lead_import_undo
from tradewind.leads.models import Lead
from tradewind.leads.models_imports import LeadImport
from tradewind.workspaces.models import AuditEvent, NumberSequence
imports_rows.CHUNK_SIZE = {CHUNK}
batch_id, wait_for_lease = int(sys.argv[1]), sys.argv[2] == "lease"

def state():
    batch = LeadImport.objects.get(pk=batch_id)
    leads = Lead.objects.filter(import_batch_id=batch_id)
    ids = list(leads.values_list("pk", flat=True))
    error_rows = 0
    if batch.error_file:
        with open(batch.error_file.path, encoding="utf-8-sig", newline="") as handle:
            error_rows = len(list(csv.reader(handle))) - 1
    actions = AuditEvent.objects.filter(target_type="lead_import", target_id=batch_id)
    return {{
        "status": batch.status,
        "processed": batch.processed_rows,
        "created_count": batch.created_count,
        "duplicate_count": batch.duplicate_count,
        "error_count": batch.error_count,
        "error_file_rows": error_rows,
        "leads": len(ids),
        "emails": leads.values("email").distinct().count(),
        "codes": leads.values("code").distinct().count(),
        "workspace_leads": Lead.objects.filter(workspace_id=batch.workspace_id).count(),
        "last_code": NumberSequence.objects.get(workspace_id=batch.workspace_id, kind="lead")
        .last_value,
        "ownerless": leads.filter(owner__isnull=True).count(),
        "routed_audits": AuditEvent.objects.filter(
            action="routed", target_type="lead", target_id__in=ids
        ).count(),
        "routed_leads": AuditEvent.objects.filter(action="routed", target_type="lead",
            target_id__in=ids).values("target_id").distinct().count(),
        "batch_audits": sorted(actions.values_list("action", flat=True)),
    }}

before = state()
later = timezone.now() + dt.timedelta(minutes=6) if wait_for_lease else timezone.now()
with time_machine.travel(later, tick=True):  # the killed worker's lease (5 minutes) runs out
    swept = lead_import_sweep()
    after = state()
    swept_again = lead_import_sweep()
batch = LeadImport.objects.select_related("workspace").get(pk=batch_id)
undone = lead_import_undo(actor=_import_actor(batch), batch=batch)
print(json.dumps({{
    "before": before, "swept": swept, "after": after, "swept_again": swept_again,
    "undone": undone.undone_count, "kept": undone.kept_count,
    "left": Lead.objects.filter(import_batch_id=batch_id).count(),
}}))
"""


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Company", "Contact", "Phone", "Email"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _python(code: str, *args: str, env: dict[str, str], timeout: float = 600) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The environment of worker processes on one database, a copy of the migrated template
    (tests/support/migrated.py); each case works in a workspace of its own."""
    data_dir = tmp_path_factory.mktemp("import-fault")
    env = _base_env(data_dir)
    if connection.vendor != "sqlite":
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        db = connection.settings_dict
        server = make_conninfo(
            host=db["HOST"] or "127.0.0.1",
            port=str(db["PORT"] or 5432),
            user=db["USER"],
            password=db["PASSWORD"] or "",
            dbname="postgres",
        )
        name = f"tw_import_fault_{os.getpid()}"
        migrated.postgres_create(db, name)
        parts = conninfo_to_dict(server)
        env["DATABASE_URL"] = (
            f"postgres://{parts['user']}:{parts.get('password', '')}@{parts['host']}:"
            f"{parts['port']}/{name}"
        )
    else:
        migrated.sqlite_copy(data_dir / "tradewind.sqlite3")
    try:
        yield env
    finally:
        if connection.vendor != "sqlite":
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _terminate_the_workers_backend(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as admin:
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            ).fetchall()
        ]
        assert len(pids) == 1, pids  # the worker, with its chunk's write transaction open
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pids[0],)).fetchone() == (True,)


def _cases() -> list:
    kinds = [
        ("sigkill", "skip_bad_rows", True),
        ("sigkill", "stop_on_error", False),
        ("terminate", "skip_bad_rows", True),
        ("terminate", "stop_on_error", False),
    ]
    return [pytest.param(*kind, id=f"{kind[0]}-{kind[1]}") for kind in kinds]


@pytest.mark.parametrize(("fault", "mode", "with_bad"), _cases())
def test_an_import_cut_off_mid_chunk_resumes_to_the_exact_count(
    shared: dict[str, str],
    tmp_path: Path,
    fault: str,
    mode: str,
    with_bad: bool,
):
    if fault == "terminate" and connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no server connection to cut")
    env = shared
    source = tmp_path / "fault.csv"
    source.write_bytes(_csv(_rows(with_bad=with_bad)))
    expected = EXPECTED[with_bad]

    setup = _python(SETUP, str(source), mode, f"{fault}-{mode}".replace("_", "-"), env=env)
    batch_id = setup["batch"]
    assert setup["totals"] == {
        "rows": ROWS,
        "valid": expected["created"],
        "errors": expected["errors"],
        "duplicates": expected["duplicates"],
    }

    marker = tmp_path / "fault.marker"
    worker = subprocess.Popen(  # fixed argv
        [sys.executable, "-c", WORKER, str(batch_id), str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: marker.exists() or worker.poll() is not None, "the fifth chunk")
        assert worker.poll() is None, worker.communicate()[1][-4000:]
        if fault == "sigkill":
            worker.send_signal(signal.SIGKILL)
        else:
            _terminate_the_workers_backend(env["DATABASE_URL"])
        marker.with_suffix(".go").write_text("go")
        out, err = worker.communicate(timeout=300)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    if fault == "sigkill":
        assert worker.returncode == -signal.SIGKILL
    else:
        # The worker saw the connection die, did not mark the batch failed, and left it to resume.
        assert worker.returncode == 0, err[-4000:]
        assert json.loads(out.strip().splitlines()[-1]) == {"returned": None}
        assert "lost its database connection" in err

    # A terminated connection releases the lease itself; a killed worker's lease has to run out.
    result = _python(FINISH, str(batch_id), "lease" if fault == "sigkill" else "now", env=env)
    before, after = result["before"], result["after"]

    # Before the resume: the four committed chunks, nothing of the fifth; the batch still running.
    assert before["status"] == "running"
    assert before["processed"] == (KILL_IN_CHUNK - 1) * CHUNK
    assert before["leads"] == before["created_count"] == before["workspace_leads"]
    assert before["leads"] == before["last_code"]  # the cut chunk's codes were rolled back too
    assert before["ownerless"] == 0 and before["routed_leads"] == before["leads"]

    # After: exactly a clean run's outcome.
    assert result["swept"] == 1 and result["swept_again"] == 0
    assert after["status"] == "done"
    assert after["processed"] == ROWS
    assert after["leads"] == after["created_count"] == expected["created"]
    assert after["emails"] == after["codes"] == after["leads"]  # no lead twice
    assert after["workspace_leads"] == after["last_code"] == expected["created"]  # gap-free codes
    assert after["duplicate_count"] == expected["duplicates"]
    assert after["error_count"] == after["error_file_rows"] == expected["errors"]
    assert after["ownerless"] == 0
    assert after["routed_audits"] == after["routed_leads"] == after["leads"]  # routed once each
    assert after["batch_audits"] == ["import"]  # one audit row for the batch, no import_failed

    # Undo still finds every lead of the batch.
    assert (result["undone"], result["kept"], result["left"]) == (expected["created"], 0, 0)
