"""Human codes (XL2026000123): per workspace and kind, year from the workspace zone, gap-free, race-free."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection, transaction

from tradewind.core.errors import ServiceError
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Membership, NumberSequence, User, Workspace
from tradewind.workspaces.numbering import code_next, sequence_next
from tradewind.workspaces.timezones import workspace_now


def new_workspace(slug: str, zone: str) -> tuple[Workspace, Membership]:
    user = User.objects.create_user(email=f"{slug}@n.test", password="x-Long-password-1")
    ws, member = services.workspace_create(name=slug.title(), owner=user, slug=slug, time_zone=zone)
    return ws, Membership.objects.select_related("user", "workspace").get(pk=member.pk)


def next_code(ws: Workspace, kind: str = "lead") -> str:
    with transaction.atomic():
        return code_next(workspace=ws, kind=kind)


def test_codes_look_like_prefix_year_and_six_digits(world):
    year = workspace_now(world.ws).year
    codes = list(
        Lead.objects.filter(workspace=world.ws).order_by("id").values_list("code", flat=True)
    )
    assert codes == [f"XL{year}000001", f"XL{year}000002", f"XL{year}000003"]
    assert all(re.fullmatch(r"XL\d{4}\d{6}", c) for c in codes)


def test_codes_are_consecutive_and_per_workspace(world):
    year = workspace_now(world.ws).year
    assert world.lead2.code == f"XL{year}000001"  # workspace B started its own counter
    assert next_code(world.ws) == f"XL{year}000004"
    assert next_code(world.ws2) == f"XL{year}000002"
    assert next_code(world.ws, "customer") == f"KH{year}000001"  # each kind counts on its own
    with transaction.atomic():
        assert sequence_next(workspace=world.ws, kind="lead", count=3) == [
            f"XL{year}000005",
            f"XL{year}000006",
            f"XL{year}000007",
        ]
    assert next_code(world.ws) == f"XL{year}000008"


@pytest.mark.parametrize(
    ("instant", "zone", "year"),
    [
        # 17:00 UTC on New Year's Eve is already 01:00 on 1 January in Shanghai
        (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC), "Asia/Shanghai", 2026),
        (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC), "UTC", 2025),
        # 05:00 UTC on 1 January is still New Year's Eve in Los Angeles
        (dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.UTC), "America/Los_Angeles", 2025),
        (dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.UTC), "Asia/Shanghai", 2026),
    ],
)
def test_the_workspace_time_zone_decides_the_year(db, instant, zone, year):
    with time_machine.travel(instant, tick=False):
        ws, _owner = new_workspace("tz", zone)
        assert next_code(ws) == f"XL{year}000001"


def test_a_new_year_restarts_the_counter_in_the_workspace_zone(db):
    with time_machine.travel(
        dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC), tick=False
    ):  # 23:30 Shanghai
        ws, owner = new_workspace("ny", "Asia/Shanghai")
        assert [next_code(ws) for _ in range(2)] == ["XL2026000001", "XL2026000002"]
    with time_machine.travel(
        dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False
    ):  # 00:30 Shanghai
        lead = lead_create(actor=Actor.for_member(owner), company_name="First of the year")
        assert lead.code == "XL2027000001"
    assert set(NumberSequence.objects.filter(workspace=ws).values_list("period", "last_value")) == {
        ("2026", 2),
        ("2027", 1),
    }


def test_a_rolled_back_transaction_leaves_no_gap(world):
    year = workspace_now(world.ws).year
    actor = world.actor(world.rep)
    with pytest.raises(RuntimeError), transaction.atomic():
        doomed = lead_create(actor=actor, company_name="Never stored")
        assert doomed.code == f"XL{year}000004"
        raise RuntimeError("the caller fails after the code was taken")
    assert not Lead.objects.filter(company_name="Never stored").exists()
    lead = lead_create(actor=actor, company_name="Stored")
    assert lead.code == f"XL{year}000004"


def test_a_failed_create_gives_its_code_back(world):
    """A validation error inside lead_create rolls back the counter with the row."""
    year = workspace_now(world.ws).year
    with pytest.raises(ServiceError):  # the owner must be a member of this workspace
        lead_create(
            actor=world.actor(world.rep), company_name="Bad owner", owner=world.owner2.user_id
        )
    assert lead_create(actor=world.actor(world.rep), company_name="Good").code == f"XL{year}000004"


def test_a_changed_number_format_applies_to_new_codes(world):
    year = workspace_now(world.ws).year
    act = world.actor(world.owner)
    services.number_format_set(actor=act, kind="lead", prefix="ld", yearly=False, width=4)
    assert lead_create(actor=act, company_name="A").code == "LD0001"  # a new, year-less counter
    assert lead_create(actor=act, company_name="B").code == "LD0002"
    services.number_format_set(actor=act, kind="lead", prefix="XS", yearly=True, width=8)
    assert (
        lead_create(actor=act, company_name="C").code == f"XS{year}00000004"
    )  # the yearly counter goes on
    # existing codes are untouched; the other workspace keeps the default
    world.lead.refresh_from_db()
    assert world.lead.code == f"XL{year}000001"
    assert next_code(world.ws2) == f"XL{year}000002"


@pytest.mark.parametrize(
    ("prefix", "width"), [("", 6), ("X-L", 6), ("X" * 13, 6), ("XL", 2), ("XL", 13)]
)
def test_a_bad_number_format_is_refused(world, prefix, width):
    with pytest.raises(ServiceError) as exc:
        services.number_format_set(
            actor=world.actor(world.owner), kind="lead", prefix=prefix, yearly=True, width=width
        )
    assert exc.value.code == "invalid"


def test_numbering_page_saves_a_format(world, client_for):
    client = client_for(world.owner)
    response = client.post(
        "/settings/numbering/", {"kind": "lead", "lead-prefix": "QX", "lead-width": "5"}
    )
    assert response.status_code == 302, response.content[:3000]
    assert lead_create(actor=world.actor(world.owner), company_name="Z").code == "QX00001"


# --- concurrency ------------------------------------------------------------------------------------

THREADS = 16
PER_THREAD = 10


def race(ws: Workspace) -> tuple[list[str], list[BaseException]]:
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(PER_THREAD):
                with transaction.atomic():
                    code = sequence_next(workspace=ws, kind="lead")[0]
                with lock:
                    codes.append(code)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return codes, errors


def assert_gap_free(ws: Workspace, codes: list[str]) -> None:
    year = workspace_now(ws).year
    assert len(codes) == THREADS * PER_THREAD
    assert len(set(codes)) == len(codes), "duplicate codes"
    numbers = sorted(int(c[len(f"XL{year}") :]) for c in codes)
    assert numbers == list(range(1, THREADS * PER_THREAD + 1))
    assert NumberSequence.objects.get(workspace=ws, kind="lead").last_value == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_concurrent_codes_are_unique_and_gap_free_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("thread race needs PostgreSQL")
    ws, _owner = new_workspace("race", "Asia/Shanghai")
    codes, errors = race(ws)
    assert not errors, errors[:3]
    assert_gap_free(ws, codes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_codes_are_unique_and_gap_free_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant of the race")
    if connection.is_in_memory_db():
        pytest.skip(
            "the SQLite test database is in-memory with a shared cache, whose table locks (SQLITE_LOCKED) "
            "ignore busy_timeout: writers fail with 'database table is locked' instead of queueing. "
            "test_concurrent_codes_on_a_sqlite_file runs the race on the production file configuration."
        )
    ws, _owner = new_workspace("race", "Asia/Shanghai")
    codes, errors = race(ws)
    assert not errors, errors[:3]
    assert_gap_free(ws, codes)


RACE_SCRIPT = """
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from tradewind.workspaces import services
from tradewind.workspaces.models import NumberSequence, User
from tradewind.workspaces.numbering import sequence_next

