"""record(): one append-only row per change, written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from tradewind.core.bulk_write import write_values

from .actors import Actor
from .choices import AuditVerb
from .models import AuditEvent


def to_json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)  # e.g. a Country, which reads as its code


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Field values as JSON, foreign keys as their id (`owner` reads `owner_id`)."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = to_json(getattr(instance, attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def target_type(instance: models.Model) -> str:
    return getattr(instance, "AUDIT_TYPE", "") or instance._meta.label_lower


def _actor_label(actor: Actor) -> str:
    return actor.label or (str(actor.user) if actor.user else "")


def record(
    *,
    actor: Actor,
    verb: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    action: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        workspace=actor.workspace,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_token_id=actor.token_id,
        actor_label=_actor_label(actor),
        verb=verb,
        action=action,
        target_type=target_type(target),
        target_id=target.pk,
        target_repr=str(target)[:200],
        changes=changes or {},
    )


AUDIT_FIELDS = (
    "workspace",
    "created_at",
    "actor_kind",
    "actor_user",
    "actor_token",
    "actor_label",
    "verb",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "changes",
)


def record_many(
    *, actor: Actor, verb: str, action: str, target_type: str, rows: list[tuple[int, str, dict]]
) -> int:
    """One row per target, all in one bulk write (rows: target id, repr, changes); returns how
    many. No model instances: an import routing 50,000 leads spent more building them than
    writing."""
    if not rows:
        return 0
    stamp = AuditEvent._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    changes_field = AuditEvent._meta.get_field("changes")
    head = [actor.workspace.pk, stamp, actor.kind, actor.user_id, actor.token_id]
    label = _actor_label(actor)
    write_values(
        AuditEvent,
        AUDIT_FIELDS,
        [
            [
                *head,
                label,
                verb,
                action,
                target_type,
                target_id,
                text[:200],
                changes_field.get_db_prep_save(changes, connection),
            ]
            for target_id, text, changes in rows
        ],
    )
    return len(rows)


def record_create(*, actor: Actor, target: models.Model, fields: list[str]) -> AuditEvent:
    values = snapshot(target, fields)
    return record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=target,
        changes={k: [None, v] for k, v in values.items() if v not in (None, "", [], {})},
    )


def apply_changes(
    instance: models.Model,
    cleaned: dict[str, Any],
    fields: list[str],
    values: Callable[[models.Model, list[str]], dict[str, Any]] = snapshot,
) -> dict[str, list[Any]]:
    """Sets the cleaned values on `instance` (unsaved) and returns what changed among the audited
    `fields`, read through `values`; {} when the edit changes nothing worth a new version."""
    before = values(instance, fields)
    for key, value in cleaned.items():
        setattr(instance, key, value)
    return diff(before, values(instance, fields))


def save_update(*, actor: Actor, target: Any, changes: dict[str, list[Any]]) -> None:
    """Saves an edited record as its next version (optimistic locking reads `version`) and records
    the changes in its history."""
    target.version += 1
    target.updated_at = timezone.now()
    target.save()
    record(actor=actor, verb=AuditVerb.UPDATE, target=target, changes=changes)
