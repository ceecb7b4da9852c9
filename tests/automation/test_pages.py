"""The rule pages: list, builder form (with and without htmx), test panel, run log; who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradewind.activities.models import Task
from tradewind.automation.models import RuleRun, WorkflowRule
from tradewind.leads.models import Lead
from tradewind.workspaces.models import AuditEvent

from .conftest import outcomes

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rule-builder"}


@pytest.fixture
def page_client(client_for):
    """A signed-in client reading the pages in English (the default language is Chinese)."""

    def make(member, language="en"):
        client = client_for(member)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make


def _form(**extra):
    data = {
        "name": "Welcome call",
        "record_type": "lead",
        "trigger": "created",
        "max_runs_per_hour": "100",
        "c-0-0-field": "grade",
        "c-0-0-op": "eq",
        "c-0-0-value": "A",
        "a-0-type": "create_task",
        "a-0-title": "Call {record}",
        "a-0-to": "owner",
        "a-0-due_days": "1",
        "a-0-due_hours": "0",
        "op": "save",
    }
    data.update(extra)
    return data


def test_settings_link_only_for_those_who_may(world, page_client):
    page = page_client(world.owner).get(reverse("settings:profile")).content.decode()
    assert 'data-testid="settings-rules"' in page
    page = page_client(world.manager).get(reverse("settings:profile")).content.decode()
    assert 'data-testid="settings-rules"' not in page


def test_list_shows_an_empty_state_then_the_rules(
    world, page_client, make_rule, django_assert_max_num_queries
):
    client = page_client(world.owner)
    resp = client.get(reverse("automation:rules"))
    assert resp.status_code == 200
    assert b'data-testid="empty-state"' in resp.content
    for n in range(6):
        make_rule(
            name=f"Rule {n}", record_type="opportunity", trigger="status_changed", trigger_value=""
        )
    make_rule(
        name="Time",
        record_type="opportunity",
        trigger="time",
        trigger_field="expected_close_date",
        offset_days=-3,
    )
    with django_assert_max_num_queries(14):
        resp = client.get(reverse("automation:rules"))
    page = resp.content.decode()
    assert "Rule 5" in page and "3 day(s) before expected close date" in page


def test_builder_buttons_change_the_form_and_save_nothing(world, page_client):
    client = page_client(world.owner)
    url = reverse("automation:rule_create")
    assert client.get(url).status_code == 200
    resp = client.post(url, _form(op="add_group"))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert 'name="c-1-0-field"' in page  # a second (OR) group
    resp = client.post(url, _form(op="add_action"))
    assert 'name="a-1-type"' in resp.content.decode()
    resp = client.post(url, _form(op="remove_condition:0:0"))
    assert 'name="c-0-0-field"' not in resp.content.decode()
    assert not WorkflowRule.objects.exists()


def test_htmx_refresh_answers_only_the_builder_fitted_to_the_record_type(world, page_client):
    client = page_client(world.owner)
    resp = client.post(
        reverse("automation:rule_create"),
        _form(record_type="opportunity", trigger="time", op="refresh", **{"c-0-0-field": "amount"}),
        **HTMX,
    )
    page = resp.content.decode()
    assert page.lstrip().startswith('<div id="rule-builder"')
    assert "<html" not in page
    assert 'value="expected_close_date"' in page  # the opportunity's date fields
    assert 'value="gte"' in page  # the operators of a money field


def test_save_creates_the_rule_then_edit_changes_it(world, page_client):
    client = page_client(world.owner)
    resp = client.post(reverse("automation:rule_create"), _form())
    rule = WorkflowRule.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "automation:rule_edit", args=[rule.pk]
    )
    assert rule.conditions == [[{"field": "grade", "op": "eq", "value": "A"}]]
    assert rule.actions[0]["title"] == "Call {record}"
    assert rule.is_active is False
    assert rule.created_by_id == world.owner.user_id
    page = client.get(reverse("automation:rule_edit", args=[rule.pk])).content.decode()
    assert 'value="Welcome call"' in page
    resp = client.post(
        reverse("automation:rule_edit", args=[rule.pk]),
        _form(name="Welcome call (A)", is_active="on", version=str(rule.version)),
    )
    rule.refresh_from_db()
    assert (rule.name, rule.is_active, rule.version) == ("Welcome call (A)", True, 2)


def test_bad_input_shows_translated_errors_on_the_rows_and_saves_nothing(world, page_client):
    client = page_client(world.owner, "zh-hans")
    resp = client.post(
        reverse("automation:rule_create"),
        _form(**{"c-0-0-field": "score", "c-0-0-op": "gt", "c-0-0-value": "lots", "a-0-title": ""}),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "请更正标出的字段。" in page
    assert 'data-testid="rule-error"' in page
    assert "invalid-feedback" in page
    assert not WorkflowRule.objects.exists()


def test_toggle_and_delete(world, page_client, make_rule):
    rule = make_rule(is_active=False)
    client = page_client(world.owner)
    assert client.post(reverse("automation:rule_toggle", args=[rule.pk])).status_code == 302
    rule.refresh_from_db()
    assert rule.is_active
    assert client.get(reverse("automation:rule_delete", args=[rule.pk])).status_code == 200
    assert WorkflowRule.objects.filter(pk=rule.pk).exists()
    client.post(reverse("automation:rule_delete", args=[rule.pk]))
    assert not WorkflowRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.filter(target_type="workflow_rule", verb="delete").exists()


def test_test_panel_finds_the_record_and_changes_nothing(world, page_client, make_rule):
    rule = make_rule(
        conditions=[[{"field": "company_name", "op": "contains", "value": "secret"}]],
        actions=[{"type": "set_field", "field": "grade", "value": "A"}],
    )
    client = page_client(world.owner)
    version = Lead.objects.get(pk=world.lead.pk).version
    resp = client.get(
        reverse("automation:rule_test", args=[rule.pk]),
        {"q": world.lead.code},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="rule-test",
    )
    page = resp.content.decode()
    assert page.lstrip().startswith('<div id="rule-test"')
    assert "Would run" in page
    assert "ALPHA-EAST-SECRET GmbH" in page  # the actual value
    assert Lead.objects.get(pk=world.lead.pk).version == version
    assert not RuleRun.objects.exists()
    # a name matching several records offers them
    page = client.get(
        reverse("automation:rule_test", args=[rule.pk]), {"q": "ALPHA"}
    ).content.decode()
    assert "Several records match" in page
    # another workspace's record is not found
    page = client.get(
        reverse("automation:rule_test", args=[rule.pk]), {"q": "XL-NOWHERE"}
    ).content.decode()
    assert 'data-testid="test-none"' in page
    assert (
        client.get(
            reverse("automation:rule_test", args=[rule.pk]), {"record": world.lead2.pk}
        ).status_code
        == 404
    )


def test_run_log_pages_newest_first(
    world, page_client, make_rule, after_commit, django_assert_max_num_queries
):
    from tradewind.leads.services import lead_create

    rule = make_rule(actions=[{"type": "create_task", "title": "Call", "to": "owner"}])
    with after_commit():
        for n in range(4):
            lead_create(
                actor=world.actor(world.rep),
                company_name=f"Log {n} GmbH",
                grade="A" if n % 2 else "",
            )
    assert sorted(outcomes(rule)) == ["done", "done", "done", "done"]
    assert Task.objects.count() >= 4
    client = page_client(world.owner)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("automation:rule_runs", args=[rule.pk])).content.decode()
    assert page.index("Log 3 GmbH") < page.index("Log 0 GmbH")
    page = client.get(
        reverse("automation:rule_runs", args=[rule.pk]), {"outcome": "failed"}
    ).content.decode()
    assert 'data-testid="empty-state"' in page


def test_pages_refuse_members_without_the_permission_and_other_workspaces(
    world, page_client, make_rule
):
    rule = make_rule()
    before = list(WorkflowRule.objects.values_list("pk", "version", "is_active"))
    ids = [rule.pk, 987654321]
    for member in (world.manager, world.rep):
        client = page_client(member)
        for pk in ids:
            for name in ("rule_edit", "rule_toggle", "rule_delete", "rule_test", "rule_runs"):
                url = reverse(f"automation:{name}", args=[pk])
                assert client.get(url).status_code in (403, 405), url
                assert client.post(url, _form(name="hijack")).status_code == 403, url
        assert client.get(reverse("automation:rules")).status_code == 403
        assert client.post(reverse("automation:rule_create"), _form()).status_code == 403
    outsider = page_client(world.owner2)
    for name in ("rule_edit", "rule_toggle", "rule_delete", "rule_test", "rule_runs"):
        url = reverse(f"automation:{name}", args=[rule.pk])
        assert outsider.post(url, _form(name="hijack")).status_code == 404, url
    anonymous = page_client(world.owner)
    anonymous.logout()
    resp = anonymous.post(reverse("automation:rule_toggle", args=[rule.pk]))
    assert resp.status_code == 302 and "login" in resp["Location"]
    assert list(WorkflowRule.objects.values_list("pk", "version", "is_active")) == before
    assert WorkflowRule.objects.count() == 1
