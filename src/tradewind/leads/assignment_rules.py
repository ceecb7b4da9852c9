"""Services that edit the ordered assignment rules (settings pages, WORKSPACE_MANAGE)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Team
from tradewind.workspaces.permissions import Perm

from .assignment import eligible_owner
from .assignment_engine import clean_conditions
from .models_webforms import AssignmentAction, AssignmentRule

RULE_EDITABLE = ["name", "is_active", "conditions", "action", "target_user", "target_team"]


def _clean(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(RULE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[Any]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    action = data.get("action") or ""
    if action not in AssignmentAction.values:
        errors["action"] = [_("Choose what the rule does.")]
    user_id = data.get("target_user")
    team_id = data.get("target_team")
    user_id = getattr(user_id, "pk", user_id)
    team_id = getattr(team_id, "pk", team_id)
    if action == AssignmentAction.USER:
        if not user_id:
            errors["target_user"] = [_("Choose the member who gets the leads.")]
        else:
            try:
                eligible_owner(workspace=actor.workspace, owner_id=int(user_id))
            except ServiceError:
                errors["target_user"] = [
                    _("Choose an active member of this workspace who works leads.")
                ]
        team_id = None
    elif action in (AssignmentAction.ROUND_ROBIN, AssignmentAction.LEAST_LOADED):
        if not team_id or not Team.objects.filter(workspace=actor.workspace, pk=team_id).exists():
            errors["target_team"] = [_("Choose the team whose members share the leads.")]
        user_id = None
    else:
        user_id = team_id = None
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return {
        "name": name,
        "is_active": bool(data.get("is_active", True)),
        "conditions": clean_conditions(data.get("conditions") or {}),
        "action": action,
        "target_user_id": user_id or None,
        "target_team_id": team_id or None,
    }


@transaction.atomic
def assignment_rule_create(*, actor: Actor, **data: Any) -> AssignmentRule:
    require(actor, Perm.WORKSPACE_MANAGE)
    cleaned = _clean(actor, data)
    last = AssignmentRule.objects.filter(workspace=actor.workspace).aggregate(m=Max("position"))
    rule = AssignmentRule.objects.create(
        workspace=actor.workspace, position=(last["m"] or 0) + 1, **cleaned
    )
    audit.record_create(actor=actor, target=rule, fields=RULE_EDITABLE)
    return rule


@transaction.atomic
def assignment_rule_update(*, actor: Actor, rule: AssignmentRule, **data: Any) -> AssignmentRule:
    require(actor, Perm.WORKSPACE_MANAGE)
    current = AssignmentRule.objects.select_for_update().get(pk=rule.pk, workspace=actor.workspace)
    cleaned = _clean(actor, data)
    changes = audit.apply_changes(current, cleaned, RULE_EDITABLE)
    if changes:
        if "target_team" in changes or "action" in changes:
            current.last_user_id = None
        audit.save_update(actor=actor, target=current, changes=changes)
    return current


@transaction.atomic
def assignment_rule_delete(*, actor: Actor, rule: AssignmentRule) -> None:
    require(actor, Perm.WORKSPACE_MANAGE)
    audit.record(
        actor=actor, verb=AuditVerb.DELETE, target=rule, changes={"name": [rule.name, None]}
    )
    AssignmentRule.objects.filter(pk=rule.pk, workspace=actor.workspace).delete()


@transaction.atomic
def assignment_rules_reorder(*, actor: Actor, rule_ids: list[int]) -> list[AssignmentRule]:
    """Put the rules in the given order (ids of this workspace; the rest keep theirs, after)."""
    require(actor, Perm.WORKSPACE_MANAGE)
    rules = list(
        AssignmentRule.objects.select_for_update()
        .filter(workspace=actor.workspace)
        .order_by("position", "id")
    )
    by_id = {r.pk: r for r in rules}
    wanted = [by_id[i] for i in dict.fromkeys(rule_ids) if i in by_id]
    ordered = wanted + [r for r in rules if r not in wanted]
    changed = []
    for position, rule in enumerate(ordered, start=1):
        if rule.position != position:
            rule.position = position
            changed.append(rule)
    if changed:
        AssignmentRule.objects.bulk_update(changed, ["position"])
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="rules_reordered",
            target=ordered[0],
            changes={"order": [None, [r.pk for r in ordered]]},
        )
    return ordered


def assignment_rule_move(*, actor: Actor, rule: AssignmentRule, up: bool) -> list[AssignmentRule]:
    """One step up or down (the keyboard-friendly alternative to dragging)."""
    ids = list(
        AssignmentRule.objects.filter(workspace=actor.workspace)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    i = ids.index(rule.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return assignment_rules_reorder(actor=actor, rule_ids=ids)
