"""The opportunity list: filters shared by page, API, saved views, bulk and export; keyset sorts
(closing soonest puts undated ones last and pages without gaps); saved views; bulk assign and
delete with their permissions; export; a constant query count; the empty state."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from tradewind.sales.closing import close_reasons, opportunity_close
from tradewind.sales.filters import OpportunityFilter, opportunity_list
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import SavedView

from .test_pages import english, gated_pipeline, make_customer, make_opportunity


@pytest.fixture
def deals(world):
    """Three open deals of the rep (one stale, one in another pipeline), one of rep2, one of the
    other team's rep, and a lost one of the rep."""
    buyer = make_customer(world, name="ALPHA-EAST-SECRET Lamp Buyer")
    other = make_customer(world, name="Zeta Imports")
    west = make_customer(world, world.other_rep, "ALPHA-WEST-SECRET Buyer")
    rep2_customer = make_customer(world, world.rep2, "Rep2 Buyer")
    a = make_opportunity(
        world,
        buyer,
        name="Alpha lamps",
        amount="1000",
        currency="CNY",
        expected_close_date=dt.date(2030, 3, 15),
        source="rfq",
    )
    b = make_opportunity(
        world,
        other,
        name="Beta frames",
        amount="5000",
        currency="CNY",
        expected_close_date=dt.date(2030, 1, 5),
    )
    c = make_opportunity(world, other, name="Gamma tender", pipeline_id=gated_pipeline(world.ws).pk)
    Opportunity.objects.filter(pk=c.pk).update(stale_since=timezone.now())
    d = make_opportunity(
        world, rep2_customer, world.rep2, name="Delta rep2", amount="20", currency="CNY"
    )
    e = make_opportunity(world, west, world.other_rep, name="ALPHA-WEST-SECRET deal")
    lost = make_opportunity(world, buyer, name="Lost lamps")
    reason = close_reasons(world.ws, "lost")[0]
    opportunity_close(
        actor=world.actor(world.rep),
        opportunity_id=lost.pk,
        outcome="lost",
        reason_id=reason.pk,
        note="x",
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "lost": lost, "buyer": buyer}


def names(member, **params) -> list[str]:
    filters = OpportunityFilter.from_params(params)
    page = opportunity_list(member=member, filters=filters, cursor=None, limit=50)
    return [o.name for o in page.items]


def test_filters(world, deals):
    m = world.manager  # sees the whole "sales" subtree
    assert set(names(m)) == {
        "Alpha lamps",
        "Beta frames",
        "Gamma tender",
        "Delta rep2",
        "ALPHA-WEST-SECRET deal",
        "Lost lamps",
    }
    assert set(names(world.rep)) == {"Alpha lamps", "Beta frames", "Gamma tender", "Lost lamps"}
    assert set(names(m, owner=str(world.rep2.user_id))) == {"Delta rep2"}
    assert set(names(world.rep, owner="me", status="open")) == {
        "Alpha lamps",
        "Beta frames",
        "Gamma tender",
    }
    assert set(names(m, team=str(world.west.pk))) == {"ALPHA-WEST-SECRET deal"}
    assert len(names(m, team=str(world.east.pk))) == 5
    assert names(m, pipeline=str(deals["c"].pipeline_id)) == ["Gamma tender"]
    assert names(m, stage=str(deals["c"].stage_id)) == ["Gamma tender"]
    assert names(m, status="lost") == ["Lost lamps"]
    assert names(m, source="rfq") == ["Alpha lamps"]
    assert names(m, close_from="2030-02", close_to="2030-03") == ["Alpha lamps"]
    assert set(names(m, close_to="2030-03")) == {"Alpha lamps", "Beta frames"}
    assert set(names(m, amount_min="1000")) == {"Alpha lamps", "Beta frames"}
    assert names(m, amount_min="100", amount_max="1,000") == ["Alpha lamps"]
    assert names(m, stale="1") == ["Gamma tender"]
    assert names(m, customer=str(deals["buyer"].pk), status="open") == ["Alpha lamps"]
    assert names(m, q="zeta", sort="name") == ["Beta frames", "Gamma tender"]
    assert names(m, q=deals["a"].code) == ["Alpha lamps"]
    # Unknown values fall back to "any"; a foreign team matches nothing.
    assert len(names(m, status="bogus", stale="x", close_from="soon", amount_min="lots")) == 6
    assert names(m, team="987654") == []


