"""The step plan API: templates and steps (PLAN_MANAGE), runs (PLAN_RUN on visible records).
Every write: anonymous 401, other workspace 404, no permission 403, permitted 2xx — nothing
changed unless permitted; bad input answers a translated 422 and saves nothing."""

from __future__ import annotations

import pytest
import time_machine

from tradewind.activities.models_tasks import Task
from tradewind.plans.models import Plan, PlanRun, PlanRunStep, PlanStep
from tradewind.plans.services import plan_start

from .conftest import MONDAY, task_step

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Plan.objects.order_by("pk").values_list("pk", "version", "name", "is_active")),
        list(PlanStep.objects.order_by("pk").values_list("pk", "position", "title", "offset_days")),
        list(PlanRun.objects.order_by("pk").values_list("pk", "state", "version")),
        list(PlanRunStep.objects.order_by("pk").values_list("pk", "state")),
        Task.objects.count(),
    )


@pytest.fixture
def setup(world, customer, make_plan, django_capture_on_commit_callbacks):
    plan = make_plan(task_step("First", offset_days=1), task_step("Second"))
    other = make_plan(task_step("Lonely"), name="Unused")
    with django_capture_on_commit_callbacks(execute=True):
        run = plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    return {"plan": plan, "other": other, "run": run, "customer": customer}


def _calls(s: dict) -> dict[str, tuple[str, str, dict, str]]:
    """name -> (method, path, body, who may): "manage" = PLAN_MANAGE, "run" = PLAN_RUN."""
    plan, other, run, customer = s["plan"], s["other"], s["run"], s["customer"]
    step = plan.steps.order_by("position").first()
    ids = [x.pk for x in plan.steps.order_by("-position")]
    return {
        "create": (
            "post",
            "/plans",
            {"name": "N", "applies_to": "customer", "steps": [task_step("S")]},
            "manage",
        ),
        "update": ("patch", f"/plans/{plan.pk}", {"name": "Renamed"}, "manage"),
        "delete": ("delete", f"/plans/{other.pk}", {}, "manage"),
        "step_add": ("post", f"/plans/{plan.pk}/steps", task_step("Third"), "manage"),
        "step_order": ("put", f"/plans/{plan.pk}/steps/order", {"ids": ids}, "manage"),
        "step_update": ("patch", f"/plans/{plan.pk}/steps/{step.pk}", {"offset_days": 4}, "manage"),
        "step_move": (
            "post",
            f"/plans/{plan.pk}/steps/{step.pk}/move",
            {"direction": "down"},
            "manage",
        ),
        "step_delete": ("delete", f"/plans/{plan.pk}/steps/{step.pk}", {}, "manage"),
        "start": (
            "post",
            "/plans/runs",
            {"plan_id": other.pk, "target_type": "customer", "target_id": customer.pk},
            "run",
        ),
        "pause": ("post", f"/plans/runs/{run.pk}/pause", {}, "run"),
        "stop": ("post", f"/plans/runs/{run.pk}/stop", {}, "run"),
    }


CALLS = [
    "create",
    "update",
    "delete",
    "step_add",
    "step_order",
    "step_update",
    "step_move",
    "step_delete",
    "start",
    "pause",
    "stop",
]


@pytest.mark.parametrize("name", CALLS)
def test_every_write_is_authorized(world, api, token_for, setup, name):
    method, path, body, needs = _calls(setup)[name]
    before = snapshot()
    # anonymous
    resp = api(method, path, json=body)
    assert resp.status_code == 401 and snapshot() == before
    # the other workspace's owner (holds every permission): the plan / run / customer is not found
    resp = api(method, path, token=token_for(world.owner2), json=body)
    if name == "create":
        assert resp.status_code == 201  # their own workspace's plan
        Plan.objects.filter(workspace=world.ws2).delete()
    else:
        assert resp.status_code == 404, resp.content
        assert resp.json()["code"] == "not_found"
    assert snapshot() == before
    # a member without the permission: 403, whatever the id
    lacking = world.rep if needs == "manage" else world.readonly
    resp = api(method, path, token=token_for(lacking), json=body)
    assert resp.status_code == 403, resp.content
    assert resp.json()["code"] == "permission_denied" and snapshot() == before
    # permitted
    allowed = world.manager if needs == "manage" else world.rep
    with time_machine.travel(MONDAY, tick=False):
        resp = api(method, path, token=token_for(allowed), json=body)
    assert resp.status_code in (200, 201, 204), resp.content
    assert snapshot() != before


