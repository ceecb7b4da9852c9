"""The workspace's pool policy (CustomerPolicy) as a service: validated, audited, shared by the
pool settings page and `PATCH /api/v1/customers/policy`. A partial update: keys not given keep
their value."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .models_pool import CustomerPolicy

# Whole numbers and their largest value (0 switches a rule off).
NUMBERS: dict[str, int] = {
    "holding_cap": 100_000,
    "daily_claim_limit": 10_000,
    "release_cooldown_days": 3650,
    "recycle_no_followup_days": 3650,
    "recycle_no_opportunity_days": 3650,
    "warn_days_before": 365,
}
FLAGS = ("recycle_signed",)
REASON_MAX = 200
REASONS_MAX = 50
FIELDS = [*NUMBERS, *FLAGS, "lost_reasons"]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key in NUMBERS:
            if isinstance(value, bool) or (
                not isinstance(value, int)
                and not (isinstance(value, str) and value.strip().isdigit())
            ):
                errors[key] = [_("Enter a whole number, 0 or more.")]
            elif not 0 <= int(value) <= NUMBERS[key]:
                errors[key] = [_("Enter a number from 0 to %(max)s.") % {"max": NUMBERS[key]}]
            else:
                cleaned[key] = int(value)
        elif key in FLAGS:
            if not isinstance(value, bool):
                errors[key] = [_("Enter yes or no.")]
            else:
                cleaned[key] = value
        elif key == "lost_reasons":
            reasons = _reasons(value)
            if reasons is None:
                errors[key] = [
                    _("Give at most %(count)s reasons of %(max)s characters or fewer each.")
                    % {"count": REASONS_MAX, "max": REASON_MAX}
                ]
            else:
                cleaned[key] = reasons
        else:
            errors[key] = [_("Unknown setting.")]
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return cleaned


def _reasons(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    seen: list[str] = []
    for line in (v.strip() for v in value):
        if len(line) > REASON_MAX:
            return None
        if line and line not in seen:
            seen.append(line)
    return seen if len(seen) <= REASONS_MAX else None


@transaction.atomic
def customer_policy_update(*, actor: Actor, **values: Any) -> CustomerPolicy:
    """Change some of the pool rules; refuses the whole change with field errors when one is bad."""
    require(actor, Perm.WORKSPACE_MANAGE)
    cleaned = _clean(values)
    policy = CustomerPolicy.for_workspace(actor.workspace)
    policy = CustomerPolicy.objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy, FIELDS)
    for key, value in cleaned.items():
        setattr(policy, key, value)
    changes = audit.diff(before, audit.snapshot(policy, FIELDS))
    if changes:
        policy.save(update_fields=list(changes))
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=policy, changes=changes)
        emit("customer.policy_updated", workspace_id=actor.workspace.pk, fields=sorted(changes))
    return policy
