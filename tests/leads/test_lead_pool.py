"""The lead pool (线索池): claim and release through the service, the pages and the API, the
workspace's holding cap and daily limit, and the claim race on PostgreSQL."""

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
from tradewind.leads.models import Lead, LeadClaim, LeadPolicy
from tradewind.leads.pool import lead_claim, lead_release
from tradewind.leads.services import lead_create
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import AuditEvent


def pool_leads(world, count: int, prefix: str = "Pool") -> list[Lead]:
    return [
        lead_create(actor=world.actor(world.owner), company_name=f"{prefix} {i}", owner=None)
        for i in range(count)
    ]


def policy(world, **values: int) -> LeadPolicy:
    p = LeadPolicy.for_workspace(world.ws)
    for key, value in values.items():
        setattr(p, key, value)
    p.save()
    return p


def audits(lead: Lead, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="lead", target_id=lead.pk, action=action))


# --- the service -----------------------------------------------------------------------------------


def test_claim_takes_the_lead_records_the_claim_and_audits(world):
    lead = lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    assert lead.owner_id == world.rep.user_id and lead.version == world.pool_lead.version + 1
    claim = LeadClaim.objects.get(lead=lead)
    assert claim.user_id == world.rep.user_id and claim.workspace_id == world.ws.pk
    assert claim.released_at is None
    [event] = audits(lead, "claimed")
    assert event.verb == "action" and event.actor_user_id == world.rep.user_id
    assert event.changes == {"owner": [None, world.rep.user_id]}


def test_claim_emits_after_commit(world, django_capture_on_commit_callbacks):
    from tradewind.workspaces.events import subscribe, unsubscribe

    seen: list[tuple[str, dict]] = []

    def handler(name: str, payload: dict) -> None:
        seen.append((name, payload))

    subscribe("lead.claimed", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
            assert seen == []  # nothing leaves before the commit
    finally:
        unsubscribe("lead.claimed", handler)
    assert seen == [
        (
            "lead.claimed",
            {
                "workspace_id": world.ws.pk,
                "lead_id": world.pool_lead.pk,
                "user_id": world.rep.user_id,
            },
        )
    ]


def test_claiming_an_owned_lead_is_409_naming_the_owner_and_changes_nothing(world):
    lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    before = Lead.objects.get(pk=world.pool_lead.pk)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        lead_claim(actor=world.actor(world.rep2), lead=world.pool_lead)
    assert exc.value.code == "already_claimed" and exc.value.status == 409
    assert str(exc.value.message) == f"This lead was just claimed by {world.rep.user}."
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        lead_claim(actor=world.actor(world.rep2), lead=world.pool_lead)
    assert str(world.rep.user) in str(exc.value.message) and "领取" in str(exc.value.message)
    after = Lead.objects.get(pk=world.pool_lead.pk)
    assert (after.owner_id, after.version) == (before.owner_id, before.version)
    assert LeadClaim.objects.filter(lead=world.pool_lead).count() == 1
    assert len(audits(world.pool_lead, "claimed")) == 1


def test_only_open_leads_can_be_claimed(world):
    Lead.objects.filter(pk=world.pool_lead.pk).update(status="converted")
    with pytest.raises(ServiceError) as exc:
        lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    assert exc.value.code == "not_claimable"
    assert Lead.objects.get(pk=world.pool_lead.pk).owner_id is None


def test_claim_needs_edit_permission_and_the_same_workspace(world):
    with pytest.raises(ServiceError) as exc:
        lead_claim(actor=world.actor(world.readonly), lead=world.pool_lead)
    assert exc.value.code == "permission_denied"
    with pytest.raises(ServiceError) as exc:
        lead_claim(actor=world.actor(world.owner2), lead=world.pool_lead)
    assert exc.value.code == "not_found"
    assert Lead.objects.get(pk=world.pool_lead.pk).owner_id is None
    assert not LeadClaim.objects.exists()


def test_holding_cap_counts_open_leads(world):
    policy(world, holding_cap=3)
    first, second, third = pool_leads(world, 3)
    actor = world.actor(world.rep)  # already holds world.lead
    lead_claim(actor=actor, lead=first)
    lead_claim(actor=actor, lead=second)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        lead_claim(actor=actor, lead=third)
    assert exc.value.code == "holding_cap" and "3" in str(exc.value.message)
    assert Lead.objects.get(pk=third.pk).owner_id is None
    # a lead that is no longer open does not count against the cap
    Lead.objects.filter(pk=first.pk).update(status="invalid")
    assert lead_claim(actor=actor, lead=third).owner_id == world.rep.user_id


def test_daily_limit_resets_at_midnight_in_the_workspace_zone(world):
    policy(world, daily_claim_limit=2)
    a, b, c = pool_leads(world, 3)
    actor = world.actor(world.rep)
    # 22:30 in Shanghai on 10 March (14:30 UTC)
    with time_machine.travel(dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC), tick=False):
        lead_claim(actor=actor, lead=a)
        lead_claim(actor=actor, lead=b)
        with translation.override("en"), pytest.raises(ServiceError) as exc:
            lead_claim(actor=actor, lead=c)
        assert exc.value.code == "daily_limit" and "2" in str(exc.value.message)
    # 23:59 in Shanghai: still the same day
    with time_machine.travel(dt.datetime(2026, 3, 10, 15, 59, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ServiceError) as exc:
            lead_claim(actor=actor, lead=c)
        assert exc.value.code == "daily_limit"
    # 00:30 on 11 March in Shanghai, still 10 March in UTC: a new day for this workspace
    with time_machine.travel(dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC), tick=False):
        assert lead_claim(actor=actor, lead=c).owner_id == world.rep.user_id
    # another rep's claims are counted on their own
    assert LeadClaim.objects.filter(user_id=world.rep.user_id).count() == 3