def test_plan_crud_round_trip(world, api, token_for, customer):
    token = token_for(world.manager)
    body = {
        "name": "Visit plan",
        "applies_to": "customer",
        "description": "Periodic service",
        "steps": [
            task_step("Intro call"),
            {
                "title": "Visit",
                "action": "task",
                "advance": "time",
                "offset_days": 30,
                "repeat_every_days": 30,
            },
        ],
    }
    resp = api("post", "/plans", token=token, json=body)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert [s["title"] for s in data["steps"]] == ["Intro call", "Visit"]
    assert data["steps"][1]["repeat_every_days"] == 30 and data["steps"][1]["repeat_count"] is None
    pk = data["id"]
    # an endless step must stay last: moving it up is refused
    visit = data["steps"][1]["id"]
    resp = api("post", f"/plans/{pk}/steps/{visit}/move", token=token, json={"direction": "up"})
    assert resp.status_code == 422 and resp.json()["code"] == "plan_endless_not_last"
    resp = api("patch", f"/plans/{pk}", token=token, json={"version": 99, "name": "X"})
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"
    resp = api("patch", f"/plans/{pk}", token=token, json={"version": 1, "is_active": False})
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    # a rep reads plans (to start them) but cannot change them
    rep = token_for(world.rep)
    assert api("get", f"/plans/{pk}", token=rep).status_code == 200
    assert api("get", "/plans?applies_to=customer", token=rep).json()[0]["name"] == "Visit plan"
    # a plan that ran stays
    api("patch", f"/plans/{pk}", token=token, json={"is_active": True})
    resp = api(
        "post",
        "/plans/runs",
        token=rep,
        json={"plan_id": pk, "target_type": "customer", "target_id": customer.pk},
    )
    assert resp.status_code == 201
    resp = api("delete", f"/plans/{pk}", token=token)
    assert resp.status_code == 409 and resp.json()["code"] == "plan_in_use"


BAD = [
    (
        {"name": "P", "applies_to": "customer", "steps": [task_step(offset_days=-1)]},
        "steps.0.offset_days",
        "负数",
    ),
    ({"name": "P", "applies_to": "customer", "steps": []}, "steps", "至少"),
    (
        {
            "name": "P",
            "applies_to": "customer",
            "steps": [task_step(executor="user", executor_user_id=987654)],
        },
        "steps.0.executor_user_id",
        "成员",
    ),
    ({"name": "", "applies_to": "customer", "steps": [task_step()]}, "name", ""),
    ({"name": "P", "applies_to": "lead", "steps": [task_step()]}, "applies_to", ""),
    (
        {"name": "P", "applies_to": "customer", "steps": [task_step(action="notify")]},
        "steps.0.event",
        "",
    ),
    (
        {"name": "P", "applies_to": "customer", "steps": [task_step(event="opportunity_stage")]},
        "steps.0.event",
        "",
    ),
    (
        {"name": "P", "applies_to": "customer", "steps": [task_step(repeat_every_days=0)]},
        "steps.0.repeat_every_days",
        "",
    ),
    (
        {"name": "P", "applies_to": "customer", "steps": [task_step(offset_days="soon")]},
        "steps.0.offset_days",
        "",
    ),
]


