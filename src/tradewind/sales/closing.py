"""Closing (赢单 / 输单 / 无效) and reopening an opportunity, and the workspace's close reasons.

- won: the same gate as a move to the pipeline's won stage; moves there; the lines stay for the
  orders issue (which turns a won opportunity into an order); the customer's life cycle is
  recomputed (customers/lifecycle.py counts won opportunities until orders exist).
- lost: a reason from the workspace's list (kind lost) and a note are required, the competitor is
  optional; moves to the pipeline's lost stage.
- invalid: a reason (kind invalid) is required; the stage is unchanged.
- reopen: back to the last open stage the opportunity was in (from its stage history) unless a
  stage is given; the closing fields are cleared.

Each writes one StageChange and one audit row in the same transaction, and emits after commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm

from .choices import CloseKind, OpportunityStatus, StageChangeKind
from .errors import OpportunityError
from .models import CloseReason, Opportunity, Stage, StageChange
from .moves import check_gate
from .services import check_open, check_version, lock_opportunity, record_stage_change

OUTCOMES = (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID)
NOTE_MAX = 2000
COMPETITOR_MAX = 200

# The reasons a workspace starts with (seeded on first use, then the workspace's own list). They
# are stored in English and shown translated while unchanged (`reason_label`).
DEFAULT_REASONS = {
    CloseKind.LOST: [
        gettext_noop("Price too high"),
        gettext_noop("Chose a competitor"),
        gettext_noop("No budget"),
        gettext_noop("No reply"),
        gettext_noop("Need changed"),
        gettext_noop("Delivery time"),
        gettext_noop("Quality / certification"),
    ],
    CloseKind.INVALID: [
        gettext_noop("Duplicate opportunity"),
        gettext_noop("Not a real need"),
        gettext_noop("Spam / test"),
    ],
}
_DEFAULT_LABELS = frozenset(label for labels in DEFAULT_REASONS.values() for label in labels)


def reason_label(reason: CloseReason | None) -> str:
    """A reason as the reader reads it: a default one translated, a workspace's own as typed."""
    if reason is None:
        return ""
    return gettext(reason.label) if reason.label in _DEFAULT_LABELS else reason.label


def close_reasons(workspace: Workspace, kind: str) -> list[CloseReason]:
    """The workspace's active reasons of one kind ("lost" or "invalid"), in their order; the
    defaults are written the first time a workspace asks for a kind it has none of."""
    if kind not in CloseKind.values:
        return []
    qs = CloseReason.objects.filter(workspace=workspace, kind=kind)
    if not qs.exists():
        try:
            with transaction.atomic():
                CloseReason.objects.bulk_create(
                    [
                        CloseReason(workspace=workspace, kind=kind, label=label, position=i)
                        for i, label in enumerate(DEFAULT_REASONS[CloseKind(kind)])
                    ],
                    ignore_conflicts=True,
                )
        except IntegrityError:  # pragma: no cover - a concurrent first use wrote them
            pass
    return list(qs.filter(is_active=True).order_by("position", "id"))


def _outcome_stage(opportunity: Opportunity, *, won: bool) -> Stage:
    flag = {"is_won": True} if won else {"is_lost": True}
    stage = Stage.objects.filter(pipeline_id=opportunity.pipeline_id, **flag).first()
    if stage is None:
        raise ServiceError(
            OpportunityError.NO_OUTCOME_STAGE,
            _("This pipeline has no won stage.") if won else _("This pipeline has no lost stage."),
        )
    return stage


def _clean_close(
    actor: Actor, outcome: str, reason_id: int | None, competitor: str, note: str
) -> tuple[CloseReason | None, str, str]:
    errors: dict[str, list[str]] = {}
    code: str | None = None
    competitor = (competitor or "").strip()
    note = (note or "").strip()
    reason = None
    if outcome in (OpportunityStatus.LOST, OpportunityStatus.INVALID):
        if reason_id in (None, ""):
            errors["reason"] = [_("Choose a reason.")]
            code = OpportunityError.REASON_REQUIRED
        else:
            try:
                pk = int(reason_id)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                pk = 0
            reason = CloseReason.objects.filter(
                workspace=actor.workspace, kind=outcome, is_active=True, pk=pk
            ).first()
            if reason is None:
                errors["reason"] = [_("Choose one of the listed reasons.")]
                code = OpportunityError.UNKNOWN_REASON
    if outcome == OpportunityStatus.LOST and not note:
        errors["note"] = [_("Add a note: what happened, what we learn.")]
        code = code or OpportunityError.NOTE_REQUIRED
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)s characters.") % {"n": NOTE_MAX}]
    if len(competitor) > COMPETITOR_MAX:
        errors["competitor"] = [_("At most %(n)s characters.") % {"n": COMPETITOR_MAX}]
    if errors:
        message = (
            _("Say why the opportunity was lost: choose a reason and add a note.")
            if outcome == OpportunityStatus.LOST
            else _("Say why the opportunity is invalid: choose a reason.")
            if outcome == OpportunityStatus.INVALID
            else _("Please correct the marked fields.")
        )
        raise ServiceError(code or "invalid", message, fields=errors)
    if outcome != OpportunityStatus.LOST:
        competitor = ""
    return reason, competitor, note


def _recompute_customer(actor: Actor, opportunity: Opportunity) -> None:
    from tradewind.customers.lifecycle import customer_stage_recompute

    customer_stage_recompute(customer=opportunity.customer, actor=actor)


