"""Issue #10 item 6 for the customer import: it runs inside the request (no job resumes it), so a
database connection lost part-way must leave nothing written, and the same batch runs again to
the exact count.

The fault is real: a second connection terminates this test's backend (`pg_terminate_backend`)
once the import's writing transaction has been open for half a second — several chunks in, so an
import committing chunk by chunk (as it did) leaves rows behind and fails here. PostgreSQL only; on SQLite there is no
server connection to cut, and a process dying mid-transaction is rolled back by SQLite's journal.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from tests.customers.test_customer_import import csv_bytes
from tradewind.customers import imports
from tradewind.customers.imports_models import CustomerImportStatus
from tradewind.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3000


def _cut_when_writing(pid: int, done: threading.Event, cut: list[bool]) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    s = connection.settings_dict
    dsn = make_conninfo(
        host=s["HOST"] or "127.0.0.1",
        port=str(s["PORT"] or 5432),
        user=s["USER"],
        password=s["PASSWORD"] or "",
        dbname=s["NAME"],
    )
    with psycopg.connect(dsn, autocommit=True) as admin:
        deadline = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < deadline:
            writing = admin.execute(
                "SELECT backend_xid IS NOT NULL AND now() - xact_start > interval '0.5 seconds' "
                "FROM pg_stat_activity WHERE pid = %s",
                (pid,),
            ).fetchone()
            if writing and writing[0]:
                cut.append(admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0])
                return
            time.sleep(0.02)


def test_a_customer_import_cut_off_mid_file_leaves_nothing_and_runs_again(world):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no server connection to cut")
    actor = world.actor(world.rep)
    rows = [[f"Cutoff Trading {i}", "DE", f"buyer{i}@cutoff{i}.example"] for i in range(ROWS)]
    batch = imports.customer_import_upload(
        actor=actor, name="cut.csv", data=csv_bytes([["Company", "Country", "Email"], *rows])
    )
    batch = imports.customer_import_preview(actor=actor, batch=batch, mapping=batch.mapping)
    before = (Customer.objects.count(), Contact.objects.count())

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    done, cut = threading.Event(), []
    watcher = threading.Thread(target=_cut_when_writing, args=(pid, done, cut))
    watcher.start()
    try:
        with pytest.raises(Exception):  # whatever the driver raises for a killed backend
            imports.customer_import_run(actor=actor, batch=batch)
    finally:
        done.set()
        watcher.join(timeout=30)
    assert cut == [True]
    connection.close()  # the next query opens a new connection

    assert (Customer.objects.count(), Contact.objects.count()) == before  # nothing half-written
    batch.refresh_from_db()
    assert batch.status == CustomerImportStatus.PREVIEWED and batch.created_count == 0

    batch = imports.customer_import_run(actor=actor, batch=batch)
    assert batch.created_count == ROWS
    assert Customer.objects.count() == before[0] + ROWS
    names = Customer.objects.filter(name__startswith="Cutoff Trading").values_list(
        "name", flat=True
    )
    assert len(set(names)) == ROWS  # no duplicates
