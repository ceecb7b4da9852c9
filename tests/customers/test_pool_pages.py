"""The pool's pages hang together: the detail page loads the pool panel, the customer list loads
the automatic pools' tabs, and the pool settings page is for workspace managers (audited)."""

from __future__ import annotations

from tradewind.customers.models import CustomerPolicy
from tradewind.customers.services import customer_create
from tradewind.workspaces.models import AuditEvent


def test_detail_and_list_load_the_pool_partials(world, client_for):
    c = customer_create(
        actor=world.actor(world.owner), allow_duplicates=True, name="X Co", owner=world.rep.user_id
    )
    client = client_for(world.rep)
    detail = client.get(f"/customers/{c.pk}/")
    assert detail.status_code == 200 and b"pool-panel-loader" in detail.content
    listing = client.get("/customers/")
    assert listing.status_code == 200 and b"pool-tabs-loader" in listing.content
    for url in ("/customers/pools/", "/customers/pool/", "/customers/pool/recycling/"):
        assert client.get(url).status_code == 200, url


def test_pool_settings_are_for_managers_and_audited(world, client_for):
    data = {
        "holding_cap": 5,
        "daily_claim_limit": 3,
        "release_cooldown_days": 2,
        "recycle_no_followup_days": 10,
        "recycle_no_opportunity_days": 0,
        "warn_days_before": 1,
        "lost_reasons_text": "Too far\nNo budget\nToo far",
    }
    assert client_for(world.rep).post("/customers/pool/settings/", data).status_code == 403
    assert client_for(world.owner2).get("/customers/pool/settings/").status_code == 200
    assert CustomerPolicy.for_workspace(world.ws).holding_cap == 200
    owner = client_for(world.owner)
    bad = owner.post("/customers/pool/settings/", {**data, "holding_cap": -1})
    assert bad.status_code == 200 and CustomerPolicy.for_workspace(world.ws).holding_cap == 200
    assert owner.post("/customers/pool/settings/", data).status_code == 302
    p = CustomerPolicy.for_workspace(world.ws)
    assert (p.holding_cap, p.lost_reasons) == (5, ["Too far", "No budget"])
    [event] = AuditEvent.objects.filter(target_type="customers.customerpolicy", target_id=p.pk)
    assert event.changes["holding_cap"] == [200, 5]
    # the other workspace's settings page edits its own policy only
    assert CustomerPolicy.for_workspace(world.ws2).holding_cap == 200
