"""A lead whose history holds a list (tags) opens, on the page and in the API (was a 500)."""

from tradewind.leads.services import lead_create, lead_update


def test_history_with_tag_changes_renders(world, client_for, api, token_for):
    lead = lead_create(
        actor=world.actor(world.rep),
        company_name="Tagged Co",
        tags=["展会", "vip"],
        owner=world.rep.user_id,
    )
    lead_update(actor=world.actor(world.rep), lead=lead, tags=["vip"])
    resp = client_for(world.rep).get(f"/leads/{lead.pk}/")
    assert resp.status_code == 200 and "展会" in resp.content.decode()
    resp = api("get", f"/leads/{lead.pk}/history", token=token_for(world.rep))
    assert resp.status_code == 200 and len(resp.json()) >= 2
