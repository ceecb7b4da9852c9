"""Role dashboards: a small fixed dataset built through the services whose figures are asserted
exactly (counts and Decimal amounts in the base currency), the pages, the XLSX export and the API,
constant query counts, and visibility (a rep sees their own, the manager their scope, another
workspace nothing)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook

from tests.orders.conftest import QuoteWorld, media_dir, qw  # noqa: F401 - fixtures
from tests.orders.order_helpers import make_order
from tradewind.activities.task_services import task_create
from tradewind.analytics import dashboards
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.leads.status import lead_transition
from tradewind.orders.models import PaymentPlanItem
from tradewind.sales.services import opportunity_create, pipeline_default

NOW = dt.datetime(2031, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 on 2031-03-10 in Shanghai
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def data(world, qw):  # noqa: F811
    """The worked example (workspace base CNY, zone Asia/Shanghai, USD 7.1):

    open opportunities        | owner     | amount       | base      | stage
    A                         | rep       | 10,000 USD   | 71,000.00 | quotation
    B                         | rep       | 999 CNY      |    999.00 | initial contact
    C                         | rep       | 500,000 JPY  | — no rate | initial contact
    D                         | rep2      | 1,000 CNY    |  1,000.00 | quotation
    E                         | other_rep | 2,000 CNY    |  2,000.00 | negotiation
    the rep's order (1,295.45 USD at 7.1) on the rep's customer, created 2031-02-01:
      deposit 388.64 USD due 2031-02-01 (37 days late) -> 2,759.34; balance 906.81 USD due
      2030-12-01 (99 days late) -> 6,438.35
    leads (created, Shanghai time): rep trade show 01-15 (contacted, then qualified), rep web form
      01-15, other_rep referral 2031-01-01 01:00 (= 2030-12-31 17:00 UTC), other_rep trade show
      02-10, rep web form grade A 03-09 08:00 (28 h before now: an SLA breach), other_rep other
      2030-12-31 23:00 (outside the period)
    the rep's tasks: one overdue (yesterday), one due today (14:00), one tomorrow
    """
    with time_machine.travel(at(2031, 2, 1, 4), tick=False):
        order = make_order(world, qw)
    PaymentPlanItem.objects.filter(order=order, position__gt=0).update(
        due_date=dt.date(2030, 12, 1)
    )
    with time_machine.travel(at(2031, 3, 1, 4), tick=False):
        stages = {s.key: s for s in pipeline_default(world.ws).stages.all()}

        def deal(member, name, amount, currency, stage):
            customer = qw.other_customer if member == world.other_rep else qw.customer
            return opportunity_create(
                actor=world.actor(world.owner),
                customer=customer,
                name=name,
                amount=amount,
                currency=currency,
                stage_id=stages[stage].pk,
                owner_id=member.user_id,
            )

        deal(world.rep, "A", "10000", "USD", "quotation")
        deal(world.rep, "B", "999", "CNY", "initial_contact")
        deal(world.rep, "C", "500000", "JPY", "initial_contact")
        deal(world.rep2, "D", "1000", "CNY", "quotation")
        deal(world.other_rep, "E", "2000", "CNY", "negotiation")

    def lead(member, when, **kwargs):
        with time_machine.travel(when, tick=False):
            return lead_create(
                allow_duplicates=True,
                actor=world.actor(member),
                company_name=f"Lead {when.isoformat()} {kwargs}",
                **kwargs,
            )

    contacted = lead(world.rep, at(2031, 1, 15, 2), source="trade_show")
    with time_machine.travel(at(2031, 1, 16, 2), tick=False):
        contacted = lead_transition(
            actor=world.actor(world.rep), lead=contacted, to_status="contacting"
        )
        lead_transition(actor=world.actor(world.rep), lead=contacted, to_status="qualified")
    lead(world.rep, at(2031, 1, 15, 3), source="web_form")
    lead(world.other_rep, at(2030, 12, 31, 17), source="referral")
    lead(world.other_rep, at(2031, 2, 10, 3), source="trade_show")
    lead(world.rep, at(2031, 3, 9, 0), source="web_form", grade="A")
    lead(world.other_rep, at(2030, 12, 31, 15), source="other")
    with time_machine.travel(NOW, tick=False):
        rep = world.actor(world.rep)
        for title, due in (
            ("Overdue call", NOW - dt.timedelta(days=1)),
            ("Today's quote", NOW + dt.timedelta(hours=2)),
            ("Tomorrow's visit", NOW + dt.timedelta(days=1)),
        ):
            task_create(actor=rep, title=title, due_kind="exact", due_at=due)
    return {"order": order, "stages": stages}


def table(block):
    return [(r.key, r.label, r.value, r.count) for r in block.rows]


def test_rep_dashboard_matches_the_hand_computed_figures(world, data):
    stages = data["stages"]
    with time_machine.travel(NOW, tick=False):
        board = dashboards.rep_dashboard(world.rep)
    day = board.block("my_day")
    assert {r.key: r.value for r in day.rows} == {
        "tasks_overdue": 1,
        "tasks_today": 1,
        "followups_overdue": 0,
        "followups_today": 0,
    }
    assert [t.title for t in board.tasks] == ["Overdue call", "Today's quote"]
    pipeline = board.block("pipeline")
    assert [(r.key, r.value, r.count) for r in pipeline.rows] == [
        (str(stages["initial_contact"].pk), D("999.00"), 2),
        (str(stages["quotation"].pk), D("71000.00"), 1),
    ]
    assert "1" in pipeline.note  # the JPY deal: counted, not summed
    quotation = pipeline.rows[1].url
    assert "owner=me" in quotation and f"stage={stages['quotation'].pk}" in quotation
    receivables = board.block("receivables")
    assert table(receivables) == [
        ("31_60", "31–60 days", D("2759.34"), 1),
        ("90_plus", "More than 90 days", D("6438.35"), 1),
    ]
    assert receivables.extra["total"] == D("9197.69")
    assert receivables.url == "/orders/?owner=me&overdue=1"


def test_other_reps_see_only_their_own(world, data):
    stages = data["stages"]
    with time_machine.travel(NOW, tick=False):
        rep2 = dashboards.rep_dashboard(world.rep2)
        west = dashboards.team_dashboard(world.other_rep, months=3)
        beta = dashboards.team_dashboard(world.owner2, months=3)
    assert [(r.key, r.value) for r in rep2.block("pipeline").rows] == [
        (str(stages["quotation"].pk), D("1000.00"))
    ]
    assert rep2.block("receivables").rows == []
    assert {r.key: r.value for r in rep2.block("my_day").rows}["tasks_overdue"] == 0
    assert [r.value for r in west.block("funnel").rows] == [2, 0, 0, 0, 0]
    assert west.block("sla").rows == [] and west.block("receivables").rows == []
    assert all(b.empty for b in beta.blocks if b.key != "forecast")
    assert beta.block("forecast").extra["total"]["count"] == 0


def test_team_dashboard_matches_the_hand_computed_figures(world, data):
    stages = data["stages"]
    with time_machine.travel(NOW, tick=False):
        board = dashboards.team_dashboard(world.manager, months=3)
    assert board.start == dt.date(2031, 1, 1)
    funnel = board.block("funnel")
    assert [(r.key, r.value) for r in funnel.rows] == [
        ("created", 5),
        ("contacted", 1),
        ("qualified", 1),
        ("converted", 0),
        ("won", 0),
    ]
    assert funnel.rows[1].url == (
        "/leads/?reached=contacted&created_from=2031-01-01&created_to=2031-03-10"
    )
    by_source = board.block("leads_by_source")
    assert by_source.x == ["January 2031", "February 2031", "March 2031"]
    assert {s.name: s.values for s in by_source.series} == {
        "Trade show": [1, 1, 0],
        "Web form": [1, 0, 1],
        "Referral": [1, 0, 0],
    }
    assert [r.value for r in by_source.rows] == [3, 1, 1]
    trade = next(s for s in by_source.series if s.name == "Trade show")
    assert trade.urls[1] == (
        "/leads/?source=trade_show&created_from=2031-02-01&created_to=2031-02-28"
    )
    sla = board.block("sla")
    assert [(r.key, r.value) for r in sla.rows] == [(str(world.rep.user_id), 1)]
    assert sla.rows[0].url == f"/leads/?sla=1&owner={world.rep.user_id}"
    forecast = board.block("forecast")
    total = forecast.extra["total"]
    assert (total["count"], total["pipeline"], total["unconverted"]) == (5, D("74999.00"), 1)
    no_date = next(r for r in forecast.rows if r.key == "none")
    assert (no_date.value, no_date.count) == (D("74999.00"), 5)
    receivables = board.block("receivables")
    assert [r.value for r in receivables.rows] == [D("2759.34"), D("6438.35")]
    assert receivables.url == "/orders/?overdue=1"
    owner = dashboards.pipeline_block(world.owner, mine=False)
    assert [(r.key, r.value, r.count) for r in owner.rows] == [
        (str(stages["initial_contact"].pk), D("999.00"), 2),
        (str(stages["quotation"].pk), D("72000.00"), 2),
        (str(stages["negotiation"].pk), D("2000.00"), 1),
    ]


def test_lead_list_drill_down_shows_the_same_records(world, data, client_for):
    with time_machine.travel(NOW, tick=False):
        board = dashboards.team_dashboard(world.owner, months=3)
        client = client_for(world.owner)
        sla = client.get(board.block("sla").url)
        feb = client.get(
            next(s for s in board.block("leads_by_source").series if s.name == "Trade show").urls[1]
        )
    breach = Lead.objects.get(grade="A", workspace=world.ws)
    assert breach.code.encode() in sla.content
    assert (
        Lead.objects.filter(source="trade_show", owner=world.other_rep.user).get().code.encode()
        in feb.content
    )


def test_pages_render_with_constant_queries(world, data, client_for, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        client = client_for(world.manager)
        with django_assert_max_num_queries(40):
            mine = client.get("/reports/dashboard/")
        with django_assert_max_num_queries(45):
            team = client.get("/reports/dashboard/team/?months=3")
        hub = client.get("/reports/")
    assert mine.status_code == 200 and team.status_code == 200
    for key in ("funnel", "forecast", "sla", "leads_by_source", "receivables"):
        assert f'data-testid="chart-{key}"'.encode() in team.content
    assert b'id="dashboard-data"' in team.content
    assert b"/reports/dashboard/team/" in hub.content and b"/reports/dashboard/" in hub.content
    home = client.get("/")
    assert b"/reports/dashboard/" in home.content


def test_queries_do_not_grow_with_rows(world, data, client_for, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        client = client_for(world.owner)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            client.get("/reports/dashboard/team/?months=12")
        for i in range(5):
            lead_create(
                allow_duplicates=True,
                actor=world.actor(world.rep2),
                company_name=f"More {i}",
                source="email",
                grade="A",
            )
        with django_assert_max_num_queries(len(before.captured_queries)):
            client.get("/reports/dashboard/team/?months=12")


def sheet(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(v for v in row if v is not None) for row in book.active.values]


def test_export_xlsx(world, data, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.rep).get("/reports/dashboard/export/?kind=rep")
        team = client_for(world.owner).get("/reports/dashboard/export/?kind=team&months=3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet(response)  # in the member's language (zh-Hans by default): compare the figures
    assert [r[1:] for r in rows if len(r) == 3] == [
        (999, 2),  # pipeline: initial contact (the JPY deal counted, not summed)
        (71000, 1),  # quotation
        (2759.34, 1),  # receivables 31–60 days
        (6438.35, 1),  # more than 90 days
    ]
    assert len(rows[0]) == 1  # a block heading (no unit on "my day")
    assert [r[1:] for r in sheet(team) if len(r) == 5] == [(1, 1, 1, 3), (1, 0, 0, 1), (0, 1, 0, 1)]


def test_anonymous_and_other_workspace(world, data, client, client_for, api, token_for):
    for path in (
        "/reports/",
        "/reports/dashboard/",
        "/reports/dashboard/team/",
        "/reports/dashboard/export/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api("get", "/reports/dashboard/me").status_code == 401
    assert api("get", "/reports/dashboard/team").status_code == 401
    with time_machine.travel(NOW, tick=False):
        page = client_for(world.owner2).get("/reports/dashboard/team/?months=3")
        data2 = api("get", "/reports/dashboard/team?months=3", token=token_for(world.owner2))
    assert page.status_code == 200 and b"ALPHA" not in page.content
    assert data2.status_code == 200
    blocks = {b["key"]: b for b in data2.json()["blocks"]}
    assert blocks["receivables"]["rows"] == [] and blocks["sla"]["rows"] == []


def test_api_returns_the_same_figures(world, data, api, token_for):
    with time_machine.travel(NOW, tick=False):
        mine = api("get", "/reports/dashboard/me", token=token_for(world.rep))
        team = api("get", "/reports/dashboard/team?months=3", token=token_for(world.manager))
    assert mine.status_code == 200
    body = mine.json()
    assert body["base_currency"] == "CNY" and body["kind"] == "rep"
    receivables = {b["key"]: b for b in body["blocks"]}["receivables"]
    assert [(r["key"], r["value"], r["count"]) for r in receivables["rows"]] == [
        ("31_60", "2759.34", 1),
        ("90_plus", "6438.35", 1),
    ]
    funnel = {b["key"]: b for b in team.json()["blocks"]}["funnel"]
    assert [r["value"] for r in funnel["rows"]] == ["5", "1", "1", "0", "0"]


def test_goal_cards_show_live_completion(world, data, client_for):
    from tradewind.analytics.goals import goal_set

    owner = world.actor(world.owner)
    with time_machine.travel(NOW, tick=False):
        common = {"metric": "qualified_leads", "period": "year", "period_start": "2031-01-01"}
        goal_set(actor=owner, target="4", rep_id=world.rep.user_id, **common)
        goal_set(actor=owner, target="10", **common)
        goal_set(actor=owner, target="2", team_id=world.east.pk, **common)
        mine = dashboards.rep_dashboard(world.rep).block("goal")
        team = dashboards.team_dashboard(world.owner, months=3).block("goal")
        managed = dashboards.team_dashboard(world.manager, months=3).block("goal")
        rep2 = dashboards.rep_dashboard(world.rep2).block("goal")
        page = client_for(world.rep).get("/reports/dashboard/")
    assert [(r.value, r.detail.actual, r.detail.target) for r in mine.rows] == [
        (D("25.0"), D(1), D("4.00"))
    ]
    assert "rep=" in mine.rows[0].url and "metric=qualified_leads" in mine.rows[0].url
    assert [(r.detail.level, r.value) for r in team.rows] == [
        ("workspace", D("10.0")),
        ("team", D("50.0")),
    ]
    assert [(r.detail.level, r.value) for r in managed.rows] == [("team", D("50.0"))]
    assert rep2.rows == [] and rep2.empty
    assert b'data-testid="chart-goal"' in page.content


def test_team_dashboard_narrowed_to_a_team_or_an_owner(world, data, client_for, api, token_for):
    """Hand-computed from the worked example (manager, 3 months), narrowed:
    team East (rep, rep2): leads 3 (rep's trade show and two web forms), 1 contacted, 1
      qualified; by source Jan/Feb/Mar: trade show 1/0/0, web form 1/0/1; SLA: rep 1; forecast:
      A, B, C, D — 4 deals, 72,999.00 summed, C not converted; receivables: the rep's customer's
      2,759.34 and 6,438.35; goals: East's own (the workspace's and the rep's are left out).
    owner other_rep (West): leads 2 (referral on Jan 1st 01:00 local, trade show Feb 10th), none
      contacted; SLA: none; forecast: E — 1 deal, 2,000.00; receivables: none; goals: none."""
    from tradewind.analytics.goals import goal_set

    owner = world.actor(world.owner)
    common = {"metric": "qualified_leads", "period": "year", "period_start": "2031-01-01"}
    with time_machine.travel(NOW, tick=False):
        goal_set(actor=owner, target="10", **common)
        goal_set(actor=owner, target="2", team_id=world.east.pk, **common)
        goal_set(actor=owner, target="4", rep_id=world.rep.user_id, **common)
        east = dashboards.team_filters({"team": str(world.east.pk)})
        west_rep = dashboards.team_filters({"owner": str(world.other_rep.user_id)})
        team = dashboards.team_dashboard(world.manager, months=3, filters=east)
        other = dashboards.team_dashboard(world.manager, months=3, filters=west_rep)
        page = client_for(world.manager).get(
            "/reports/dashboard/team/", {"months": "3", "team": world.east.pk}
        )
        res = api(
            "get",
            f"/reports/dashboard/team?months=3&owner={world.other_rep.user_id}",
            token=token_for(world.manager),
        )
    funnel = team.block("funnel")
    assert [r.value for r in funnel.rows] == [3, 1, 1, 0, 0]
    assert f"team={world.east.pk}" in funnel.rows[0].url
    assert {s.name: s.values for s in team.block("leads_by_source").series} == {
        "Trade show": [1, 0, 0],
        "Web form": [1, 0, 1],
    }
    assert [(r.key, r.value) for r in team.block("sla").rows] == [(str(world.rep.user_id), 1)]
    assert f"team={world.east.pk}" in team.block("sla").rows[0].url
    total = team.block("forecast").extra["total"]
    assert (total["count"], total["pipeline"], total["unconverted"]) == (4, D("72999.00"), 1)
    assert f"team={world.east.pk}" in team.block("forecast").url
    assert [r.value for r in team.block("receivables").rows] == [D("2759.34"), D("6438.35")]
    assert [(r.detail.level, r.detail.team_id) for r in team.block("goal").rows] == [
        ("team", world.east.pk)
    ]

    assert [r.value for r in other.block("funnel").rows] == [2, 0, 0, 0, 0]
    assert other.block("sla").rows == []
    total = other.block("forecast").extra["total"]
    assert (total["count"], total["pipeline"]) == (1, D("2000.00"))
    assert other.block("receivables").rows == []
    assert other.block("goal").rows == []

    assert page.status_code == 200
    body = page.content.decode()
    assert f'<option value="{world.east.pk}" selected>' in body
    assert f"team={world.east.pk}" in body  # the export link keeps the narrowing
    assert res.status_code == 200
    funnel = {b["key"]: b for b in res.json()["blocks"]}["funnel"]
    assert [r["value"] for r in funnel["rows"]] == ["2", "0", "0", "0", "0"]
