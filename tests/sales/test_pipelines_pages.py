"""Settings pages of the pipelines (/settings/pipelines/): every member reads them; every write
(create, edit, default, archive, reorder by drag or by arrow, stages, tasks, close reasons) is
refused to anonymous users (login), other workspaces (404) and members without PIPELINE_MANAGE
(403) without a side effect."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tradewind.customers.services import customer_create
from tradewind.sales import pipelines as svc
from tradewind.sales.models import CloseReason, Pipeline, Stage, StageTask, StageTaskCheck
from tradewind.sales.services import opportunity_create, pipeline_default

from .test_pipelines_api import snapshot


@pytest.fixture
def setup(world):
    boss = world.actor(world.owner)
    default = pipeline_default(world.ws)
    export = svc.pipeline_create(actor=boss, name="Export", template="new_export_customer")
    stage = export.stages.order_by("position").first()
    return {
        "default": default,
        "pipeline": export,
        "stage": stage,
        "spare": svc.stage_create(actor=boss, pipeline=export, name="Spare"),
        "task": stage.tasks.order_by("position").first(),
        "reason": svc.close_reasons_all(world.ws, "lost")[0],
    }


def test_every_member_reads_the_pages_only_managers_see_the_forms(world, client_for, setup):
    reader = client_for(world.readonly)
    page = reader.get(reverse("pipelines:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Export" in html and 'data-testid="pipeline-form"' not in html
    assert 'data-testid="settings-pipelines"' in html  # linked from the settings navigation
    detail = reader.get(reverse("pipelines:detail", args=[setup["pipeline"].pk]))
    assert detail.status_code == 200
    assert setup["task"].title in detail.content.decode()
    assert 'data-testid="stage-form"' not in detail.content.decode()
    reasons = reader.get(reverse("pipelines:reasons"))
    assert reasons.status_code == 200 and setup["reason"].label in reasons.content.decode()
    manager = client_for(world.manager).get(
        reverse("pipelines:detail", args=[setup["pipeline"].pk])
    )
    html = manager.content.decode()
    assert 'data-testid="stage-form"' in html and 'data-sortable="stage-order"' in html
    assert "Sortable.min.js" in html
    assert (
        client_for(world.owner2)
        .get(reverse("pipelines:detail", args=[setup["pipeline"].pk]))
        .status_code
        == 404
    )


def _writes(s: dict) -> list[tuple[str, dict]]:
    p, st, sp, t, r = s["pipeline"], s["stage"], s["spare"], s["task"], s["reason"]
    open_ids = [x.pk for x in p.stages.order_by("position") if not x.is_closed]
    return [
        (reverse("pipelines:detail", args=[p.pk]),
         {"name": "Export 2", "gate": "block", "stale_days": 9, "description": ""}),
        (reverse("pipelines:move", args=[p.pk]), {"direction": "up"}),
        (reverse("pipelines:default", args=[p.pk]), {}),
        (reverse("pipelines:archive", args=[s["default"].pk]), {"active": "0"}),
        (reverse("pipelines:stage_reorder", args=[p.pk]), {"ids": list(reversed(open_ids))}),
        (reverse("pipelines:stage_edit", args=[st.pk]), {"name": "Inquiry", "probability": 12}),
        (reverse("pipelines:stage_move", args=[sp.pk]), {"direction": "up"}),
        (reverse("pipelines:stage_delete", args=[sp.pk]), {}),
        (reverse("pipelines:stage_add", args=[p.pk]), {"name": "Extra", "probability": 33}),
        (reverse("pipelines:task_add", args=[st.pk]), {"title": "Call back", "is_required": "on"}),
        (reverse("pipelines:task_move", args=[t.pk]), {"direction": "down"}),
        (reverse("pipelines:task_edit", args=[t.pk]), {"title": "Reply fast"}),
        (reverse("pipelines:task_delete", args=[t.pk]), {}),
        (reverse("pipelines:reason_move", args=[r.pk]), {"direction": "down"}),
        (reverse("pipelines:reason_edit", args=[r.pk]), {"label": "Too pricey"}),
        (reverse("pipelines:reason_toggle", args=[r.pk]), {}),
        (reverse("pipelines:reasons"), {"kind": "invalid", "label": "Test entry"}),
        (reverse("pipelines:list"), {"name": "Fresh", "template": "tender"}),
    ]  # fmt: skip


def test_page_writes_authorization_matrix(world, client_for, setup):
    calls = _writes(setup)
    before = snapshot(world.ws)
    anonymous, rep, outsider = Client(), client_for(world.rep), client_for(world.owner2)
    for url, data in calls:
        resp = anonymous.post(url, data)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], url
        assert rep.post(url, data).status_code == 403, url
        if any(ch.isdigit() for ch in url):  # the others act on the outsider's own workspace
            assert outsider.post(url, data).status_code == 404, url
    assert snapshot(world.ws) == before
    manager = client_for(world.manager)
    for url, data in calls:
        resp = manager.post(url, data)
        assert resp.status_code == 302, (url, resp.status_code)
    p = Pipeline.objects.get(pk=setup["pipeline"].pk)
    assert (p.name, p.gate, p.stale_days, p.is_default) == ("Export 2", "block", 9, True)
    assert not Pipeline.objects.get(pk=setup["default"].pk).is_active  # archived after the switch
    assert Stage.objects.get(pk=setup["stage"].pk).name == "Inquiry"
    assert not Stage.objects.filter(pk=setup["spare"].pk).exists()
    assert Stage.objects.filter(pipeline=p, name="Extra").exists()
    assert not StageTask.objects.filter(pk=setup["task"].pk).exists()
    assert StageTask.objects.filter(stage=setup["stage"], title="Call back").exists()
    reason = CloseReason.objects.get(pk=setup["reason"].pk)
    assert (reason.label, reason.is_active) == ("Too pricey", False)
    assert CloseReason.objects.filter(
        workspace=world.ws, kind="invalid", label="Test entry"
    ).exists()
    fresh = Pipeline.objects.get(workspace=world.ws, name="Fresh")
    assert fresh.gate == "block" and fresh.stages.count() == 7


def test_drag_order_and_arrow_buttons(world, client_for, setup):
    client = client_for(world.owner)
    a, b = setup["default"], setup["pipeline"]
    resp = client.post(reverse("pipelines:reorder"), {"ids": [b.pk, a.pk]})
    assert resp.status_code == 302
    assert [p.pk for p in svc.pipelines_of(world.ws)] == [b.pk, a.pk]
    client.post(reverse("pipelines:move", args=[a.pk]), {"direction": "up"})
    assert [p.pk for p in svc.pipelines_of(world.ws)] == [a.pk, b.pk]
    bad = client.post(reverse("pipelines:reorder"), {"ids": [a.pk]}, follow=True)
    assert bad.status_code == 200 and "alert-danger" in bad.content.decode()
    stages = [s.pk for s in b.stages.order_by("position")]
    closed = stages[-2:]
    client.post(reverse("pipelines:stage_reorder", args=[b.pk]), {"ids": [closed[0], *stages[:-2]]})
    assert [s.pk for s in b.stages.order_by("position")] == stages  # Won cannot move


def test_stage_delete_page_shows_the_refusal_with_the_count(world, client_for, setup):
    stage = setup["stage"]
    customer = customer_create(actor=world.actor(world.rep), name="Page Buyer")
    opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="In it",
        pipeline_id=setup["pipeline"].pk,
        stage_id=stage.pk,
    )
    client = client_for(world.owner)
    page = client.get(reverse("pipelines:stage_delete", args=[stage.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-testid="stage-delete"' in page.content.decode()
    assert "alert-warning" in page.content.decode()
    resp = client.post(reverse("pipelines:stage_delete", args=[stage.pk]), follow=True)
    assert resp.status_code == 200 and Stage.objects.filter(pk=stage.pk).exists()
    assert "alert-danger" in resp.content.decode()


def test_task_delete_confirmation_says_the_ticks_go(world, client_for, setup):
    task = setup["task"]
    customer = customer_create(actor=world.actor(world.rep), name="Tick Page Buyer")
    opp = opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Ticked",
        pipeline_id=setup["pipeline"].pk,
    )
    StageTaskCheck.objects.create(opportunity=opp, task=task)
    client = client_for(world.owner)
    page = client.get(reverse("pipelines:task_delete", args=[task.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1" in html and ("tick" in html or "勾选" in html)
    client.post(reverse("pipelines:task_delete", args=[task.pk]))
    assert not StageTask.objects.filter(pk=task.pk).exists()
    assert not StageTaskCheck.objects.filter(opportunity=opp).exists()


def test_form_errors_are_shown_and_translated(world, client_for, setup):
    client = client_for(world.owner)
    resp = client.post(reverse("pipelines:list"), {"name": "", "template": "standard"})
    assert resp.status_code == 422 and "invalid-feedback" in resp.content.decode()
    resp = client.post(
        reverse("pipelines:stage_edit", args=[setup["stage"].pk]), {"name": "", "probability": 5}
    )
    assert resp.status_code == 422
    resp = client.post(
        reverse("pipelines:reasons"), {"kind": "lost", "label": setup["reason"].label}
    )
    assert resp.status_code == 422 and "invalid-feedback" in resp.content.decode()