@pytest.mark.parametrize(("body", "field", "words"), BAD)
def test_bad_input_is_refused_in_the_readers_language_and_saves_nothing(
    world, api, token_for, body, field, words
):
    before = snapshot()
    resp = api(
        "post", "/plans", token=token_for(world.manager), json=body, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 422, resp.content
    data = resp.json()
    assert data["code"] in ("plan_invalid", "plan_no_steps", "invalid")
    assert field in data["fields"], data
    message = " ".join(data["fields"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # translated
    assert words in message
    assert snapshot() == before


def test_bad_step_edits_save_nothing(world, api, token_for, make_plan):
    plan = make_plan(task_step("Only"))
    step = plan.steps.get()
    token = token_for(world.manager)
    before = snapshot()
    resp = api("patch", f"/plans/{plan.pk}/steps/{step.pk}", token=token, json={"offset_hours": -3})
    assert resp.status_code == 422 and "offset_hours" in resp.json()["fields"]
    resp = api("delete", f"/plans/{plan.pk}/steps/{step.pk}", token=token)
    assert resp.status_code == 422 and resp.json()["code"] == "plan_no_steps"
    resp = api("put", f"/plans/{plan.pk}/steps/order", token=token, json={"ids": [1, 2]})
    assert resp.status_code == 422
    assert snapshot() == before


def test_runs_over_the_api(world, api, token_for, customer, make_plan):
    plan = make_plan(task_step("Call", offset_days=2))
    rep = token_for(world.rep)
    resp = api(
        "post",
        "/plans/runs",
        token=rep,
        json={"plan_id": plan.pk, "target_type": "customer", "target_id": customer.pk},
    )
    assert resp.status_code == 201, resp.content
    run = resp.json()
    assert run["state"] == "active" and run["target_id"] == customer.pk
    assert run["steps"][0]["state"] == "active" and run["steps"][0]["task_id"]
    assert run["steps"][0]["assignee_id"] == world.rep.user_id
    again = api(
        "post",
        "/plans/runs",
        token=rep,
        json={"plan_id": plan.pk, "target_type": "customer", "target_id": customer.pk},
    )
    assert again.status_code == 409 and again.json()["code"] == "plan_already_running"
    listed = api("get", f"/plans/runs?target_type=customer&target_id={customer.pk}", token=rep)
    assert [r["id"] for r in listed.json()] == [run["id"]]
    assert api("post", f"/plans/runs/{run['id']}/pause", token=rep).json()["state"] == "paused"
    refused = api("post", f"/plans/runs/{run['id']}/pause", token=rep)
    assert refused.status_code == 409 and refused.json()["code"] == "plan_not_running"
    assert api("post", f"/plans/runs/{run['id']}/resume", token=rep).json()["state"] == "active"
    stopped = api("post", f"/plans/runs/{run['id']}/stop", token=rep).json()
    assert stopped["state"] == "stopped" and stopped["steps"][0]["state"] == "cancelled"
    assert Task.objects.get().status == "cancelled"
    # another team's rep does not see the customer's runs
    other = token_for(world.other_rep)
    assert api("get", f"/plans/runs/{run['id']}", token=other).status_code == 404
    assert api("get", "/plans/runs", token=other).json() == []
    bad = api(
        "post",
        "/plans/runs",
        token=rep,
        json={"plan_id": plan.pk, "target_type": "lead", "target_id": world.lead.pk},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "plan_wrong_target"


def test_lists_cost_a_constant_number_of_queries(
    world,
    api,
    token_for,
    make_plan,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from tradewind.customers.services import customer_create

    token = token_for(world.rep)
    for n in range(6):
        plan = make_plan(task_step("A"), task_step("B"), name=f"Plan {n}")
        customer = customer_create(
            actor=world.actor(world.rep), name=f"Buyer {n}", allow_duplicates=True
        )
        with django_capture_on_commit_callbacks(execute=True):
            plan_start(actor=world.actor(world.rep), plan_id=plan.pk, target=customer)
    with django_assert_max_num_queries(8):
        assert len(api("get", "/plans", token=token).json()) == 6
    with django_assert_max_num_queries(10):
        assert len(api("get", "/plans/runs", token=token).json()) == 6
