"""The import's look-ups one chunk ahead on a second connection (PostgreSQL, committed data only):
the same counts as looking up in the writer's own transaction, a duplicate of a row in the
previous, still uncommitted chunk included."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tradewind.leads import imports_lookahead
from tradewind.leads import imports_rows as engine
from tradewind.leads.models import Lead

from .test_import_run import csv_bytes, run, upload

HEADER = ["Company", "Email", "Phone"]
ROWS = [
    ["Alpha Pumps GmbH", "info@alpha-pumps.de", ""],
    ["Beta Valves Ltd", "sales@beta-valves.co.uk", ""],
    ["Alpha Pumps", "info@alpha-pumps.de", ""],  # the first chunk's row 1, not yet committed
    ["East Again", "x@east.test", ""],  # an existing lead (world.lead)
    ["Gamma Tools", "gamma@gamma-tools.example", ""],
    ["Delta Seals", "", "+44 20 7946 0000"],
    ["Beta Valves Limited", "sales@beta-valves.co.uk", ""],  # the first chunk's row 2
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_lookups_run_ahead_on_another_connection_and_count_the_same(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("the look-ahead is PostgreSQL's (SQLite looks up in the writer's transaction)")
    monkeypatch.setattr(engine, "CHUNK_SIZE", 2)
    threads: list[str] = []
    real = imports_lookahead._lookups

    def watched(ctx, cleaned):
        threads.append(threading.current_thread().name)
        return real(ctx, cleaned)

    monkeypatch.setattr(imports_lookahead, "_lookups", watched)
    batch = run(
        world,
        upload(world, data=csv_bytes(ROWS, header=HEADER)),
        capture=django_capture_on_commit_callbacks,
    )
    assert len(threads) == 4 and all(name.startswith("import-lookups") for name in threads)
    assert (batch.created_count, batch.duplicate_count, batch.error_count) == (4, 3, 0)
    created = set(Lead.objects.filter(import_batch=batch).values_list("company_name", flat=True))
    assert created == {"Alpha Pumps GmbH", "Beta Valves Ltd", "Gamma Tools", "Delta Seals"}
    # The worker thread closed its connection: only the test's own stays open.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name NOT LIKE 'pg_%%'"
        )
        assert cursor.fetchone() == (0,)
