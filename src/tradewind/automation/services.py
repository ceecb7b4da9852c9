"""Writes of workflow rules: create, update, switch on/off, delete. Everything needs
AUTOMATION_MANAGE (checked before the lookup: a missing verb is 403 for every id); a rule of
another workspace is 404. Edits carry the version the editor saw (optimistic locking)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .definition import clean_definition
from .models import WorkflowRule
from .selectors import as_pk

AUDIT_FIELDS = [
    "name",
    "description",
    "record_type",
    "is_active",
    "trigger",
    "trigger_field",
    "trigger_value",
    "offset_days",
    "conditions",
    "actions",
    "max_runs_per_hour",
]


def _locked(actor: Actor, rule_id: Any) -> WorkflowRule:
    rule = (
        WorkflowRule.objects.select_for_update()
        .filter(workspace_id=actor.workspace.pk, pk=as_pk(rule_id))
        .first()
    )
    if rule is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return rule


@transaction.atomic
def workflow_rule_create(*, actor: Actor, **data: Any) -> WorkflowRule:
    """A new rule (off unless `is_active`); the definition is validated as a whole."""
    require(actor, Perm.AUTOMATION_MANAGE)
    cleaned = clean_definition(workspace=actor.workspace, data=data)
    rule = WorkflowRule.objects.create(
        workspace=actor.workspace, created_by_id=actor.user_id, **cleaned
    )
    audit.record_create(actor=actor, target=rule, fields=AUDIT_FIELDS)
    emit("workflow_rule.created", workspace_id=actor.workspace.pk, workflow_rule_id=rule.pk)
    return rule


@transaction.atomic
def workflow_rule_update(
    *, actor: Actor, rule_id: Any, version: int | None = None, **data: Any
) -> WorkflowRule:
    """Replace the rule's definition; a stale `version` refuses (409)."""
    require(actor, Perm.AUTOMATION_MANAGE)
    current = _locked(actor, rule_id)
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this rule since you opened it. Reload to see their changes."),
        )
    data.setdefault("is_active", current.is_active)
    cleaned = clean_definition(workspace=actor.workspace, data=data)
    changes = audit.apply_changes(current, cleaned, AUDIT_FIELDS)
    if not changes:
        return current
    audit.save_update(actor=actor, target=current, changes=changes)
    emit(
        "workflow_rule.updated",
        workspace_id=actor.workspace.pk,
        workflow_rule_id=current.pk,
        fields=sorted(changes),
    )
    return current


@transaction.atomic
def workflow_rule_set_active(*, actor: Actor, rule_id: Any, active: bool) -> WorkflowRule:
    require(actor, Perm.AUTOMATION_MANAGE)
    current = _locked(actor, rule_id)
    if current.is_active == bool(active):
        return current
    changes = audit.apply_changes(current, {"is_active": bool(active)}, ["is_active"])
    audit.save_update(actor=actor, target=current, changes=changes)
    emit(
        "workflow_rule.updated",
        workspace_id=actor.workspace.pk,
        workflow_rule_id=current.pk,
        fields=["is_active"],
    )
    return current


@transaction.atomic
def workflow_rule_delete(*, actor: Actor, rule_id: Any) -> None:
    """Delete a rule with its run log; queued runs of it are then skipped."""
    require(actor, Perm.AUTOMATION_MANAGE)
    current = _locked(actor, rule_id)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={k: [v, None] for k, v in audit.snapshot(current, AUDIT_FIELDS).items()},
    )
    pk = current.pk
    current.delete()
    emit("workflow_rule.deleted", workspace_id=actor.workspace.pk, workflow_rule_id=pk)
