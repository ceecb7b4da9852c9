"""The board stays cheap with many opportunities: a constant number of queries whatever the size
(columns load in pages, totals come from one aggregate), and the aggregate reads the
(workspace, status, stage) index — checked with EXPLAIN like the benchmarks' plan tests."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tradewind.customers.models import Customer
from tradewind.sales import board
from tradewind.sales.models import Opportunity
from tradewind.sales.services import pipeline_default

OPP_TABLE = Opportunity._meta.db_table


def bulk_opportunities(workspace, owner, count, *, status="open", prefix="B", start=0):
    """Rows straight into the table (no services: this is about reads), spread over the stages."""
    pipeline = pipeline_default(workspace)
    stages = list(pipeline.stages.all())
    open_stages = [s for s in stages if not s.is_closed]
    won = next(s for s in stages if s.is_won)
    customer, _new = Customer.objects.get_or_create(
        workspace=workspace,
        code=f"KHSCALE{prefix}",
        defaults={"name": "Scale buyer", "owner": owner},
    )
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    rows = [
        Opportunity(
            workspace=workspace,
            code=f"SJ{prefix}{start + i:07}",
            name=f"Scale deal {i}",
            customer=customer,
            pipeline=pipeline,
            stage=open_stages[i % len(open_stages)] if status == "open" else won,
            status=status,
            owner=owner,
            amount=Decimal(1000 + i),
            currency="USD",
            base_amount=Decimal(7000 + i) if i % 10 else None,
            probability=None if i % 3 else 40,
            expected_close_date=dt.date(2031, 1, 1) + dt.timedelta(days=i % 200) if i % 7 else None,
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    ]
    Opportunity.objects.bulk_create(rows, batch_size=2000)


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_board_page_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    url = reverse("board:index")
    client.get(url)  # the first request records the session and creates the close reasons
    bulk_opportunities(world.ws, world.rep.user, 20)
    small = page_queries(client, url)
    bulk_opportunities(world.ws, world.rep.user, 1200, start=20)
    large = page_queries(client, url)
    assert large == small
    with django_assert_max_num_queries(25):
        resp = client.get(url)
    columns = resp.context["board"].columns
    assert sum(c.totals.count for c in columns) == 1220
    assert all(len(c.page.items) == board.PAGE_SIZE for c in columns)
    # the API answers in the same constant number of queries
    assert page_queries(client, "/api/v1/board") <= 25


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[3]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_column_totals_aggregate_uses_the_index(world):
    """A realistic table: the workspace's open deals are a small share of all rows (closed history,
    other tenants), as on a shared server. The aggregate must be read through an index (on
    PostgreSQL the planner picks opp_ws_status_stage_idx or the pipeline's foreign-key index)."""
    big = connection.vendor == "postgresql"
    bulk_opportunities(world.ws, world.rep.user, 2000 if big else 300)
    bulk_opportunities(world.ws, world.rep.user, 3000 if big else 300, status="won", prefix="W")
    bulk_opportunities(world.ws2, world.owner2.user, 10000 if big else 600, prefix="X")
    if big:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {OPP_TABLE}")
    pipeline = pipeline_default(world.ws)
    stages = board.stages_of(pipeline)
    for member in (world.owner, world.rep):  # whole workspace; own scope (with shared rows)
        qs = board.board_queryset(member, pipeline, stages, board.board_filters({}))
        sql, params = board.totals_query(qs).query.sql_with_params()
        plan = explain(sql, params)
        if big:
            assert not re.search(rf"Seq Scan on {OPP_TABLE}\b", plan), plan
            # opp_ws_status_stage_idx, or the pipeline's own index (a pipeline is one workspace's)
            assert re.search(
                r"(Index|Index Only|Bitmap Index) Scan (Backward )?(using|on) ", plan
            ), plan
        else:
            assert re.search(rf"SEARCH {OPP_TABLE} USING (COVERING )?INDEX opp_ws_", plan), plan
        totals = board.column_totals(qs, stages, "CNY")
        assert sum(t.count for t in totals.values()) == (2000 if big else 300)