def test_release_needs_a_reason_and_closes_the_claim(world):
    lead = lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        lead_release(actor=world.actor(world.rep), lead=lead, reason="   ")
    assert exc.value.code == "invalid" and "reason" in exc.value.fields
    assert Lead.objects.get(pk=lead.pk).owner_id == world.rep.user_id

    released = lead_release(actor=world.actor(world.rep), lead=lead, reason=" No budget this year ")
    assert released.owner_id is None and released.version == lead.version + 1
    claim = LeadClaim.objects.get(lead=lead)
    assert claim.released_at is not None and claim.release_reason == "No budget this year"
    [event] = audits(lead, "released")
    assert event.changes == {
        "owner": [world.rep.user_id, None],
        "reason": [None, "No budget this year"],
    }
    # back in the pool: another rep may claim it now
    assert lead_claim(actor=world.actor(world.rep2), lead=lead).owner_id == world.rep2.user_id


def test_release_is_for_the_owner_or_a_lead_assign_role(world):
    teammate = add_member(
        world.ws, world.owner, "mate@a.test", Role.SALES, world.east, DataScope.TEAM
    )
    for member in (teammate, world.readonly):  # both see the lead; neither owns it nor assigns
        with pytest.raises(ServiceError) as exc:
            lead_release(actor=world.actor(member), lead=world.lead, reason="mine now")
        assert exc.value.code == "permission_denied"
    with pytest.raises(ServiceError) as exc:
        lead_release(actor=world.actor(world.owner2), lead=world.lead, reason="x")
    assert exc.value.code == "not_found"
    assert Lead.objects.get(pk=world.lead.pk).owner_id == world.rep.user_id
    # a manager holds LEAD_ASSIGN and may release a rep's lead
    lead = lead_release(actor=world.actor(world.manager), lead=world.lead, reason="Rep left")
    assert lead.owner_id is None
    with pytest.raises(ServiceError) as exc:
        lead_release(actor=world.actor(world.manager), lead=world.lead, reason="again")
    assert exc.value.code == "not_owned" and exc.value.status == 409


# --- pages -----------------------------------------------------------------------------------------


def test_claim_page_matrix(world, client_for):
    url = f"/leads/{world.pool_lead.pk}/claim/"
    resp = Client().post(url)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert client_for(world.owner2).post(url).status_code == 404
    assert client_for(world.readonly).post(url).status_code == 403
    assert client_for(world.rep).get(url).status_code == 405
    assert Lead.objects.get(pk=world.pool_lead.pk).owner_id is None
    resp = client_for(world.rep).post(url)
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.pool_lead.pk}/"
    assert Lead.objects.get(pk=world.pool_lead.pk).owner_id == world.rep.user_id


