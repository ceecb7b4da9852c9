"""/api/v1/pipelines and /api/v1/close-reasons: reads for every member, writes for PIPELINE_MANAGE,
with the authorization matrix (anonymous / other workspace / no permission / permission) asserting
that refused calls change nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.customers.services import customer_create
from tradewind.sales import pipelines as svc
from tradewind.sales.models import CloseReason, Pipeline, Stage, StageTask
from tradewind.sales.services import opportunity_create, pipeline_default


@pytest.fixture
def setup(world):
    boss = world.actor(world.owner)
    default = pipeline_default(world.ws)
    tender = svc.pipeline_create(actor=boss, name="Tender", template="tender")
    stage = tender.stages.order_by("position").first()
    spare = svc.stage_create(actor=boss, pipeline=tender, name="Spare")
    task = stage.tasks.order_by("position").first()
    reason = svc.close_reasons_all(world.ws, "lost")[0]
    return {
        "default": default,
        "pipeline": tender,
        "stage": stage,
        "spare": spare,
        "task": task,
        "reason": reason,
    }


def snapshot(ws) -> tuple:
    return (
        list(
            Pipeline.objects.filter(workspace=ws)
            .order_by("pk")
            .values_list("pk", "version", "name", "is_active", "is_default", "position", "gate")
        ),
        list(
            Stage.objects.filter(pipeline__workspace=ws)
            .order_by("pk")
            .values_list("pk", "name", "position", "probability", "expected_days")
        ),
        list(
            StageTask.objects.filter(stage__pipeline__workspace=ws)
            .order_by("pk")
            .values_list("pk", "title", "position", "is_required")
        ),
        list(
            CloseReason.objects.filter(workspace=ws)
            .order_by("pk")
            .values_list("pk", "label", "position", "is_active")
        ),
    )


def test_every_member_lists_pipelines_with_stages_and_tasks(world, api, token_for, setup):
    resp = api("get", "/pipelines", token=token_for(world.readonly))
    assert resp.status_code == 200
    rows = resp.json()
    assert [p["name"] for p in rows][1] == "Tender"
    assert rows[0]["is_default"] and rows[0]["stages"][0]["key"] == "initial_contact"
    tender = rows[1]
    assert tender["gate"] == "block"
    assert [s["is_won"] for s in tender["stages"]][-2:] == [True, False]
    assert tender["stages"][-1]["is_lost"]
    assert tender["stages"][0]["tasks"][0]["title"] == setup["task"].title
    other = api("get", "/pipelines", token=token_for(world.owner2)).json()
    assert "Tender" not in [p["name"] for p in other]
    templates = api("get", "/pipelines/templates", token=token_for(world.rep)).json()
    assert {t["key"] for t in templates} >= {"standard", "new_export_customer", "repeat_order"}
    assert next(t for t in templates if t["key"] == "tender")["stages"][-2:] in (
        ["Won", "Lost"],
        ["赢单", "输单"],
    )
    reasons = api("get", "/close-reasons?kind=lost", token=token_for(world.rep)).json()
    assert reasons and all(r["kind"] == "lost" for r in reasons)
    assert api("get", "/pipelines").status_code == 401


def _writes(s: dict) -> list[tuple[str, str, dict, bool]]:
    """(method, path, body, has an id in the path) for every write endpoint."""
    p, st, sp, t, r = s["pipeline"], s["stage"], s["spare"], s["task"], s["reason"]
    stage_ids = list(p.stages.order_by("position").values_list("pk", flat=True))
    return [
        ("post", "/pipelines/reorder", {"ids": [p.pk, s["default"].pk]}, False),
        ("patch", f"/pipelines/{p.pk}", {"name": "Renamed", "gate": "off"}, True),
        (
            "post",
            f"/pipelines/{p.pk}/stages/reorder",
            {"ids": [stage_ids[1], stage_ids[0], *stage_ids[2:]]},
            True,
        ),
        ("patch", f"/pipelines/stages/{st.pk}", {"name": "Qualify", "probability": 15}, True),
        ("delete", f"/pipelines/stages/{sp.pk}", {}, True),
        ("post", f"/pipelines/{p.pk}/stages", {"name": "Extra", "probability": 55}, True),
        (
            "post",
            f"/pipelines/stages/{st.pk}/tasks/reorder",
            {"ids": list(reversed(st.tasks.order_by("position").values_list("pk", flat=True)))},
            True,
        ),
        ("post", f"/pipelines/stages/{st.pk}/tasks", {"title": "New task"}, True),
        ("patch", f"/pipelines/tasks/{t.pk}", {"title": "Edited", "is_required": False}, True),
        ("delete", f"/pipelines/tasks/{t.pk}", {}, True),
        (
            "post",
            "/close-reasons/reorder",
            {"kind": "lost", "ids": [x.pk for x in reversed(svc.close_reasons_all(r.workspace, "lost"))]},
            False,
        ),
        ("post", "/close-reasons", {"kind": "lost", "label": "Too far"}, False),
        ("patch", f"/close-reasons/{r.pk}", {"label": "Price!", "is_active": False}, True),
        ("post", "/pipelines", {"name": "New one", "template": "repeat_order"}, False),
    ]  # fmt: skip


def test_write_endpoints_authorization_matrix(world, api, token_for, setup):
    calls = _writes(setup)
    before = snapshot(world.ws)
    rep, outsider = token_for(world.rep), token_for(world.owner2)
    for method, path, body, has_id in calls:
        anonymous = api(method, path, json=body)
        assert anonymous.status_code == 401, path
        denied = api(method, path, token=rep, json=body)
        assert denied.status_code == (404 if has_id else 403), (method, path, denied.json())
        foreign = api(method, path, token=outsider, json=body)
        if has_id:
            assert foreign.status_code == 404, (method, path)
            assert foreign.json()["code"] == "not_found"
    assert snapshot(world.ws) == before  # nothing of workspace A changed
    manager = token_for(world.manager)
    for method, path, body, _has_id in calls:
        resp = api(method, path, token=manager, json=body)
        assert resp.status_code in (200, 201, 204), (method, path, resp.content)
    pipeline = Pipeline.objects.get(pk=setup["pipeline"].pk)
    assert (pipeline.name, pipeline.gate) == ("Renamed", "off")
    assert Pipeline.objects.filter(workspace=world.ws, name="New one").exists()
    assert not Stage.objects.filter(pk=setup["spare"].pk).exists()
    assert not StageTask.objects.filter(pk=setup["task"].pk).exists()
    assert Stage.objects.get(pk=setup["stage"].pk).probability == 15
    reason = CloseReason.objects.get(pk=setup["reason"].pk)
    assert (reason.label, reason.is_active) == ("Price!", False)
    assert CloseReason.objects.filter(workspace=world.ws, label="Too far").exists()


def test_set_default_archive_and_refusals(world, api, token_for, setup):
    token = token_for(world.owner)
    default, tender = setup["default"], setup["pipeline"]
    resp = api("patch", f"/pipelines/{default.pk}", token=token, json={"is_active": False})
    assert resp.status_code == 409 and resp.json()["code"] == "pipeline_default_archived"
    resp = api("patch", f"/pipelines/{tender.pk}", token=token, json={"is_default": True})
    assert resp.status_code == 200 and resp.json()["is_default"]
    assert Pipeline.objects.filter(workspace=world.ws, is_default=True).get().pk == tender.pk
    resp = api("patch", f"/pipelines/{default.pk}", token=token, json={"is_active": False})
    assert resp.status_code == 200 and not resp.json()["is_active"]
    version = resp.json()["version"]
    resp = api(
        "patch", f"/pipelines/{default.pk}", token=token, json={"name": "X", "version": version - 1}
    )
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"
    resp = api("post", "/pipelines", token=token, json={"name": ""})
    assert resp.status_code == 422 and "name" in resp.json()["fields"]
    resp = api("post", f"/pipelines/{tender.pk}/stages", token=token, json={"probability": 140})
    assert resp.status_code == 422
    won = tender.stages.get(is_won=True)
    resp = api("delete", f"/pipelines/stages/{won.pk}", token=token)
    assert resp.status_code == 409 and resp.json()["code"] == "stage_fixed"


def test_deleting_a_used_stage_is_refused_with_the_count(world, api, token_for, setup):
    stage = setup["spare"]
    customer = customer_create(actor=world.actor(world.rep), name="API Stage Buyer")
    for name in ("One", "Two"):
        opportunity_create(
            actor=world.actor(world.rep),
            customer=customer,
            name=name,
            pipeline_id=setup["pipeline"].pk,
            stage_id=stage.pk,
        )
    with translation.override("en"):
        resp = api(
            "delete",
            f"/pipelines/stages/{stage.pk}",
            token=token_for(world.owner),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert resp.status_code == 409 and resp.json()["code"] == "stage_in_use"
    assert "2 opportunities" in resp.json()["message"]
    assert Stage.objects.filter(pk=stage.pk).exists()
