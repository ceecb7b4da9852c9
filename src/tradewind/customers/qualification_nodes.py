"""Admin writes of the follow-up node sequence: add, rename, (de)activate, reorder. Audited."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .models_qualification import FollowUpNode
from .qualification import QualificationError, nodes_of

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
EDITABLE = ["label_en", "label_zh", "active", "position"]


def _labels(data: dict[str, Any], current: FollowUpNode | None) -> dict[str, Any]:
    cleaned = {k: v for k, v in data.items() if v is not None}
    for name in ("label_en", "label_zh"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name]).strip()[:80]
    en = cleaned.get("label_en", current.label_en if current else "")
    zh = cleaned.get("label_zh", current.label_zh if current else "")
    if not (en or zh):
        raise ServiceError(
            QualificationError.INVALID,
            _("Please correct the marked fields."),
            fields={"label_en": [_("Give the node a label in at least one language.")]},
        )
    return cleaned


@transaction.atomic
def followup_node_create(
    *, actor: Actor, label_en: str = "", label_zh: str = "", key: str = ""
) -> FollowUpNode:
    require(actor, Perm.WORKSPACE_MANAGE)
    cleaned = _labels({"label_en": label_en, "label_zh": label_zh}, None)
    existing = nodes_of(actor.workspace, include_inactive=True)
    key = (key or slugify(label_en).replace("-", "_"))[:40]
    if not KEY.fullmatch(key or ""):
        key = f"node_{len(existing) + 1}"
    if any(n.key == key for n in existing):
        raise Conflict(
            QualificationError.INVALID,
            _("Please correct the marked fields."),
            fields={"key": [_("This key is taken.")]},
        )
    position = (
        FollowUpNode.objects.filter(workspace=actor.workspace).aggregate(m=Max("position"))["m"]
        or 0
    ) + 1
    now = timezone.now()
    node = FollowUpNode.objects.create(
        workspace=actor.workspace,
        key=key,
        position=position,
        created_at=now,
        updated_at=now,
        **cleaned,
    )
    audit.record_create(
        actor=actor, target=node, fields=["key", "label_en", "label_zh", "position"]
    )
    emit("followup_node.created", workspace_id=actor.workspace.pk, node_id=node.pk)
    return node


@transaction.atomic
def followup_node_update(*, actor: Actor, node: FollowUpNode, **data: Any) -> FollowUpNode:
    """Rename, (de)activate or move to `position` (1-based; the others shift)."""
    require(actor, Perm.WORKSPACE_MANAGE)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = FollowUpNode.objects.select_for_update().get(pk=node.pk, workspace=actor.workspace)
    position = data.pop("position", None)
    cleaned = _labels(data, current)
    changes = audit.apply_changes(current, cleaned, ["label_en", "label_zh", "active"])
    if position is not None:
        rows = [n for n in nodes_of(actor.workspace, include_inactive=True) if n.pk != current.pk]
        index = max(0, min(int(position) - 1, len(rows)))
        rows.insert(index, current)
        for number, row in enumerate(rows, start=1):
            if row.position != number:
                if row.pk == current.pk:
                    changes["position"] = [row.position, number]
                    current.position = number
                else:
                    FollowUpNode.objects.filter(pk=row.pk).update(position=number)
    if changes:
        audit.save_update(actor=actor, target=current, changes=changes)
        emit("followup_node.updated", workspace_id=actor.workspace.pk, node_id=current.pk)
    return current