def test_a_refused_claim_is_a_message_not_an_error_page(world, client_for):
    lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    url = f"/leads/{world.pool_lead.pk}/claim/"
    # the manager still sees the lead (team and sub-teams): back to its page, told who holds it
    resp = client_for(world.manager).post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert resp.status_code == 200
    assert resp.redirect_chain == [(f"/leads/{world.pool_lead.pk}/", 302)]
    assert f"This lead was just claimed by {world.rep.user}." in resp.content.decode()
    # a second click of the winner's own is a note too
    resp = client_for(world.rep).post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert resp.redirect_chain == [(f"/leads/{world.pool_lead.pk}/", 302)]
    assert "You already hold this lead." in resp.content.decode()
    # a rep whose scope no longer shows it (they clicked on a pool list a moment old) is told
    # who was faster and sent back to the pool
    resp = client_for(world.rep2).post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert resp.redirect_chain == [("/leads/?owner=none", 302)]
    assert f"This lead was just claimed by {world.rep.user}." in resp.content.decode()
    assert LeadClaim.objects.filter(lead=world.pool_lead).count() == 1


def test_a_lead_claimed_long_ago_or_never_pooled_stays_404_out_of_scope(world, client_for):
    client = client_for(world.rep2)
    assert client.post(f"/leads/{world.lead.pk}/claim/").status_code == 404  # never in the pool
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), tick=False):
        lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    assert client.post(f"/leads/{world.pool_lead.pk}/claim/").status_code == 404
    assert client_for(world.owner2).post(f"/leads/{world.pool_lead.pk}/claim/").status_code == 404


def test_detail_shows_the_pool_buttons_to_whom_they_apply(world, client_for):
    pool_url, own_url = f"/leads/{world.pool_lead.pk}/", f"/leads/{world.lead.pk}/"
    rep = client_for(world.rep)
    assert b'data-testid="pool-claim"' in rep.get(pool_url).content
    page = rep.get(own_url).content
    assert b'data-testid="pool-release"' in page and b'name="reason"' in page
    assert b'data-testid="pool-claim"' not in page
    viewer = client_for(world.readonly)
    assert b'data-testid="pool-claim"' not in viewer.get(pool_url).content
    assert b'data-testid="pool-release"' not in viewer.get(own_url).content
    assert b'data-testid="pool-release"' in client_for(world.manager).get(own_url).content


def test_release_page(world, client_for):
    url = f"/leads/{world.lead.pk}/release/"
    assert client_for(world.owner2).post(url, {"reason": "x"}).status_code == 404
    assert client_for(world.other_rep).post(url, {"reason": "x"}).status_code == 404
    assert client_for(world.readonly).post(url, {"reason": "x"}).status_code == 403
    teammate = add_member(
        world.ws, world.owner, "mate@a.test", Role.SALES, world.east, DataScope.TEAM
    )
    assert client_for(teammate).post(url, {"reason": "x"}).status_code == 403
    rep = client_for(world.rep)
    resp = rep.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert resp.redirect_chain == [(f"/leads/{world.lead.pk}/", 302)]
    assert "Say why this lead goes back to the pool." in resp.content.decode()
    assert Lead.objects.get(pk=world.lead.pk).owner_id == world.rep.user_id
    resp = rep.post(url, {"reason": "Wrong industry"})
    assert resp.status_code == 302 and resp["Location"] == f"/leads/{world.lead.pk}/"
    assert Lead.objects.get(pk=world.lead.pk).owner_id is None
    assert audits(world.lead, "released")[0].changes["reason"] == [None, "Wrong industry"]


