"""Imported leads are found by keyword search like any other: on SQLite the FTS insert trigger skips
rows with an import batch and the import indexes each chunk in bulk in the chunk's transaction
(migration 0017, imports_rows.write_rows). The FTS tables stay consistent through the import, its
undo, a later edit and a rolled-back chunk."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tradewind.leads import imports_rows as engine
from tradewind.leads import search
from tradewind.leads.filters import LeadFilter
from tradewind.leads.imports import lead_import_undo
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_update

from .test_import_run import csv_bytes, media, run, upload  # noqa: F401 - media is a fixture

ROWS = [
    ["宁波星远机械有限公司", "王芳", "+86 138 0013 8001", "fang@xingyuan-mach.cn", "展会", "中国"],
    ["Royalstar Trading GmbH", "Olga Martin", "+49 30 7225 0399", "olga@royalstar.de", "", ""],
    ["珠海星远贸易有限公司", "李强", "", "li@zhuhai-xy.cn", "", ""],
]
TERMS = ["星远", "星远机械", "royalstar", "7225 0399", "olga@royalstar.de", "王芳", "芳"]


def found(member, q: str) -> set[int]:
    qs = LeadFilter(q=q).apply(Lead.objects.visible_to(member), user_id=member.user_id)
    return set(qs.values_list("id", flat=True))


def expected(member, q: str) -> set[int]:
    matches = (
        Lead.objects.visible_to(member).filter(company_name__icontains=q)
        | Lead.objects.visible_to(member).filter(contact_name__icontains=q)
        | Lead.objects.visible_to(member).filter(email__icontains=q)
        | Lead.objects.visible_to(member).filter(phone__contains=q)
    )
    return set(matches.values_list("id", flat=True))


def fts_consistent() -> None:
    """FTS5's own check of an external-content index against its table (SQLite only)."""
    if not search.fts_available(connection.alias):
        return
    with connection.cursor() as cursor:
        for table in (search.FTS_TABLE, search.PAIRS_TABLE):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


@pytest.fixture
def imported(world, django_capture_on_commit_callbacks):
    batch = run(
        world, upload(world, data=csv_bytes(ROWS)), capture=django_capture_on_commit_callbacks
    )
    assert batch.created_count == len(ROWS)
    return batch


@pytest.mark.parametrize("q", TERMS)
def test_imported_rows_are_found(world, imported, q):
    got = found(world.owner, q)
    assert got and got == expected(world.owner, q), q
    assert got <= set(Lead.objects.filter(import_batch=imported).values_list("id", flat=True))


def test_index_stays_consistent_through_edit_and_undo(world, imported):
    fts_consistent()
    lead = Lead.objects.get(import_batch=imported, company_name__startswith="宁波")
    lead_update(actor=world.actor(world.owner), lead=lead, company_name="杭州恒达电器有限公司")
    assert lead.pk in found(world.owner, "恒达") and lead.pk not in found(world.owner, "星远机械")
    fts_consistent()
    lead_import_undo(actor=world.actor(world.rep), batch=imported)
    assert not found(world.owner, "royalstar")
    assert found(world.owner, "恒达") == {lead.pk}  # an edited lead outlives the undo
    fts_consistent()


def test_rows_without_a_batch_are_indexed_by_the_trigger(world):
    lead = lead_create(actor=world.actor(world.owner), company_name="深圳星远光电", phone="")
    assert found(world.owner, "星远") == {lead.pk}
    fts_consistent()


def test_a_rolled_back_chunk_leaves_no_entries(world, imported):
    params = engine.insert_params(
        batch_id=imported.pk,
        workspace_id=world.ws.pk,
        rows=[{"company_name": "回滚测试有限公司", "search_pairs": "回滚 滚测 测试"}],
        codes=["ROLLBACK-1"],
    )
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        engine.write_rows(params)
        assert found(world.owner, "回滚测试")
        raise RuntimeError("boom")
    assert not found(world.owner, "回滚测试")
    fts_consistent()
