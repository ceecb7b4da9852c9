from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm

from .choices import LeadSource
from .models import Lead

EDITABLE = ["company_name", "contact_name", "email", "phone", "country", "source", "need", "owner"]


def _clean(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors: dict[str, list[Any]] = {}
    if "company_name" in cleaned and not cleaned["company_name"]:
        errors["company_name"] = [_("Enter the company name.")]
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
        cleaned["email"] = cleaned["email"].lower()
    if "source" in cleaned and cleaned["source"] not in LeadSource.values:
        errors["source"] = [_("Choose a source from the list.")]
    if "owner" in cleaned:
        owner_id = cleaned.pop("owner")
        owner_id = getattr(owner_id, "pk", owner_id)
        if (
            owner_id is not None
            and not Membership.objects.filter(
                workspace=actor.workspace, user_id=owner_id, is_active=True
            ).exists()
        ):
            errors["owner"] = [_("The owner must be an active member of this workspace.")]
        cleaned["owner_id"] = owner_id
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return cleaned


@transaction.atomic
def lead_create(*, actor: Actor, **data: Any) -> Lead:
    require(actor, Perm.LEAD_CREATE)
    data.setdefault("owner", actor.user_id)
    if not data.get("company_name"):
        data["company_name"] = ""
    cleaned = _clean(actor, data)
    lead = Lead.objects.create(
        workspace=actor.workspace, code=code_next(workspace=actor.workspace, kind="lead"), **cleaned
    )
    audit.record_create(actor=actor, target=lead, fields=["code", *EDITABLE])
    emit("lead.created", workspace_id=actor.workspace.pk, lead_id=lead.pk)
    return lead


@transaction.atomic
def lead_update(*, actor: Actor, lead: Lead, version: int | None = None, **data: Any) -> Lead:
    """Optimistic locking: pass the version the editor saw; a newer one refuses the write."""
    require(actor, Perm.LEAD_EDIT)
    cleaned = _clean(actor, data)
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this lead since you opened it. Reload to see their changes."),
        )
    before = audit.snapshot(current, EDITABLE)
    for key, value in cleaned.items():
        setattr(current, key, value)
    after = audit.snapshot(current, EDITABLE)
    changes = audit.diff(before, after)
    if not changes:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
    emit(
        "lead.updated", workspace_id=actor.workspace.pk, lead_id=current.pk, fields=sorted(changes)
    )
    return current


@transaction.atomic
def lead_delete(*, actor: Actor, lead: Lead) -> None:
    require(actor, Perm.LEAD_DELETE)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=lead,
        changes={
            k: [v, None]
            for k, v in audit.snapshot(lead, ["code", *EDITABLE]).items()
            if v not in (None, "")
        },
    )
    lead_id = lead.pk
    Lead.objects.filter(pk=lead_id, workspace=actor.workspace).delete()
    emit("lead.deleted", workspace_id=actor.workspace.pk, lead_id=lead_id)
