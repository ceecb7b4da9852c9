"""The CI guard of the scale benchmark: 20,000 leads from the same bulk generator, then query counts
and plan shapes — never timings. The full figures come from `make bench` (docs/performance.md)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client

from tradewind.benchmarks import generate, import_file, measure_import
from tradewind.benchmarks.measure import Capture, _deep_cursor, plan_flags, search_terms
from tradewind.core.spreadsheets import cell_value
from tradewind.leads import imports_rows as engine
from tradewind.leads import search
from tradewind.leads.imports_chunks import Tally, clean_chunk, dedupe_chunk
from tradewind.leads.imports_fields import auto_mapping
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import NumberSequence

SCALE = 20_000
LEAD_TABLE = Lead._meta.db_table


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """20k leads built once for the module inside a transaction that is rolled back at the end,
    so no other test sees them."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = generate.ensure(SCALE, slug="bench-ci")
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def client(bench, db) -> Client:
    c = Client()
    c.force_login(bench.director.user, backend="django.contrib.auth.backends.ModelBackend")
    c.get("/leads/")  # the first request of a session records it (UserSession): not a list cost
    return c


def sql_of(client: Client, url: str) -> list[tuple[str, object]]:
    cap = Capture()
    with connection.execute_wrapper(cap):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return cap.calls


def lead_selects(calls: list[tuple[str, object]]) -> list[tuple[str, object]]:
    return [(s, p) for s, p in calls if LEAD_TABLE in s and s.lstrip().upper().startswith("SELECT")]


def explain(sql: str, params: object) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def assert_indexed(lines: list[str], sql: str) -> None:
    text = "\n".join(lines)
    flags = plan_flags(lines, sql)
    assert not [f for f in flags if "FULL SCAN" in f or "full index scan" in f], text
    assert not [f for f in flags if "sorts" in f], text
    if connection.vendor == "sqlite":
        assert re.search(rf"SEARCH {LEAD_TABLE} USING (COVERING )?INDEX lead_ws_", text), text
    else:
        assert re.search(r"Index (Only )?Scan (Backward )?using lead_ws_", text), text


# --- the generator --------------------------------------------------------------------------------


def test_generator_builds_the_workspace(bench, db):
    assert bench.leads == SCALE
    leads = Lead.objects.filter(workspace=bench.workspace)
    assert leads.count() == SCALE
    assert leads.values("code").distinct().count() == SCALE
    assert re.fullmatch(r"XL20\d\d\d{6}", leads.order_by("id").first().code)
    pool = leads.filter(owner__isnull=True).count()
    assert 0.07 * SCALE < pool < 0.13 * SCALE
    assert leads.filter(company_name__endswith="有限公司").exists()
    assert leads.filter(company_name__endswith="GmbH").exists()
    assert 50 <= len(bench.reps) <= 60
    # Deterministic: the same seed gives the same rows.
    again = next(generate.lead_rows(SCALE, [m.user_id for m in bench.reps]))
    first = leads.order_by("id").values("code", "company_name", "email", "phone", "status")[:5]
    assert [{k: r[k] for k in first[0]} for r in again[:5]] == list(first)


def test_generator_reuses_a_workspace_of_the_right_size(bench, db):
    world = generate.ensure(SCALE, slug="bench-ci")
    assert not world.generated and world.leads == SCALE


def test_codes_continue_after_the_generated_ones(bench, db):
    periods = dict(
        NumberSequence.objects.filter(workspace=bench.workspace, kind="lead").values_list(
            "period", "last_value"
        )
    )
    assert sum(periods.values()) == SCALE
    lead = lead_create(actor=Actor.for_member(bench.director), company_name="After the bench")
    assert Lead.objects.filter(workspace=bench.workspace, code=lead.code).count() == 1


# --- query counts ---------------------------------------------------------------------------------


def test_list_page_query_count_is_constant(bench, client):
    deep, _total = _deep_cursor(bench, status="contacting")
    first = sql_of(client, "/leads/?status=contacting")
    deeper = sql_of(client, "/leads/?" + urlencode({"status": "contacting", "cursor": deep}))
    searched = sql_of(client, "/leads/?q=" + "宁波")
    # session, user, membership, leads (owners joined), saved views, custom field definitions,
    # and the members a manager may assign to.
    assert len(first) == len(deeper) == len(searched) <= 7
    assert len(lead_selects(first)) == 1  # one SELECT on leads, owners joined


