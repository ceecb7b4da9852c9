"""The rules API: CRUD, switching, testing, runs; bad input; who may do what."""

from __future__ import annotations

import pytest

from tradewind.automation.models import RuleRun, WorkflowRule
from tradewind.leads.services import lead_create

from .conftest import outcomes

RULE = {
    "name": "Hot leads",
    "record_type": "lead",
    "trigger": "field_changed",
    "trigger_field": "grade",
    "conditions": [[{"field": "grade", "op": "eq", "value": "A"}]],
    "actions": [{"type": "create_task", "title": "Call {record}", "to": "owner", "due_days": 1}],
}


@pytest.fixture
def owner_token(world, token_for):
    return token_for(world.owner)


def _state():
    return list(
        WorkflowRule.objects.order_by("pk").values_list("pk", "version", "is_active", "name")
    )


def test_crud_and_switching(world, api, owner_token):
    resp = api("post", "/automation/rules", token=owner_token, json=RULE)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["is_active"] is False
    assert body["created_by_id"] == world.owner.user_id
    assert body["conditions"] == [[{"field": "grade", "op": "eq", "value": "A"}]]
    rule_id = body["id"]
    assert (
        api("get", f"/automation/rules/{rule_id}", token=owner_token).json()["name"] == "Hot leads"
    )
    resp = api("post", f"/automation/rules/{rule_id}/activate", token=owner_token)
    assert resp.json()["is_active"] is True
    changed = {
        **RULE,
        "name": "Very hot leads",
        "version": resp.json()["version"],
        "is_active": True,
    }
    resp = api("put", f"/automation/rules/{rule_id}", token=owner_token, json=changed)
    assert resp.status_code == 200
    assert resp.json()["name"] == "Very hot leads"
    stale = api(
        "put", f"/automation/rules/{rule_id}", token=owner_token, json={**changed, "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    listed = api("get", "/automation/rules", token=owner_token).json()
    assert [(r["id"], r["runs_24h"]) for r in listed] == [(rule_id, 0)]
    assert (
        api("post", f"/automation/rules/{rule_id}/deactivate", token=owner_token).json()[
            "is_active"
        ]
        is False
    )
    assert api("delete", f"/automation/rules/{rule_id}", token=owner_token).status_code == 204
    assert not WorkflowRule.objects.exists()


def test_catalogue(world, api, owner_token):
    body = api("get", "/automation/catalogue?record_type=opportunity", token=owner_token).json()
    fields = {f["key"]: f for f in body["fields"]}
    assert fields["amount"]["type"] == "money"
    assert "gt" in fields["amount"]["ops"]
    assert fields["expected_close_date"]["date_trigger"] is True
    assert fields["expected_close_date"]["settable"] is True
    assert fields["status"]["settable"] is False
    assert "webhook" in body["actions"]


@pytest.mark.parametrize(
    ("change", "code", "place"),
    [
        ({"record_type": "invoice"}, "unknown_record_type", "record_type"),
        ({"trigger": "sometimes"}, "bad_trigger", "trigger"),
        ({"trigger_field": "colour"}, "unknown_field", "trigger_field"),
        (
            {"conditions": [[{"field": "colour", "op": "eq", "value": "red"}]]},
            "unknown_field",
            "conditions.0.0.field",
        ),
        (
            {"conditions": [[{"field": "score", "op": "contains", "value": "1"}]]},
            "bad_operator",
            "conditions.0.0.op",
        ),
        (
            {"conditions": [[{"field": "score", "op": "gt", "value": "lots"}]]},
            "bad_value",
            "conditions.0.0.value",
        ),
        (
            {"conditions": [[{"field": "grade", "op": "eq", "value": "Z"}]]},
            "bad_value",
            "conditions.0.0.value",
        ),
        (
            {"conditions": [[{"field": "created_at", "op": "lt", "value": "yesterday"}]]},
            "bad_value",
            "conditions.0.0.value",
        ),
        ({"actions": []}, "bad_action", "actions"),
        ({"actions": [{"type": "explode"}]}, "bad_action", "actions.0.type"),
        ({"actions": [{"type": "create_task", "title": ""}]}, "bad_action", "actions.0.title"),
        (
            {"actions": [{"type": "set_field", "field": "status", "value": "won"}]},
            "unknown_field",
            "actions.0.field",
        ),
        ({"actions": [{"type": "assign", "user_id": 987654}]}, "bad_value", "actions.0.user_id"),
        (
            {"actions": [{"type": "send_email", "template_id": 987654}]},
            "bad_action",
            "actions.0.template_id",
        ),
        (
            {"actions": [{"type": "webhook", "endpoint_id": 987654}]},
            "bad_action",
            "actions.0.endpoint_id",
        ),
        ({"max_runs_per_hour": 0}, "bad_value", "max_runs_per_hour"),
    ],
)
def test_bad_definitions_answer_422_with_a_code_and_save_nothing(
    world, api, owner_token, change, code, place
):
    before = _state()
    resp = api(
        "post",
        "/automation/rules",
        token=owner_token,
        json={**RULE, **change},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422, resp.content
    body = resp.json()
    assert body["code"] == code
    assert place in body["fields"], body
    assert body["message"] == "请更正标出的字段。"
    assert _state() == before


def test_bad_update_changes_nothing(world, api, owner_token):
    rule_id = api("post", "/automation/rules", token=owner_token, json=RULE).json()["id"]
    before = _state()
    bad = {**RULE, "conditions": [[{"field": "grade", "op": "gt", "value": "A"}]]}
    resp = api("put", f"/automation/rules/{rule_id}", token=owner_token, json=bad)
    assert resp.status_code == 422
    assert resp.json()["code"] == "bad_operator"
    assert _state() == before


def test_test_endpoint_and_runs_list(
    world, api, owner_token, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    rule_id = api(
        "post",
        "/automation/rules",
        token=owner_token,
        json={**RULE, "trigger": "created", "is_active": True},
    ).json()["id"]
    resp = api(
        "post",
        f"/automation/rules/{rule_id}/test",
        token=owner_token,
        json={"record_code": world.lead.code},
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["record_id"] == world.lead.pk
    assert body["conditions_met"] is False
    assert body["groups"][0][0]["actual"] == ""
    assert body["would_run"] is False
    assert (
        api("post", f"/automation/rules/{rule_id}/test", token=owner_token, json={}).status_code
        == 422
    )
    assert (
        api(
            "post",
            f"/automation/rules/{rule_id}/test",
            token=owner_token,
            json={"record_id": world.lead2.pk},
        ).status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            lead_create(actor=world.actor(world.rep), company_name=f"Runs {n}", grade="A")
    assert outcomes(WorkflowRule.objects.get(pk=rule_id)) == ["done"] * 5
    with django_assert_max_num_queries(8):
        page = api("get", f"/automation/rules/{rule_id}/runs?limit=3", token=owner_token).json()
    assert len(page["items"]) == 3
    assert page["items"][0]["id"] > page["items"][1]["id"]  # newest first
    rest = api(
        "get",
        f"/automation/rules/{rule_id}/runs?limit=3&cursor={page['next_cursor']}",
        token=owner_token,
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    run_id = page["items"][0]["id"]
    one = api("get", f"/automation/runs/{run_id}", token=owner_token).json()
    assert one["outcome"] == "done" and one["actions_result"][0]["ok"] is True


# --- who may -------------------------------------------------------------------------------------


def _calls(rule_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("post", "/automation/rules", RULE),
        ("put", f"/automation/rules/{rule_id}", {**RULE, "name": "hijack"}),
        ("delete", f"/automation/rules/{rule_id}", None),
        ("post", f"/automation/rules/{rule_id}/activate", None),
        ("post", f"/automation/rules/{rule_id}/deactivate", None),
        ("post", f"/automation/rules/{rule_id}/test", {"record_id": 1}),
        ("get", f"/automation/rules/{rule_id}", None),
        ("get", f"/automation/rules/{rule_id}/runs", None),
        ("get", "/automation/rules", None),
        ("get", "/automation/catalogue", None),
    ]


def _seed(world):
    from tradewind.automation.services import workflow_rule_create

    rule = workflow_rule_create(actor=world.actor(world.owner), **{**RULE, "is_active": True})
    run = RuleRun.objects.create(
        workspace=world.ws,
        rule=rule,
        record_type="lead",
        record_id=world.lead.pk,
        event="lead.created",
        run_key="seed",
        outcome="done",
    )
    return rule, run


def test_anonymous_gets_401(world, api):
    rule, run = _seed(world)
    before = _state()
    for method, path, body in [*_calls(rule.pk), ("get", f"/automation/runs/{run.pk}", None)]:
        resp = api(method, path, json=body if method != "get" else None)
        assert resp.status_code == 401, (method, path)
    assert _state() == before


def test_members_without_the_permission_get_403_for_every_id(world, api, token_for):
    rule, run = _seed(world)
    before = _state()
    for member in (world.manager, world.rep):
        token = token_for(member)
        for rule_id in (rule.pk, 987654321):
            for method, path, body in _calls(rule_id):
                resp = api(method, path, token=token, json=body if method != "get" else None)
                assert resp.status_code == 403, (member.user.email, method, path, resp.content)
                assert resp.json()["code"] == "permission_denied"
        assert api("get", f"/automation/runs/{run.pk}", token=token).status_code == 403
    assert _state() == before
    assert WorkflowRule.objects.count() == 1


def test_another_workspace_gets_404_and_its_lists_are_its_own(world, api, token_for):
    rule, run = _seed(world)
    token = token_for(world.owner2)
    before = _state()
    for method, path, body in _calls(rule.pk)[1:8]:
        resp = api(method, path, token=token, json=body if method != "get" else None)
        assert resp.status_code == 404, (method, path)
    assert api("get", f"/automation/runs/{run.pk}", token=token).status_code == 404
    assert api("get", "/automation/rules", token=token).json() == []
    assert _state() == before
    # the permitted caller of the other workspace creates in their own workspace only
    resp = api("post", "/automation/rules", token=token, json=RULE)
    assert resp.status_code == 201
    assert WorkflowRule.objects.get(pk=resp.json()["id"]).workspace_id == world.ws2.pk


def test_a_foreign_record_cannot_be_tested(world, api, owner_token):
    rule, _run = _seed(world)
    for payload in ({"record_id": world.lead2.pk}, {"record_code": "XL-NOWHERE"}):
        resp = api("post", f"/automation/rules/{rule.pk}/test", token=owner_token, json=payload)
        assert resp.status_code == 404
