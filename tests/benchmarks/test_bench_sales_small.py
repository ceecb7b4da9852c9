"""The CI guard of the sales figures: a small bench (5,000 leads and the sales tables at the same
ratios, three in ten opportunities open so the board's columns have several pages) from the
same bulk generator, then query counts and plan shapes of the board and the opportunities list —
never timings. The figures come from `make bench` (docs/performance.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from tradewind.activities.models import FollowUp
from tradewind.benchmarks import generate, generate_sales
from tradewind.benchmarks.measure import Capture, plan_flags, workspace_walks
from tradewind.benchmarks.measure_sales import LARGE_TABLES, OPP_TABLE, board_state
from tradewind.benchmarks.measure_sales import _deep_opportunity_cursor as deep_cursor
from tradewind.customers.models import Contact, Customer
from tradewind.orders.models_orders import Order, PaymentPlanItem, Receipt
from tradewind.sales import board as board_read
from tradewind.sales.models import Opportunity, StageChange
from tradewind.workspaces.models import NumberSequence

SCALE = 5_000
OPEN_SHARE = 0.3
HTMX = {"HX-Request": "true"}


class _Bench:
    """Just what board_state / the cursor helpers read of measure.Bench."""

    def __init__(self, world: generate.BenchWorld) -> None:
        self.world = world


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = generate.ensure(SCALE, slug="bench-ci-sales")
            world.stats = {
                "sales": generate_sales.ensure_sales(world, SCALE, open_share=OPEN_SHARE)
            }  # type: ignore[dict-item]
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def client(bench, db) -> Client:
    c = Client()
    c.force_login(bench.director.user, backend="django.contrib.auth.backends.ModelBackend")
    c.get(reverse("board:index"))  # the first request records the session; creates nothing else
    return c


def sql_of(client: Client, url: str, **headers: str) -> list[tuple[str, object]]:
    cap = Capture()
    with connection.execute_wrapper(cap):
        response = client.get(url, headers=headers or None)
    assert response.status_code == 200, (url, response.status_code)
    return cap.calls


def opp_selects(calls: list[tuple[str, object]]) -> list[tuple[str, object]]:
    return [
        (s, p)
        for s, p in calls
        if f'FROM "{OPP_TABLE}"' in s and s.lstrip().upper().startswith("SELECT")
    ]


def explain(sql: str, params: object) -> list[str]:
    """The plan. PostgreSQL rightly reads tables this small whole, so it is asked with sequential
    scans discouraged: a Seq Scan that remains means no index can serve the query."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET enable_seqscan")


def scans(lines: list[str], sql: str) -> list[str]:
    return [f for f in plan_flags(lines, sql, LARGE_TABLES) if "FULL SCAN" in f]


# --- the generator --------------------------------------------------------------------------------


def test_generator_builds_every_table_at_the_issue_ratios(bench, db):
    ws = bench.workspace
    want = generate_sales.sizes(SCALE)
    assert Customer.objects.filter(workspace=ws).count() == want["customers"] == SCALE // 5
    contacts = Contact.objects.filter(workspace=ws)
    assert contacts.count() == want["contacts"] == 2 * want["customers"]
    assert contacts.filter(is_primary=True).count() == want["customers"]
    assert Opportunity.objects.filter(workspace=ws).count() == want["opportunities"]
    assert Order.objects.filter(workspace=ws).count() == want["orders"]
    assert FollowUp.objects.filter(workspace=ws).count() == want["followups"] == SCALE * 5
    assert Customer.objects.filter(workspace=ws).values("code").distinct().count() == SCALE // 5
    # Codes continue after the generated ones.
    seq = NumberSequence.objects.filter(workspace=ws, kind="opportunity")
    assert sum(seq.values_list("last_value", flat=True)) == want["opportunities"]


def test_opportunities_fill_the_board_and_the_history(bench, db):
    ws = bench.workspace
    opps = Opportunity.objects.filter(workspace=ws)
    open_n = opps.filter(status="open").count()
    assert 0.25 * opps.count() < open_n < 0.35 * opps.count()
    _pipeline, stages = generate_sales.default_pipeline(ws)
    open_stages = {s.pk for s in stages if not s.is_closed}
    assert set(opps.filter(status="open").values_list("stage_id", flat=True)) == open_stages
    assert not opps.filter(status="open", base_amount__isnull=True).exists()
    assert opps.filter(amount_from_lines=True).exists()
    for opp in opps.filter(amount_from_lines=True)[:20]:
        assert opp.amount == sum(line.amount for line in opp.lines.all())
    # Every opportunity's history starts with its creation; won ones end in the won stage.
    assert (
        StageChange.objects.filter(opportunity__workspace=ws, kind="create").count() == opps.count()
    )
    won = next(s for s in stages if s.is_won)
    assert set(opps.filter(status="won").values_list("stage_id", flat=True)) == {won.pk}
    assert not opps.exclude(status="open").filter(closed_at__isnull=True).exists()


def test_orders_carry_payment_plans_and_receipts_that_add_up(bench, db):
    ws = bench.workspace
    orders = Order.objects.filter(workspace=ws)
    assert PaymentPlanItem.objects.filter(order__workspace=ws).count() == 2 * orders.count()
    received = dict(
        Receipt.objects.filter(workspace=ws)
        .values("order_id")
        .annotate(s=Sum("amount_order_currency"))
        .values_list("order_id", "s")
    )
    for order in orders.exclude(status="cancelled").order_by("id")[:200]:
        assert received.get(order.pk, Decimal(0)) == order.received_total
        assert order.base_total == (order.total * order.fx_rate).quantize(Decimal("0.001"))
    assert orders.filter(opportunity__isnull=False).exists()
    assert orders.filter(status="completed").count() > orders.count() // 2


