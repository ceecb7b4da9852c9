"""Merging two or more leads into one (item 4): a field-by-field choice, nothing lost.

The survivor takes the chosen value of each field (tags are united unless chosen); every row that
points at a merged lead (follow-ups, claims, and any later relation: imports, web-form submissions,
scores) is repointed to the survivor, so counts before = counts after. The merged leads are then
deleted: each leaves a `delete` audit row with its values and the survivor's code, and the survivor's
`merged` audit row lists their ids, so its history panel shows their history too (audit rows are
append-only and keep their own target ids).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import AuditEvent, Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS, HistoryRow, history_for

from .capture import EDITABLE
from .choices import LeadStatus
from .models import Lead
from .services import lead_update

ACTION_LABELS.setdefault("merged", gettext_lazy("merged leads into this one"))
FACT_LABELS.setdefault("merged_leads", gettext_lazy("merged leads"))
FACT_LABELS.setdefault("merged_into", gettext_lazy("merged into"))
FACT_LABELS.setdefault("rows_moved", gettext_lazy("records moved"))

MERGE_FIELDS = list(EDITABLE)  # what the choice table offers, in the capture form's order
MAX_LEADS = 10


class LeadMergeError(StrEnum):
    TOO_FEW = "merge_too_few"
    TOO_MANY = "merge_too_many"
    CONVERTED = "merge_converted"
    UNKNOWN_FIELD = "merge_unknown_field"
    BAD_SOURCE = "merge_bad_source"
    OTHER_OWNER = "merge_other_owner"


def _leads_for(actor: Actor) -> Any:
    if actor.member is None:
        return Lead.objects.filter(workspace=actor.workspace)
    return Lead.objects.visible_to(actor.member)


def field_value(lead: Lead, name: str) -> Any:
    """A lead's value of a mergeable field, as the service takes it."""
    if name == "owner":
        return lead.owner_id
    if name == "country":
        return lead.country.code if lead.country else ""
    return getattr(lead, name)


def _check_ids(survivor_id: int, merged_ids: list[int]) -> list[int]:
    merged = [int(i) for i in dict.fromkeys(merged_ids) if int(i) != int(survivor_id)]
    if not merged:
        raise ServiceError(
            LeadMergeError.TOO_FEW,
            _("Choose at least one other lead to merge into this one."),
            fields={"merged_ids": [_("Choose at least one other lead.")]},
        )
    if len(merged) + 1 > MAX_LEADS:
        raise ServiceError(
            LeadMergeError.TOO_MANY,
            _("Merge at most %(n)s leads at a time.") % {"n": MAX_LEADS},
        )
    return merged


