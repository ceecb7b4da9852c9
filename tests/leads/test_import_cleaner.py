"""A large import is cleaned in a forked child while the parent dedupes and writes
(leads/imports_cleaner.py): the same outcome as cleaning in one process, and a child that fails or
is killed fails the batch instead of hanging it."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from tradewind.leads import imports_rows as engine
from tradewind.leads.imports import lead_import_preview, lead_import_start
from tradewind.leads.models import Lead
from tradewind.leads.models_imports import ImportStatus

from .test_import_run import HEADER, error_rows, run, upload

MIXED_FIFTH = "宁波海风电器有限公司"  # the company of test_import_run.MIXED's fifth data row


@pytest.fixture(autouse=True)
def in_a_child(settings, tmp_path, monkeypatch):
    """Every file goes to the child, two rows a chunk; a row cleaned in this process fails."""
    writer = os.getpid()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TRADEWIND_IMPORT_CLEANER_ROWS = 1
    monkeypatch.setattr(engine, "CHUNK_SIZE", 2)
    original = engine.clean_row

    def only_in_the_child(ctx, cells):
        if os.getpid() == writer:
            raise AssertionError("a row was cleaned in the writing process")
        return original(ctx, cells)

    monkeypatch.setattr(engine, "clean_row", only_in_the_child)
    return original


def test_the_child_cleans_and_the_outcome_is_that_of_one_process(
    world, django_capture_on_commit_callbacks
):
    preview = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    assert preview.preview["totals"] == {"rows": 6, "valid": 2, "errors": 2, "duplicates": 2}
    batch = run(world, preview, capture=django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.duplicate_count, batch.error_count) == (2, 2, 2)
    assert batch.processed_rows == 6
    assert list(
        Lead.objects.filter(import_batch=batch)
        .order_by("pk")
        .values_list("company_name", "phone_e164")
    ) == [("Acme Pumps GmbH", "+49301234567"), ("宁波海风电器有限公司", "+8613800138000")]
    rows = error_rows(batch)
    assert rows[0] == [*HEADER, "错误"]
    assert [r[0] for r in rows[1:]] == ["Broken Phone Ltd", ""]
    assert multiprocessing.active_children() == []


def test_stop_mode_checks_every_row_in_the_child(world, django_capture_on_commit_callbacks):
    before = Lead.objects.count()
    batch = run(
        world, upload(world, mode="stop_on_error"), capture=django_capture_on_commit_callbacks
    )
    assert batch.status == ImportStatus.FAILED and batch.error_count == 2
    assert Lead.objects.count() == before


@pytest.mark.parametrize("how", ["raises", "is killed"])
def test_a_child_that_fails_fails_the_batch_and_keeps_the_committed_chunks(
    world, django_capture_on_commit_callbacks, monkeypatch, in_a_child, how
):
    original, writer = in_a_child, os.getpid()

    def fail_on_the_fifth_row(ctx, cells):
        if os.getpid() == writer:
            raise AssertionError("a row was cleaned in the writing process")
        if cells and cells[0] == MIXED_FIFTH:
            if how == "raises":
                raise ValueError("unreadable cell")
            os.kill(os.getpid(), signal.SIGKILL)
        return original(ctx, cells)

    actor = world.actor(world.rep)
    batch = lead_import_preview(actor=actor, batch=upload(world))
    monkeypatch.setattr(engine, "clean_row", fail_on_the_fifth_row)
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.failure  # "The import stopped unexpectedly.", in the importer's language
    # Rows 2-3 and 4-5 were committed before the child stopped at row 6 (the fifth data row).
    assert batch.processed_rows == 4
    assert list(Lead.objects.filter(import_batch=batch).values_list("company_name", flat=True)) == [
        "Acme Pumps GmbH"
    ]
    assert multiprocessing.active_children() == []