@transaction.atomic
def opportunity_close(
    *,
    actor: Actor,
    opportunity_id: int,
    outcome: str,
    reason_id: int | None = None,
    competitor: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """Close an open opportunity as won, lost or invalid (rules in the module docstring)."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    current = lock_opportunity(actor, opportunity_id)
    check_version(current, expected_version)
    check_open(current)
    outcome = str(outcome or "")
    if outcome not in OUTCOMES:
        raise ServiceError(
            OpportunityError.BAD_OUTCOME,
            _("Choose won, lost or invalid."),
            fields={"outcome": [_("Choose won, lost or invalid.")]},
        )
    reason, competitor, note = _clean_close(actor, outcome, reason_id, competitor, note)
    previous = current.stage
    if outcome == OpportunityStatus.WON:
        target = _outcome_stage(current, won=True)
        check_gate(current, target)  # "block" refuses; "warn" lets a close through
    elif outcome == OpportunityStatus.LOST:
        target = _outcome_stage(current, won=False)
    else:
        target = previous
    now = timezone.now()
    record_stage_change(
        actor=actor,
        opportunity=current,
        kind=StageChangeKind.CLOSE,
        from_stage=previous,
        to_stage=target,
        from_status=OpportunityStatus.OPEN,
        to_status=outcome,
        now=now,
    )
    before = {
        "status": current.status,
        "stage": previous.label,
        "close_reason": None,
        "competitor": "",
        "note": "",
    }
    current.status = outcome
    current.stage = target
    current.stage_entered_at = now  # the next row (reopen) measures the time spent closed
    current.closed_at = now
    current.closed_by_id = actor.user_id
    current.close_reason = reason
    current.close_competitor = competitor
    current.close_note = note
    current.stale_since = None
    current.last_activity_at = now
    current.version += 1
    current.updated_at = now
    current.save()
    after = {
        "status": outcome,
        "stage": target.label,
        "close_reason": reason.label if reason else None,
        "competitor": competitor,
        "note": note,
    }
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action=f"closed_{outcome}",
        target=current,
        changes=audit.diff(before, after),
    )
    if outcome == OpportunityStatus.WON:
        _recompute_customer(actor, current)
    emit(
        "opportunity.closed",
        workspace_id=current.workspace_id,
        opportunity_id=current.pk,
        customer_id=current.customer_id,
        outcome=outcome,
        reason_id=reason.pk if reason else None,
        from_stage_id=previous.pk,
        to_stage_id=target.pk,
    )
    return current


def last_open_stage(opportunity: Opportunity) -> Stage | None:
    """The open stage the opportunity was last in, read from its stage history (newest first:
    the first row whose to_stage is open, else a closing row's from_stage)."""
    rows = (
        StageChange.objects.filter(opportunity_id=opportunity.pk)
        .select_related("from_stage", "to_stage")
        .order_by("-changed_at", "-id")
    )
    for row in rows:
        if not row.to_stage.is_closed and row.to_stage.pipeline_id == opportunity.pipeline_id:
            return row.to_stage
        before = row.from_stage
        if (
            before is not None
            and not before.is_closed
            and before.pipeline_id == opportunity.pipeline_id
        ):
            return before
    return None


@transaction.atomic
def opportunity_reopen(
    *, actor: Actor, opportunity_id: int, stage_id: int | None = None
) -> Opportunity:
    """Reopen a closed opportunity in `stage_id` (an open stage of its pipeline) or the last open
    stage it was in. Clears the closing fields; a reopened won deal recomputes the customer's
    life cycle."""
    require(actor, Perm.OPPORTUNITY_REOPEN)
    current = lock_opportunity(actor, opportunity_id)
    if current.status == OpportunityStatus.OPEN:
        raise Conflict(OpportunityError.NOT_CLOSED, _("This opportunity is already open."))
    if stage_id not in (None, ""):
        try:
            pk = int(stage_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pk = 0
        target = Stage.objects.filter(pk=pk, pipeline_id=current.pipeline_id).first()
        if target is None or target.is_closed:
            raise ServiceError(
                OpportunityError.UNKNOWN_STAGE,
                _("Choose an open stage of this opportunity’s pipeline."),
                fields={"stage": [_("Choose an open stage of this opportunity’s pipeline.")]},
            )
    else:
        target = last_open_stage(current) or next(
            (s for s in Stage.objects.filter(pipeline_id=current.pipeline_id) if not s.is_closed),
            None,
        )
        if target is None:
            raise ServiceError(
                OpportunityError.UNKNOWN_STAGE, _("This pipeline has no open stage.")
            )
    previous, was = current.stage, current.status
    now = timezone.now()
    record_stage_change(
        actor=actor,
        opportunity=current,
        kind=StageChangeKind.REOPEN,
        from_stage=previous,
        to_stage=target,
        from_status=was,
        to_status=OpportunityStatus.OPEN,
        now=now,
    )
    changes = audit.diff(
        {
            "status": was,
            "stage": previous.label,
            "close_reason": current.close_reason.label if current.close_reason else None,
            "competitor": current.close_competitor,
            "note": current.close_note,
        },
        {
            "status": OpportunityStatus.OPEN,
            "stage": target.label,
            "close_reason": None,
            "competitor": "",
            "note": "",
        },
    )
    current.status = OpportunityStatus.OPEN
    current.stage = target
    current.stage_entered_at = now
    current.last_activity_at = now
    current.stale_since = None
    current.closed_at = None
    current.closed_by = None
    current.close_reason = None
    current.close_competitor = ""
    current.close_note = ""
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="reopened", target=current, changes=changes
    )
    if was == OpportunityStatus.WON:
        _recompute_customer(actor, current)
    emit(
        "opportunity.reopened",
        workspace_id=current.workspace_id,
        opportunity_id=current.pk,
        customer_id=current.customer_id,
        from_status=was,
        from_stage_id=previous.pk,
        to_stage_id=target.pk,
    )
    return current
