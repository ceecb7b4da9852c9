"""The dashboards' last drill-downs list exactly what they count (issue #7):

- each slice of the receivables pie links the overdue list with its aging bucket and the
  dashboard's owner / team narrowing: the items, the orders and the base-currency amount the
  slice shows — on the page, through the API and in the orders list and its export;
- every forecast period (overdue, each month, later, no date) links the opportunities list with
  its expected-close days, open and counted by the forecast (category not omitted);
- the won-amount goal's list link reads the workspace's days (`tz=workspace`), so it stays exact
  for a member whose own zone starts the day elsewhere.

Data (workspace base CNY, zone Asia/Shanghai, today 2031-03-10), hand-computed:

  order (customer owner)   rate | item due    days  remaining            base (per item, half up)
  SO-1 (rep, East)         7.1  | 2031-03-09     1  100.005 → 100.01 USD   710.07
                                | 2031-02-08    30  200 − 50 = 150.00      1,065.00
                                | 2031-02-07    31  300 − 100 − 0.5        1,416.45
                                | due today, no due date, nothing left but not closed, closed: none
  SO-2 (rep2, East)        0.5  | 2030-12-10    90  10.050 → 10.05 USD     5.03  (5.025)
                                | 2030-12-09    91  3.010 → 3.01 USD       1.51  (1.505)
  SO-3 (other_rep, West)   7.1  | 2031-01-24    45  1,000.00               7,100.00
  SO-4 (manager, Sales)    1    | 2031-02-28    10  123.45 CNY             123.45
  SO-5 (no owner: pool)    1    | 2031-03-05     5  10.00 CNY              10.00
  SO-6 (rep) cancelled     7.1  | 2031-03-01     9  500                    none

  Rounding the item first (as the overdue list shows it) matters: 100.005 × 7.1 unrounded is
  710.0355 → 710.04, and SQLite's float round() gives 1.50 for 1.505."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from tradewind.analytics import dashboards
from tradewind.customers.models import Customer
from tradewind.orders.forms_orders import OrderFilter, export_rows, filtered
from tradewind.orders.models_orders import Order, PaymentPlanItem
from tradewind.orders.receivables import overdue_rows
from tradewind.orders.totals import grouped
from tradewind.sales.filters import OpportunityFilter
from tradewind.sales.filters import filtered as opportunities_filtered
from tradewind.sales.models import Opportunity
from tradewind.sales.services import pipeline_default
from tradewind.workspaces.models import Membership, Team

pytestmark = pytest.mark.django_db

D = Decimal
NOW = dt.datetime(2031, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 on 2031-03-10 in Shanghai
TODAY = dt.date(2031, 3, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _customer(world, code: str, owner) -> Customer:
    return Customer.objects.create(
        workspace=world.ws, code=code, name=f"{code} Ltd", owner=owner.user if owner else None
    )


def _order(world, code: str, customer: Customer, currency: str, rate: str, **kw) -> Order:
    return Order.objects.create(
        workspace=world.ws, code=code, customer=customer, status=kw.get("status", "confirmed"),
        order_date=dt.date(2030, 11, 1), currency=currency, total=D("5000"), base_currency="CNY",
        fx_rate=D(rate), fx_date=dt.date(2030, 11, 1), base_total=D("5000") * D(rate),
    )  # fmt: skip


def _item(order: Order, position: int, due: dt.date | None, amount: str, **kw) -> None:
    PaymentPlanItem.objects.create(
        order=order, position=position, kind="balance", percent=D("10"), amount=D(amount),
        trigger="fixed_date", due_date=due, **kw,
    )  # fmt: skip


def receivables_data(world) -> None:
    c_rep = _customer(world, "C-REP", world.rep)
    c_rep2 = _customer(world, "C-REP2", world.rep2)
    c_west = _customer(world, "C-WEST", world.other_rep)
    c_mgr = _customer(world, "C-MGR", world.manager)
    c_pool = _customer(world, "C-POOL", None)
    so1 = _order(world, "SO-1", c_rep, "USD", "7.1")
    _item(so1, 0, dt.date(2031, 3, 9), "100.005")
    _item(so1, 1, dt.date(2031, 2, 8), "200", received=D("50"))
    _item(so1, 2, dt.date(2031, 2, 7), "300", received=D("100"), charges=D("0.5"))
    _item(so1, 3, TODAY, "999")
    _item(so1, 4, None, "999")
    _item(so1, 5, dt.date(2031, 1, 1), "50", received=D("50"))
    _item(so1, 6, dt.date(2031, 1, 1), "70", closed_at=NOW)
    so2 = _order(world, "SO-2", c_rep2, "USD", "0.5")
    _item(so2, 0, dt.date(2030, 12, 10), "10.050")
    _item(so2, 1, dt.date(2030, 12, 9), "3.010")
    _item(_order(world, "SO-3", c_west, "USD", "7.1"), 0, dt.date(2031, 1, 24), "1000")
    _item(_order(world, "SO-4", c_mgr, "CNY", "1"), 0, dt.date(2031, 2, 28), "123.45")
    _item(_order(world, "SO-5", c_pool, "CNY", "1"), 0, dt.date(2031, 3, 5), "10")
    so6 = _order(world, "SO-6", c_rep, "USD", "7.1", status="cancelled")
    _item(so6, 0, dt.date(2031, 3, 1), "500")


def _table(block) -> list[tuple[str, Decimal, int | None]]:
    return [(r.key, r.value, r.count) for r in block.rows]


def test_receivables_slices_match_the_hand_computed_table(world, frozen):
    receivables_data(world)
    board = dashboards.team_dashboard(world.owner)
    assert _table(board.block("receivables")) == [
        ("1_30", D("1908.52"), 3),  # 710.07 + 1,065.00 + 123.45 + 10.00: SO-1, SO-4, SO-5
        ("31_60", D("8516.45"), 2),  # 1,416.45 + 7,100.00: SO-1, SO-3
        ("61_90", D("5.03"), 1),
        ("90_plus", D("1.51"), 1),
    ]
    east = dashboards.team_dashboard(
        world.owner, filters=dashboards.team_filters({"team": world.east.pk})
    )
    assert _table(east.block("receivables")) == [
        ("1_30", D("1775.07"), 1),
        ("31_60", D("1416.45"), 1),
        ("61_90", D("5.03"), 1),
        ("90_plus", D("1.51"), 1),
    ]
    mine = dashboards.rep_dashboard(world.rep).block("receivables")
    assert _table(mine) == [("1_30", D("1775.07"), 1), ("31_60", D("1416.45"), 1)]
    assert mine.rows[0].url == "/orders/overdue/?owner=me&overdue=1-30"
    assert mine.url == "/orders/?owner=me&overdue=1"


def _check_slice(member, client, api, token, row) -> None:
    """The slice's link (overdue list) and its count's link (orders list) list what it counts."""
    link = urlsplit(row.url)
    assert link.path == reverse("orders:overdue")
    params = QueryDict(link.query)
    filters = OrderFilter.from_params(params)
    rows = overdue_rows(member, filters=filters)
    assert sum((r.base_remaining for r in rows), D(0)) == row.value, row.url
    assert len({r.order.pk for r in rows}) == row.count, row.url
    assert len(rows) == row.detail["items"], row.url
    page = client.get(row.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"CNY {grouped(row.value, 'CNY')}</span>" in body, row.url
    assert body.count('data-testid="overdue-row"') == row.detail["items"]
    assert f'data-testid="overdue-orders">{row.count}<' in body
    data = api("get", f"/orders/overdue?{link.query}", token=token).json()
    assert sum(D(i["remaining_base"]) for i in data) == row.value, row.url
    assert len({i["order_id"] for i in data}) == row.count
    # The count's link: the orders list (page, API, export) with the same filter.
    orders_link = urlsplit(row.detail["orders_url"])
    assert orders_link.path == reverse("orders:list")
    assert QueryDict(orders_link.query) == params
    assert filtered(member, filters).count() == row.count
    listing = client.get(row.detail["orders_url"]).content.decode()
    assert listing.count('data-testid="order-row"') == row.count
    listed = api("get", f"/orders?{orders_link.query}", token=token).json()["items"]
    assert len(listed) == row.count
    assert len(export_rows(member, filters)) - 1 == row.count


@pytest.mark.parametrize("who", ["owner", "manager", "rep"])
def test_every_slice_lists_exactly_its_items_orders_and_amount(
    world, frozen, client_for, api, token_for, who
):
    receivables_data(world)
    member = getattr(world, who)
    client, token = client_for(member), token_for(member)
    boards = [dashboards.rep_dashboard(member), dashboards.team_dashboard(member)]
    for params in (
        {"owner": "me"},
        {"owner": str(world.rep.user_id)},
        {"owner": str(world.other_rep.user_id)},
        {"team": str(world.sales.pk)},
        {"team": str(world.east.pk)},
        {"team": str(world.west.pk)},
        {"team": str(world.east.pk), "owner": str(world.rep2.user_id)},
    ):
        boards.append(dashboards.team_dashboard(member, filters=dashboards.team_filters(params)))
    checked = 0
    for board in boards:
        block = board.block("receivables")
        for row in block.rows:
            _check_slice(member, client, api, token, row)
            checked += 1
    assert checked >= (14 if who != "rep" else 2)


def test_the_page_table_links_each_amount_and_count(world, frozen, client_for):
    receivables_data(world)
    page = client_for(world.owner).get(
        reverse("analytics:dashboard_manager"), {"team": world.east.pk}
    )
    body = html.unescape(page.content.decode())
    for bucket in ("1-30", "31-60", "61-90", "90+"):
        query = f"team={world.east.pk}&overdue={bucket.replace('+', '%2B')}"
        assert f'href="/orders/overdue/?{query}"' in body
        assert f'href="/orders/?{query}"' in body
    assert f'href="/orders/overdue/?team={world.east.pk}"' in body  # "open the overdue list"


def test_overdue_filter_values(world, frozen):
    receivables_data(world)
    owner = world.owner

    def codes(**params: str) -> list[str]:
        qs = filtered(owner, OrderFilter.from_params(params))
        return sorted(qs.values_list("code", flat=True))

    assert codes(overdue="1") == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-5"]
    assert codes(overdue="90+") == codes(overdue="90 ") == ["SO-2"]  # "+" typed in a URL
    assert codes(overdue="31-60") == ["SO-1", "SO-3"]
    assert len(codes(overdue="45")) == 6  # not a bucket: ignored, like every unknown value
    assert codes(team=str(world.west.pk)) == ["SO-3"]
    assert codes(team=str(world.sales.pk)) == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-6"]
    foreign = Team.objects.filter(workspace=world.ws2).first()
    assert codes(team=str(foreign.pk)) == []  # another workspace's team matches nothing


# --- forecast -----------------------------------------------------------------------------------


def forecast_data(world) -> None:
    pipeline = pipeline_default(world.ws)
    stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("position").first()
    customer = _customer(world, "C-FC", world.rep)
    rows = (
        ("F1", world.rep, dt.date(2031, 3, 2), "100", {}),  # this month but before today: overdue
        ("F2", world.rep, TODAY, "200", {}),
        ("F3", world.rep2, dt.date(2031, 3, 31), "300", {}),
        ("F4", world.rep, dt.date(2031, 4, 1), "400", {}),
        ("F5", world.other_rep, dt.date(2031, 8, 31), "500", {}),
        ("F6", world.rep, dt.date(2031, 9, 1), "600", {}),  # later
        ("F7", world.manager, None, "700", {}),  # no date
        ("F8", world.rep, dt.date(2031, 3, 15), "800", {"forecast_category": "omitted"}),
        ("F9", world.rep, dt.date(2031, 3, 20), "900", {"status": "won"}),
        ("F10", world.rep, dt.date(2030, 1, 1), None, {"amount": D("5000"), "currency": "JPY"}),
    )
    for code, owner, close, base, kw in rows:
        Opportunity.objects.create(
            workspace=world.ws, code=code, name=code, customer=customer, pipeline=pipeline,
            stage=stage, owner=owner.user, expected_close_date=close,
            base_amount=D(base) if base else None, **kw,
        )  # fmt: skip


def _check_period(member, row) -> None:
    link = urlsplit(row.url)
    assert link.path == reverse("sales:list"), row.url
    qs = opportunities_filtered(member, OpportunityFilter.from_params(QueryDict(link.query)))
    assert qs.count() == row.count, row.url
    total = sum((o.base_amount or D(0) for o in qs), D(0))
    assert total == row.value, row.url


@pytest.mark.parametrize("who", ["owner", "manager", "rep"])
def test_every_forecast_period_lists_exactly_its_opportunities(world, frozen, who):
    forecast_data(world)
    member = getattr(world, who)
    checked = 0
    for params in (
        {},
        {"owner": "me"},
        {"owner": str(world.rep.user_id)},
        {"team": str(world.east.pk)},
    ):
        board = dashboards.team_dashboard(member, filters=dashboards.team_filters(params))
        block = board.block("forecast")
        for row in block.rows:
            _check_period(member, row)
            checked += 1
    assert checked == 4 * 9  # overdue, six months, later, no date


def test_forecast_figures_by_hand(world, frozen):
    forecast_data(world)
    block = dashboards.team_dashboard(world.owner).block("forecast")
    figures = {r.key: (r.value, r.count) for r in block.rows}
    assert figures["overdue"] == (D("100.00"), 2)  # F1 and F10 (no rate: counted, not summed)
    assert figures["2031-03"] == (D("500.00"), 2)  # F2, F3 — not F1, F8 (omitted), F9 (won)
    assert figures["2031-04"] == (D("400.00"), 1)
    assert figures["2031-08"] == (D("500.00"), 1)
    assert figures["later"] == (D("600.00"), 1)
    assert figures["none"] == (D("700.00"), 1)
    march = QueryDict(urlsplit(block.rows[1].url).query)
    assert march["expected_from"] == "2031-03-10" and march["expected_to"] == "2031-03-31"
    assert march["status"] == "open" and march["forecast"] == "1"


# --- the won-amount goal's list link ------------------------------------------------------------


def test_won_amount_goal_link_reads_the_workspace_days(world, client_for, api, token_for):
    """Goals count in the workspace's days (Shanghai); the owner lives in Los Angeles. The deal
    won at 01:00 on 1 March in Shanghai is February for LA, and the one won at 04:00 on 1 April
    in Shanghai is still March there: the list must use Shanghai's days to agree."""
    forecast_data(world)
    f1 = Opportunity.objects.get(code="F1")
    for code, closed in (
        ("W-EARLY", dt.datetime(2031, 2, 28, 17, 0, tzinfo=dt.UTC)),  # 03-01 01:00 Shanghai
        ("W-MID", dt.datetime(2031, 3, 15, 4, 0, tzinfo=dt.UTC)),
        ("W-LATE", dt.datetime(2031, 3, 31, 20, 0, tzinfo=dt.UTC)),  # 04-01 04:00 Shanghai
    ):
        Opportunity.objects.create(
            workspace=world.ws, code=code, name=code, customer_id=f1.customer_id,
            pipeline_id=f1.pipeline_id, stage_id=f1.stage_id, owner=world.rep.user,
            status="won", closed_at=closed, base_amount=D("1000"),
        )  # fmt: skip
    world.owner.user.time_zone = "America/Los_Angeles"
    world.owner.user.save(update_fields=["time_zone"])
    owner = Membership.objects.select_related("user", "workspace").get(pk=world.owner.pk)
    with time_machine.travel(NOW, tick=False):
        page = client_for(owner).get(
            reverse("analytics:goal_records"),
            {"metric": "won_amount", "period": "month", "start": "2031-03-01"},
        )
    assert page.status_code == 200
    assert page.context["count"] == 2  # W-EARLY, W-MID
    link = urlsplit(page.context["list_url"])
    params = QueryDict(link.query)
    assert params["tz"] == "workspace"
    listed = opportunities_filtered(owner, OpportunityFilter.from_params(params))
    assert sorted(listed.values_list("code", flat=True)) == ["W-EARLY", "W-MID"]
    # Read in the member's own days, the same dates list other deals.
    own = OpportunityFilter.from_params(params.dict() | {"tz": ""})
    assert sorted(opportunities_filtered(owner, own).values_list("code", flat=True)) == [
        "W-LATE",
        "W-MID",
    ]
    res = api("get", f"/opportunities?{link.query}", token=token_for(owner))
    assert sorted(i["code"] for i in res.json()["items"]) == ["W-EARLY", "W-MID"]
    # The lead and customer lists read only the member's days: no link rather than a wrong one.
    with time_machine.travel(NOW, tick=False):
        for metric in ("new_customers", "qualified_leads"):
            other = client_for(owner).get(
                reverse("analytics:goal_records"),
                {"metric": metric, "period": "month", "start": "2031-03-01"},
            )
            assert other.context["list_url"] == ""


def test_unknown_expected_and_tz_values_are_ignored(world):
    f = OpportunityFilter.from_params(
        {"expected_from": "2031-13-01", "expected": "soon", "forecast": "yes", "tz": "Mars"}
    )
    assert f.params() == {}
    assert f.querystring() == ""