def test_followups_point_at_real_records(bench, db):
    ws = bench.workspace
    kinds = dict(
        FollowUp.objects.filter(workspace=ws)
        .values("target_type")
        .annotate(n=Count("id"))
        .values_list("target_type", "n")
    )
    assert set(kinds) == {"lead", "customer", "opportunity"}
    sample = FollowUp.objects.filter(workspace=ws, target_type="customer").values_list(
        "target_id", flat=True
    )[:50]
    assert Customer.objects.filter(workspace=ws, pk__in=list(sample)).count() == len(set(sample))


def test_generator_reuses_and_rebuilds_only_what_is_missing(bench, db):
    again = generate_sales.ensure_sales(bench, SCALE, open_share=OPEN_SHARE)
    assert again.rebuilt == []
    with transaction.atomic():
        FollowUp.objects.filter(workspace=bench.workspace, target_type="lead")[:1].get().delete()
        stats = generate_sales.ensure_sales(bench, SCALE, open_share=OPEN_SHARE)
        assert stats.rebuilt == ["followups"]
        assert FollowUp.objects.filter(workspace=bench.workspace).count() == SCALE * 5
        transaction.set_rollback(True)


# --- the board --------------------------------------------------------------------------------


def test_board_first_view_query_count_does_not_grow_with_the_cards(bench, client):
    url = reverse("board:index")
    first = sql_of(client, url)
    # Fewer cards (a filter) -> the same statements.
    filtered = sql_of(client, f"{url}?stale=0")
    assert len(first) == len(filtered) <= 16, [s for s, _p in first]
    # One aggregate for every column header + one page query per open column.
    state = board_state(_Bench(bench))
    assert len(opp_selects(first)) == 1 + len(state["columns"])  # type: ignore[arg-type]


def test_board_load_more_costs_the_same_at_any_depth(bench, client):
    state = board_state(_Bench(bench))
    assert state["stage_count"] > 2 * board_read.PAGE_SIZE  # the guard needs several pages
    base = {"pipeline": state["pipeline"], "stage": state["stage"]}
    url = reverse("board:index")
    second = sql_of(client, f"{url}?{urlencode({**base, 'cursor': state['second']})}", **HTMX)
    deep = sql_of(client, f"{url}?{urlencode({**base, 'cursor': state['deep']})}", **HTMX)
    assert len(second) == len(deep) <= 12, [s for s, _p in deep]


def test_board_queries_read_the_status_stage_index(bench, client):
    calls = opp_selects(sql_of(client, reverse("board:index")))
    assert calls
    for sql, params in calls:
        lines = explain(sql, params)
        text = "\n".join(lines)
        assert not scans(lines, sql), text
        assert "opp_ws_status_stage_idx" in text, text


# --- the opportunities list ---------------------------------------------------------------------


def test_list_page_query_count_is_constant(bench, client):
    deep, _total = deep_cursor(_Bench(bench))
    url = reverse("sales:list")
    counts = {
        "first": len(sql_of(client, url)),
        "deep": len(sql_of(client, f"{url}?{urlencode({'cursor': deep})}")),
        "open": len(sql_of(client, f"{url}?status=open")),
        "search": len(sql_of(client, f"{url}?q=order")),
    }
    assert len(set(counts.values())) == 1, counts
    assert counts["first"] <= 12


def test_json_list_query_count_is_constant(bench, client):
    deep, _total = deep_cursor(_Bench(bench))
    counts = {
        limit: len(sql_of(client, f"/api/v1/opportunities?limit={limit}"))
        for limit in (10, 100, 200)
    }
    counts["deep"] = len(sql_of(client, "/api/v1/opportunities?" + urlencode({"cursor": deep})))
    assert len(set(counts.values())) == 1, counts
    assert counts[10] <= 6


@pytest.mark.parametrize("query", ["", "status=open", "status=won"])
def test_list_query_reads_no_table_whole(bench, client, query):
    calls = opp_selects(sql_of(client, f"{reverse('sales:list')}?{query}"))
    assert calls
    for sql, params in calls:
        lines = explain(sql, params)
        assert not scans(lines, sql), "\n".join(lines)


def test_list_query_reads_an_index_in_order(bench, client):
    (sql, params), *_ = opp_selects(sql_of(client, reverse("sales:list")))
    lines = explain(sql, params)
    assert not [f for f in plan_flags(lines, sql, LARGE_TABLES) if "sorts" in f], lines


# --- the plan reader ------------------------------------------------------------------------------


def test_workspace_walks_names_tables_behind_aliases():
    lines = [
        "SEARCH sales_opportunity USING INDEX opp_ws_status_close_idx (workspace_id=?)",
        "  SEARCH U0 USING COVERING INDEX orders_order_workspace_id_a1d6eba8 (workspace_id=?)",
        "SEARCH leads_lead USING INDEX lead_ws_created_idx (workspace_id=? AND created_at>?)",
        "SEARCH activities_followup USING INDEX followup_owner_idx (ANY(workspace_id))",
    ]
    assert workspace_walks(lines, LARGE_TABLES) == [
        "sales_opportunity",
        "orders_order",
        "activities_followup",
    ]
    assert re.search("FULL SCAN of customers_customer", " ".join(
        plan_flags(["SCAN customers_customer"], "SELECT 1", LARGE_TABLES)))  # fmt: skip
