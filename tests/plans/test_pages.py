"""The step plan pages: templates (PLAN_MANAGE) with ordered steps, and the record panel (start,
pause, resume, stop). Writes: anonymous to the login, no permission 403 and nothing changed,
permitted done; bad input shows the translated message and saves nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tradewind.activities.models_tasks import Task
from tradewind.plans.models import Plan, PlanRun, PlanStep
from tradewind.plans.services import plan_start

from .conftest import task_step

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "plans-panel"}


def step_post(prefix: str = "", **extra) -> dict:
    data = {
        "title": "Call the buyer",
        "offset_days": "1",
        "offset_hours": "0",
        "offset_from": "previous",
        "executor": "owner",
        "action": "task",
        "advance": "event",
        "event": "task_done",
        **extra,
    }
    return {f"{prefix}{k}": v for k, v in data.items()}


def test_plan_pages_need_plan_manage(world, client_for, make_plan, client):
    plan = make_plan(task_step("First"), task_step("Second"))
    step = plan.steps.order_by("position").first()
    urls = [
        ("get", reverse("plans:list")),
        ("get", reverse("plans:new")),
        ("get", reverse("plans:edit", args=[plan.pk])),
        ("post", reverse("plans:edit", args=[plan.pk])),
        ("post", reverse("plans:delete", args=[plan.pk])),
        ("post", reverse("plans:step_new", args=[plan.pk])),
        ("post", reverse("plans:step_edit", args=[step.pk])),
        ("post", reverse("plans:step_delete", args=[step.pk])),
        ("post", reverse("plans:step_move", args=[step.pk])),
    ]
    before = list(PlanStep.objects.values_list("pk", "position", "title"))
    rep = client_for(world.rep)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 302  # anonymous: to the login
        assert getattr(rep, method)(url, {"name": "x", "title": "x"}).status_code == 403, url
    assert list(PlanStep.objects.values_list("pk", "position", "title")) == before
    assert Plan.objects.get().name == "Onboarding"
    manager = client_for(world.manager)
    page = manager.get(reverse("plans:list"))
    assert page.status_code == 200 and b"Onboarding" in page.content
    # the settings navigation links the page for who may manage plans only
    assert b'data-testid="settings-plans"' in manager.get(reverse("settings:rates")).content
    assert b'data-testid="settings-plans"' not in rep.get(reverse("settings:rates")).content


def test_create_a_plan_with_its_first_step_then_add_move_edit_delete_steps(world, client_for):
    manager = client_for(world.manager)
    page = manager.get(reverse("plans:new") + "?applies_to=opportunity")
    assert page.status_code == 200 and b"event_stage_id" in page.content
    data = {
        "name": "Inquiry to quote",
        "applies_to": "customer",
        "is_active": "on",
        **step_post("step-"),
    }
    resp = manager.post(reverse("plans:new") + "?applies_to=customer", data)
    plan = Plan.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("plans:edit", args=[plan.pk])
    assert list(plan.steps.values_list("title", flat=True)) == ["Call the buyer"]
    resp = manager.post(
        reverse("plans:step_new", args=[plan.pk]),
        step_post(title="Send the quote", action="notify", advance="time", event=""),
    )
    assert resp.status_code == 302
    second = plan.steps.get(title="Send the quote")
    assert second.position == 1 and second.action == "notify" and second.event == ""
    # keyboard reordering: one place up
    manager.post(reverse("plans:step_move", args=[second.pk]), {"direction": "up"})
    assert list(plan.steps.order_by("position").values_list("title", flat=True)) == [
        "Send the quote",
        "Call the buyer",
    ]
    edit = manager.get(reverse("plans:edit", args=[plan.pk]))
    assert edit.status_code == 200
    assert edit.content.index(b"Send the quote") < edit.content.index(b"Call the buyer")
    # the move buttons are labelled with the step (in the reader's language)
    assert re.search(
        r'aria-label="[^"]*Send the quote[^"]*"[^>]*data-testid="step-down"', edit.content.decode()
    )
    resp = manager.post(
        reverse("plans:step_edit", args=[second.pk]),
        step_post(title="Send the PI", action="notify", advance="time", event=""),
    )
    assert resp.status_code == 302
    second.refresh_from_db()
    assert second.title == "Send the PI"
    manager.post(reverse("plans:step_delete", args=[second.pk]))
    assert list(plan.steps.values_list("title", flat=True)) == ["Call the buyer"]
    # the last step stays
    manager.post(reverse("plans:step_delete", args=[plan.steps.get().pk]))
    assert plan.steps.count() == 1
    plan.refresh_from_db()
    resp = manager.post(
        reverse("plans:edit", args=[plan.pk]), {"name": "Inquiry to PI", "version": plan.version}
    )
    assert resp.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Inquiry to PI" and plan.is_active is False  # unticked box
    manager.post(reverse("plans:delete", args=[plan.pk]))
    assert not Plan.objects.exists()


def test_bad_input_on_the_page_is_translated_and_saves_nothing(world, client_for):
    manager = client_for(world.manager)
    data = {"name": "Bad", "applies_to": "customer", **step_post("step-", offset_days="-2")}
    resp = manager.post(reverse("plans:new"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 422
    assert "间隔和次数不能是负数。" in resp.content.decode()
    data = {
        "name": "Bad",
        "applies_to": "customer",
        **step_post("step-", executor="user", executor_user_id=""),
    }
    resp = manager.post(reverse("plans:new"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 422
    assert "请选择本工作区的在职成员。" in resp.content.decode()
    assert not Plan.objects.exists() and not PlanStep.objects.exists()


def test_the_record_panel_starts_pauses_resumes_and_stops_a_plan(
    world, client_for, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call the buyer", offset_days=1), task_step("Send samples"))
    rep = client_for(world.rep)
    detail = rep.get(reverse("customers:detail", args=[customer.pk]))
    assert b'data-testid="plans-panel-loader"' in detail.content
    url = reverse("plans:customer_panel", args=[customer.pk])
    panel = rep.get(url, **HTMX)
    assert panel.status_code == 200
    assert b"<html" not in panel.content and b'data-testid="plan-start-form"' in panel.content
    with django_capture_on_commit_callbacks(execute=True):
        resp = rep.post(url, {"plan_id": plan.pk}, **HTMX)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'data-testid="plan-run"' in body and "Call the buyer" in body
    assert 'data-testid="plan-start-form"' not in body  # the only plan is running
    run = PlanRun.objects.get()
    assert Task.objects.get().assignee_id == world.rep.user_id
    # starting it again is refused inside the panel
    resp = rep.post(url, {"plan_id": plan.pk}, **HTMX)
    assert 'data-testid="plans-panel-error"' in resp.content.decode()
    assert PlanRun.objects.count() == 1
    resp = rep.post(reverse("plans:run_pause", args=[run.pk]), **HTMX)
    assert 'data-testid="plan-resume"' in resp.content.decode()
    resp = rep.post(reverse("plans:run_resume", args=[run.pk]), **HTMX)
    assert 'data-testid="plan-pause"' in resp.content.decode()
    # without htmx: back to the record with a message
    resp = rep.post(reverse("plans:run_stop", args=[run.pk]))
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("customers:detail", args=[customer.pk]))
    run.refresh_from_db()
    assert run.state == "stopped"
    assert Task.objects.get().status == "cancelled"


def test_panel_authorization(
    world, client_for, customer, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call"))
    with django_capture_on_commit_callbacks(execute=True):
        run = plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    url = reverse("plans:customer_panel", args=[customer.pk])
    # read-only member of the team sees the panel, without the buttons, and may not act
    viewer = client_for(world.readonly)
    panel = viewer.get(url, **HTMX).content.decode()
    assert "Call" in panel and 'data-testid="plan-stop"' not in panel
    assert viewer.post(reverse("plans:run_stop", args=[run.pk])).status_code == 403
    assert viewer.post(url, {"plan_id": plan.pk}).status_code == 403
    # another team's rep: the customer and the run are not found
    other = client_for(world.other_rep)
    assert other.get(url).status_code == 404
    assert other.post(reverse("plans:run_stop", args=[run.pk])).status_code == 404
    assert other.post(url, {"plan_id": plan.pk}).status_code == 404
    run.refresh_from_db()
    assert run.state == "active" and PlanRun.objects.count() == 1


def test_opportunity_page_has_the_panel_in_chinese(
    world, client_for, opportunity, make_plan, django_capture_on_commit_callbacks
):
    plan = make_plan(task_step("Call"), applies_to="opportunity", name="商机推进")
    with django_capture_on_commit_callbacks(execute=True):
        plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=opportunity)
    rep = client_for(world.rep)
    detail = rep.get(reverse("sales:opportunity_detail", args=[opportunity.pk]))
    assert b'data-testid="plans-panel-loader"' in detail.content
    panel = rep.get(
        reverse("plans:opportunity_panel", args=[opportunity.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = panel.content.decode()
    assert panel.status_code == 200
    assert "步骤方案" in text and "商机推进" in text and "进行中" in text


def test_the_panel_costs_a_constant_number_of_queries(
    world,
    client_for,
    customer,
    make_plan,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    rep = client_for(world.rep)
    url = reverse("plans:customer_panel", args=[customer.pk])
    for n in range(5):
        plan = make_plan(task_step("A"), task_step("B"), name=f"Plan {n}")
        with django_capture_on_commit_callbacks(execute=True):
            plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    rep.get(url, **HTMX)
    with django_assert_max_num_queries(14):
        assert rep.get(url, **HTMX).content.count(b'data-testid="plan-run"') == 5
