"""Helpers of the workflow rule tests: rules made through the service, events run after commit."""

from __future__ import annotations

from typing import Any

import pytest

from tradewind.automation.models import RuleRun, WorkflowRule
from tradewind.automation.services import workflow_rule_create
from tradewind.workspaces.actors import Actor


def notify_owner(message: str = "Look at {record}") -> dict[str, Any]:
    return {"type": "notify", "to": "owner", "message": message}


@pytest.fixture
def make_rule(world):
    """make_rule(record_type=..., trigger=..., actions=[...], ...) -> an active rule of the
    workspace's owner."""

    def make(**data: Any) -> WorkflowRule:
        data.setdefault("name", "Rule")
        data.setdefault("record_type", "lead")
        data.setdefault("trigger", "created")
        data.setdefault("actions", [notify_owner()])
        data.setdefault("is_active", True)
        return workflow_rule_create(actor=Actor.for_member(world.owner), **data)

    return make


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit(): ...` runs the block's on-commit callbacks (events, job rings) at its
    end, as a real commit would; huey is immediate in tests, so queued rule runs run then."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


def runs(rule: WorkflowRule) -> list[RuleRun]:
    return list(RuleRun.objects.filter(rule=rule).order_by("pk"))


def outcomes(rule: WorkflowRule) -> list[str]:
    return [r.outcome for r in runs(rule)]
