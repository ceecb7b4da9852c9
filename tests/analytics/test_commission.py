"""Commission: rules (rep wins over team, nearest team, tiers by goal completion), the monthly
statement summing exactly to its receipts, pages, XLSX and API, on goal_helpers' March 2025.

Expected (by hand): Sales rule 2 % tiered ≥0 → 2 %, ≥80 → 3 %, ≥100 → 4 % on the payments goal;
rep2's own flat 5 %.
  rep        goal 10000, received 7123.40 + 2374.44 + 1500.00 = 10997.84 → 109.98 % → 4 %
             commission 284.94 + 94.98 + 60.00 = 439.92
  rep2       15600.00 × 5 % = 780.00
  other_rep  goal 5000, received 4000.00 → 80.00 % → 3 % = 120.00
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.analytics.goal_helpers import MARCH, build
from tradewind.analytics import commission, goals
from tradewind.analytics.models import CommissionRule
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.models import AuditEvent

D = Decimal
TIERS = [("0", "2"), ("80", "3"), ("100", "4")]


@pytest.fixture
def data(world):
    return build(world)


def _rules(world):
    act = world.actor(world.owner)
    sales = commission.commission_rule_save(
        actor=act, name="Sales", team_id=world.sales.pk, rate="2", tiers=TIERS, valid_from=MARCH
    )
    own = commission.commission_rule_save(
        actor=act, name="Rep2 flat", rep_id=world.rep2.user_id, rate="5", valid_from="2025-01-01"
    )
    for rep, target in ((world.rep, "10000"), (world.other_rep, "5000")):
        goals.goal_set(
            actor=act,
            metric="payments_received",
            period="month",
            period_start=MARCH,
            rep_id=rep.user_id,
            target=target,
        )
    return sales, own


def test_statements_add_up(world, data, django_assert_max_num_queries):
    sales, own = _rules(world)
    with django_assert_max_num_queries(12):
        items = {s.rep_id: s for s in commission.statements(world.owner, MARCH)}
    rep = items[world.rep.user_id]
    assert rep.rule == sales and rep.completion == D("109.98") and rep.rate == D("4")
    assert [(r.base_amount, r.commission) for r in rep.rows] == [
        (D("7123.40"), D("284.94")),
        (D("2374.44"), D("94.98")),
        (D("1500.00"), D("60.00")),
    ]
    assert (rep.base_total, rep.commission_total) == (D("10997.84"), D("439.92"))
    rep2 = items[world.rep2.user_id]
    assert (rep2.rule, rep2.rate, rep2.commission_total) == (own, D("5"), D("780.00"))
    west = items[world.other_rep.user_id]
    assert (west.completion, west.rate, west.commission_total) == (D("80.00"), D("3"), D("120.00"))
    # the receipts behind the statements are the payments-received actuals, cent for cent
    actual = goals.actuals_by_user(
        world.owner, "payments_received", MARCH, goals.period_end("month", MARCH)
    )
    for s in items.values():
        assert s.base_total == actual.get(s.rep_id, D(0))
    # the owner has no rule (the root team has none): no commission
    boss = items[world.owner.user_id]
    assert boss.rule is None and boss.commission_total == 0


def test_statement_scope(world, data):
    _rules(world)
    mine = commission.statements(world.rep, MARCH)
    assert [s.rep_id for s in mine] == [world.rep.user_id]
    with pytest.raises(NotFound):
        commission.statements(world.rep, MARCH, rep_id=world.rep2.user_id)
    with pytest.raises(NotFound):
        commission.statements(world.owner2, MARCH, rep_id=world.rep.user_id)
    managed = {s.rep_id for s in commission.statements(world.manager, MARCH)}
    assert world.owner.user_id not in managed and world.other_rep.user_id in managed


def test_rule_choice(world, data):
    act = world.actor(world.owner)
    commission.commission_rule_save(
        actor=act, name="Sales", team_id=world.sales.pk, rate="2", valid_from=MARCH
    )
    east = commission.commission_rule_save(
        actor=act, name="East", team_id=world.east.pk, rate="6", valid_from=MARCH
    )
    commission.commission_rule_save(
        actor=act,
        name="Sales old",
        team_id=world.sales.pk,
        rate="9",
        valid_from="2024-01-01",
        valid_to="2025-02-28",
    )
    narrow = commission.commission_rule_save(
        actor=act,
        name="Sales narrow",
        team_id=world.sales.pk,
        rate="7",
        valid_from="2025-03-02",
        include_subteams=False,
    )
    rules = commission.rules_visible(world.owner)
    tree = goals.load_tree(world.ws.pk)
    assert commission.rule_for(rules, tree, world.rep.user_id, MARCH) == east
    assert commission.rule_for(rules, tree, world.other_rep.user_id, MARCH).name == "Sales"
    assert commission.rule_for(rules, tree, world.manager.user_id, MARCH) == narrow
    assert commission.rule_for(rules, tree, world.owner.user_id, MARCH) is None


def test_tier_without_goal_uses_base_rate(world, data):
    commission.commission_rule_save(
        actor=world.actor(world.owner),
        name="Sales",
        team_id=world.sales.pk,
        rate="1.5",
        tiers=TIERS,
        valid_from=MARCH,
    )
    (rep,) = commission.statements(world.owner, MARCH, rep_id=world.rep.user_id)
    assert rep.completion is None and rep.rate == D("1.5")
    assert rep.commission_total == D("106.85") + D("35.62") + D("22.50")


def test_rule_services_validate_and_audit(world):
    act = world.actor(world.owner)
    with pytest.raises(PermissionDenied):
        commission.commission_rule_save(
            actor=world.actor(world.manager),
            name="x",
            rep_id=world.rep.user_id,
            rate="1",
            valid_from=MARCH,
        )
    cases = [
        ({"name": "", "rep_id": world.rep.user_id, "rate": "1"}, "commission_name_required"),
        ({"name": "x", "rate": "1"}, "commission_bad_target"),
        ({"name": "x", "rep_id": world.rep.user_id, "rate": "150"}, "commission_bad_rate"),
        (
            {
                "name": "x",
                "rep_id": world.rep.user_id,
                "rate": "1",
                "tiers": [("80", "1"), ("80", "2")],
            },
            "commission_bad_tier",
        ),
        (
            {"name": "x", "rep_id": world.rep.user_id, "rate": "1", "valid_to": "2025-01-01"},
            "commission_bad_dates",
        ),
    ]
    for kw, code in cases:
        with pytest.raises(ServiceError) as exc:
            commission.commission_rule_save(actor=act, valid_from=MARCH, **kw)
        assert exc.value.code == code
    with pytest.raises(NotFound):
        commission.commission_rule_save(
            actor=world.actor(world.owner2),
            name="x",
            rep_id=world.rep.user_id,
            rate="1",
            valid_from=MARCH,
        )
    assert not CommissionRule.objects.exists()
    rule = commission.commission_rule_save(
        actor=act, name="Rep", rep_id=world.rep.user_id, rate="1", tiers=TIERS, valid_from=MARCH
    )
    commission.commission_rule_save(
        actor=act,
        rule_id=rule.pk,
        name="Rep",
        rep_id=world.rep.user_id,
        rate="1.25",
        tiers=TIERS[:2],
        valid_from=MARCH,
    )
    rule.refresh_from_db()
    assert rule.rate == D("1.25") and rule.tiers.count() == 2 and rule.version == 2
    update = AuditEvent.objects.get(target_type="commission_rule", verb="update")
    assert update.changes["rate"] == ["1.000", "1.250"] and "tiers" in update.changes
    commission.commission_rule_delete(actor=act, rule_id=rule.pk)
    assert not CommissionRule.objects.exists()


def test_commission_pages(world, data, client, client_for):
    _rules(world)
    assert client.get("/reports/commission/").status_code == 302
    owner = client_for(world.owner)
    page = owner.get("/reports/commission/?month=2025-03")
    assert page.status_code == 200 and page.context["commission_total"] == D("1339.92")
    statement = owner.get(f"/reports/commission/{world.rep.user_id}/?month=2025-03")
    assert statement.status_code == 200 and b"439.92" in statement.content
    export = owner.get(f"/reports/commission/{world.rep.user_id}/?month=2025-03&format=xlsx")
    rows = list(
        load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 1 + 3 + 1
    assert D(str(rows[-1][14])) == D("439.92") and D(str(rows[-1][11])) == D("10997.84")
    assert sum(D(str(r[14])) for r in rows[1:4]) == D("439.92")
    rep = client_for(world.rep)
    assert rep.get(f"/reports/commission/{world.rep2.user_id}/?month=2025-03").status_code == 404
    assert rep.get("/reports/commission/rules/").status_code == 200
    assert rep.get("/reports/commission/rules/new/").status_code == 403
    manager = client_for(world.manager)
    resp = manager.post(
        "/reports/commission/rules/new/",
        {
            "name": "m",
            "target": "rep",
            "rep": world.rep.user_id,
            "rate": "1",
            "valid_from": "2025-03-01",
        },
    )
    assert resp.status_code == 403
    count = CommissionRule.objects.count()
    resp = owner.post(
        "/reports/commission/rules/new/",
        {
            "name": "West",
            "target": "team",
            "team": world.west.pk,
            "rate": "2.5",
            "tier_from": ["0", "90", ""],
            "tier_rate": ["2.5", "3", ""],
            "valid_from": "2025-03-01",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302, resp.context["errors"]
    rule = CommissionRule.objects.get(name="West")
    assert rule.team_id == world.west.pk and rule.tiers.count() == 2
    assert CommissionRule.objects.count() == count + 1
    assert (
        client_for(world.owner2).post(f"/reports/commission/rules/{rule.pk}/delete/").status_code
        == 404
    )
    assert owner.post(f"/reports/commission/rules/{rule.pk}/delete/").status_code == 302
    assert not CommissionRule.objects.filter(pk=rule.pk).exists()


def test_commission_api(world, data, api, token_for):
    _rules(world)
    payload = {
        "name": "api",
        "rep_id": world.rep.user_id,
        "rate": "3",
        "valid_from": "2025-03-01",
        "tiers": [{"from_completion": "0", "rate": "3"}],
    }
    count = CommissionRule.objects.count()
    assert api("post", "/reports/commission/rules", json=payload).status_code == 401
    assert (
        api(
            "post", "/reports/commission/rules", token=token_for(world.manager), json=payload
        ).status_code
        == 403
    )
    assert (
        api(
            "post", "/reports/commission/rules", token=token_for(world.owner2), json=payload
        ).status_code
        == 404
    )
    assert CommissionRule.objects.count() == count
    resp = api("post", "/reports/commission/rules", token=token_for(world.owner), json=payload)
    assert resp.status_code == 201, resp.content
    rid = resp.json()["id"]
    assert (
        api(
            "put", f"/reports/commission/rules/{rid}", token=token_for(world.other_rep), json={}
        ).status_code
        == 404
    )
    assert (
        api(
            "delete", f"/reports/commission/rules/{rid}", token=token_for(world.rep), json=None
        ).status_code
        == 403
    )
    assert CommissionRule.objects.filter(pk=rid).exists()
    statements = api(
        "get", "/reports/commission/statements?month=2025-03", token=token_for(world.rep)
    ).json()
    assert [(s["rep_id"], s["commission_total"]) for s in statements] == [
        (world.rep.user_id, "329.93")  # the rep's own 3 % rule now wins over the team's tiers
    ]
    one = api(
        "get",
        f"/reports/commission/statements/{world.rep2.user_id}?month=2025-03",
        token=token_for(world.owner),
    )
    assert one.status_code == 200 and one.json()["commission_total"] == "780.00"
    hidden = api(
        "get",
        f"/reports/commission/statements/{world.rep2.user_id}?month=2025-03",
        token=token_for(world.rep),
    )
    assert hidden.status_code == 404
    assert (
        api("delete", f"/reports/commission/rules/{rid}", token=token_for(world.owner)).status_code
        == 204
    )