user = User.objects.create_user(email="race@n.test", password="x-Long-password-1")
ws, _member = services.workspace_create(name="Race", owner=user, slug="race")
connection.close()
codes, errors, lock = [], [], threading.Lock()
barrier = threading.Barrier(THREADS)

def worker():
    try:
        barrier.wait(timeout=30)
        for _ in range(PER_THREAD):
            with transaction.atomic():
                code = sequence_next(workspace=ws, kind="lead")[0]
            with lock:
                codes.append(code)
    except BaseException as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=worker) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=120)
last = NumberSequence.objects.get(workspace=ws, kind="lead").last_value
print(json.dumps({"codes": codes, "errors": errors[:3], "last": last, "vendor": connection.vendor,
                  "journal": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]}))
"""


def test_concurrent_codes_on_a_sqlite_file(tmp_path):
    """The same race against the production SQLite set-up (a WAL file, BEGIN IMMEDIATE, busy timeout)."""
    import json
    import os
    import subprocess
    import sys

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file race runs with the SQLite suite")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env.update(
        TRADEWIND_DATA_DIR=str(tmp_path),
        TRADEWIND_TESTING="1",
        DJANGO_SETTINGS_MODULE="tradewind.config.settings",
    )
    from tests.support import migrated

    migrated.sqlite_copy(tmp_path / "tradewind.sqlite3")
    script = RACE_SCRIPT.replace("THREADS", str(THREADS)).replace("PER_THREAD", str(PER_THREAD))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == "sqlite" and result["journal"] == "wal"
    assert not result["errors"], result["errors"]
    codes = result["codes"]
    assert len(codes) == len(set(codes)) == THREADS * PER_THREAD
    assert sorted(int(c[-6:]) for c in codes) == list(range(1, THREADS * PER_THREAD + 1))
    assert result["last"] == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_sequence_next_refuses_to_run_outside_a_transaction():
    ws, _owner = new_workspace("bare", "UTC")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        sequence_next(workspace=ws, kind="lead")