def test_closing_soonest_pages_without_gaps(world, deals):
    order = names(world.rep, sort="close")
    assert order[:2] == ["Beta frames", "Alpha lamps"]  # dated first, then undated
    filters = OpportunityFilter.from_params({"sort": "close"})
    seen, cursor = [], None
    while True:
        page = opportunity_list(member=world.rep, filters=filters, cursor=cursor, limit=1)
        seen += [o.name for o in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == order


def test_list_page_filters_presets_and_empty_state(world, deals, client_for):
    client = english(client_for(world.rep))
    resp = client.get("/opportunities/?status=open&sort=close")
    body = resp.content.decode()
    assert resp.status_code == 200 and "Alpha lamps" in body and "Lost lamps" not in body
    assert "ALPHA-WEST-SECRET" not in body and 'data-testid="stale-badge"' in body
    assert 'data-testid="opportunity-tabs"' in body
    # htmx asks for the results only.
    resp = client.get(
        "/opportunities/?q=Beta", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="opportunity-results"
    )
    assert b"<html" not in resp.content and b"Beta frames" in resp.content
    resp = client.get("/opportunities/?q=nothing-like-this")
    assert b'data-testid="empty-state"' in resp.content
    # The nav's module route is the list.
    assert client.get("/opportunities/").status_code == 200
    assert b"Alpha lamps" in client.get("/opportunities/?preset=x&owner=me").content


def test_list_page_query_count_is_constant(world, deals, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    client.get("/opportunities/")  # warm caches (custom field definitions, pipeline)
    with django_assert_max_num_queries(30) as few:
        client.get("/opportunities/")
    customer = deals["buyer"]
    for i in range(30):
        make_opportunity(world, customer, name=f"More {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/opportunities/")


def test_saved_views_page_and_api(world, deals, client_for, api, token_for):
    client = client_for(world.rep)
    resp = client.post(
        "/opportunities/views/save/", {"name": "My stale", "query": "stale=1&bogus=1&status=open"}
    )
    view = SavedView.objects.get(module="opportunities", name="My stale")
    assert resp.status_code == 302 and view.query == "status=open&stale=1"
    page = client.get(f"/opportunities/?{view.query}&view={view.pk}").content.decode()
    assert "Gamma tender" in page and "Alpha lamps" not in page
    token = token_for(world.rep)
    listed = api("get", "/opportunities/views", token).json()
    assert {v["name"] for v in listed if v.get("builtin")} and any(
        v["id"] == view.pk for v in listed
    )
    resp = api("post", "/opportunities/views", token, {"name": "Rfq", "query": "source=rfq"})
    assert resp.status_code == 201
    assert (
        api(
            "delete", f"/opportunities/views/{resp.json()['id']}", token_for(world.rep2)
        ).status_code
        == 404
    )
    assert api("delete", f"/opportunities/views/{resp.json()['id']}", token).status_code == 204
    assert client_for(world.rep2).post(f"/opportunities/views/{view.pk}/delete/").status_code == 404
    assert client.post(f"/opportunities/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(module="opportunities").exists()


def test_api_list_filters_and_pages(world, deals, api, token_for):
    token = token_for(world.manager)
    resp = api("get", "/opportunities?status=open&sort=name&limit=2", token)
    body = resp.json()
    assert resp.status_code == 200 and [o["name"] for o in body["items"]] == [
        "ALPHA-WEST-SECRET deal",
        "Alpha lamps",
    ]
    nxt = api(
        "get", f"/opportunities?status=open&sort=name&limit=2&cursor={body['next_cursor']}", token
    )
    assert [o["name"] for o in nxt.json()["items"]] == ["Beta frames", "Delta rep2"]
    rep = api("get", "/opportunities?stale=1", token_for(world.rep)).json()
    assert [o["name"] for o in rep["items"]] == ["Gamma tender"]


def test_bulk_assign_and_delete_with_permissions(world, deals, client_for, api, token_for):
    a, b, lost = deals["a"], deals["b"], deals["lost"]
    ids = [a.pk, b.pk, lost.pk]
    # A rep may not assign or delete: 403, nothing changes.
    resp = client_for(world.rep).post(
        "/opportunities/bulk/", {"action": "assign", "ids": ids, "value_assign": world.rep2.user_id}
    )
    assert resp.status_code == 403
    resp = api(
        "post", "/opportunities/bulk", token_for(world.rep), {"action": "delete", "ids": ids}
    )
    assert resp.status_code == 403
    assert (
        api("post", "/opportunities/bulk", None, {"action": "delete", "ids": ids}).status_code
        == 401
    )
    # Another workspace: nothing of A is selectable.
    resp = api(
        "post", "/opportunities/bulk", token_for(world.owner2), {"action": "delete", "ids": ids}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "nothing_selected"
    assert Opportunity.objects.filter(pk__in=ids, owner_id=world.rep.user_id).count() == 3
    # The manager assigns: the closed one is skipped with its reason.
    resp = client_for(world.manager).post(
        "/opportunities/bulk/",
        {"action": "assign", "ids": ids, "value_assign": world.rep2.user_id},
    )
    assert resp.status_code == 302
    assert set(
        Opportunity.objects.filter(owner_id=world.rep2.user_id).values_list("pk", flat=True)
    ) >= {a.pk, b.pk}
    assert Opportunity.objects.get(pk=lost.pk).owner_id == world.rep.user_id
    # By filter through the API: delete every lost one.
    resp = api(
        "post",
        "/opportunities/bulk",
        token_for(world.manager),
        {"action": "delete", "filters": {"status": "lost"}},
    )
    assert resp.status_code == 200 and resp.json() == {"done": 1, "skipped": {}}
    assert not Opportunity.objects.filter(pk=lost.pk).exists()
    resp = api(
        "post", "/opportunities/bulk", token_for(world.manager), {"action": "assign", "ids": [a.pk]}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_action"


def test_export_csv_and_xlsx_scope_and_formulas(world, deals, client_for, api, token_for):
    Opportunity.objects.filter(pk=deals["a"].pk).update(name="=HYPERLINK(1)")
    resp = client_for(world.rep).get("/opportunities/export/?format=csv&status=open")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "编号 Code" and len(rows) == 4
    assert "'=HYPERLINK(1)" in [r[1] for r in rows]
    assert "ALPHA-WEST-SECRET" not in text and "Lost lamps" not in text
    resp = api("get", "/opportunities/export?format=xlsx", token_for(world.manager))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert sheet.max_row == 7
    assert api("get", "/opportunities/export", None).status_code == 401
    amounts = {r[1]: r[8] for r in rows[1:]}
    assert Decimal(amounts["Beta frames"]) == Decimal("5000.00")


def test_custom_fields_filter_sort_form_detail_and_export(world, deals, client_for, api, token_for):
    from tradewind.sales.services import opportunity_update
    from tradewind.workspaces.custom_fields_services import custom_field_create

    field = custom_field_create(
        actor=world.actor(world.owner),
        target="opportunity",
        type="number",
        label_en="Containers",
        label_zh="柜数",
    )
    for key, count in (("a", 3), ("b", 12)):
        opportunity_update(
            actor=world.actor(world.rep), opportunity=deals[key], custom={field.key: count}
        )
    assert names(world.rep, **{f"cf_{field.key}": "12"}) == ["Beta frames"]
    assert names(world.rep, sort=f"-cf_{field.key}")[:2] == ["Beta frames", "Alpha lamps"]
    client = english(client_for(world.rep))
    page = client.get("/opportunities/").content.decode()
    assert 'data-testid="custom-filter"' in page and f"cf_{field.key}" in page
    # The form offers it; the page shows it; the export has its column.
    form = client.get(f"/opportunities/{deals['a'].pk}/edit/").content.decode()
    assert f'name="cf_{field.key}"' in form
    detail = client.get(f"/opportunities/{deals['a'].pk}/").content.decode()
    assert f'data-custom-field="{field.key}"' in detail
    resp = client.get(f"/opportunities/export/?format=csv&cf_{field.key}=12")
    rows = list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-1] == "柜数 Containers" and rows[1][-1] == "12" and len(rows) == 2
    resp = api("get", f"/opportunities?cf_{field.key}=3", token_for(world.rep))
    assert [o["name"] for o in resp.json()["items"]] == ["Alpha lamps"]
