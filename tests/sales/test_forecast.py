"""The forecast: a hand-computed example in three currencies (USD, EUR into a CNY base; a JPY deal
without a rate) whose sums match exactly, by period, owner and team; omitted and closed deals left
out; unconverted ones counted and listed, never summed; the page, the API and visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tradewind.customers.services import customer_create
from tradewind.sales.closing import opportunity_close
from tradewind.sales.forecast import forecast_build
from tradewind.sales.services import opportunity_create, pipeline_default
from tradewind.workspaces.services import exchange_rate_set

NOW = dt.datetime(2031, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 on 2031-03-10 in Shanghai
D = Decimal


@pytest.fixture
def example(world):
    """The worked example (base CNY; USD 7.1, EUR 7.8, no JPY rate):

    | deal | owner     | amount        | base      | close      | stage (prob)      | category  |
    | A    | rep       | 10,000 USD    | 71,000.00 | 2031-03-20 | quotation 50      | commit    |
    | B    | rep       | 2,500.50 EUR  | 19,503.90 | 2031-04-05 | negotiation 70    | best case |
    | C    | rep2      | 33,333.33 CNY | 33,333.33 | 2031-04-30 | initial, 35 (own) | pipeline  |
    | D    | other_rep | 1,234.56 USD  |  8,765.38 | 2031-03-01 | needs conf. 30    | commit    | overdue
    | E    | other_rep | 500,000 JPY   |  —        | 2031-05-15 | initial 10        | pipeline  | no rate
    | F    | rep       | 999 CNY       |    999.00 | 2031-04-10 | initial 10        | omitted   |
    | G    | rep       | 100 USD       |    710.00 | —          | initial 10        | best case |
    | H    | rep2      | 1,000 EUR     |  7,800.00 | 2031-12-01 | quotation 50      | commit    | later
    | W    | rep       | 5,000 CNY     |  won: closed, not in the forecast                       |
    """
    with time_machine.travel(NOW, tick=False):
        owner = world.actor(world.owner)
        for currency, rate in (("USD", "7.1"), ("EUR", "7.8")):
            exchange_rate_set(
                actor=owner,
                on_date=dt.date(2030, 1, 1),
                from_currency=currency,
                to_currency="CNY",
                rate=D(rate),
            )
        stages = {s.key: s for s in pipeline_default(world.ws).stages.all()}
        east = customer_create(actor=world.actor(world.rep), name="ALPHA-EAST-SECRET Forecast")
        west = customer_create(actor=world.actor(world.other_rep), name="ALPHA-WEST-SECRET Fc")

        def deal(member, name, amount, currency, close, stage, category, probability=None):
            return opportunity_create(
                actor=world.actor(member),
                customer=west if member == world.other_rep else east,
                name=name,
                amount=amount,
                currency=currency,
                expected_close_date=close,
                stage_id=stages[stage].pk,
                forecast_category=category,
                probability=probability,
                owner_id=member.user_id,
            )

        deals = {
            "A": deal(world.rep, "A", "10000", "USD", dt.date(2031, 3, 20), "quotation", "commit"),
            "B": deal(
                world.rep, "B", "2500.50", "EUR", dt.date(2031, 4, 5), "negotiation", "best_case"
            ),
            "C": deal(
                world.rep2,
                "C",
                "33333.33",
                "CNY",
                dt.date(2031, 4, 30),
                "initial_contact",
                "pipeline",
                35,
            ),
            "D": deal(
                world.other_rep,
                "D",
                "1234.56",
                "USD",
                dt.date(2031, 3, 1),
                "needs_confirmed",
                "commit",
            ),
            "E": deal(
                world.other_rep,
                "E",
                "500000",
                "JPY",
                dt.date(2031, 5, 15),
                "initial_contact",
                "pipeline",
            ),
            "F": deal(
                world.rep, "F", "999", "CNY", dt.date(2031, 4, 10), "initial_contact", "omitted"
            ),
            "G": deal(world.rep, "G", "100", "USD", None, "initial_contact", "best_case"),
            "H": deal(world.rep2, "H", "1000", "EUR", dt.date(2031, 12, 1), "quotation", "commit"),
            "W": deal(world.rep, "W", "5000", "CNY", dt.date(2031, 3, 15), "negotiation", "commit"),
        }
        opportunity_close(actor=world.actor(world.rep), opportunity_id=deals["W"].pk, outcome="won")
    assert deals["D"].base_amount == D("8765.38") and deals["E"].base_amount is None
    return deals


def cell(forecast, key):
    return forecast.totals[key].rounded("CNY") if key != "total" else forecast.total.rounded("CNY")


def test_hand_computed_example_matches_exactly(world, example):
    with time_machine.travel(NOW, tick=False):
        forecast = forecast_build(member=world.owner, params={})
    assert [p.key for p in forecast.periods] == [
        "overdue",
        "2031-03",
        "2031-04",
        "2031-05",
        "2031-06",
        "2031-07",
        "2031-08",
        "later",
        "none",
    ]

    def measures(key):
        c = cell(forecast, key)
        return (
            c["count"],
            c["pipeline"],
            c["best_case"],
            c["commit"],
            c["weighted"],
            c["unconverted"],
        )

    assert measures("overdue") == (1, D("8765.38"), D("8765.38"), D("8765.38"), D("2629.61"), 0)
    assert measures("2031-03") == (1, D("71000.00"), D("71000.00"), D("71000.00"), D("35500.00"), 0)
    # B 19,503.90 × 70 % + C 33,333.33 × 35 % = 13,652.73 + 11,666.6655 = 25,319.3955 -> 25,319.40
    assert measures("2031-04") == (2, D("52837.23"), D("19503.90"), D("0.00"), D("25319.40"), 0)
    assert cell(forecast, "2031-04")["omitted"] == 1
    assert measures("2031-05") == (1, D("0.00"), D("0.00"), D("0.00"), D("0.00"), 1)
    assert "2031-06" not in forecast.totals
    assert measures("later") == (1, D("7800.00"), D("7800.00"), D("7800.00"), D("3900.00"), 0)
    assert measures("none") == (1, D("710.00"), D("710.00"), D("0.00"), D("71.00"), 0)
    # Σ base × p = 262,961.40 + 3,550,000 + 2,531,939.55 + 390,000 + 7,100 = 6,742,000.95
    assert measures("total") == (7, D("141112.61"), D("107779.28"), D("87565.38"), D("67420.01"), 1)
    owners = {g.key: g.total.rounded("CNY") for g in forecast.owners}
    assert owners[str(world.rep.user_id)]["pipeline"] == D("91213.90")
    assert owners[str(world.rep.user_id)]["weighted"] == D("49223.73")
    assert owners[str(world.rep2.user_id)]["weighted"] == D("15566.67")  # 15,566.6655
    assert owners[str(world.other_rep.user_id)]["unconverted"] == 1
    teams = {g.label: g.total.rounded("CNY") for g in forecast.teams}
    assert teams["East"]["pipeline"] == D("132347.23")
    assert teams["East"]["weighted"] == D("64790.40")  # 64,790.3955
    assert teams["West"]["commit"] == D("8765.38")
    assert [o.name for o in forecast.unconverted] == ["E"]


def test_filters_and_visibility(world, example):
    with time_machine.travel(NOW, tick=False):
        east = forecast_build(member=world.owner, params={"team": str(world.east.pk)})
        mine = forecast_build(member=world.rep2, params={})  # own scope: C and H only
        me = forecast_build(member=world.owner, params={"owner": str(world.rep2.user_id)})
        other = forecast_build(member=world.owner2, params={})
    assert east.total.rounded("CNY")["pipeline"] == D("132347.23")
    assert mine.total.rounded("CNY")["pipeline"] == D("41133.33") and mine.total.count == 2
    assert me.total.rounded("CNY")["commit"] == D("7800.00")
    assert other.total.count == 0 and other.owners == []


def test_forecast_page_shows_table_chart_and_unconverted(world, example, client_for):
    with time_machine.travel(NOW, tick=False):
        client = client_for(world.owner)  # signed in "now": the session lives in 2031 too
        resp = client.get(reverse("forecast:index"), {"group": "team", "measure": "commit"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="forecast-periods"' in html and 'id="forecast-data"' in html
    assert "141,112.61" in html and "67,420.01" in html
    assert 'data-testid="forecast-unconverted"' in html and reverse("settings:rates") in html
    assert resp.context["total_row"][-1] == D("87565.38")
    assert [g.label for g, _values in resp.context["group_rows"]] == ["East", "West"]
    chart = resp.context["chart"]
    assert chart["currency"] == "CNY" and chart["series"][0]["values"][1] == "71000.00"
    with time_machine.travel(NOW, tick=False):
        partial = client.get(
            reverse("forecast:index"),
            {"owner": "me"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="forecast",
        )
    assert partial.status_code == 200 and b"<html" not in partial.content
    with time_machine.travel(NOW, tick=False):
        rep_page = client_for(world.rep2).get(reverse("forecast:index")).content.decode()
        readonly = client_for(world.readonly).get(reverse("forecast:index"))
    assert "ALPHA-WEST" not in rep_page and reverse("settings:rates") not in rep_page
    assert readonly.status_code == 200


def test_forecast_empty_state_and_anonymous(world, client, client_for):
    html = client_for(world.owner2).get(reverse("forecast:index")).content.decode()
    assert 'data-testid="empty-state"' in html
    assert client.get(reverse("forecast:index")).status_code == 302


def test_forecast_api(world, example, api, token_for):
    with time_machine.travel(NOW, tick=False):
        resp = api("get", "/forecast", token=token_for(world.owner))
        team = api("get", f"/forecast?team={world.west.pk}", token=token_for(world.owner))
        foreign = api("get", "/forecast", token=token_for(world.owner2))
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["base_currency"] == "CNY" and data["today"] == "2031-03-10"
    total = data["totals"][-1]
    assert total["period"] == "total"
    assert [D(total[k]) for k in ("pipeline", "best_case", "commit", "weighted")] == [
        D("141112.61"),
        D("107779.28"),
        D("87565.38"),
        D("67420.01"),
    ]
    april = next(c for c in data["totals"] if c["period"] == "2031-04")
    assert D(april["weighted"]) == D("25319.40") and april["omitted"] == 1
    assert data["unconverted_count"] == 1 and data["unconverted"][0]["currency"] == "JPY"
    assert {g["label"] for g in data["teams"]} == {"East", "West"}
    assert D(team.json()["totals"][-1]["pipeline"]) == D("8765.38")
    assert foreign.json()["totals"][-1]["count"] == 0
    assert api("get", "/forecast").status_code == 401
