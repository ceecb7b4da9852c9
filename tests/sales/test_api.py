"""Opportunities API: create with lines and team, get, PATCH with version, lines, move (block and
warn), checklist, close / reopen, stage history, delete; 404 for foreign ids, translated coded
errors, and an authorization matrix per write endpoint (the side effect did not happen)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewind.sales.choices import GateMode
from tradewind.sales.closing import close_reasons
from tradewind.sales.models import Opportunity, StageChange, StageTask, StageTaskCheck
from tradewind.sales.services import pipeline_default

from .test_pages import gated_pipeline, make_customer, make_opportunity, product


@pytest.fixture
def customer(world):
    return make_customer(world)


def test_create_get_patch_and_lines(world, customer, api, token_for):
    token = token_for(world.rep)
    panel = product(world, price="3", currency="EUR")
    resp = api(
        "post",
        "/opportunities",
        token,
        {
            "customer_id": customer.pk,
            "name": "API deal",
            "currency": "EUR",
            "incoterm": "fob",
            "named_place": "Shanghai",
            "source": "rfq",
            "lines": [
                {"product_id": panel.pk, "quantity": "10"},
                {"description": "Tooling", "quantity": "1", "unit_price": "120.5"},
            ],
            "members": [{"user_id": world.rep2.user_id, "role": "presales"}],
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["amount"] == "150.50" and body["amount_from_lines"] is True
    assert body["incoterm"] == "FOB" and len(body["lines"]) == 2
    assert body["members"] == [{"user_id": world.rep2.user_id, "role": "presales"}]
    assert body["probability"] == 10 and body["probability_override"] is None
    pk = body["id"]
    got = api("get", f"/opportunities/{pk}", token).json()
    assert got["code"] == body["code"] and got["stage"] == "initial_contact"
    # PATCH only what is sent; the version guards against lost updates.
    resp = api(
        "patch",
        f"/opportunities/{pk}",
        token,
        {"next_step": "Send samples", "probability": 40, "version": got["version"]},
    )
    assert resp.status_code == 200 and resp.json()["next_step"] == "Send samples"
    assert resp.json()["probability"] == 40 and resp.json()["amount"] == "150.50"
    stale = api("patch", f"/opportunities/{pk}", token, {"name": "Late", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    back = api("patch", f"/opportunities/{pk}", token, {"probability": None})
    assert back.json()["probability"] == 10 and back.json()["probability_override"] is None
    # Lines: replace, then clear (back to an entered amount).
    resp = api(
        "put",
        f"/opportunities/{pk}/lines",
        token,
        {"lines": [{"description": "X", "quantity": "2", "unit_price": "5"}]},
    )
    assert resp.status_code == 200 and [line["amount"] for line in resp.json()] == ["10.00"]
    assert api("get", f"/opportunities/{pk}/lines", token).json()[0]["description"] == "X"
    resp = api("put", f"/opportunities/{pk}/lines", token, {"lines": []})
    assert resp.json() == []
    assert Opportunity.objects.get(pk=pk).amount_from_lines is False


def test_create_errors_are_coded_and_translated(world, customer, api, token_for):
    token = token_for(world.rep)
    resp = api("post", "/opportunities", token, {"customer_id": customer.pk})
    assert resp.status_code == 422 and resp.json()["code"] == "name_required"
    resp = api(
        "post",
        "/opportunities",
        token,
        {"customer_id": customer.pk, "name": "X"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 201
    resp = api(
        "post",
        "/opportunities",
        token,
        {"customer_id": customer.pk, "name": "X", "currency": "USD", "lines": [{"quantity": "0"}]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "bad_line"
    assert any(k.startswith("lines.0") for k in resp.json()["fields"])
    # A customer outside the rep's scope, or of another workspace: 404.
    hidden = make_customer(world, world.other_rep, "ALPHA-WEST-SECRET Hidden")
    for customer_id in (hidden.pk, 987654):
        resp = api("post", "/opportunities", token, {"customer_id": customer_id, "name": "X"})
        assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert Opportunity.objects.count() == 1


def test_move_block_warn_checklist_and_history(world, customer, api, token_for):
    token = token_for(world.rep)
    pipeline = gated_pipeline(world.ws)
    bid = pipeline.stages.get(name="Bid")
    opp = make_opportunity(world, customer, pipeline_id=pipeline.pk)
    resp = api("post", f"/opportunities/{opp.pk}/move", token, {"stage_id": bid.pk})
    assert resp.status_code == 422 and resp.json()["code"] == "stage_tasks_missing"
    assert "Confirm the tender" in resp.json()["message"]
    assert resp.json()["fields"]["stage"] == ["Confirm the tender"]
    items = api("get", f"/opportunities/{opp.pk}/checklist", token).json()
    assert [(i["title"], i["done"]) for i in items] == [
        ("Confirm the tender", False),
        ("Nice to have", False),
    ]
    task = StageTask.objects.get(title="Confirm the tender")
    resp = api("post", f"/opportunities/{opp.pk}/checklist", token, {"task_id": task.pk})
    assert resp.status_code == 200 and resp.json()[0]["done"] is True
    opp.refresh_from_db()
    resp = api(
        "post", f"/opportunities/{opp.pk}/move", token, {"stage_id": bid.pk, "version": opp.version}
    )
    assert resp.status_code == 200 and resp.json()["opportunity"]["stage_id"] == bid.pk
    assert resp.json()["warnings"] == []
    history = api("get", f"/opportunities/{opp.pk}/stage-changes", token).json()
    assert [h["kind"] for h in history] == ["create", "move"]
    assert history[1]["seconds_in_from_stage"] is not None
    # Warn: moves and lists what is missing.
    pipeline.gate = GateMode.WARN
    pipeline.save(update_fields=["gate"])
    other = make_opportunity(world, customer, pipeline_id=pipeline.pk)
    resp = api("post", f"/opportunities/{other.pk}/move", token, {"stage_id": bid.pk})
    assert resp.status_code == 200 and resp.json()["warnings"]
    # A closed stage is refused: closing is its own endpoint.
    won = pipeline.stages.get(name="Won")
    resp = api("post", f"/opportunities/{other.pk}/move", token, {"stage_id": won.pk})
    assert resp.status_code == 422 and resp.json()["code"] == "use_close"


def test_close_lost_invalid_won_and_reopen(world, customer, api, token_for):
    token = token_for(world.rep)
    opp = make_opportunity(world, customer)
    resp = api("post", f"/opportunities/{opp.pk}/close", token, {"outcome": "lost"})
    assert resp.status_code == 422 and resp.json()["code"] in ("reason_required", "note_required")
    resp = api("post", f"/opportunities/{opp.pk}/close", token, {"outcome": "maybe"})
    assert resp.status_code == 422 and resp.json()["code"] == "bad_outcome"
    reason = close_reasons(world.ws, "lost")[1]
    resp = api(
        "post",
        f"/opportunities/{opp.pk}/close",
        token,
        {"outcome": "lost", "reason_id": reason.pk, "note": "Chose Acme", "competitor": "Acme"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "lost"
    assert resp.json()["close_reason_id"] == reason.pk
    # Closed: no edit, no move.
    resp = api("patch", f"/opportunities/{opp.pk}", token, {"name": "X"})
    assert resp.status_code in (409, 422) and resp.json()["code"] == "closed"
    # Reopen needs OPPORTUNITY_REOPEN (the manager has it).
    assert api("post", f"/opportunities/{opp.pk}/reopen", token, {}).status_code == 403
    manager = token_for(world.manager)
    resp = api("post", f"/opportunities/{opp.pk}/reopen", manager, {})
    assert resp.status_code == 200 and resp.json()["status"] == "open"
    resp = api("post", f"/opportunities/{opp.pk}/close", token, {"outcome": "won"})
    assert resp.status_code == 200 and resp.json()["status"] == "won"
    invalid = make_opportunity(world, customer)
    reason = close_reasons(world.ws, "invalid")[0]
    resp = api(
        "post",
        f"/opportunities/{invalid.pk}/close",
        token,
        {"outcome": "invalid", "reason_id": reason.pk},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "invalid"


def _state(opp):
    row = Opportunity.objects.filter(pk=opp.pk).first()
    if row is None:
        return None
    return (
        row.version,
        row.stage_id,
        row.status,
        row.name,
        row.lines.count(),
        StageChange.objects.filter(opportunity=row).count(),
        StageTaskCheck.objects.filter(opportunity=row).count(),
    )


def test_write_endpoints_authorization(world, customer, api, token_for):
    """Anonymous 401; another workspace and another team's rep 404 (the lookup runs first); a
    read-only member who sees it 403; nothing changes. Then the allowed member succeeds."""
    pipeline = gated_pipeline(world.ws)
    opp = make_opportunity(world, customer, pipeline_id=pipeline.pk, currency="USD")
    task = StageTask.objects.get(title="Confirm the tender")
    bid = pipeline.stages.get(name="Bid")
    reason = close_reasons(world.ws, "lost")[0]
    calls = [
        ("patch", f"/opportunities/{opp.pk}", {"name": "Hijack"}),
        (
            "put",
            f"/opportunities/{opp.pk}/lines",
            {"lines": [{"description": "X", "quantity": "1", "unit_price": "1"}]},
        ),
        ("post", f"/opportunities/{opp.pk}/checklist", {"task_id": task.pk}),
        ("post", f"/opportunities/{opp.pk}/move", {"stage_id": bid.pk}),
        (
            "post",
            f"/opportunities/{opp.pk}/close",
            {"outcome": "lost", "reason_id": reason.pk, "note": "x"},
        ),
        ("delete", f"/opportunities/{opp.pk}", None),
    ]
    before = _state(opp)
    for method, path, body in calls:
        assert api(method, path, None, body).status_code == 401
        for member in (world.owner2, world.other_rep):
            resp = api(method, path, token_for(member), body)
            assert resp.status_code == 404, (method, path, member.user.email)
        assert api(method, path, token_for(world.readonly), body).status_code == 403
    assert api("delete", f"/opportunities/{opp.pk}", token_for(world.rep)).status_code == 403
    assert (
        api("post", f"/opportunities/{opp.pk}/reopen", token_for(world.rep), {}).status_code == 403
    )
    assert _state(opp) == before
    assert (
        api("post", "/opportunities", None, {"customer_id": customer.pk, "name": "X"}).status_code
        == 401
    )
    assert (
        api(
            "post",
            "/opportunities",
            token_for(world.readonly),
            {"customer_id": customer.pk, "name": "X"},
        ).status_code
        == 403
    )
    assert (
        api(
            "post",
            "/opportunities",
            token_for(world.owner2),
            {"customer_id": customer.pk, "name": "X"},
        ).status_code
        == 404
    )
    assert Opportunity.objects.count() == 1
    # Allowed: the rep edits, ticks, moves and closes; the manager deletes.
    rep = token_for(world.rep)
    for method, path, body in calls[:-1]:
        resp = api(method, path, rep, body)
        assert resp.status_code == 200, (method, path, resp.content)
    assert Opportunity.objects.get(pk=opp.pk).status == "lost"
    assert api("delete", f"/opportunities/{opp.pk}", token_for(world.manager)).status_code == 204
    assert not Opportunity.objects.filter(pk=opp.pk).exists()


def test_assign_needs_the_assign_permission(world, customer, api, token_for):
    opp = make_opportunity(world, customer)
    resp = api(
        "patch", f"/opportunities/{opp.pk}", token_for(world.rep), {"owner_id": world.rep2.user_id}
    )
    assert resp.status_code == 403
    assert Opportunity.objects.get(pk=opp.pk).owner_id == world.rep.user_id
    resp = api(
        "patch",
        f"/opportunities/{opp.pk}",
        token_for(world.manager),
        {"owner_id": world.rep2.user_id},
    )
    assert resp.status_code == 200 and resp.json()["owner_id"] == world.rep2.user_id


def test_amount_in_base_currency_and_default_pipeline(world, customer, api, token_for):
    from tradewind.workspaces.models import ExchangeRate

    ExchangeRate.objects.create(
        workspace=world.ws,
        from_currency="USD",
        to_currency=world.ws.base_currency,
        rate=Decimal("7.1"),
        on_date="2000-01-01",
    )
    resp = api(
        "post",
        "/opportunities",
        token_for(world.rep),
        {"customer_id": customer.pk, "name": "Base", "amount": "100", "currency": "USD"},
    )
    assert resp.status_code == 201
    assert Decimal(resp.json()["base_amount"]) == Decimal("710.00")
    assert resp.json()["pipeline_id"] == pipeline_default(world.ws).pk
