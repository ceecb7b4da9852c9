"""Goals: live actuals per metric, completion, decomposition, the services, pages and API, on the
fixed March 2025 dataset of goal_helpers (expected figures computed by hand there)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.analytics.goal_helpers import MARCH, build
from tradewind.analytics import goals
from tradewind.analytics.models import Goal
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.models import AuditEvent, Team
from tradewind.workspaces.permissions import Perm

D = Decimal
END = goals.period_end("month", MARCH)


@pytest.fixture
def data(world):
    return build(world)


def _by_user(member, metric):
    return goals.actuals_by_user(member, metric, MARCH, END)


def test_actuals_per_metric_as_owner(world, data):
    rep, rep2, west = world.rep.user_id, world.rep2.user_id, world.other_rep.user_id
    owner = world.owner
    assert _by_user(owner, "won_amount") == {
        rep: D("15000.50"),
        rep2: D("20000.00"),
        west: D("7000.00"),
    }
    assert _by_user(owner, "payments_received") == {
        rep: D("10997.84"),
        rep2: D("15600.00"),
        west: D("4000.00"),
    }
    assert _by_user(owner, "new_customers") == {rep: 1, west: 1, None: 1}
    assert _by_user(owner, "qualified_leads") == {rep: 2, west: 1}
    assert _by_user(owner, "follow_ups") == {rep: 3, west: 2}


def test_actuals_respect_visibility(world, data):
    rep = world.rep.user_id
    assert _by_user(world.rep, "won_amount") == {rep: D("15000.50")}
    # the rep sees the pool customer too (pool rows are visible to every member)
    assert _by_user(world.rep, "new_customers") == {rep: 1, None: 1}
    # the other workspace sees only its own deal
    assert _by_user(world.owner2, "won_amount") == {world.owner2.user_id: D("50000.00")}


def test_periods():
    assert goals.period_start_for("quarter", MARCH.replace(day=17)).isoformat() == "2025-01-01"
    assert goals.period_end("quarter", goals.parse_start("2025-02", "quarter")).isoformat() == (
        "2025-04-01"
    )
    assert goals.period_label("quarter", MARCH) == "2025 Q1"
    assert goals.period_label("year", goals.parse_start("2025-06-30", "year")) == "2025"
    assert goals.period_shift("month", goals.parse_start("2025-01", "month"), -1).isoformat() == (
        "2024-12-01"
    )
    assert goals.parse_start("garbage", "month") is None


def _set(world, member=None, **kw):
    defaults = {"metric": "won_amount", "period": "month", "period_start": "2025-03"}
    return goals.goal_set(actor=world.actor(member or world.owner), **(defaults | kw))


def _goals_of_march(world):
    _set(world, target="50000")
    _set(world, team_id=world.sales.pk, target="40000")
    _set(world, team_id=world.east.pk, target="30000", stretch=2)
    _set(world, team_id=world.west.pk, target="10000")
    _set(world, rep_id=world.rep.user_id, target="20000")
    _set(world, rep_id=world.rep2.user_id, target="12000")
    _set(world, metric="follow_ups", rep_id=world.rep.user_id, target="4")


def test_completion_table(world, data, django_assert_max_num_queries):
    _goals_of_march(world)
    with django_assert_max_num_queries(6):
        rows = goals.completion(world.owner, period="month", start=MARCH)
    table = [(r.metric, r.level, r.label, r.target, r.actual, r.completion) for r in rows]
    rep, rep2 = world.rep.user.display_name, world.rep2.user.display_name
    assert table == [
        ("won_amount", "workspace", rows[0].label, D("50000"), D("42000.50"), D("84.0")),
        ("won_amount", "team", "Sales", D("40000"), D("42000.50"), D("105.0")),
        ("won_amount", "team", "East", D("30000"), D("35000.50"), D("116.7")),
        ("won_amount", "team", "West", D("10000"), D("7000.00"), D("70.0")),
        ("won_amount", "rep", rep, D("20000"), D("15000.50"), D("75.0")),
        ("won_amount", "rep", rep2, D("12000"), D("20000.00"), D("166.7")),
        ("follow_ups", "rep", rep, D("4"), D("3"), D("75.0")),
    ]
    east = rows[2]
    assert east.stretch_target == D("60000") and east.stretch_completion == D("58.3")


def test_completion_scope(world, data):
    _goals_of_march(world)
    mine = goals.completion(world.rep, period="month", start=MARCH)
    assert [(r.level, r.rep_id, r.actual) for r in mine] == [
        ("rep", world.rep.user_id, D("15000.50")),
        ("rep", world.rep.user_id, D("3")),
    ]
    managed = goals.completion(world.manager, period="month", start=MARCH, metric="won_amount")
    assert [r.label for r in managed] == [
        "Sales",
        "East",
        "West",
        world.rep.user.display_name,
        world.rep2.user.display_name,
    ]
    assert goals.completion(world.owner2, period="month", start=MARCH) == []


def test_decomposition_flags_what_does_not_add_up(world, data, django_assert_max_num_queries):
    _goals_of_march(world)
    with django_assert_max_num_queries(6):
        roots = goals.decomposition(world.manager, metric="won_amount", period="month", start=MARCH)
    rows = {r.label: r for r in goals.flatten(roots)}
    sales, east, west = rows["Sales"], rows["East"], rows["West"]
    assert [r.label for r in roots] == ["Sales"]
    assert (sales.target, sales.children_target, sales.gap, sales.adds_up) == (
        D("40000"),
        D("40000"),
        D("0"),
        False,  # the manager has no goal of his own under Sales
    )
    assert sales.children_missing == 1
    assert (east.children_target, east.gap, east.adds_up) == (D("32000"), D("-2000"), False)
    assert (west.children_target, west.children_missing, west.adds_up) == (None, 1, True)
    assert west.actual == D("7000.00")
    assert rows[world.rep.user.display_name].actual == D("15000.50")
    owner_roots = goals.decomposition(world.owner, metric="won_amount", period="month", start=MARCH)
    top = owner_roots[0]
    assert top.level == "workspace" and top.target == D("50000") and top.actual == D("42000.50")


def test_goal_set_updates_and_audits(world, data):
    goal = _set(world, rep_id=world.rep.user_id, target="1000")
    again = _set(
        world, rep_id=world.rep.user_id, target="1500", stretch=4, period_start="2025-03-19"
    )
    assert again.pk == goal.pk and again.target == D("1500.00") and again.stretch == 4
    assert again.period_start == MARCH and again.version == 2
    verbs = list(
        AuditEvent.objects.filter(target_type="goal", target_id=goal.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["create", "update"]
    goals.goal_delete(actor=world.actor(world.manager), goal_id=goal.pk)
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert AuditEvent.objects.filter(target_type="goal", verb="delete").count() == 1


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"metric": "nope", "target": "1"}, "goal_unknown_metric"),
        ({"period": "week", "target": "1"}, "goal_unknown_period"),
        ({"period_start": "soon", "target": "1"}, "goal_bad_start"),
        ({"target": "-5"}, "goal_bad_target"),
        ({"metric": "follow_ups", "target": "2.5"}, "goal_bad_target"),
        ({"target": "5", "stretch": 3}, "goal_bad_stretch"),
    ],
)
def test_goal_set_refuses(world, kw, code):
    with pytest.raises(ServiceError) as exc:
        _set(world, **kw)
    assert exc.value.code == code
    assert not Goal.objects.exists()


def test_goal_set_permissions_and_scope(world):
    with pytest.raises(PermissionDenied):
        _set(world, world.rep, rep_id=world.rep.user_id, target="1")
    # a manager of Sales may not set the workspace's goal, nor one outside the workspace
    with pytest.raises(PermissionDenied):
        _set(world, world.manager, target="1")
    with pytest.raises(NotFound):
        _set(world, world.owner2, rep_id=world.rep.user_id, target="1")
    root = Team.objects.get(workspace=world.ws, parent__isnull=True)
    with pytest.raises(PermissionDenied):
        _set(world, world.manager, team_id=root.pk, target="1")
    assert not Goal.objects.exists()
    assert world.manager.has(Perm.GOAL_MANAGE) and not world.rep.has(Perm.GOAL_MANAGE)
    _set(world, world.manager, team_id=world.east.pk, target="1")
    assert Goal.objects.count() == 1


def test_baseline_for_the_2x_4x_method(world, data):
    april = goals.parse_start("2025-04", "month")
    base = goals.baseline(
        world.owner, metric="won_amount", period="month", start=april, rep_id=world.rep.user_id
    )
    assert base == {"previous": D("15000.50"), "last_year": D("0")}


# --- pages -------------------------------------------------------------------------------------


def test_goal_pages(world, data, client_for):
    _goals_of_march(world)
    client = client_for(world.manager)
    resp = client.get("/reports/goals/?period=month&start=2025-03-01")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'data-testid="goals-chart"' in body and "42,000.50" in body
    tree = client.get("/reports/goals/tree/?period=month&start=2025-03-01&metric=won_amount")
    assert tree.status_code == 200 and b"tree-mismatches" in tree.content
    records = client.get(
        f"/reports/goals/records/?metric=won_amount&period=month&start=2025-03-01&team={world.east.pk}"
    )
    assert records.status_code == 200 and records.context["total"] == D("35000.50")
    assert records.context["count"] == 3
    foreign = client.get(
        f"/reports/goals/records/?metric=won_amount&period=month&start=2025-03-01&team={world.ws2.teams.first().pk}"
    )
    assert foreign.status_code == 404
    export = client.get("/reports/goals/?period=month&start=2025-03-01&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("period", "metric", "level", "name")
    assert rows[1][3] == "Sales" and D(str(rows[1][7])) == D("42000.50")


def test_goal_pages_empty_and_rep(world, client_for):
    client = client_for(world.rep)
    resp = client.get("/reports/goals/")
    assert resp.status_code == 200 and b"empty-state" in resp.content
    assert b'data-testid="goal-new"' not in resp.content
    assert client.get("/reports/goals/new/").status_code == 403
    resp = client.post(
        "/reports/goals/new/",
        {
            "metric": "won_amount",
            "period": "month",
            "period_start": "2025-03-01",
            "target": "1",
            "level": "rep",
            "rep": world.rep.user_id,
        },
    )
    assert resp.status_code == 403 and not Goal.objects.exists()


def test_goal_form_post(world, data, client, client_for):
    assert client.get("/reports/goals/").status_code == 302  # anonymous
    manager = client_for(world.manager)
    form = manager.get(f"/reports/goals/new/?rep={world.rep.user_id}&period=month&start=2025-04-01")
    assert form.status_code == 200 and form.context["suggestions"][0]["value"] == D("15000.50")
    resp = manager.post(
        "/reports/goals/new/",
        {
            "metric": "won_amount",
            "period": "month",
            "period_start": "2025-03-01",
            "target": "-1",
            "level": "rep",
            "rep": world.rep.user_id,
            "stretch": "1",
        },
    )
    assert resp.status_code == 200 and "target" in resp.context["errors"]
    resp = manager.post(
        "/reports/goals/new/",
        {
            "metric": "won_amount",
            "period": "month",
            "period_start": "2025-03-01",
            "target": "25000",
            "level": "rep",
            "rep": world.rep.user_id,
            "stretch": "2",
        },
    )
    assert resp.status_code == 302
    goal = Goal.objects.get()
    assert (goal.rep_id, goal.target, goal.stretch) == (world.rep.user_id, D("25000"), 2)
    assert client_for(world.owner2).post(f"/reports/goals/{goal.pk}/delete/").status_code == 404
    assert client_for(world.rep).post(f"/reports/goals/{goal.pk}/delete/").status_code == 403
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert manager.post(f"/reports/goals/{goal.pk}/delete/").status_code == 302
    assert not Goal.objects.exists()


# --- API ---------------------------------------------------------------------------------------


def test_goal_api(world, data, api, token_for):
    payload = {
        "metric": "won_amount",
        "period": "month",
        "period_start": "2025-03",
        "rep_id": world.rep.user_id,
        "target": "20000",
    }
    assert api("post", "/reports/goals", json=payload).status_code == 401
    assert (
        api("post", "/reports/goals", token=token_for(world.rep), json=payload).status_code == 403
    )
    resp = api("post", "/reports/goals", token=token_for(world.owner2), json=payload)
    assert resp.status_code == 404
    assert not Goal.objects.exists()
    resp = api("post", "/reports/goals", token=token_for(world.manager), json=payload)
    assert resp.status_code == 200, resp.content
    out = resp.json()
    assert (out["actual"], out["completion"], out["level"]) == ("15000.50", "75.0", "rep")
    listed = api("get", "/reports/goals?period=month&start=2025-03-01", token=token_for(world.rep))
    assert [g["actual"] for g in listed.json()] == ["15000.50"]
    assert api("get", "/reports/goals?start=2025-03", token=token_for(world.owner2)).json() == []
    tree = api(
        "get", "/reports/goals/tree?metric=won_amount&start=2025-03", token=token_for(world.owner)
    ).json()
    assert tree[0]["level"] == "workspace" and tree[0]["actual"] == "42000.50"
    gid = out["id"]
    assert api("delete", f"/reports/goals/{gid}", token=token_for(world.owner2)).status_code == 404
    assert (
        api("delete", f"/reports/goals/{gid}", token=token_for(world.other_rep)).status_code == 404
    )
    assert api("delete", f"/reports/goals/{gid}", token=token_for(world.rep)).status_code == 403
    assert Goal.objects.filter(pk=gid).exists()
    assert api("delete", f"/reports/goals/{gid}", token=token_for(world.manager)).status_code == 204
    assert not Goal.objects.exists()
