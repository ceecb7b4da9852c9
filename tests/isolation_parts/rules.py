"""Workflow rules in the isolation walk: a rule of workspace A (with the rep's lead in its name,
so a leak shows) and one run of it. Rules are workspace configuration: only the other workspace
is an outsider for their API ids; a member without AUTOMATION_MANAGE gets 403 for every id
(tests/automation/test_authorization.py)."""

from __future__ import annotations

ROUTES = dict.fromkeys(
    [
        "automation:rule_edit",
        "automation:rule_toggle",
        "automation:rule_delete",
        "automation:rule_test",
        "automation:rule_runs",
    ],
    "workflow_rule",
)
API = {"workflow_rule_id": "workflow_rule", "rule_run_id": "rule_run"}
WORKSPACE_WIDE = {"workflow_rule_id", "rule_run_id"}


def objects(world) -> dict:
    from tradewind.automation.models import RuleRun, WorkflowRule

    rule, _new = WorkflowRule.objects.get_or_create(
        workspace=world.ws,
        name="ALPHA-EAST-SECRET rule",
        defaults={
            "record_type": "lead",
            "trigger": "created",
            "actions": [{"type": "notify", "to": "owner", "message": "ALPHA-EAST-SECRET"}],
            "created_by": world.owner.user,
        },
    )
    run, _new = RuleRun.objects.get_or_create(
        run_key="walker-run",
        defaults={
            "workspace": world.ws,
            "rule": rule,
            "record_type": "lead",
            "record_id": world.lead.pk,
            "record_label": "ALPHA-EAST-SECRET GmbH",
            "event": "lead.created",
            "outcome": "done",
        },
    )
    return {"workflow_rule": rule, "rule_run": run}


def state(world) -> tuple:
    from tradewind.automation.models import RuleRun, WorkflowRule

    return (
        list(
            WorkflowRule.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "is_active", "name")
        ),
        list(
            RuleRun.objects.filter(workspace=world.ws).order_by("pk").values_list("pk", "outcome")
        ),
    )