def _check_choices(choices: dict[str, Any], ids: set[int]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    errors: dict[str, list[Any]] = {}
    for name, source in (choices or {}).items():
        if name not in MERGE_FIELDS:
            errors[name] = [_("This field cannot be chosen in a merge.")]
            continue
        try:
            source_id = int(source)
        except (TypeError, ValueError):
            source_id = -1
        if source_id not in ids:
            errors[name] = [_("Choose one of the merged leads for this field.")]
        else:
            cleaned[name] = source_id
    if errors:
        code = (
            LeadMergeError.UNKNOWN_FIELD
            if any(n not in MERGE_FIELDS for n in errors)
            else LeadMergeError.BAD_SOURCE
        )
        raise ServiceError(code, _("Please correct the marked fields."), fields=errors)
    return cleaned


def _generic_models() -> list[type[models.Model]]:
    """Models that point at any record by (target_type, target_id), except the audit trail."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if {"target_type", "target_id"} <= names and model is not AuditEvent:
            found.append(model)
    return found


def _repoint(survivor: Lead, merged: list[int]) -> dict[str, int]:
    """Every row that points at a merged lead now points at the survivor. Counts per relation."""
    moved: dict[str, int] = {}
    # include_hidden: relations declared with related_name="+" count too.
    for rel in Lead._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if rel.one_to_one:
            if model.objects.filter(**{rel.field.name: survivor}).exists():
                continue  # the survivor has its own; the merged lead's goes with it
            row = model.objects.filter(**{f"{rel.field.name}__in": merged}).first()
            count = (
                model.objects.filter(pk=row.pk).update(**{rel.field.name: survivor}) if row else 0
            )
        else:
            count = model.objects.filter(**{f"{rel.field.name}__in": merged}).update(
                **{rel.field.name: survivor}
            )
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    for model in _generic_models():
        count = model.objects.filter(
            workspace_id=survivor.workspace_id, target_type="lead", target_id__in=merged
        ).update(target_id=survivor.pk)
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    return moved


@transaction.atomic
def leads_merge(
    *,
    actor: Actor,
    survivor_id: int,
    merged_ids: list[int],
    choices: dict[str, Any] | None = None,
) -> Lead:
    """Merge `merged_ids` into `survivor_id`. `choices` maps a field to the id of the lead whose
    value the survivor keeps (unnamed fields keep the survivor's own; tags are united). Leads the
    actor cannot see answer 404; taking a lead out of another owner's hands needs lead.assign."""
    require(actor, Perm.LEAD_EDIT)
    merged_ids = _check_ids(survivor_id, merged_ids)
    all_ids = [int(survivor_id), *merged_ids]
    leads = {lead.pk: lead for lead in _leads_for(actor).select_for_update().filter(pk__in=all_ids)}
    if len(leads) != len(all_ids):
        raise NotFound("not_found", _("Not found."))
    survivor = leads[int(survivor_id)]
    others = [leads[i] for i in merged_ids]
    if any(lead.status == LeadStatus.CONVERTED for lead in leads.values()):
        raise Conflict(
            LeadMergeError.CONVERTED,
            _("A converted lead cannot be merged: it already became a customer."),
        )
    keeper = survivor.owner_id
    if any(o.owner_id not in (None, keeper, actor.user_id) for o in others) and not (
        actor.member is None or actor.member.has(Perm.LEAD_ASSIGN)
    ):
        raise PermissionDenied(
            LeadMergeError.OTHER_OWNER,
            _("One of these leads belongs to someone else; ask a manager to merge them."),
        )
    chosen = _check_choices(choices or {}, set(all_ids))

    data: dict[str, Any] = {}
    for name, source_id in chosen.items():
        value = field_value(leads[source_id], name)
        if value != field_value(survivor, name):
            data["owner" if name == "owner" else name] = value
    if "tags" not in chosen:
        united = sorted({t for lead in leads.values() for t in (lead.tags or [])})
        if united != sorted(survivor.tags or []):
            data["tags"] = united
    if data:
        survivor = lead_update(actor=actor, lead=survivor, **data)

    moved = _repoint(survivor, merged_ids)
    dates: dict[str, Any] = {}
    for name, pick in (
        ("last_activity_at", max),
        ("first_contacted_at", min),
        ("next_due_at", min),
    ):
        values = [getattr(lead, name) for lead in leads.values() if getattr(lead, name)]
        if values and pick(values) != getattr(survivor, name):
            dates[name] = pick(values)
    now = timezone.now()
    Lead.objects.filter(pk=survivor.pk).update(
        **dates, version=survivor.version + 1, updated_at=now
    )
    survivor.refresh_from_db()

    for other in others:
        snapshot = audit.snapshot(other, ["code", *EDITABLE])
        audit.record(
            actor=actor,
            verb=AuditVerb.DELETE,
            target=other,
            changes={
                **{k: [v, None] for k, v in snapshot.items() if v not in (None, "", [])},
                "merged_into": [None, survivor.code],
            },
        )
    Lead.objects.filter(pk__in=merged_ids, workspace=actor.workspace).delete()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="merged",
        target=survivor,
        changes={
            "merged_leads": [None, ", ".join(o.code for o in others)],
            "merged_ids": {"ids": merged_ids},  # not a [before, after] pair: no history row
            **({"rows_moved": [None, sum(moved.values())]} if moved else {}),
        },
    )
    emit(
        "leads.merged",
        workspace_id=actor.workspace.pk,
        lead_id=survivor.pk,
        merged_ids=merged_ids,
        moved=moved,
    )
    return survivor


def merged_ids_of(lead: Lead, depth: int = 3) -> list[int]:
    """Ids of the leads merged into `lead` (and into those, a few levels deep)."""
    found: list[int] = []
    frontier = [lead.pk]
    for _level in range(depth):
        events = AuditEvent.objects.filter(
            workspace_id=lead.workspace_id,
            target_type="lead",
            target_id__in=frontier,
            action="merged",
        )
        frontier = [
            int(i) for e in events for i in (e.changes.get("merged_ids") or {}).get("ids", [])
        ]
        if not frontier:
            break
        found += frontier
    return found


def merged_history(
    lead: Lead, member: Membership | None = None
) -> list[tuple[str, list[HistoryRow]]]:
    """The history of every lead merged into `lead`, as (code, rows), for the survivor's page.
    The caller fetched `lead` through visible_to(); the merged leads' history comes with it."""
    result = []
    for pk in merged_ids_of(lead):
        ghost = Lead(pk=pk, workspace_id=lead.workspace_id)
        rows = history_for(target=ghost, user_fields=("owner",))
        code = next(
            (
                e.target_repr.split(" ", 1)[0]
                for e in AuditEvent.objects.filter(
                    workspace_id=lead.workspace_id, target_type="lead", target_id=pk
                ).order_by("-id")[:1]
            ),
            str(pk),
        )
        result.append((code, rows))
    return result
