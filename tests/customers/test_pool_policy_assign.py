"""The pool policy service (page and PATCH API) and assignment through the pool's records
(service, bulk action, 360 panel, API)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.activities.models import Notification
from tradewind.core.errors import ServiceError
from tradewind.customers.assignment import customer_assign
from tradewind.customers.bulk import customers_bulk_apply
from tradewind.customers.models import Customer, CustomerClaim, CustomerPolicy
from tradewind.customers.policy import customer_policy_update
from tradewind.customers.pool import cooldown_until, customer_claim, customer_release
from tradewind.customers.services import customer_create
from tradewind.workspaces.models import AuditEvent

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "collab-panel"}


@pytest.fixture
def cust(world) -> Customer:
    return customer_create(actor=world.actor(world.rep), allow_duplicates=True, name="EAST Co")


def policy_row(world) -> tuple:
    p = CustomerPolicy.for_workspace(world.ws)
    return (p.holding_cap, p.daily_claim_limit, p.release_cooldown_days, list(p.lost_reasons))


# --- policy ---------------------------------------------------------------------------------------


def test_policy_update_saves_and_audits(world):
    p = customer_policy_update(
        actor=world.actor(world.owner), holding_cap=5, lost_reasons=["Price", " Price ", "Gone"]
    )
    assert p.holding_cap == 5 and p.lost_reasons == ["Price", "Gone"]
    [event] = AuditEvent.objects.filter(target_type="customers.customerpolicy")
    assert event.changes["holding_cap"] == [200, 5]
    customer_policy_update(actor=world.actor(world.owner), holding_cap=5)  # no change, no audit
    assert AuditEvent.objects.filter(target_type="customers.customerpolicy").count() == 1


@pytest.mark.parametrize(
    "values",
    [
        {"holding_cap": -1},
        {"daily_claim_limit": "many"},
        {"warn_days_before": 9999},
        {"recycle_signed": "yes"},
        {"lost_reasons": ["x" * 201]},
        {"colour": "red"},
        {"holding_cap": 3, "release_cooldown_days": True},
    ],
)
def test_policy_bad_input_refused_translated_nothing_changed(world, values):
    before = policy_row(world)
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        customer_policy_update(actor=world.actor(world.owner), **values)
    assert exc.value.code == "invalid" and exc.value.fields
    assert not any(str(m).isascii() for ms in exc.value.fields.values() for m in ms)
    assert policy_row(world) == before


def test_policy_needs_workspace_manage(world):
    with pytest.raises(ServiceError) as exc:
        customer_policy_update(actor=world.actor(world.manager), holding_cap=1)
    assert exc.value.status == 403 and policy_row(world)[0] == 200


def test_policy_page_uses_the_service(world, client_for):
    c = client_for(world.owner)
    data = {
        "holding_cap": 7,
        "daily_claim_limit": 3,
        "release_cooldown_days": 2,
        "recycle_no_followup_days": 30,
        "recycle_no_opportunity_days": 90,
        "warn_days_before": 1,
        "lost_reasons_text": "Price\nTiming",
    }
    resp = c.post("/customers/pool/settings/", data)
    assert resp.status_code == 302
    assert policy_row(world) == (7, 3, 2, ["Price", "Timing"])
    assert AuditEvent.objects.filter(target_type="customers.customerpolicy").exists()
    resp = c.post("/customers/pool/settings/", {**data, "warn_days_before": 9999})
    assert resp.status_code == 200 and policy_row(world)[0] == 7
    assert client_for(world.rep).post("/customers/pool/settings/", data).status_code == 403


def test_policy_api(world, api, token_for):
    assert api("patch", "/customers/policy", json={"holding_cap": 1}).status_code == 401
    rep = api("patch", "/customers/policy", token=token_for(world.rep), json={"holding_cap": 1})
    assert rep.status_code == 403 and policy_row(world)[0] == 200
    token = token_for(world.owner)
    resp = api("patch", "/customers/policy", token=token, json={"holding_cap": 9})
    assert resp.status_code == 200 and resp.json()["holding_cap"] == 9
    bad = api(
        "patch",
        "/customers/policy",
        token=token,
        json={"holding_cap": -3},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert "holding_cap" in bad.json()["fields"] and policy_row(world)[0] == 9
    assert api("get", "/customers/policy", token=token).json()["holding_cap"] == 9
    other = api(
        "patch", "/customers/policy", token=token_for(world.owner2), json={"holding_cap": 2}
    )
    assert other.status_code == 200 and policy_row(world)[0] == 9  # their own workspace's policy


# --- assignment -----------------------------------------------------------------------------------


def test_assign_moves_stints_audits_notifies(world, cust):
    customer_release(actor=world.actor(world.rep), customer=cust, reason="not now")
    customer_claim(actor=world.actor(world.rep2), customer=cust)
    result = customer_assign(
        actor=world.actor(world.manager), customer=cust, owner_id=world.other_rep.user_id, note="x"
    )
    assert result.owner_id == world.other_rep.user_id
    open_ = CustomerClaim.objects.get(customer=cust, released_at__isnull=True)
    assert open_.user_id == world.other_rep.user_id and open_.claimed_at is None
    # rep2 did not give it up: no cool-down for them; the rep's own release still cools down
    policy = CustomerPolicy.for_workspace(world.ws)
    kw = {"workspace": world.ws, "customer_id": cust.pk, "policy": policy}
    assert cooldown_until(user_id=world.rep2.user_id, **kw) is None
    assert cooldown_until(user_id=world.rep.user_id, **kw) is not None
    [event] = AuditEvent.objects.filter(target_id=cust.pk, action="assigned")
    assert event.changes["owner"] == [world.rep2.user_id, world.other_rep.user_id]
    [note] = Notification.objects.filter(user=world.other_rep.user, kind="customer.assigned")
    assert note.params["note"] == "x"
    # the new owner's release closes the assignment stint with a cool-down
    customer_release(actor=world.actor(world.other_rep), customer=result, reason="no fit")
    assert cooldown_until(user_id=world.other_rep.user_id, **kw) is not None
    assert not CustomerClaim.objects.filter(customer=cust, released_at__isnull=True).exists()


@pytest.mark.parametrize("owner_id", [None, 987654, "owner2", "readonly"])
def test_assign_bad_owner_refused(world, cust, owner_id):
    owner_id = {"owner2": world.owner2.user_id, "readonly": world.readonly.user_id}.get(
        owner_id, owner_id
    )
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        customer_assign(actor=world.actor(world.manager), customer=cust, owner_id=owner_id)
    assert exc.value.code == "bad_owner" and not str(exc.value.message).isascii()
    assert Customer.objects.get(pk=cust.pk).owner_id == world.rep.user_id
    assert not AuditEvent.objects.filter(action="assigned").exists()


def test_assign_needs_customer_assign(world, cust):
    with pytest.raises(ServiceError) as exc:
        customer_assign(actor=world.actor(world.rep), customer=cust, owner_id=world.rep2.user_id)
    assert exc.value.status == 403
    assert Customer.objects.get(pk=cust.pk).owner_id == world.rep.user_id


def test_bulk_assign_goes_through_the_service(world, cust):
    other = customer_create(actor=world.actor(world.rep), allow_duplicates=True, name="Two")
    result = customers_bulk_apply(
        actor=world.actor(world.manager),
        selection=Customer.objects.filter(pk__in=[cust.pk, other.pk]),
        action="assign",
        value=str(world.rep2.user_id),
    )
    assert result.done == 2
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {world.rep2.user_id}
    assert AuditEvent.objects.filter(action="assigned").count() == 2
    assert CustomerClaim.objects.filter(user=world.rep2.user, released_at__isnull=True).count() == 2


def test_assign_control_on_the_360_panel(world, cust, client_for):
    manager = client_for(world.manager)
    panel = manager.get(f"/customers/{cust.pk}/collaborators/", **HX)
    assert b"assign-form" in panel.content
    resp = manager.post(f"/customers/{cust.pk}/assign/", {"owner_id": world.rep2.user_id}, **HX)
    assert resp.status_code == 200 and b"collab-owner" in resp.content
    assert Customer.objects.get(pk=cust.pk).owner_id == world.rep2.user_id
    resp = manager.post(f"/customers/{cust.pk}/assign/", {"owner_id": "nobody"}, **HX)
    assert b"collab-error" in resp.content
    rep = client_for(world.rep)
    assert b"assign-form" not in rep.get(f"/customers/{cust.pk}/collaborators/", **HX).content
    assert rep.post(
        f"/customers/{cust.pk}/assign/", {"owner_id": world.rep.user_id}
    ).status_code in (
        403,
        404,
    )
    assert (
        client_for(world.owner2)
        .post(f"/customers/{cust.pk}/assign/", {"owner_id": world.owner2.user_id})
        .status_code
        == 404
    )
    assert Customer.objects.get(pk=cust.pk).owner_id == world.rep2.user_id


def test_assign_api(world, cust, api, token_for):
    path = f"/customers/{cust.pk}/assign"
    body = {"owner_id": world.rep2.user_id}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    assert api("post", path, token=token_for(world.rep), json=body).status_code == 403
    assert Customer.objects.get(pk=cust.pk).owner_id == world.rep.user_id
    bad = api("post", path, token=token_for(world.manager), json={"owner_id": 987654})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_owner"
    resp = api("post", path, token=token_for(world.manager), json=body)
    assert resp.status_code == 200 and resp.json()["owner_id"] == world.rep2.user_id
