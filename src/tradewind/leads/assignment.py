"""Who owns a lead: manual assignment (one and bulk) and the ordered assignment rules applied on
capture. The capture paths (form, API, web form) call `route_new_leads` after creating leads
without an owner; an import decides each ownerless row before writing it (`import_router`,
`routing_record`), so the owner goes in with the INSERT instead of an UPDATE afterwards.

Rules are read once per call and decided in memory (`assignment_engine.Router`), so routing an
import chunk of 2,000 leads costs a fixed handful of queries: rules, members, one grouped count of
open leads (once per file for an import), the policy, one UPDATE per distinct new owner (none for
an import), one bulk audit insert, and one after-commit dispatch of the `lead.assigned` events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit, emit_many
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .assignment_engine import Decision, HeldLeads, Router
from .choices import OPEN_STATUSES
from .models import Lead, LeadClaim
from .models_webforms import AssignmentAction, AssignmentRule

NOTE_MAX = 500
BULK_MAX = 5000
# What the page's owner field sends for "apply the assignment rules" (lead_create understands it).
ASSIGN_BY_RULES = "rules"


class AssignmentError(StrEnum):
    LEAD_CLOSED = "lead_closed"
    OWNER_NOT_ELIGIBLE = "owner_not_eligible"
    NOTE_TOO_LONG = "note_too_long"
    TOO_MANY = "too_many"
    OWNER_CHANGED = "owner_changed"


def eligible_owner(*, workspace: Workspace, owner_id: int) -> Membership:
    """An active member of the workspace whose role may hold leads (LEAD_EDIT), else a coded error."""
    member = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, user_id=owner_id, is_active=True, user__is_active=True)
        .first()
    )
    if member is None or not member.has(Perm.LEAD_EDIT):
        raise ServiceError(
            AssignmentError.OWNER_NOT_ELIGIBLE,
            _("Please correct the marked fields."),
            fields={"owner": [_("Choose an active member of this workspace who works leads.")]},
        )
    return member


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            AssignmentError.NOTE_TOO_LONG,
            _("Please correct the marked fields."),
            fields={"note": [_("At most %(n)s characters.") % {"n": NOTE_MAX}]},
        )
    return note


def _close_claims(workspace: Workspace, lead_ids: list[int], reason: str) -> None:
    """A claim stint ends when someone else decides who holds the lead."""
    LeadClaim.objects.filter(
        workspace=workspace, lead_id__in=lead_ids, released_at__isnull=True
    ).update(released_at=timezone.now(), release_reason=reason[:200])


def _audit_rows(actor: Actor, rows: list[tuple[int, str, dict]], action: str) -> int:
    """One append-only row per lead, inserted together (rows: lead id, repr, changes)."""
    return audit.record_many(
        actor=actor, verb=AuditVerb.ACTION, action=action, target_type=Lead.AUDIT_TYPE, rows=rows
    )


# --- manual assignment -----------------------------------------------------------------------------


@transaction.atomic
def lead_assign(*, actor: Actor, lead: Lead, owner_id: int | None, note: str = "") -> Lead:
    """Hand a lead to a member (or back to the pool with None). Manual assignment is a manager's
    decision: it does not apply the holding cap (rules do)."""
    require(actor, Perm.LEAD_ASSIGN)
    ws = actor.workspace
    note = _check_note(note)
    current = Lead.objects.select_for_update().filter(pk=lead.pk, workspace=ws).first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if current.status not in OPEN_STATUSES:
        raise ServiceError(AssignmentError.LEAD_CLOSED, _("Only open leads can be assigned."))
    if owner_id is not None:
        eligible_owner(workspace=ws, owner_id=owner_id)
    previous = current.owner_id
    if previous == owner_id:
        return Lead.objects.select_related("owner").get(pk=current.pk)
    Lead.objects.filter(pk=current.pk).update(
        owner_id=owner_id, version=F("version") + 1, updated_at=timezone.now()
    )
    _close_claims(ws, [current.pk], note or "assigned")
    result = Lead.objects.select_related("owner").get(pk=current.pk)
    changes: dict = {"owner": [previous, owner_id]}
    if note:
        changes["note"] = [None, note]
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="assigned", target=result, changes=changes
    )
    emit(
        "lead.assigned",
        workspace_id=ws.pk,
        lead_id=result.pk,
        owner_id=owner_id,
        previous_owner_id=previous,
    )
    return result


@transaction.atomic
def leads_assign_bulk(*, actor: Actor, lead_ids: Iterable[int], owner_id: int | None) -> int:
    """Assign many leads at once: only the open leads the actor can see; returns how many moved."""
    require(actor, Perm.LEAD_ASSIGN)
    ws = actor.workspace
    ids = sorted({int(i) for i in lead_ids})
    if len(ids) > BULK_MAX:
        raise ServiceError(
            AssignmentError.TOO_MANY,
            _("Assign at most %(n)s leads at a time.") % {"n": BULK_MAX},
        )
    if owner_id is not None:
        eligible_owner(workspace=ws, owner_id=owner_id)
    if not ids:
        return 0
    qs = (
        Lead.objects.visible_to(actor.member) if actor.member else Lead.objects.filter(workspace=ws)
    )
    rows = list(
        qs.select_for_update()
        .filter(pk__in=ids, status__in=OPEN_STATUSES)
        .exclude(owner_id=owner_id)
        .values_list("pk", "owner_id", "code", "company_name")
        if owner_id is not None
        else qs.select_for_update()
        .filter(pk__in=ids, status__in=OPEN_STATUSES, owner__isnull=False)
        .values_list("pk", "owner_id", "code", "company_name")
    )
    if not rows:
        return 0
    moved = [r[0] for r in rows]
    Lead.objects.filter(pk__in=moved, workspace=ws).update(
        owner_id=owner_id, version=F("version") + 1, updated_at=timezone.now()
    )
    _close_claims(ws, moved, "assigned")
    _audit_rows(
        actor,
        [(pk, f"{code} {name}", {"owner": [prev, owner_id]}) for pk, prev, code, name in rows],
        "assigned",
    )
    emit_many(
        "lead.assigned",
        [
            {"workspace_id": ws.pk, "lead_id": pk, "owner_id": owner_id, "previous_owner_id": prev}
            for pk, prev, _code, _name in rows
        ],
    )
    return len(rows)


# --- rules ----------------------------------------------------------------------------------------


def _router(workspace: Workspace, *, lock: bool, held: HeldLeads | None = None) -> Router:
    rules = AssignmentRule.objects.filter(workspace=workspace, is_active=True).order_by(
        "position", "id"
    )
    if lock:
        # The round-robin cursors move under these row locks: two captures at once cannot hand
        # the same "next" member two leads while skipping another.
        rules = rules.select_for_update()
    return Router.load(workspace=workspace, rules=list(rules), held=held)


@transaction.atomic
def route_new_leads(
    *,
    workspace: Workspace,
    lead_ids: Iterable[int],
    actor: Actor,
    fallback_owner_id: int | None = None,
    held: HeldLeads | None = None,
) -> dict[int, int | None]:
    """Apply the workspace's assignment rules to freshly captured ownerless leads.

    For each lead without an owner the first matching active rule decides. A lead no rule matches
    goes to `fallback_owner_id` (the member who typed it in, for the page and API) or stays in the
    pool (None: web forms, imports). Returns {lead_id: owner_id or None (pool)}. An import passes
    the same `held` for every chunk of a file, so open leads are counted once per file.
    """
    ids = list(lead_ids)
    if not ids:
        return {}
    router = _router(workspace, lock=True, held=held)
    if not router.rules and fallback_owner_id is None:
        # No rule and nobody to fall back to: every lead stays in the pool, nothing to write.
        pool = Lead.objects.filter(workspace=workspace, pk__in=ids, owner__isnull=True)
        return dict.fromkeys(pool.values_list("pk", flat=True))
    leads = list(
        Lead.objects.filter(workspace=workspace, pk__in=ids, owner__isnull=True).only(
            "pk", "code", "company_name", "source", "country", "industry", "company_size", "grade"
        )
    )
    result: dict[int, int | None] = {}
    by_owner: dict[int, list[int]] = defaultdict(list)
    outcomes: list[Routed] = []
    for lead in leads:
        decision = router.decide(lead) if router.rules else None
        owner_id = decision.owner_id if decision is not None else fallback_owner_id
        result[lead.pk] = owner_id
        if owner_id is not None:
            by_owner[owner_id].append(lead.pk)
        outcomes.append(Routed(lead.pk, str(lead), decision, owner_id))
    now = timezone.now()
    for owner_id, owned in by_owner.items():
        Lead.objects.filter(workspace=workspace, pk__in=owned, owner__isnull=True).update(
            owner_id=owner_id, updated_at=now
        )
    routing_record(actor=actor, workspace=workspace, router=router, outcomes=outcomes)
    return result


@dataclass(frozen=True)
class Routed:
    """What routing did with one new lead: the rule's decision (None: no rule fired) and the
    owner it ended with (None: the pool)."""

    lead_id: int
    text: str
    decision: Decision | None
    owner_id: int | None


def import_router(*, workspace: Workspace, held: HeldLeads) -> Router:
    """The rules for one import chunk, locked in its transaction. The import decides each row
    before writing it (the owner goes in with the INSERT) and then calls `routing_record`."""
    return _router(workspace, lock=True, held=held)


def routing_record(
    *, actor: Actor, workspace: Workspace, router: Router, outcomes: list[Routed]
) -> None:
    """The round-robin cursors, one audit row per lead a rule decided or an owner took, and the
    `lead.assigned` events (one after-commit dispatch)."""
    router.save_cursors()
    rows = []
    for o in outcomes:
        if o.decision is not None:
            changes = {"owner": [None, o.owner_id], "rule": [None, o.decision.rule.name]}
        elif o.owner_id is not None:
            changes = {"owner": [None, o.owner_id]}
        else:
            continue
        rows.append((o.lead_id, o.text, changes))
    if rows:
        _audit_rows(actor, rows, "routed")
    emit_many(
        "lead.assigned",
        [
            {
                "workspace_id": workspace.pk,
                "lead_id": o.lead_id,
                "owner_id": o.owner_id,
                "previous_owner_id": None,
            }
            for o in outcomes
            if o.owner_id is not None
        ],
    )


def route_one(*, workspace: Workspace, lead: Lead) -> Decision | None:
    """The rules' decision for one lead about to be saved (lead_create); moves the round-robin
    cursor under its row lock. The caller sets the owner and saves."""
    router = _router(workspace, lock=True)
    if not router.rules:
        return None
    decision = router.decide(lead)
    router.save_cursors()
    return decision


def record_routed(*, actor: Actor, lead: Lead, decision: Decision) -> None:
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="routed",
        target=lead,
        changes={"owner": [None, decision.owner_id], "rule": [None, decision.rule.name]},
    )
    if decision.owner_id is not None:
        emit(
            "lead.assigned",
            workspace_id=lead.workspace_id,
            lead_id=lead.pk,
            owner_id=decision.owner_id,
            previous_owner_id=None,
        )


def assignment_trial(*, member: Membership, lead: Lead) -> Decision | None:
    """Which rule would fire for this lead now, and who would get it. Changes nothing."""
    require(Actor.for_member(member), Perm.LEAD_ASSIGN)
    return _router(member.workspace, lock=False).decide(lead)


def rule_action_label(rule: AssignmentRule) -> str:
    return str(AssignmentAction(rule.action).label)
