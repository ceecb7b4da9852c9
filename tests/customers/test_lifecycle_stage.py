"""The customer life cycle: recompute from records, the manual override and its hand-back, lost
with a reason from the list, invalid; the stage API and panel; the automatic pools' counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tradewind.core.errors import ServiceError
from tradewind.customers.lifecycle import (
    customer_stage_recompute,
    customer_stage_set,
    customer_targeted_set,
)
from tradewind.customers.models import Contact, Customer, CustomerPolicy
from tradewind.customers.pools import pool_counts
from tradewind.customers.qualification import customer_qualify
from tradewind.customers.services import customer_create
from tradewind.sales.models import Opportunity
from tradewind.sales.services import pipeline_default
from tradewind.workspaces.models import AuditEvent


def make(world, name: str = "Stage Co", owner="rep", **extra) -> Customer:
    return customer_create(
        actor=world.actor(world.owner),
        allow_duplicates=True,
        name=name,
        owner=world.rep.user_id if owner == "rep" else owner,
        **extra,
    )


def opportunity(world, customer: Customer, status: str = "open", code: str = "") -> Opportunity:
    pipeline = pipeline_default(world.ws)
    return Opportunity.objects.create(
        workspace=world.ws,
        code=code or f"SJ{Opportunity.objects.count() + 1}",
        name="deal",
        customer=customer,
        pipeline=pipeline,
        stage=pipeline.stages.first(),
        owner=world.rep.user,
        status=status,
    )


def test_new_customers_are_potential_and_records_move_them(world):
    c = make(world)
    assert c.stage == "potential" and not c.stage_manual
    assert customer_stage_recompute(customer=c).stage == "potential"
    opportunity(world, c, "won")
    assert customer_stage_recompute(customer=c).stage == "signed"
    opportunity(world, c, "won")
    assert customer_stage_recompute(customer=c).stage == "repeat"
    # the orders issue passes its own count
    assert customer_stage_recompute(customer=c, signed_orders=1).stage == "signed"
    assert customer_stage_recompute(customer=c, signed_orders=0).stage == "potential"
    events = AuditEvent.objects.filter(target_id=c.pk, action="stage_changed").order_by("id")
    assert [e.changes["stage"] for e in events] == [
        ["potential", "signed"],
        ["signed", "repeat"],
        ["repeat", "signed"],
        ["signed", "potential"],
    ]
    assert events[0].actor_label == "life cycle"


def test_override_is_held_until_handed_back(world):
    c = make(world)
    opportunity(world, c, "won")
    with pytest.raises(ServiceError) as exc:
        customer_stage_set(actor=world.actor(world.rep), customer=c, stage="signed", reason="")
    assert exc.value.code == "reason_required"
    c = customer_stage_set(
        actor=world.actor(world.rep), customer=c, stage="potential", reason="order cancelled"
    )
    assert c.stage == "potential" and c.stage_manual and c.stage_reason == "order cancelled"
    assert customer_stage_recompute(customer=c, signed_orders=3).stage == "potential"
    c = customer_stage_set(actor=world.actor(world.rep), customer=c, stage="auto")
    assert (c.stage, c.stage_manual, c.stage_reason) == ("signed", False, "")
    [override, back] = AuditEvent.objects.filter(target_id=c.pk, action="stage_changed").order_by(
        "id"
    )
    assert override.actor_user_id == world.rep.user_id
    assert override.changes["stage_manual"] == [False, True]
    assert back.changes["stage"] == ["potential", "signed"]


def test_lost_needs_a_reason_from_the_list(world):
    c = make(world)
    reasons = CustomerPolicy.for_workspace(world.ws).lost_reasons
    assert reasons
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        customer_stage_set(actor=world.actor(world.rep), customer=c, stage="lost", reason="meh")
    assert exc.value.code == "unknown_lost_reason" and exc.value.fields["reason"]
    with pytest.raises(ServiceError) as exc:
        customer_stage_set(actor=world.actor(world.rep), customer=c, stage="gone", reason="x")
    assert exc.value.code == "unknown_stage"
    assert Customer.objects.get(pk=c.pk).stage == "potential"
    c = customer_stage_set(
        actor=world.actor(world.rep), customer=c, stage="lost", reason=reasons[0]
    )
    assert c.stage == "lost" and c.stage_reason == reasons[0]
    c = customer_stage_set(
        actor=world.actor(world.rep), customer=c, stage="invalid", reason="fake company"
    )
    assert c.stage == "invalid"


def test_stage_authorization(world):
    c = make(world)
    for member, code in (
        (world.readonly, "permission_denied"),
        (world.rep2, "permission_denied"),
        (world.owner2, "not_found"),
    ):
        with pytest.raises(ServiceError) as exc:
            customer_stage_set(actor=world.actor(member), customer=c, stage="invalid", reason="x")
        assert exc.value.code == code
    assert Customer.objects.get(pk=c.pk).stage == "potential"
    assert customer_stage_set(
        actor=world.actor(world.manager), customer=c, stage="invalid", reason="spam"
    ).stage == ("invalid")


def test_stage_api_matrix(world, api, token_for):
    c = make(world)
    path = f"/customers/{c.pk}/stage"
    body = {"stage": "invalid", "reason": "spam"}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.readonly), json=body).status_code == 403
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    resp = api(
        "post",
        path,
        token=token_for(world.rep),
        json={"stage": "lost", "reason": "nope"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_lost_reason"
    assert "流失原因" in resp.json()["fields"]["reason"][0]
    assert Customer.objects.get(pk=c.pk).stage == "potential"
    resp = api("post", path, token=token_for(world.rep), json={**body, "version": 999})
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"
    resp = api("post", path, token=token_for(world.rep), json=body)
    assert resp.status_code == 200
    assert (resp.json()["stage"], resp.json()["stage_manual"]) == ("invalid", True)


def test_stage_and_targeted_through_the_panel(world, client_for):
    c = make(world)
    client = client_for(world.rep)
    resp = client.post(
        f"/customers/{c.pk}/stage/",
        {"stage": "signed", "reason": ""},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 200 and b"pool-panel-error" in resp.content
    assert b"Say why the stage is set by hand." in resp.content
    assert Customer.objects.get(pk=c.pk).stage == "potential"
    resp = client.post(
        f"/customers/{c.pk}/stage/",
        {"stage": "signed", "reason": "paid offline"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200 and b"<html" not in resp.content
    assert Customer.objects.get(pk=c.pk).stage == "signed"
    assert (
        client_for(world.rep2).post(f"/customers/{c.pk}/targeted/", {"targeted": "1"}).status_code
        == 404
    )
    assert (
        client_for(world.readonly)
        .post(f"/customers/{c.pk}/targeted/", {"targeted": "1"})
        .status_code
        == 403
    )
    resp = client.post(f"/customers/{c.pk}/targeted/", {"targeted": "1"})
    assert resp.status_code == 302 and Customer.objects.get(pk=c.pk).targeted


# --- automatic pools -------------------------------------------------------------------------------


def test_pool_counts_follow_the_definitions_and_the_scope(world, api, token_for, client_for):
    nurturing = make(world, "Nurture")
    qualified = make(world, "Qualified")
    customer_qualify(actor=world.actor(world.rep), customer=qualified, qualitative="valuable")
    uncertain = make(world, "Uncertain", rating=3)
    Contact.objects.create(workspace=world.ws, customer=uncertain, name="Buyer")
    customer_qualify(actor=world.actor(world.rep), customer=uncertain, qualitative="uncertain")
    with_opp = make(world, "With Opp")
    opportunity(world, with_opp)
    starred = make(world, "Starred", rating=5)
    targeted = customer_targeted_set(
        actor=world.actor(world.rep), customer=make(world, "Targeted"), targeted=True
    )
    for name, stage in (
        ("Won", "signed"),
        ("Again", "repeat"),
        ("Gone", "lost"),
        ("Junk", "invalid"),
    ):
        Customer.objects.filter(pk=make(world, name).pk).update(stage=stage)
    make(world, "West", owner=world.other_rep.user_id)
    counts = pool_counts(world.rep)
    assert counts == {
        "nurturing": 4,  # Nurture, Uncertain, Starred, Targeted: not valuable, no open opportunity
        "demand": 2,  # Qualified, With Opp
        "focus": 2,  # Starred, Targeted
        "success": 2,
        "failure": 1,
        "invalid": 1,
    }, (nurturing, starred, targeted)
    assert pool_counts(world.owner)["nurturing"] == 5  # the owner also sees West
    assert pool_counts(world.owner2)["nurturing"] == 0
    resp = api("get", "/customers/pools", token=token_for(world.rep))
    assert {r["key"]: r["count"] for r in resp.json()} == counts
    assert api("get", "/customers/pools").status_code == 401
    page = client_for(world.rep).get("/customers/pools/?pool=demand").content.decode()
    assert "Qualified" in page and "With Opp" in page and "Nurture" not in page
    tabs = client_for(world.rep).get(
        "/customers/pools/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pool-tabs"
    )
    assert b"<html" not in tabs.content and b'data-testid="pool-count-focus">2<' in tabs.content


def test_pool_counts_are_one_query_whatever_the_data(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            pool_counts(world.rep)
        return len(ctx.captured_queries)

    first = queries()
    for i in range(5):
        c = make(world, f"Many {i}", rating=4)
        customer_qualify(actor=world.actor(world.rep), customer=c, qualitative="valuable")
        opportunity(world, c)
    assert queries() == first == 1
