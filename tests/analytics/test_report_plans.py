"""The report queries that read a large table go through the index made for them (checked with
EXPLAIN, as the benchmark does at 1M leads): the first-contact SLA count through the partial
lead_sla_idx, the funnels' median time in stage through stage_change_median_idx, RFM's grouping
through order_rfm_idx."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.sales.test_board_scale import explain as board_explain
from tradewind.analytics import dashboards, rfm
from tradewind.analytics import funnels as fun
from tradewind.customers.models import Customer
from tradewind.leads import followups
from tradewind.leads.models import Lead
from tradewind.orders.models_orders import Order
from tradewind.sales.models import Opportunity, StageChange
from tradewind.sales.services import pipeline_default

from .rfm_helpers import TODAY as RFM_TODAY
from .rfm_helpers import _order
from .rfm_helpers import build as build_rfm
from .test_funnels import _args


def explain(sql: str, params) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's view of the rows just written
    return board_explain(sql, params)


def uses(index: str, plan: str) -> bool:
    if connection.vendor == "sqlite":
        return bool(re.search(rf"USING (COVERING )?INDEX {index}\b", plan))
    return index in plan


def test_the_sla_count_reads_only_uncontacted_grade_a_leads(world):
    now = timezone.now()
    old = now - dt.timedelta(days=3)
    # A realistic table: most leads were contacted or are not grade A; a few breach the SLA.
    leads = [
        Lead(
            workspace=world.ws, code=f"S{i}", company_name=f"Lead {i}", created_at=old,
            grade="A" if i % 4 == 0 else "B", status="contacting" if i % 50 else "new",
            first_contacted_at=None if i % 50 == 0 else old, owner_id=world.rep.user_id,
        )
        for i in range(3000)
    ]  # fmt: skip
    Lead.objects.bulk_create(leads)
    grouped = (
        followups.sla_breached_leads(world.owner, now)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    plan = explain(*grouped.query.sql_with_params())
    assert uses("lead_sla_idx", plan), plan
    # Every 50th lead is new and uncontacted, every 4th of those grade A: i % 100 == 0.
    block = dashboards.sla_block(world.owner, now)
    assert block.extra["total"] == 30


def test_the_median_time_in_stage_reads_its_index(world):
    pipeline = pipeline_default(world.ws)
    stages = [s for s in pipeline.stages.all().order_by("position") if not s.is_lost]
    when = timezone.now() - dt.timedelta(days=5)
    buyer = Customer.objects.create(
        workspace=world.ws, code="KHMEDIAN", name="Median buyer", owner=world.rep.user
    )
    opps = Opportunity.objects.bulk_create(
        [
            Opportunity(
                workspace=world.ws, code=f"M{i}", name=f"M{i}", pipeline=pipeline, customer=buyer,
                stage=stages[1], owner=world.rep.user, created_at=when, updated_at=when,
            )
            for i in range(400)
        ]
    )  # fmt: skip
    StageChange.objects.bulk_create(
        [
            StageChange(
                workspace=world.ws, opportunity=o, kind="move", from_stage=stages[0],
                to_stage=stages[1], to_status="open", changed_at=when,
                seconds_in_from_stage=86400 * (i % 9 + 1),
            )
            for i, o in enumerate(opps)
        ]
    )  # fmt: skip
    day = dt.timedelta(days=1)
    args = _args(
        world.owner,
        month="",
        start=(when - day).date().isoformat(),
        end=(when + day).date().isoformat(),
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # with statistics SQLite preferred stage_change_ws_idx
    with CaptureQueriesContext(connection) as queries:
        medians = fun.median_days_in_stage(
            member=args["member"], period=args["period"], stage_ids=[s.pk for s in stages]
        )
    # 400 exits of 1..9 days (44 or 45 each): the 200th and 201st are both 5 days.
    assert {k: (str(v[0]), v[1]) for k, v in medians.items()} == {stages[0].pk: ("5.0", 400)}
    count, middles = [q["sql"] for q in queries.captured_queries if "sales_stagechange" in q["sql"]]
    for sql in (count, middles) if connection.vendor == "sqlite" else (middles,):
        plan = explain(sql, None)
        assert uses("stage_change_median_idx", plan), plan


def test_rfm_groups_the_window_from_its_covering_index(world):
    data = build_rfm(world)
    customer = data.customers["C6"]
    # Years of history before the window: the index must narrow by date, not read them all.
    Order.objects.bulk_create(
        [
            _order(world.ws, customer, f"OLD{i:05d}", 400 + i % 900, "CNY", "100", "1", "completed")
            for i in range(3000)
        ]
    )
    window = rfm.window_for(world.ws, 365, RFM_TODAY)
    rows = rfm._per_customer(rfm._orders(Order.objects.filter(workspace=world.ws), window), "CNY")
    plan = explain(*rows.query.sql_with_params())
    assert uses("order_rfm_idx", plan), plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX order_rfm_idx" in plan, plan  # the table itself is never read
    assert rows.count() == 8  # C1-C8 have orders in the window; the old ones add no customer
