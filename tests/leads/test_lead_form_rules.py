"""The new-lead page can hand the lead to the assignment rules instead of a named owner."""

from tradewind.leads.assignment_rules import assignment_rule_create
from tradewind.leads.models import Lead

FORM = {"company_name": "Routed Page Co", "source": "trade_show", "country": "DE"}


def test_page_owner_choice_applies_the_rules(world, client_for):
    assignment_rule_create(
        actor=world.actor(world.owner),
        name="German trade shows",
        action="user",
        conditions={"country": ["DE"]},
        target_user=world.rep2.user_id,
        target_team=None,
        is_active=True,
    )
    client = client_for(world.manager)
    body = client.get("/leads/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="rules"' in body and "按分配规则分配" in body
    resp = client.post("/leads/new/", {**FORM, "owner": "rules"})
    assert resp.status_code == 302
    assert Lead.objects.get(company_name="Routed Page Co").owner_id == world.rep2.user_id
    # A named owner is respected even when a rule would fire.
    client.post("/leads/new/", {**FORM, "company_name": "Named Co", "owner": world.rep.user_id})
    assert Lead.objects.get(company_name="Named Co").owner_id == world.rep.user_id
    # Nonsense in the owner field is a form error, nothing written.
    resp = client.post("/leads/new/", {**FORM, "company_name": "Bad Co", "owner": "robots"})
    assert resp.status_code == 200 and not Lead.objects.filter(company_name="Bad Co").exists()
