"""The lead status machine: one table of moves, one transition service.

Conversion (qualified -> converted) belongs to the conversion action; this module refuses it with
its own code so callers can point the user there. Automatic moves (dormant after silence, back for
reactivation) are later follow-ups and will call `lead_transition` like everybody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tradewind.core.errors import Conflict, ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .choices import LeadStatus, invalid_reason_label
from .errors import LeadStatusError
from .models import Lead, LeadPolicy

NOTE_MAX: int = Lead._meta.get_field("status_note").max_length or 500


@dataclass(frozen=True)
class Move:
    """One allowed edge: where it goes, what its button says, who may take it."""

    to: LeadStatus
    label: Promise
    icon: str = ""
    perm: Perm = Perm.LEAD_EDIT
    by_conversion: bool = False  # taken only by the conversion action, never by a status change
    automatic: bool = False  # taken only by a job (dormant -> to reactivate), never by hand

    @property
    def needs_reason(self) -> bool:
        return self.to == LeadStatus.INVALID


_INVALIDATE = Move(LeadStatus.INVALID, gettext_lazy("Mark invalid"), "bi-x-octagon")

# The whole machine. Anything not listed here is an illegal move.
TRANSITIONS: dict[LeadStatus, tuple[Move, ...]] = {
    LeadStatus.NEW: (
        Move(LeadStatus.CONTACTING, gettext_lazy("Start contacting"), "bi-telephone-outbound"),
        _INVALIDATE,
    ),
    LeadStatus.CONTACTING: (
        Move(LeadStatus.QUALIFIED, gettext_lazy("Mark qualified"), "bi-check2-circle"),
        Move(LeadStatus.DORMANT, gettext_lazy("Set dormant"), "bi-moon"),
        _INVALIDATE,
    ),
    LeadStatus.QUALIFIED: (
        Move(
            LeadStatus.CONVERTED, gettext_lazy("Convert"), "bi-box-arrow-right", by_conversion=True
        ),
        _INVALIDATE,
    ),
    LeadStatus.DORMANT: (
        Move(LeadStatus.CONTACTING, pgettext_lazy("lead status", "Reactivate"), "bi-arrow-repeat"),
        Move(
            LeadStatus.TO_REACTIVATE,
            gettext_lazy("Back for reactivation"),
            "bi-alarm",
            automatic=True,
        ),
        _INVALIDATE,
    ),
    # Dormant leads come back here after LeadPolicy.reactivate_after_days (leads/reactivation.py).
    LeadStatus.TO_REACTIVATE: (
        Move(LeadStatus.CONTACTING, pgettext_lazy("lead status", "Reactivate"), "bi-arrow-repeat"),
        _INVALIDATE,
    ),
    LeadStatus.INVALID: (
        Move(
            LeadStatus.NEW,
            gettext_lazy("Reopen"),
            "bi-arrow-counterclockwise",
            perm=Perm.LEAD_REOPEN,
        ),
    ),
    LeadStatus.CONVERTED: (),
}


def move_for(from_status: str, to_status: str) -> Move | None:
    for move in TRANSITIONS.get(from_status, ()):  # type: ignore[call-overload]
        if move.to == to_status:
            return move
    return None


def allowed_moves(lead: Lead, member: Membership | None) -> list[Move]:
    """The moves this member may take on this lead by hand, for the buttons. A system actor
    (member None) may take every hand move."""
    return [
        move
        for move in TRANSITIONS.get(lead.status, ())  # type: ignore[call-overload]
        if not move.by_conversion
        and not move.automatic
        and (member is None or (member.has(Perm.LEAD_EDIT) and member.has(move.perm)))
    ]


def invalid_reasons(workspace: object) -> list[tuple[str, str]]:
    """The workspace's reasons as (code, label); custom codes read as themselves."""
    return [
        (str(code), invalid_reason_label(str(code)))
        for code in LeadPolicy.for_workspace(workspace).invalid_reasons
    ]


def _status_label(value: str) -> str:
    try:
        return str(LeadStatus(value).label)
    except ValueError:
        return value


def _check_move(current: Lead, to_status: str) -> Move:
    if to_status not in LeadStatus.values:
        raise ServiceError(
            LeadStatusError.UNKNOWN_STATUS,
            _("Choose a status to move the lead to."),
            fields={"to_status": [_("Choose a valid status.")]},
        )
    move = move_for(current.status, to_status)
    if move is not None and move.automatic:
        move = None  # the job's move, refused by hand like any illegal one
    if move is not None and move.by_conversion:
        raise Conflict(
            LeadStatusError.USE_CONVERSION,
            _("A qualified lead is converted with the conversion action, not by a status change."),
        )
    if move is None:
        raise Conflict(
            LeadStatusError.ILLEGAL_TRANSITION,
            _("A lead cannot move from “%(from)s” to “%(to)s”.")
            % {"from": _status_label(current.status), "to": _status_label(to_status)},
        )
    return move


def _check_reason(workspace: object, reason: str) -> None:
    if not reason:
        raise ServiceError(
            LeadStatusError.REASON_REQUIRED,
            _("Say why the lead is invalid."),
            fields={"reason": [_("Choose a reason.")]},
        )
    allowed = {str(code) for code in LeadPolicy.for_workspace(workspace).invalid_reasons}
    if reason not in allowed:
        raise ServiceError(
            LeadStatusError.UNKNOWN_REASON,
            _("This reason is not on the workspace's list of invalid reasons."),
            fields={"reason": [_("Choose one of the listed reasons.")]},
        )


@transaction.atomic
def lead_transition(
    *,
    actor: Actor,
    lead: Lead,
    to_status: str,
    reason: str = "",
    note: str = "",
    version: int | None = None,
) -> Lead:
    """Move a lead to another status by the table above. An invalid lead keeps its reason (for
    channel analysis) until it is reopened; the note describes the latest move."""
    require(actor, Perm.LEAD_EDIT)
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this lead since you opened it. Reload to see their changes."),
        )
    to_status = str(to_status or "")
    move = _check_move(current, to_status)
    require(actor, move.perm)
    reason = (reason or "").strip()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={"note": [_("At most %(n)s characters.") % {"n": NOTE_MAX}]},
        )
    if move.to == LeadStatus.INVALID:
        _check_reason(actor.workspace, reason)
    else:
        reason = ""

    old_status = current.status
    changes: dict[str, Any] = {"status": [old_status, move.to.value]}
    if current.invalid_reason != reason:
        changes["invalid_reason"] = [current.invalid_reason, reason]
    if current.status_note != note:
        changes["status_note"] = [current.status_note, note]

    now = timezone.now()
    current.status = move.to.value
    current.invalid_reason = reason
    current.status_note = note
    current.status_changed_at = now
    if move.to == LeadStatus.CONTACTING and current.first_contacted_at is None:
        current.first_contacted_at = now
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(actor=actor, verb=AuditVerb.TRANSITION, target=current, changes=changes)
    emit(
        "lead.status_changed",
        workspace_id=actor.workspace.pk,
        lead_id=current.pk,
        from_status=old_status,
        to_status=current.status,
        invalid_reason=reason,
    )
    return current
