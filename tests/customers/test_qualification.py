"""Qualification 三定 and follow-up nodes: service, the panel (htmx), the API, authorization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tradewind.core.errors import ServiceError
from tradewind.customers.models import Customer
from tradewind.customers.models_qualification import CustomerNode, CustomerQualification
from tradewind.customers.qualification import (
    customer_node_tick,
    customer_node_untick,
    customer_qualify,
    nodes_of,
    qualified,
)
from tradewind.customers.qualification_nodes import followup_node_create, followup_node_update
from tradewind.customers.services import customer_create
from tradewind.workspaces.models import AuditEvent


@pytest.fixture
def customer(world):
    return customer_create(actor=world.actor(world.rep), name="Qualify Kunde GmbH")


def test_qualify_sets_three_values_audits_and_feeds_the_qualified_selector(world, customer):
    rep = world.actor(world.rep)
    q = customer_qualify(
        actor=rep,
        customer=customer,
        qualitative="valuable",
        deal_grade="big",
        expected_sign_date="2026-09-30",
        expected_amount="120,000",
        currency="usd",
        version=0,
    )
    assert (q.qualitative, q.deal_grade, q.expected_amount, q.currency, q.version) == (
        "valuable",
        "big",
        Decimal("120000.00"),
        "USD",
        1,
    )
    assert q.expected_sign_date == dt.date(2026, 9, 30) and q.qualified_at is not None
    assert list(qualified(Customer.objects.filter(workspace=world.ws))) == [customer]
    event = AuditEvent.objects.filter(target_type="customer", action="qualified").get()
    assert event.changes["qualitative"] == ["", "valuable"]
    # stale version refused, nothing changed
    with pytest.raises(ServiceError) as exc:
        customer_qualify(actor=rep, customer=customer, qualitative="uncertain", version=0)
    assert exc.value.status == 409
    q = customer_qualify(actor=rep, customer=customer, qualitative="not_valuable", version=1)
    assert q.version == 2 and not qualified(Customer.objects.all()).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"qualitative": "great"}, "qualitative", "Choose valuable, uncertain or not valuable."),
        ({"deal_grade": "huge"}, "deal_grade", "Choose a big, normal or small deal."),
        ({"expected_sign_date": "31/12"}, "expected_sign_date", "Enter a valid date (YYYY-MM-DD)."),
        ({"expected_amount": "lots"}, "expected_amount", "Enter an amount, e.g. 200000."),
        ({"expected_amount": "5", "currency": "ZZZ"}, "currency", "Unknown currency code."),
    ],
)
def test_bad_qualification_is_refused_and_changes_nothing(world, customer, data, field, message):
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        customer_qualify(actor=world.actor(world.rep), customer=customer, **data)
    assert exc.value.code == "qualification_invalid"
    assert str(exc.value.fields[field][0]) == message
    assert not CustomerQualification.objects.exists()


def test_nodes_default_ticks_and_unticks(world, customer):
    nodes = nodes_of(world.ws)
    assert [n.key for n in nodes] == [
        "inquiry",
        "needs_obtained",
        "needs_confirmed",
        "price_discussed",
        "price_confirmed",
    ]
    with translation.override("zh-hans"):
        assert nodes[0].label == "询价"
    rep = world.actor(world.rep)
    tick = customer_node_tick(actor=rep, customer=customer, node="inquiry", reached_on="2026-03-02")
    assert tick.reached_on == dt.date(2026, 3, 2) and tick.ticked_by_id == world.rep.user_id
    customer_node_tick(actor=rep, customer=customer, node=nodes[1].pk)
    assert CustomerNode.objects.filter(customer=customer).count() == 2
    with pytest.raises(ServiceError):
        customer_node_tick(
            actor=rep,
            customer=customer,
            node="inquiry",
            reached_on=timezone.localdate() + dt.timedelta(days=5),
        )
    with pytest.raises(ServiceError) as exc:
        customer_node_tick(actor=rep, customer=customer, node="nope")
    assert exc.value.status == 404
    customer_node_untick(actor=rep, customer=customer, node="inquiry")
    assert list(CustomerNode.objects.values_list("node__key", flat=True)) == ["needs_obtained"]
    actions = set(
        AuditEvent.objects.filter(target_type="customer", target_id=customer.pk).values_list(
            "action", flat=True
        )
    )
    assert {"node_ticked", "node_unticked"} <= actions


def test_admins_rename_reorder_and_add_nodes(world):
    owner = world.actor(world.owner)
    nodes = nodes_of(world.ws)
    node = followup_node_create(actor=owner, label_en="Sample sent", label_zh="已寄样")
    assert node.key == "sample_sent" and node.position == 6
    followup_node_update(actor=owner, node=node, position=2)
    followup_node_update(actor=owner, node=nodes[0], label_en="Inquiry in")
    assert [n.key for n in nodes_of(world.ws)][:2] == ["inquiry", "sample_sent"]
    followup_node_update(actor=owner, node=node, active=False)
    assert "sample_sent" not in [n.key for n in nodes_of(world.ws)]
    with pytest.raises(ServiceError) as exc:
        followup_node_create(actor=world.actor(world.rep), label_en="Mine")
    assert exc.value.status == 403


# --- the panel ------------------------------------------------------------------------------------


def test_detail_page_loads_the_panel_and_htmx_edits_it(world, client_for, customer):
    client = client_for(world.rep)
    page = client.get(f"/customers/{customer.pk}/")
    assert b"qualification-panel" in page.content
    url = f"/customers/{customer.pk}/qualification/"
    panel = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert panel.status_code == 200 and "询价".encode() in panel.content
    form = client.get(url + "?edit=1", HTTP_HX_REQUEST="true")
    assert b"qualification-form" in form.content
    bad = client.post(
        url,
        {"qualitative": "valuable", "expected_amount": "abc", "version": 0},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200 and b"Enter an amount" in bad.content
    assert not CustomerQualification.objects.exists()
    ok = client.post(
        url,
        {
            "qualitative": "valuable",
            "deal_grade": "normal",
            "expected_amount": "5000",
            "currency": "EUR",
            "version": 0,
        },
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and b"qualification-values" in ok.content
    assert CustomerQualification.objects.get().expected_amount == Decimal("5000.00")
    tick = client.post(
        f"/customers/{customer.pk}/nodes/",
        {"node": "needs_confirmed", "reached_on": "2026-01-05"},
        HTTP_HX_REQUEST="true",
    )
    assert tick.status_code == 200 and b"2026-01-05" in tick.content
    plain = client.post(
        f"/customers/{customer.pk}/nodes/", {"node": "needs_confirmed", "action": "untick"}
    )
    assert plain.status_code == 302 and not CustomerNode.objects.exists()


def test_page_authorization_matrix(world, client_for, customer):
    url = f"/customers/{customer.pk}/qualification/"
    nodes = f"/customers/{customer.pk}/nodes/"
    data = {"qualitative": "valuable", "version": 0}
    # read-only colleague of the same team: sees the panel, may not change it
    viewer = client_for(world.readonly)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, data).status_code == 403
    assert viewer.post(nodes, {"node": "inquiry"}).status_code == 403
    # a rep of another team and the other workspace: the customer does not exist
    for member in (world.other_rep, world.owner2):
        client = client_for(member)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        assert client.post(nodes, {"node": "inquiry"}).status_code == 404
    # anonymous: sign in
    from django.test import Client

    assert Client().post(url, data).status_code == 302
    assert not CustomerQualification.objects.exists() and not CustomerNode.objects.exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_put_qualification_and_post_nodes(world, api, token_for, customer):
    token = token_for(world.rep)
    path = f"/customers/{customer.pk}/qualification"
    got = api("get", path, token=token).json()
    assert got["version"] == 0 and got["qualified"] is False and len(got["nodes"]) == 5
    resp = api(
        "put",
        path,
        token=token,
        json={
            "qualitative": "valuable",
            "deal_grade": "small",
            "expected_sign_date": "2026-10-01",
            "expected_amount": "800.5",
            "currency": "USD",
            "version": 0,
        },
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["qualified"] is True and resp.json()["version"] == 1
    stale = api("put", path, token=token, json={"qualitative": "uncertain", "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad = api("put", path, token=token, json={"deal_grade": "huge", "version": 1})
    assert bad.status_code == 422 and "deal_grade" in bad.json()["fields"]
    resp = api(
        "post",
        f"/customers/{customer.pk}/nodes",
        token=token,
        json={"node": "price_discussed", "reached_on": "2026-02-01"},
    )
    assert resp.status_code == 200
    ticks = {n["node"]: n["reached_on"] for n in resp.json()["nodes"]}
    assert ticks["price_discussed"] == "2026-02-01" and ticks["inquiry"] is None
    resp = api(
        "post",
        f"/customers/{customer.pk}/nodes",
        token=token,
        json={"node": "price_discussed", "reached": False},
    )
    assert all(n["reached_on"] is None for n in resp.json()["nodes"])
    nodes = api("get", "/followup-nodes", token=token)
    assert nodes.json()[0]["key"] == "inquiry"


def test_api_authorization_matrix(world, api, token_for, customer):
    path = f"/customers/{customer.pk}/qualification"
    body = {"qualitative": "valuable", "version": 0}
    assert api("put", path, json=body).status_code == 401
    assert api("put", path, token=token_for(world.readonly), json=body).status_code == 403
    assert (
        api(
            "post",
            f"/customers/{customer.pk}/nodes",
            token=token_for(world.readonly),
            json={"node": "inquiry"},
        ).status_code
        == 403
    )
    for member in (world.other_rep, world.owner2):
        token = token_for(member)
        assert api("put", path, token=token, json=body).status_code == 404
        assert api("get", path, token=token).status_code == 404
        assert (
            api(
                "post", f"/customers/{customer.pk}/nodes", token=token, json={"node": "inquiry"}
            ).status_code
            == 404
        )
    node = nodes_of(world.ws)[0]
    assert (
        api(
            "patch",
            f"/followup-nodes/{node.pk}",
            token=token_for(world.rep),
            json={"label_en": "x"},
        ).status_code
        == 404
    )
    assert (
        api(
            "patch",
            f"/followup-nodes/{node.pk}",
            token=token_for(world.owner2),
            json={"label_en": "x"},
        ).status_code
        == 404
    )
    resp = api(
        "patch",
        f"/followup-nodes/{node.pk}",
        token=token_for(world.owner),
        json={"label_en": "First inquiry"},
    )
    assert resp.status_code == 200 and resp.json()["label_en"] == "First inquiry"
    assert not CustomerQualification.objects.exists() and not CustomerNode.objects.exists()