def test_history_names_the_claim(world, client_for):
    lead_claim(actor=world.actor(world.rep), lead=world.pool_lead)
    page = client_for(world.rep).get(f"/leads/{world.pool_lead.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "claimed from the lead pool" in page.content.decode()


# --- API -------------------------------------------------------------------------------------------


def test_claim_api_matrix(world, api, token_for):
    path = f"/leads/{world.pool_lead.pk}/claim"
    assert api("post", path, None, {}).status_code == 401
    assert api("post", path, token_for(world.owner2), {}).status_code == 404
    resp = api("post", path, token_for(world.readonly), {})
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    assert Lead.objects.get(pk=world.pool_lead.pk).owner_id is None
    resp = api("post", path, token_for(world.rep), {})
    assert resp.status_code == 200, resp.content
    assert resp.json()["owner_id"] == world.rep.user_id and resp.json()["id"] == world.pool_lead.pk
    event = audits(world.pool_lead, "claimed")[0]
    assert event.actor_kind == "token"
    resp = api("post", path, token_for(world.manager), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 409
    assert resp.json() == {
        "code": "already_claimed",
        "message": f"This lead was just claimed by {world.rep.user}.",
        "fields": {},
    }


def test_claim_api_limits_are_coded(world, api, token_for):
    policy(world, holding_cap=1)  # the rep already holds world.lead
    resp = api("post", f"/leads/{world.pool_lead.pk}/claim", token_for(world.rep), {})
    assert resp.status_code == 422 and resp.json()["code"] == "holding_cap"
    policy(world, holding_cap=10, daily_claim_limit=0)
    resp = api("post", f"/leads/{world.pool_lead.pk}/claim", token_for(world.rep), {})
    assert resp.status_code == 422 and resp.json()["code"] == "daily_limit"


def test_release_api(world, api, token_for):
    path = f"/leads/{world.lead.pk}/release"
    assert api("post", path, None, {"reason": "x"}).status_code == 401
    assert api("post", path, token_for(world.owner2), {"reason": "x"}).status_code == 404
    assert api("post", path, token_for(world.other_rep), {"reason": "x"}).status_code == 404
    assert api("post", path, token_for(world.readonly), {"reason": "x"}).status_code == 403
    token = token_for(world.rep)
    resp = api("post", path, token, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid"
    assert resp.json()["fields"] == {"reason": ["Say why this lead goes back to the pool."]}
    resp = api("post", path, token, {"reason": "Not our market"})
    assert resp.status_code == 200 and resp.json()["owner_id"] is None
    resp = api("post", path, token, {"reason": "twice"})
    assert resp.status_code == 409 and resp.json()["code"] == "not_owned"


def test_openapi_declares_the_pool_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/leads/{lead_id}/claim", "/api/v1/leads/{lead_id}/release"):
        assert {"200", "401", "403", "404", "409", "422"} <= set(paths[path]["post"]["responses"])


# --- the race ----------------------------------------------------------------------------------------

RACERS = 8


def race(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(i) in `count` threads released at once; each result or exception in its slot."""
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


def racers(world) -> list:
    return [
        add_member(world.ws, world.owner, f"racer{i}@a.test", Role.SALES, world.east)
        for i in range(RACERS)
    ]


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "a thread race needs a server database: the in-memory SQLite test database is shared "
            "between threads with table locks that fail instead of waiting"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_let_exactly_one_rep_win_on_postgresql(world):
    skip_unless_postgresql()
    members = racers(world)
    lead = world.pool_lead

    def claim(i: int) -> Lead:
        with translation.override("en"):
            return lead_claim(actor=world.actor(members[i]), lead=lead)

    results = race(RACERS, claim)
    winners = [r for r in results if isinstance(r, Lead)]
    losers = [r for r in results if not isinstance(r, Lead)]
    assert len(winners) == 1, results
    winner_id = winners[0].owner_id
    winner = next(m for m in members if m.user_id == winner_id)
    assert len(losers) == RACERS - 1
    for exc in losers:
        assert isinstance(exc, ServiceError), repr(exc)
        assert exc.code == "already_claimed" and exc.status == 409
        assert str(exc.message) == f"This lead was just claimed by {winner.user}."
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.owner_id == winner_id and stored.version == lead.version + 1
    assert list(LeadClaim.objects.filter(lead=lead).values_list("user_id", flat=True)) == [
        winner_id
    ]
    assert [e.actor_user_id for e in audits(lead, "claimed")] == [winner_id]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_through_the_pages_never_answer_500_on_postgresql(world):
    skip_unless_postgresql()
    members = racers(world)
    lead = world.pool_lead
    clients = [login(Client(), m) for m in members]  # sign in before the start line
    url = f"/leads/{lead.pk}/claim/"

    def post(i: int) -> object:
        return clients[i].post(url, HTTP_ACCEPT_LANGUAGE="en")

    responses = race(RACERS, post)
    assert [getattr(r, "status_code", r) for r in responses] == [302] * RACERS
    stored = Lead.objects.select_related("owner").get(pk=lead.pk)
    assert stored.owner_id in {m.user_id for m in members}
    assert LeadClaim.objects.filter(lead=lead).count() == 1
    assert len(audits(lead, "claimed")) == 1
    # the winner lands on the lead; each loser lands on the pool and reads who was faster
    won = [i for i, m in enumerate(members) if m.user_id == stored.owner_id]
    assert [responses[i]["Location"] for i in won] == [f"/leads/{lead.pk}/"]
    for i, resp in enumerate(responses):
        if i in won:
            continue
        assert resp["Location"] == "/leads/?owner=none"
        page = clients[i].get(resp["Location"], HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert f"This lead was just claimed by {stored.owner}." in page.content.decode()
