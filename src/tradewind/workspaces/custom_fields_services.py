"""Writes of custom field definitions: create, edit, deactivate/reactivate, reorder. Admins only
(WORKSPACE_MANAGE), audited. The key and the type are fixed once created (stored values follow them)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, ServiceError

from . import audit
from .access import require
from .actors import Actor
from .choices import AuditVerb
from .errors import WorkspaceError
from .events import emit
from .models_custom_fields import (
    CHOICE_TYPES,
    CustomFieldDefinition,
    CustomFieldTarget,
    CustomFieldType,
)
from .permissions import Perm

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
EDITABLE = ["label_en", "label_zh", "choices", "required", "help_text", "active"]
AUDITED = ["target", "key", "type", *EDITABLE, "position"]
MAX_FIELDS = 100
MAX_CHOICES = 200


def _invalid(errors: dict[str, list[Any]]) -> ServiceError:
    return ServiceError(
        WorkspaceError.CUSTOM_FIELD_INVALID, _("Please correct the marked fields."), fields=errors
    )


def parse_choices(raw: Any, previous: list[dict] | None = None) -> list[dict[str, str]]:
    """Choices from text (one a line, "English | 中文") or a list (strings or {value, en, zh}).
    A choice keeps its stored value when a line names it by value or label, so a relabelled
    choice does not orphan the values records hold."""
    previous = previous or []
    if isinstance(raw, str):
        items: list[Any] = [line for line in raw.splitlines() if line.strip()]
    else:
        items = list(raw or [])
    known: dict[str, str] = {}
    for choice in previous:
        for word in (choice.get("value"), choice.get("en"), choice.get("zh")):
            if word:
                known[str(word).strip().lower()] = choice["value"]
    result: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            en, zh = str(item.get("en") or "").strip(), str(item.get("zh") or "").strip()
            value = str(item.get("value") or "").strip()
        else:
            en, _sep, zh = str(item).partition("|")
            en, zh, value = en.strip(), zh.strip(), ""
        if not (en or zh or value):
            continue
        value = (value or known.get(en.lower()) or known.get(zh.lower()) or (en or zh))[:80]
        if value.lower() in seen:
            continue
        seen.add(value.lower())
        result.append({"value": value, "en": en[:80], "zh": zh[:80]})
    return result


def _clean(data: dict[str, Any], current: CustomFieldDefinition | None) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned = dict(data)
    for name in ("label_en", "label_zh", "help_text"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()[: 200 if name == "help_text" else 80]
    label_en = cleaned.get("label_en", current.label_en if current else "")
    label_zh = cleaned.get("label_zh", current.label_zh if current else "")
    if not (label_en or label_zh):
        errors["label_en"] = [_("Give the field a label in at least one language.")]
    kind = current.type if current else cleaned.get("type", "")
    if current is None:
        if cleaned.get("target") not in CustomFieldTarget.values:
            errors["target"] = [_("Choose a record type from the list.")]
        if kind not in CustomFieldType.values:
            errors["type"] = [_("Choose a field type from the list.")]
        key = str(cleaned.get("key") or "").strip().lower()
        if not key:
            key = slugify(label_en).replace("-", "_")[:40]
            key = key if KEY.fullmatch(key or "") else ""
        if key and not KEY.fullmatch(key):
            errors["key"] = [
                _("A key is lower-case letters, digits and _, starting with a letter.")
            ]
        cleaned["key"] = key
    if "choices" in cleaned or current is None:
        previous = current.choices if current else []
        cleaned["choices"] = (
            parse_choices(cleaned.get("choices"), previous) if kind in CHOICE_TYPES else []
        )
        if kind in CHOICE_TYPES and not cleaned["choices"]:
            errors["choices"] = [_("A choice field needs at least one choice.")]
        if len(cleaned["choices"]) > MAX_CHOICES:
            errors["choices"] = [_("At most %(n)s choices.") % {"n": MAX_CHOICES}]
    for flag in ("required", "active"):
        if flag in cleaned:
            cleaned[flag] = bool(cleaned[flag])
    if errors:
        raise _invalid(errors)
    return cleaned


@transaction.atomic
def custom_field_create(
    *,
    actor: Actor,
    target: str,
    type: str,
    label_en: str = "",
    label_zh: str = "",
    key: str = "",
    choices: Any = None,
    required: bool = False,
    help_text: str = "",
) -> CustomFieldDefinition:
    require(actor, Perm.WORKSPACE_MANAGE)
    cleaned = _clean(
        {
            "target": target,
            "type": type,
            "label_en": label_en,
            "label_zh": label_zh,
            "key": key,
            "choices": choices,
            "required": required,
            "help_text": help_text,
        },
        None,
    )
    siblings = CustomFieldDefinition.objects.select_for_update().filter(
        workspace=actor.workspace, target=cleaned["target"]
    )
    if len(siblings) >= MAX_FIELDS:
        raise _invalid(
            {"__all__": [_("At most %(n)s custom fields per record type.") % {"n": MAX_FIELDS}]}
        )
    taken = {d.key for d in siblings}
    if not cleaned["key"]:
        cleaned["key"] = next(
            f"field_{n}" for n in range(1, MAX_FIELDS + 2) if f"field_{n}" not in taken
        )
    if cleaned["key"] in taken:
        raise Conflict(
            WorkspaceError.CUSTOM_FIELD_KEY_TAKEN,
            _("Please correct the marked fields."),
            fields={"key": [_("This record type already has a field with this key.")]},
        )
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    now = timezone.now()
    field = CustomFieldDefinition.objects.create(
        workspace=actor.workspace, position=position, created_at=now, updated_at=now, **cleaned
    )
    audit.record_create(actor=actor, target=field, fields=AUDITED)
    emit("custom_field.created", workspace_id=actor.workspace.pk, field_id=field.pk)
    return field


@transaction.atomic
def custom_field_update(
    *, actor: Actor, field: CustomFieldDefinition, version: int | None = None, **data: Any
) -> CustomFieldDefinition:
    """Labels, choices, required, help text and active (deactivate: the field leaves forms, lists
    and exports; records keep their values)."""
    require(actor, Perm.WORKSPACE_MANAGE)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = CustomFieldDefinition.objects.select_for_update().get(
        pk=field.pk, workspace=actor.workspace
    )
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this record since you opened it. Reload to see their changes."),
        )
    cleaned = _clean(data, current)
    changes = audit.apply_changes(current, cleaned, EDITABLE)
    if not changes:
        return current
    audit.save_update(actor=actor, target=current, changes=changes)
    emit("custom_field.updated", workspace_id=actor.workspace.pk, field_id=current.pk)
    return current


@transaction.atomic
def custom_field_move(
    *, actor: Actor, field: CustomFieldDefinition, direction: int
) -> CustomFieldDefinition:
    """Swap with the neighbour above (-1) or below (+1) among the fields of the same record type."""
    require(actor, Perm.WORKSPACE_MANAGE)
    if direction not in (-1, 1):
        raise _invalid({"direction": [_("Move up or down.")]})
    rows = list(
        CustomFieldDefinition.objects.select_for_update()
        .filter(workspace=actor.workspace, target=field.target)
        .order_by("position", "id")
    )
    index = next(i for i, row in enumerate(rows) if row.pk == field.pk)
    other = index + direction
    if not 0 <= other < len(rows):
        return rows[index]
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            old = row.position
            row.position = position
            row.save(update_fields=["position"])
            if row.pk == field.pk:
                audit.record(
                    actor=actor,
                    verb=AuditVerb.UPDATE,
                    target=row,
                    changes={"position": [old, position]},
                )
    return next(row for row in rows if row.pk == field.pk)