def test_json_list_query_count_is_constant(bench, client):
    counts = {
        limit: len(sql_of(client, f"/api/v1/leads?status=contacting&limit={limit}"))
        for limit in (10, 100, 200)
    }
    deep, _total = _deep_cursor(bench, status="contacting")
    counts["deep"] = len(
        sql_of(client, "/api/v1/leads?" + urlencode({"status": "contacting", "cursor": deep}))
    )
    assert len(set(counts.values())) == 1, counts
    assert counts[10] <= 6


# --- plan shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "status=contacting", "owner=none"])
def test_list_queries_read_an_index_in_order(bench, client, query):
    (sql, params), *_ = lead_selects(sql_of(client, f"/leads/?{query}"))
    assert_indexed(explain(sql, params), sql)


def test_json_list_query_reads_an_index_in_order(bench, client):
    (sql, params), *_ = lead_selects(sql_of(client, "/api/v1/leads?status=qualified&limit=100"))
    assert_indexed(explain(sql, params), sql)


def test_deep_page_seeks_into_the_index(bench, client):
    deep, _total = _deep_cursor(bench, status="contacting")
    url = "/leads/?" + urlencode({"status": "contacting", "cursor": deep})
    (sql, params), *_ = lead_selects(sql_of(client, url))
    text = "\n".join(explain(sql, params))
    if connection.vendor == "sqlite":
        assert re.search(r"status=\? AND \(?created_at<", text) or "created_at<" in text, text
    else:
        assert re.search(r"Index Cond: .*created_at", text), text


def _pairs_migration():
    import importlib

    return importlib.import_module("tradewind.leads.migrations.0016_search_pairs_gin_postgres")


def test_pairs_query_and_index_share_one_expression():
    # The planner uses lead_pairs_gin only for the expression the index was built on.
    assert _pairs_migration().EXPRESSION == search.PAIRS_INDEX_SQL


def test_rare_two_character_chinese_search_reads_an_index(bench, client):
    """The rare 2-character brand of the bench figures: PostgreSQL reads lead_pairs_gin (it used to
    scan the table: trigrams need 3 characters), SQLite the pairs FTS table; neither walks the
    leads looking for it."""
    terms = {key: term for key, _label, term in search_terms(bench)}
    (sql, params), *_ = lead_selects(
        sql_of(client, "/leads/?" + urlencode({"q": terms["search_zh2_brand"]}))
    )
    lines = explain(sql, params)
    text = "\n".join(lines)
    if connection.vendor == "sqlite":
        assert f"{search.PAIRS_TABLE} VIRTUAL TABLE" in text, text
    else:
        assert "lead_pairs_gin" in text, text
        assert not [f for f in plan_flags(lines, sql) if "FULL SCAN" in f], text


# --- the import figure's engine work ---------------------------------------------------------------


def test_import_chunk_dedupe_is_a_constant_number_of_indexed_lookups(bench, db):
    """The bench import file (mixed rows, ~2% bad, ~3% repeats of existing leads) deduplicated a
    chunk at a time: one query per key column whatever the chunk's size, each an index lookup."""
    leads = measure_import.known_leads(bench, 300)
    customers = measure_import.ensure_customers(bench)
    rows = list(import_file.rows(2000, leads, customers))
    headers = rows[0]
    ctx = engine.RowContext.load(
        workspace=bench.workspace, headers=headers, mapping=auto_mapping(headers)
    )
    assert set(ctx.required) <= {name for _i, name, _h in ctx.columns}
    calls = {}
    for size in (200, 2000):
        tally = Tally()
        chunk = [
            (n + 2, [cell_value(c.strip()) for c in row])
            for n, row in enumerate(rows[1 : size + 1])
        ]
        cleaned = clean_chunk(ctx, chunk, tally)
        cap = Capture()
        with connection.execute_wrapper(cap):
            dedupe_chunk(ctx, cleaned, engine.FileKeys(), tally)
        calls[size] = cap.calls
    assert len(calls[200]) == len(calls[2000]) <= 13, [s for s, _p in calls[2000]]
    assert 0.01 * 2000 < tally.error_rows < 0.04 * 2000
    assert tally.duplicate_rows > 0.02 * 2000
    if connection.vendor == "sqlite":  # PostgreSQL may rightly scan a 20,000-row table
        # Only the key columns the generator fills: company_key, company_pinyin and web_domain are
        # '' on every generated lead, so ANALYZE tells SQLite those indexes select nothing and it
        # scans (docs/performance.md, import figure).
        filled = ("email", "phone_e164", "email_domain")
        for sql, params in calls[2000]:
            if not any(f"{col} IN" in sql for col in filled):
                continue
            lines = explain(sql, params)
            assert not [f for f in plan_flags(lines, sql) if "FULL SCAN" in f], lines
            assert "SEARCH" in "\n".join(lines), lines
