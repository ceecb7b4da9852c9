"""The customer public pool (公海): claim and release through the service, the pages and the API,
the holding cap, the daily limit, the cool-down, and the claim race on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import translation

from tests.conftest import add_member, login
from tradewind.core.errors import ServiceError
from tradewind.customers.models import Customer, CustomerClaim, CustomerPolicy
from tradewind.customers.pool import customer_claim, customer_release
from tradewind.customers.services import customer_create
from tradewind.workspaces.choices import Role
from tradewind.workspaces.models import AuditEvent


def make(world, name: str = "Pool Co", owner=None, **extra) -> Customer:
    return customer_create(
        actor=world.actor(world.owner), allow_duplicates=True, name=name, owner=owner, **extra
    )


def many(world, count: int, prefix: str = "Pool") -> list[Customer]:
    return [make(world, f"{prefix} {i}") for i in range(count)]


def policy(world, **values) -> CustomerPolicy:
    p = CustomerPolicy.for_workspace(world.ws)
    for key, value in values.items():
        setattr(p, key, value)
    p.save()
    return p


def audits(customer: Customer, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(target_type="customer", target_id=customer.pk, action=action)
    )


# --- the service -----------------------------------------------------------------------------------


def test_claim_takes_the_customer_records_the_stint_and_audits(world):
    c = make(world)
    claimed = customer_claim(actor=world.actor(world.rep), customer=c)
    assert claimed.owner_id == world.rep.user_id and claimed.version == c.version + 1
    stint = CustomerClaim.objects.get(customer=c)
    assert stint.user_id == world.rep.user_id and stint.released_at is None
    [event] = audits(c, "pool_claimed")
    assert event.actor_user_id == world.rep.user_id
    assert event.changes == {"owner": [None, world.rep.user_id]}


def test_claiming_an_owned_customer_is_409_naming_the_owner(world):
    c = make(world)
    customer_claim(actor=world.actor(world.rep), customer=c)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.rep2), customer=c)
    assert exc.value.code == "already_claimed" and exc.value.status == 409
    assert str(exc.value.message) == f"This customer was just claimed by {world.rep.user}."
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.rep2), customer=c)
    assert str(world.rep.user) in str(exc.value.message) and "领取" in str(exc.value.message)
    assert CustomerClaim.objects.filter(customer=c).count() == 1
    assert Customer.objects.get(pk=c.pk).owner_id == world.rep.user_id


def test_invalid_customers_are_not_claimable(world):
    c = make(world)
    Customer.objects.filter(pk=c.pk).update(stage="invalid")
    with pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.rep), customer=c)
    assert exc.value.code == "not_claimable"
    assert Customer.objects.get(pk=c.pk).owner_id is None


def test_claim_needs_edit_permission_and_the_same_workspace(world):
    c = make(world)
    with pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.readonly), customer=c)
    assert exc.value.code == "permission_denied"
    with pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.owner2), customer=c)
    assert exc.value.code == "not_found"
    assert Customer.objects.get(pk=c.pk).owner_id is None
    assert not CustomerClaim.objects.exists()


def test_holding_cap_does_not_count_signed_customers(world):
    policy(world, holding_cap=2)
    mine = make(world, "Mine", owner=world.rep.user_id)
    a, b = many(world, 2)
    customer_claim(actor=world.actor(world.rep), customer=a)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.rep), customer=b)
    assert exc.value.code == "holding_cap" and "2" in str(exc.value.message)
    assert Customer.objects.get(pk=b.pk).owner_id is None
    Customer.objects.filter(pk=mine.pk).update(stage="signed")
    assert customer_claim(actor=world.actor(world.rep), customer=b).owner_id == world.rep.user_id


def test_daily_limit_resets_at_midnight_in_the_workspace_zone(world):
    policy(world, daily_claim_limit=2)
    a, b, c = many(world, 3)
    actor = world.actor(world.rep)
    with time_machine.travel(dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC), tick=False):
        customer_claim(actor=actor, customer=a)
        customer_claim(actor=actor, customer=b)
        with translation.override("en"), pytest.raises(ServiceError) as exc:
            customer_claim(actor=actor, customer=c)
        assert exc.value.code == "daily_limit" and "2" in str(exc.value.message)
    # 00:30 on 11 March in Shanghai (still 10 March in UTC): a new day for this workspace
    with time_machine.travel(dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC), tick=False):
        assert customer_claim(actor=actor, customer=c).owner_id == world.rep.user_id


def test_cooldown_after_release_lasts_k_days_for_that_rep_only(world):
    policy(world, release_cooldown_days=3)
    c = make(world)
    start = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        customer_claim(actor=world.actor(world.rep), customer=c)
        customer_release(actor=world.actor(world.rep), customer=c, reason="not a fit")
    with time_machine.travel(start + dt.timedelta(days=2, hours=23), tick=False):
        with translation.override("en"), pytest.raises(ServiceError) as exc:
            customer_claim(actor=world.actor(world.rep), customer=c)
        assert exc.value.code == "cooldown" and "claim it again from" in str(exc.value.message)
        assert Customer.objects.get(pk=c.pk).owner_id is None
        # another rep is not cooled down
        customer_claim(actor=world.actor(world.rep2), customer=c)
        customer_release(actor=world.actor(world.rep2), customer=c, reason="later")
    with time_machine.travel(start + dt.timedelta(days=3, minutes=1), tick=False):
        assert customer_claim(actor=world.actor(world.rep), customer=c).owner_id == (
            world.rep.user_id
        )


def test_cooldown_applies_to_a_customer_held_from_creation(world):
    """A customer the rep got at creation has no claim stint; releasing still cools down."""
    policy(world, release_cooldown_days=7)
    c = make(world, owner=world.rep.user_id)
    customer_release(actor=world.actor(world.rep), customer=c, reason="wrong market")
    stint = CustomerClaim.objects.get(customer=c)
    assert stint.claimed_at is None and stint.release_reason == "wrong market"
    with pytest.raises(ServiceError) as exc:
        customer_claim(actor=world.actor(world.rep), customer=c)
    assert exc.value.code == "cooldown"


def test_release_needs_a_reason_and_the_owner_or_a_manager(world):
    c = make(world, owner=world.rep.user_id)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        customer_release(actor=world.actor(world.rep), customer=c, reason="  ")
    assert exc.value.code == "invalid" and exc.value.fields["reason"]
    with pytest.raises(ServiceError) as exc:
        customer_release(actor=world.actor(world.rep2), customer=c, reason="mine now")
    assert exc.value.code == "permission_denied"
    assert Customer.objects.get(pk=c.pk).owner_id == world.rep.user_id
    released = customer_release(actor=world.actor(world.manager), customer=c, reason="rebalance")
    assert released.owner_id is None
    [event] = audits(c, "pool_released")
    assert event.changes == {"owner": [world.rep.user_id, None], "reason": [None, "rebalance"]}
    with pytest.raises(ServiceError) as exc:
        customer_release(actor=world.actor(world.manager), customer=c, reason="again")
    assert exc.value.code == "not_owned"


# --- pages -----------------------------------------------------------------------------------------


def test_pool_page_lists_ownerless_customers_with_claim_buttons(world, client_for):
    c = make(world, "Ownerless Importer")
    make(world, "Held Importer", owner=world.rep.user_id)
    resp = client_for(world.rep).get("/customers/pool/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Ownerless Importer" in body and "Held Importer" not in body
    assert f"/customers/{c.pk}/claim/" in body
    # the reader sees no button; the other workspace sees none of it
    assert (
        f"/customers/{c.pk}/claim/"
        not in client_for(world.readonly).get("/customers/pool/").content.decode()
    )
    assert (
        "Ownerless Importer"
        not in client_for(world.owner2).get("/customers/pool/").content.decode()
    )
    partial = client_for(world.rep).get(
        "/customers/pool/?q=Ownerless", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pool-results"
    )
    assert b"<html" not in partial.content and b"Ownerless Importer" in partial.content


def test_claim_page_matrix(world, client_for):
    c = make(world)
    url = f"/customers/{c.pk}/claim/"
    assert Client().post(url).status_code == 302  # to the login page
    assert Customer.objects.get(pk=c.pk).owner_id is None
    assert client_for(world.readonly).post(url).status_code == 403
    assert client_for(world.owner2).post(url).status_code == 404
    assert Customer.objects.get(pk=c.pk).owner_id is None
    resp = client_for(world.rep).post(url)
    assert resp.status_code == 302 and resp["Location"] == f"/customers/{c.pk}/"
    assert Customer.objects.get(pk=c.pk).owner_id == world.rep.user_id


def test_a_refused_claim_is_a_message_naming_the_winner(world, client_for):
    c = make(world)
    customer_claim(actor=world.actor(world.rep), customer=c)
    client = client_for(world.rep2)
    resp = client.post(f"/customers/{c.pk}/claim/", {"next": "pool"}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 302 and resp["Location"] == "/customers/pool/"
    page = client.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert f"This customer was just claimed by {world.rep.user}." in page.content.decode()


def test_release_page_and_panel(world, client_for):
    c = make(world, owner=world.rep.user_id)
    client = client_for(world.rep)
    panel = client.get(
        f"/customers/{c.pk}/pool-panel/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pool-panel"
    )
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert f"/customers/{c.pk}/release/".encode() in panel.content
    assert client_for(world.rep2).get(f"/customers/{c.pk}/pool-panel/").status_code == 404
    resp = client.post(f"/customers/{c.pk}/release/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 302
    assert Customer.objects.get(pk=c.pk).owner_id == world.rep.user_id
    resp = client.post(f"/customers/{c.pk}/release/", {"reason": "no budget"})
    assert resp.status_code == 302 and Customer.objects.get(pk=c.pk).owner_id is None
    # now in the pool: the panel offers no claim during the cool-down
    panel = client.get(f"/customers/{c.pk}/pool-panel/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"pool-cooldown" in panel.content and b'data-testid="pool-claim"' not in panel.content


# --- API -------------------------------------------------------------------------------------------


def test_claim_api_matrix(world, api, token_for):
    c = make(world)
    path = f"/customers/{c.pk}/claim"
    assert api("post", path).status_code == 401
    resp = api("post", path, token=token_for(world.readonly))
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    resp = api("post", path, token=token_for(world.owner2))
    assert resp.status_code == 404
    assert Customer.objects.get(pk=c.pk).owner_id is None
    resp = api("post", path, token=token_for(world.rep))
    assert resp.status_code == 200 and resp.json()["owner_id"] == world.rep.user_id
    assert resp.json()["stage"] == "potential"
    resp = api("post", path, token=token_for(world.rep2), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 409 and resp.json()["code"] == "already_claimed"
    assert str(world.rep.user) in resp.json()["message"]


def test_release_api(world, api, token_for):
    c = make(world, owner=world.rep.user_id)
    path = f"/customers/{c.pk}/release"
    resp = api("post", path, token=token_for(world.rep), json={}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 422 and resp.json()["fields"]["reason"]
    assert Customer.objects.get(pk=c.pk).owner_id == world.rep.user_id
    resp = api("post", path, token=token_for(world.other_rep), json={"reason": "x"})
    assert resp.status_code == 404
    resp = api("post", path, token=token_for(world.rep), json={"reason": "no fit"})
    assert resp.status_code == 200 and resp.json()["owner_id"] is None


def test_openapi_declares_the_pool_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/customers/{customer_id}/claim"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(op["responses"])


# --- the race (PostgreSQL) -------------------------------------------------------------------------

RACERS = 8


def race(count: int, work: Callable[[int], object]) -> list[object]:
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported by the main thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a claimer hung"
    return results


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "a thread race needs a server database: the in-memory SQLite test database is shared "
            "between threads with table locks that fail instead of waiting"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_let_exactly_one_rep_win_on_postgresql(world):
    skip_unless_postgresql()
    members = [
        add_member(world.ws, world.owner, f"racer{i}@a.test", Role.SALES, world.east)
        for i in range(RACERS)
    ]
    c = make(world, "Race Target")

    def claim(i: int) -> Customer:
        with translation.override("en"):
            return customer_claim(actor=world.actor(members[i]), customer=c)

    results = race(RACERS, claim)
    winners = [r for r in results if isinstance(r, Customer)]
    assert len(winners) == 1, results
    winner = next(m for m in members if m.user_id == winners[0].owner_id)
    for exc in results:
        if isinstance(exc, Customer):
            continue
        assert isinstance(exc, ServiceError), repr(exc)
        assert exc.code == "already_claimed" and exc.status == 409
        assert str(exc.message) == f"This customer was just claimed by {winner.user}."
    assert CustomerClaim.objects.filter(customer=c).count() == 1
    assert [e.actor_user_id for e in audits(c, "pool_claimed")] == [winner.user_id]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_through_the_pages_never_answer_500_on_postgresql(world):
    skip_unless_postgresql()
    members = [
        add_member(world.ws, world.owner, f"racer{i}@a.test", Role.SALES, world.east)
        for i in range(RACERS)
    ]
    c = make(world, "Race Page Target")
    clients = [login(Client(), m) for m in members]
    responses = race(
        RACERS,
        lambda i: clients[i].post(
            f"/customers/{c.pk}/claim/", {"next": "pool"}, HTTP_ACCEPT_LANGUAGE="en"
        ),
    )
    assert [getattr(r, "status_code", r) for r in responses] == [302] * RACERS
    stored = Customer.objects.select_related("owner").get(pk=c.pk)
    assert CustomerClaim.objects.filter(customer=c).count() == 1
    for i, resp in enumerate(responses):
        if members[i].user_id == stored.owner_id:
            assert resp["Location"] == f"/customers/{c.pk}/"
        else:
            assert resp["Location"] == "/customers/pool/"
            page = clients[i].get(resp["Location"], HTTP_ACCEPT_LANGUAGE="en")
            assert f"This customer was just claimed by {stored.owner}." in page.content.decode()
