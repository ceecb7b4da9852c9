"""The kanban board: columns and their totals in the base currency (unconverted ones counted, never
summed), cards in keyset pages, filters, visibility, and the move / close endpoints that call the
same services as the form (same gate message), with authorization on every write."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tradewind.customers.services import customer_create
from tradewind.sales.choices import GateMode
from tradewind.sales.closing import close_reasons
from tradewind.sales.models import Opportunity, StageChange, StageTask
from tradewind.sales.moves import gate_error
from tradewind.sales.services import opportunity_create, pipeline_default
from tradewind.workspaces.services import exchange_rate_set
from tradewind.workspaces.timezones import workspace_today

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def sales(world):
    """Rates USD->CNY 7.1 (no EUR rate), a customer of the rep and one of the west rep."""
    exchange_rate_set(
        actor=world.actor(world.owner),
        on_date=dt.date(2020, 1, 1),
        from_currency="USD",
        to_currency="CNY",
        rate=Decimal("7.1"),
    )
    pipeline = pipeline_default(world.ws)
    stages = {s.key: s for s in pipeline.stages.all()}
    east = customer_create(actor=world.actor(world.rep), name="ALPHA-EAST-SECRET Board Buyer")
    west = customer_create(actor=world.actor(world.other_rep), name="ALPHA-WEST-SECRET Buyer")
    return {"pipeline": pipeline, "stages": stages, "east": east, "west": west}


def make(world, sales, member=None, *, name="Deal", stage="initial_contact", **kwargs):
    member = member or world.rep
    customer = sales["east"] if member != world.other_rep else sales["west"]
    return opportunity_create(
        actor=world.actor(member),
        customer=customer,
        name=name,
        stage_id=sales["stages"][stage].pk,
        **kwargs,
    )


def board_of(response):
    return response.context["board"]


def test_columns_totals_in_base_currency_and_unconverted_flagged(world, sales, client_for):
    make(world, sales, name="CNY deal", amount="1000", currency="CNY")
    make(world, sales, name="USD deal", amount="100", currency="USD")  # 710 CNY
    make(world, sales, name="EUR deal", amount="50", currency="EUR")  # no rate: not summed
    make(world, sales, name="No amount")
    make(
        world,
        sales,
        name="Override",
        stage="quotation",
        amount="200",
        currency="USD",
        probability=25,
    )
    make(world, sales, name="Default", stage="quotation", amount="300.01", currency="CNY")
    resp = client_for(world.owner).get(reverse("board:index"))
    assert resp.status_code == 200
    board = board_of(resp)
    assert [c.stage.key for c in board.columns] == [
        "initial_contact",
        "needs_confirmed",
        "quotation",
        "negotiation",
    ]
    first, second, quote, _neg = (c.totals for c in board.columns)
    assert (first.count, first.total, first.weighted, first.unconverted) == (
        4,
        Decimal("1710.00"),
        Decimal("171.00"),  # 1710 × 10 %
        1,
    )
    assert (second.count, second.total, second.unconverted) == (0, Decimal(0), 0)
    # 1420 × 25 % (override) + 300.01 × 50 % (stage) = 355 + 150.005 -> 505.01 (half up, once)
    assert (quote.count, quote.total, quote.weighted) == (2, Decimal("1720.01"), Decimal("505.01"))
    assert board.summary.count == 6 and board.summary.unconverted == 1
    html = resp.content.decode()
    assert "EUR deal" in html and 'data-testid="column-unconverted"' in html
    assert 'data-testid="zone-won"' in html and 'data-testid="zone-lost"' in html


def test_cards_show_overdue_stale_owner_initials(world, sales, client_for):
    today = workspace_today(world.ws)
    late = make(world, sales, name="Late one", expected_close_date=today - dt.timedelta(days=3))
    Opportunity.objects.filter(pk=late.pk).update(
        stale_since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    resp = client_for(world.rep).get(reverse("board:index"))
    card = board_of(resp).columns[0].page.items[0]
    assert card.is_overdue and card.is_stale and card.owner_initials == "R"
    html = resp.content.decode()
    assert 'data-testid="stale-badge"' in html and "text-bg-danger" in html


def test_visibility_scopes_cards_and_totals(world, sales, client_for):
    make(world, sales, name="ALPHA-EAST-SECRET deal", amount="10", currency="CNY")
    make(world, sales, world.other_rep, name="ALPHA-WEST-SECRET deal", amount="99", currency="CNY")
    rep_board = board_of(client_for(world.rep).get(reverse("board:index")))
    assert rep_board.summary.count == 1 and rep_board.summary.total == Decimal("10.00")
    owner_board = board_of(client_for(world.owner).get(reverse("board:index")))
    assert owner_board.summary.count == 2
    outsider = client_for(world.owner2).get(reverse("board:index"))
    assert outsider.status_code == 200
    assert b"ALPHA-EAST-SECRET" not in outsider.content and board_of(outsider).summary.count == 0
    # a pipeline id of another workspace falls back to one's own default pipeline
    foreign = client_for(world.owner2).get(
        reverse("board:index"), {"pipeline": sales["pipeline"].pk}
    )
    assert board_of(foreign).pipeline.workspace_id == world.ws2.pk


def test_filters_owner_team_close_month_amount(world, sales, client_for):
    make(
        world,
        sales,
        name="Mine May",
        amount="100",
        currency="CNY",
        expected_close_date=dt.date(2031, 5, 9),
    )
    make(
        world,
        sales,
        world.rep2,
        name="Rep2 June",
        amount="5000",
        currency="CNY",
        expected_close_date=dt.date(2031, 6, 1),
    )
    make(world, sales, world.other_rep, name="West", amount="700", currency="CNY")
    client = client_for(world.manager)

    def names(**params):
        board = board_of(client.get(reverse("board:index"), params))
        return sorted(card.name for c in board.columns for card in c.page.items)

    assert names() == ["Mine May", "Rep2 June", "West"]
    assert names(owner=world.rep.user_id) == ["Mine May"]
    assert names(team=world.east.pk) == ["Mine May", "Rep2 June"]
    assert names(close_from="2031-06", close_to="2031-06") == ["Rep2 June"]
    assert names(amount_min="500") == ["Rep2 June", "West"]
    assert names(amount_min="500", amount_max="1000") == ["West"]
    assert names(owner="me") == []
    assert board_of(
        client.get(reverse("board:index"), {"team": world.east.pk})
    ).summary.total == Decimal("5100.00")


def test_columns_load_in_pages_closing_soonest_first(world, sales, client_for):
    base = dt.date(2031, 1, 1)
    for i in range(33):
        make(
            world,
            sales,
            name=f"D{i:02}",
            expected_close_date=base + dt.timedelta(days=i) if i % 11 else None,
        )
    client = client_for(world.rep)
    resp = client.get(reverse("board:index"))
    column = board_of(resp).columns[0]
    assert column.totals.count == 33 and len(column.page.items) == 30
    dated = [c.expected_close_date for c in column.page.items]
    assert dated == sorted(dated) and None not in dated
    assert 'data-testid="load-more"' in resp.content.decode()
    more = client.get(
        reverse("board:index"),
        {
            "pipeline": sales["pipeline"].pk,
            "stage": column.stage.pk,
            "cursor": column.page.next_cursor,
        },
        HTTP_HX_REQUEST="true",
    )
    assert more.status_code == 200
    rest = {int(pk) for pk in re.findall(r'id="card-(\d+)"', more.content.decode())}
    nameless = Opportunity.objects.filter(expected_close_date__isnull=True)
    assert rest == set(nameless.values_list("pk", flat=True)) and len(rest) == 3
    assert len({c.pk for c in column.page.items} | rest) == 33
    assert b"<html" not in more.content and b'data-testid="load-more"' not in more.content
    # the whole column again (after a stale move): header and first page
    again = client.get(reverse("board:index"), {"stage": column.stage.pk}, HTTP_HX_REQUEST="true")
    assert b'id="column-' in again.content and b'data-testid="column-count"' in again.content


def test_move_answers_json_with_new_card_and_headers(world, sales, client_for):
    opp = make(world, sales, name="Mover", amount="100", currency="USD")
    target = sales["stages"]["needs_confirmed"]
    resp = client_for(world.rep).post(
        reverse("board:move", args=[opp.pk]),
        {"stage": target.pk, "version": opp.version, "query": f"pipeline={sales['pipeline'].pk}"},
        **JSON,
    )
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["ok"] and data["warnings"] == []
    opp.refresh_from_db()
    assert opp.stage_id == target.pk
    assert StageChange.objects.filter(opportunity=opp, kind="move", to_stage=target).exists()
    assert f'data-version="{opp.version}"' in data["card"]
    assert set(data["headers"]) == {str(s.pk) for s in sales["stages"].values() if not s.is_closed}
    assert "710" in data["headers"][str(target.pk)]


def _gate(sales, mode):
    pipeline = sales["pipeline"]
    pipeline.gate = mode
    pipeline.save(update_fields=["gate"])
    StageTask.objects.create(stage=sales["stages"]["initial_contact"], title="Confirm the buyer")
    StageTask.objects.create(stage=sales["stages"]["needs_confirmed"], title="Get the specs")


def test_blocked_move_gives_the_form_message_and_changes_nothing(world, sales, client_for):
    _gate(sales, GateMode.BLOCK)
    opp = make(world, sales, name="Gated")
    target = sales["stages"]["quotation"]
    resp = client_for(world.rep).post(
        reverse("board:move", args=[opp.pk]), {"stage": target.pk, "version": opp.version}, **JSON
    )
    assert resp.status_code == 422
    data = resp.json()
    assert data["code"] == "stage_tasks_missing"
    expected = gate_error(
        list(StageTask.objects.filter(stage__pipeline=sales["pipeline"]).select_related("stage"))
    )
    assert data["message"] == str(expected.message)
    assert "Confirm the buyer" in data["message"] and "Get the specs" in data["message"]
    assert data["fields"]["stage"] == ["Confirm the buyer", "Get the specs"]
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert fresh.stage_id == opp.stage_id and fresh.version == opp.version
    assert not StageChange.objects.filter(opportunity=opp, kind="move").exists()


def test_warned_move_moves_and_returns_warnings(world, sales, client_for):
    _gate(sales, GateMode.WARN)
    opp = make(world, sales, name="Warned")
    target = sales["stages"]["needs_confirmed"]
    resp = client_for(world.rep).post(
        reverse("board:move", args=[opp.pk]), {"stage": target.pk, "version": opp.version}, **JSON
    )
    assert resp.status_code == 200
    assert resp.json()["warnings"] == ["Confirm the buyer"]
    assert Opportunity.objects.get(pk=opp.pk).stage_id == target.pk


def test_stale_version_is_refused_with_conflict(world, sales, client_for):
    opp = make(world, sales, name="Raced")
    client = client_for(world.rep)
    url = reverse("board:move", args=[opp.pk])
    first = client.post(
        url, {"stage": sales["stages"]["quotation"].pk, "version": opp.version}, **JSON
    )
    assert first.status_code == 200
    second = client.post(
        url, {"stage": sales["stages"]["negotiation"].pk, "version": opp.version}, **JSON
    )
    assert second.status_code == 409 and second.json()["code"] == "stale_version"
    assert Opportunity.objects.get(pk=opp.pk).stage_id == sales["stages"]["quotation"].pk


def test_move_to_a_closed_stage_or_nowhere_is_refused(world, sales, client_for):
    opp = make(world, sales)
    client = client_for(world.rep)
    url = reverse("board:move", args=[opp.pk])
    won = client.post(url, {"stage": sales["stages"]["won"].pk}, **JSON)
    assert won.status_code == 422 and won.json()["code"] == "use_close"
    assert client.post(url, {"stage": ""}, **JSON).status_code == 422
    assert client.post(url, {"stage": 987654321}, **JSON).json()["code"] == "unknown_stage"


def test_move_without_script_redirects_back_with_a_message(world, sales, client_for):
    opp = make(world, sales, name="Menu move")
    client = client_for(world.rep)
    query = f"pipeline={sales['pipeline'].pk}&owner=me"
    resp = client.post(
        reverse("board:move", args=[opp.pk]),
        {"stage": sales["stages"]["negotiation"].pk, "version": opp.version, "query": query},
    )
    assert resp.status_code == 302 and resp["Location"].endswith("?" + query)
    page = client.get(resp["Location"])
    shown = [str(m) for m in page.context["messages"]]
    assert len(shown) == 1 and opp.code in shown[0]


def test_close_won_and_lost_from_the_board(world, sales, client_for):
    client = client_for(world.rep)
    won = make(world, sales, name="Winner", amount="10", currency="CNY")
    resp = client.post(
        reverse("board:close", args=[won.pk]), {"outcome": "won", "version": won.version}, **JSON
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["card"] == ""
    won.refresh_from_db()
    assert won.status == "won" and won.stage.is_won

    lost = make(world, sales, name="Loser")
    url = reverse("board:close", args=[lost.pk])
    refused = client.post(url, {"outcome": "lost", "version": lost.version}, **JSON)
    assert refused.status_code == 422 and refused.json()["fields"]
    assert Opportunity.objects.get(pk=lost.pk).status == "open"
    reason = close_reasons(world.ws, "lost")[0]
    ok = client.post(
        url,
        {
            "outcome": "lost",
            "version": lost.version,
            "reason": reason.pk,
            "competitor": "Acme",
            "note": "Cheaper",
        },
        **JSON,
    )
    assert ok.status_code == 200, ok.content
    lost.refresh_from_db()
    assert (lost.status, lost.close_reason_id, lost.close_competitor) == ("lost", reason.pk, "Acme")
    assert client.post(url, {"outcome": "maybe"}, **JSON).status_code == 422


def test_board_page_has_lost_dialog_with_reasons(world, sales, client_for):
    html = client_for(world.rep).get(reverse("board:index")).content.decode()
    assert 'data-testid="lost-dialog"' in html and 'data-testid="won-dialog"' in html
    assert all(f'<option value="{r.pk}">' in html for r in close_reasons(world.ws, "lost"))
    readonly = client_for(world.readonly).get(reverse("board:index")).content.decode()
    assert 'data-testid="lost-dialog"' not in readonly and 'data-testid="move-menu"' not in readonly


@pytest.mark.parametrize("endpoint", ["move", "close"])
def test_write_endpoints_authorization(world, sales, client, client_for, endpoint):
    opp = make(world, sales, name="Guarded")
    url = reverse(f"board:{endpoint}", args=[opp.pk])
    data = {"stage": sales["stages"]["quotation"].pk, "outcome": "won", "version": opp.version}

    def unchanged():
        fresh = Opportunity.objects.get(pk=opp.pk)
        return (
            fresh.stage_id == opp.stage_id
            and fresh.status == "open"
            and fresh.version == opp.version
        )

    anonymous = client.post(url, data, **JSON)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert unchanged()
    assert client_for(world.owner2).post(url, data, **JSON).status_code == 404
    assert unchanged()
    assert client_for(world.readonly).post(url, data, **JSON).status_code == 403
    assert unchanged()
    assert client_for(world.rep2).post(url, data, **JSON).status_code == 404  # not in scope
    assert unchanged()
    assert client_for(world.rep).get(url).status_code == 405
    resp = client_for(world.rep).post(url, data, **JSON)
    assert resp.status_code == 200, resp.content
    assert not unchanged()


def test_board_page_answers_phone_and_empty_states(world, sales, client_for):
    resp = client_for(world.rep).get(reverse("board:index"))
    html = resp.content.decode()
    assert 'class="board-empty' in html
    assert 'name="viewport"' in html and 'data-testid="move-menu"' not in html  # no cards, no menus
    with_card = make(world, sales, name="Phone card")
    html = client_for(world.rep).get(reverse("board:index")).content.decode()
    assert f'id="card-{with_card.pk}"' in html and 'data-testid="move-menu"' in html


def test_board_api_columns_totals_and_pages(world, sales, api, token_for):
    for i in range(4):
        make(world, sales, name=f"API {i}", amount="100", currency="USD")
    make(world, sales, name="Euro", amount="100", currency="EUR")
    token = token_for(world.rep)
    resp = api("get", "/board?limit=2", token=token)
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["base_currency"] == "CNY" and data["pipeline"]["id"] == sales["pipeline"].pk
    first = data["columns"][0]
    assert first["count"] == 5 and Decimal(first["total"]) == Decimal("2840.00")
    assert Decimal(first["weighted"]) == Decimal("284.00") and first["unconverted"] == 1
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert {"code", "customer_name", "owner_initials", "overdue", "stale", "version"} <= set(
        first["items"][0]
    )
    ids = {c["id"] for c in first["items"]}
    cursor = first["next_cursor"]
    while cursor:
        page = api(
            "get", f"/board?stage={first['stage_id']}&limit=2&cursor={cursor}", token=token
        ).json()
        assert len(page["columns"]) == 1 and page["columns"][0]["count"] == 5
        ids |= {c["id"] for c in page["columns"][0]["items"]}
        cursor = page["columns"][0]["next_cursor"]
    assert len(ids) == 5
    assert api("get", "/board?stage=987654321", token=token).json()["columns"] == []
    assert api("get", "/board", token=token_for(world.owner2)).json()["count"] == 0
    assert api("get", "/board").status_code == 401


def test_board_texts_are_translated(world, sales, client_for):
    client = client_for(world.rep)
    client.cookies["django_language"] = "zh-hans"
    resp = client.get(reverse("board:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    texts = json.loads(
        resp.content.decode()
        .split('id="board-texts" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert texts["failed"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("王海 Wang Hai", "王海"),
        ("欧阳娜娜", "娜娜"),
        ("Li Wei", "LW"),
        ("anna@x.test", "A"),
        ("", ""),
    ],
)
def test_owner_initials(name, expected):
    from tradewind.sales.board import initials

    assert initials(name) == expected
