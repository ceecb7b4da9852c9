"""Conditions: comparisons by field type, any-of groups of all-of comparisons, on real records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradewind.automation.catalogue import fields_for
from tradewind.automation.conditions import evaluate
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_update
from tradewind.workspaces.models_custom_fields import CustomFieldDefinition

from .conftest import outcomes


def _check(world, lead, conditions, now=None):
    fields = fields_for(world.ws, "lead")
    return evaluate(conditions, lead, fields, world.ws, now)


def _lead(world, **data):
    data.setdefault("company_name", "Cond GmbH")
    return lead_create(actor=world.actor(world.rep), allow_duplicates=True, **data)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "company_name", "op": "eq", "value": "cond gmbh"}, True),  # case-insensitive
        ({"field": "company_name", "op": "contains", "value": "COND"}, True),
        ({"field": "company_name", "op": "ne", "value": "Cond GmbH"}, False),
        ({"field": "company_name", "op": "in", "value": ["Other", "Cond GmbH"]}, True),
        ({"field": "grade", "op": "eq", "value": "A"}, True),
        ({"field": "grade", "op": "in", "value": ["B", "C"]}, False),
        ({"field": "country", "op": "eq", "value": "DE"}, True),
        ({"field": "budget_max", "op": "gte", "value": "50000"}, True),
        ({"field": "budget_max", "op": "gt", "value": "50000"}, False),
        ({"field": "budget_max", "op": "lt", "value": "50000.01"}, True),
        ({"field": "budget_min", "op": "empty", "value": None}, True),
        ({"field": "budget_min", "op": "gt", "value": "0"}, False),  # empty never orders
        ({"field": "budget_min", "op": "ne", "value": "5"}, True),  # … but "is not" holds
        ({"field": "industry", "op": "not_empty", "value": None}, False),
        ({"field": "tags", "op": "contains", "value": "VIP"}, True),
        ({"field": "tags", "op": "contains", "value": "vi"}, False),  # a whole tag, not a part
        ({"field": "created_at", "op": "eq", "value": "today"}, True),
        ({"field": "created_at", "op": "lt", "value": "today-1"}, False),
        ({"field": "created_at", "op": "gte", "value": "2020-01-01"}, True),
        ({"field": "status", "op": "eq", "value": "new"}, True),
    ],
)
def test_comparisons_by_type(world, condition, expected):
    lead = _lead(world, grade="A", country="DE", budget_max="50000", tags=["vip", "fair"])
    met, groups = _check(world, lead, [[condition]])
    assert met is expected
    assert groups[0][0].ok is expected


def test_user_and_boolean_fields(world):
    from tradewind.customers.services import customer_create

    lead = _lead(world)
    assert _check(world, lead, [[{"field": "owner", "op": "eq", "value": world.rep.user_id}]])[0]
    assert not _check(
        world, lead, [[{"field": "owner", "op": "in", "value": [world.rep2.user_id]}]]
    )[0]
    customer = customer_create(actor=world.actor(world.rep), name="Bool Ltd")
    fields = fields_for(world.ws, "customer")
    met, _groups = evaluate(
        [[{"field": "targeted", "op": "eq", "value": False}]], customer, fields, world.ws
    )
    assert met


def test_any_of_groups_of_all_of_comparisons(world):
    lead = _lead(world, grade="B", country="FR", industry="Mining")
    a_grade = [{"field": "grade", "op": "eq", "value": "A"}]
    french_miner = [
        {"field": "country", "op": "eq", "value": "FR"},
        {"field": "industry", "op": "contains", "value": "mining"},
    ]
    french_farmer = [
        {"field": "country", "op": "eq", "value": "FR"},
        {"field": "industry", "op": "eq", "value": "Farming"},
    ]
    assert _check(world, lead, [a_grade, french_miner])[0] is True
    met, groups = _check(world, lead, [a_grade, french_farmer])
    assert met is False
    # every comparison is reported with the record's actual value
    assert [[c.ok for c in g] for g in groups] == [[False], [True, False]]
    assert groups[1][1].actual == "Mining"
    assert _check(world, lead, [])[0] is True  # no conditions: always


def test_relative_dates_use_the_workspace_day(world):
    lead = _lead(world)
    Lead.objects.filter(pk=lead.pk).update(next_due_at=timezone.now() + dt.timedelta(days=3))
    lead.refresh_from_db()
    cond = [[{"field": "next_due_at", "op": "lte", "value": "today+3"}]]
    assert _check(world, lead, cond)[0] is True
    assert _check(world, lead, cond, now=timezone.now() - dt.timedelta(days=2))[0] is False


def test_custom_fields_are_in_the_catalogue(world):
    CustomFieldDefinition.objects.create(
        workspace=world.ws, target="lead", key="volume", label_en="Volume", type="number"
    )
    lead = _lead(world)
    lead = lead_update(actor=world.actor(world.rep), lead=lead, custom={"volume": "120"})
    fields = fields_for(world.ws, "lead")
    assert fields["custom.volume"].type == "number"
    cond = [[{"field": "custom.volume", "op": "gt", "value": "100"}]]
    assert evaluate(cond, lead, fields, world.ws)[0] is True


def test_a_rule_runs_its_actions_only_when_the_conditions_hold(world, make_rule, after_commit):
    rule = make_rule(
        conditions=[
            [{"field": "grade", "op": "eq", "value": "A"}],
            [
                {"field": "country", "op": "eq", "value": "DE"},
                {"field": "source", "op": "in", "value": ["trade_show", "referral"]},
            ],
        ]
    )
    with after_commit():
        _lead(world, company_name="One", grade="A")
        _lead(world, company_name="Two", country="DE", source="referral")
        _lead(world, company_name="Three", country="DE", source="web_form")
    assert outcomes(rule) == ["done", "done", "not_met"]
    not_met = rule.runs.get(outcome="not_met")
    assert not_met.conditions_result[1][1]["ok"] is False
    assert not_met.conditions_result[1][1]["actual"] == "web_form"
    assert not_met.actions_result == []
