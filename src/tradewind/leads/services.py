from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm

from .assignment import ASSIGN_BY_RULES, record_routed, route_one
from .capture import EDITABLE, clean_lead
from .dedupe import Match, find_duplicates
from .errors import LeadCaptureError
from .models import Lead
from .scoring import score_leads


class DuplicateFound(Conflict):
    """The lead looks like one the workspace already has; the caller may confirm and retry."""

    def __init__(self, matches: list[Match]) -> None:
        lines = {
            f"{m.code}": [
                f"{m.company_name} · {m.owner_name or _('lead pool')} · {', '.join(m.reason_labels)}"
            ]
            for m in matches
        }
        super().__init__(
            LeadCaptureError.DUPLICATE,
            _(
                "This looks like a lead the workspace already has. Check the matches, or confirm to create it anyway."
            ),
            fields=lines,
        )
        self.matches = matches


def _score(actor: Actor, lead: Lead) -> None:
    """Score (and maybe grade) the lead by the workspace's rules; see leads/scoring.py."""
    scored = score_leads(workspace=actor.workspace, lead_ids=[lead.pk]).get(lead.pk)
    if scored is not None:
        lead.score, lead.grade = scored


@transaction.atomic
def lead_create(*, actor: Actor, allow_duplicates: bool = False, **data: Any) -> Lead:
    """Create a lead. Unless `allow_duplicates`, a likely duplicate (撞单) refuses with the matches."""
    require(actor, Perm.LEAD_CREATE)
    # No owner given (or "rules" chosen on the page): the assignment rules decide; when none
    # fires, the member who captured it keeps it (system actors: the pool). docs/leads-webforms-assignment.md
    by_rules = "owner" not in data or data["owner"] == ASSIGN_BY_RULES
    if by_rules:
        data["owner"] = None
    data.setdefault("company_name", "")
    cleaned = clean_lead(
        workspace=actor.workspace, data=data, check_custom=actor.member is not None
    )
    if not allow_duplicates:
        matches = find_duplicates(workspace=actor.workspace, keys=cleaned)
        if matches:
            raise DuplicateFound(matches)
    lead = Lead(
        workspace=actor.workspace, code=code_next(workspace=actor.workspace, kind="lead"), **cleaned
    )
    decision = route_one(workspace=actor.workspace, lead=lead) if by_rules else None
    if by_rules:
        lead.owner_id = decision.owner_id if decision is not None else actor.user_id
    lead.grade_set_by_hand = bool(cleaned.get("grade")) or None  # given at capture: by hand
    lead.save()
    audit.record_create(actor=actor, target=lead, fields=["code", *EDITABLE, "custom"])
    _score(actor, lead)
    emit("lead.created", workspace_id=actor.workspace.pk, lead_id=lead.pk)
    if decision is not None:
        record_routed(actor=actor, lead=lead, decision=decision)
    return lead


@transaction.atomic
def lead_update(*, actor: Actor, lead: Lead, version: int | None = None, **data: Any) -> Lead:
    """Optimistic locking: pass the version the editor saw; a newer one refuses the write."""
    require(actor, Perm.LEAD_EDIT)
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    cleaned = clean_lead(workspace=actor.workspace, data=data, existing=current)
    if "owner_id" in cleaned and cleaned["owner_id"] != current.owner_id:
        # Handing a lead on is lead_assign's (or lead_release's) to do: an edit must not skip them.
        require(actor, Perm.LEAD_ASSIGN)
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this lead since you opened it. Reload to see their changes."),
        )
    changes = audit.apply_changes(current, cleaned, [*EDITABLE, "custom"])
    if not changes:
        return current
    if "grade" in changes:  # chosen by hand; cleared: the suggestion decides again
        current.grade_set_by_hand = bool(current.grade)
    audit.save_update(actor=actor, target=current, changes=changes)
    _score(actor, current)
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
