"""The lead pool (线索池): reps claim leads nobody owns and release the ones they will not work.

A claim is a conditional UPDATE (`… WHERE owner IS NULL`): when several reps press "Claim" at the
same moment the database lets exactly one through; the others get a 409 naming the winner. A
rep's own claims are serialised by a lock on their membership row, so the holding cap and the
daily limit cannot be overrun by firing claims in parallel.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.daily_jobs import day_bounds
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.pool_claims import for_claim

from .choices import OPEN_STATUSES
from .models import Lead, LeadClaim, LeadPolicy

REASON_MAX: int = LeadClaim._meta.get_field("release_reason").max_length or 200


class PoolError(StrEnum):
    ALREADY_CLAIMED = "already_claimed"
    NOT_CLAIMABLE = "not_claimable"
    HOLDING_CAP = "holding_cap"
    DAILY_LIMIT = "daily_limit"
    NOT_OWNED = "not_owned"
    OWNER_CHANGED = "owner_changed"


def lead_for_claim(*, member: Membership, pk: int) -> Lead:
    """The lead a member pressed Claim on (workspaces/pool_claims.py)."""
    return for_claim(Lead, member=member, pk=pk)


# --- what a member may do (used by the pages to show the buttons) ----------------------------------


def can_claim(member: Membership | None, lead: Lead) -> bool:
    return (
        member is not None
        and member.has(Perm.LEAD_EDIT)
        and lead.owner_id is None
        and lead.status in OPEN_STATUSES
    )


def can_release(member: Membership | None, lead: Lead) -> bool:
    return (
        member is not None
        and member.has(Perm.LEAD_EDIT)
        and lead.owner_id is not None
        and lead.status in OPEN_STATUSES
        and (lead.owner_id == member.user_id or member.has(Perm.LEAD_ASSIGN))
    )


# --- helpers ---------------------------------------------------------------------------------------


def claims_today(*, workspace: Workspace, user_id: int) -> int:
    start, end = day_bounds(workspace)
    return LeadClaim.objects.filter(
        workspace=workspace, user_id=user_id, claimed_at__gte=start, claimed_at__lt=end
    ).count()


def open_leads_held(*, workspace: Workspace, user_id: int, up_to: int | None = None) -> int:
    """Open leads the member holds; counting stops at `up_to` (a cap check needs no more, and a
    rep may hold thousands)."""
    held = Lead.objects.filter(workspace=workspace, owner_id=user_id, status__in=OPEN_STATUSES)
    return (held[:up_to] if up_to is not None else held).count()


def _member_or_refuse(actor: Actor) -> Membership:
    if actor.member is None:
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("Only a member of the workspace can do this.")
        )
    return actor.member


def _already_claimed(actor: Actor, owner: object, owner_id: int) -> Conflict:
    if owner_id == actor.user_id:
        return Conflict(PoolError.ALREADY_CLAIMED, _("You already hold this lead."))
    return Conflict(
        PoolError.ALREADY_CLAIMED,
        _("This lead was just claimed by %(name)s.") % {"name": owner},
    )


def _not_claimable() -> ServiceError:
    return ServiceError(PoolError.NOT_CLAIMABLE, _("Only open leads can be claimed from the pool."))


# --- services --------------------------------------------------------------------------------------


@transaction.atomic
def lead_claim(*, actor: Actor, lead: Lead) -> Lead:
    """Take a lead from the pool. Refuses with a coded error; never lets two reps hold one lead."""
    require(actor, Perm.LEAD_EDIT)
    member = _member_or_refuse(actor)
    ws = actor.workspace
    user_id = member.user_id

    current = Lead.objects.filter(pk=lead.pk, workspace=ws).select_related("owner").first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if current.owner_id is not None:
        raise _already_claimed(actor, current.owner, current.owner_id)
    if current.status not in OPEN_STATUSES:
        raise _not_claimable()

    # One claim at a time per rep: the cap and the daily limit are counted under this lock.
    Membership.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()
    policy = LeadPolicy.for_workspace(ws)
    if (
        open_leads_held(workspace=ws, user_id=user_id, up_to=policy.holding_cap)
        >= policy.holding_cap
    ):
        raise ServiceError(
            PoolError.HOLDING_CAP,
            _(
                "You already hold %(cap)s open leads, the most one rep may hold. "
                "Close or release some before claiming more."
            )
            % {"cap": policy.holding_cap},
        )
    if claims_today(workspace=ws, user_id=user_id) >= policy.daily_claim_limit:
        raise ServiceError(
            PoolError.DAILY_LIMIT,
            _("You have made %(limit)s claims today, the daily limit. Try again tomorrow.")
            % {"limit": policy.daily_claim_limit},
        )

    now = timezone.now()
    taken = Lead.objects.filter(
        pk=lead.pk, workspace=ws, owner__isnull=True, status__in=OPEN_STATUSES
    ).update(owner_id=user_id, version=F("version") + 1, updated_at=now)
    if not taken:
        # Someone was faster (or the lead changed): say who holds it now, from committed data.
        after = Lead.objects.filter(pk=lead.pk, workspace=ws).select_related("owner").first()
        if after is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
        if after.owner_id is not None:
            raise _already_claimed(actor, after.owner, after.owner_id)
        raise _not_claimable()

    claimed = Lead.objects.select_related("owner").get(pk=lead.pk)
    LeadClaim.objects.create(workspace=ws, lead=claimed, user_id=user_id, claimed_at=now)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="claimed",
        target=claimed,
        changes={"owner": [None, user_id]},
    )
    emit("lead.claimed", workspace_id=ws.pk, lead_id=claimed.pk, user_id=user_id)
    return claimed


@transaction.atomic
def lead_release(*, actor: Actor, lead: Lead, reason: str) -> Lead:
    """Put a lead back in the pool. The owner may; so may a role holding LEAD_ASSIGN."""
    require(actor, Perm.LEAD_EDIT)
    member = _member_or_refuse(actor)
    ws = actor.workspace
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={"reason": [_("Say why this lead goes back to the pool.")]},
        )
    if len(reason) > REASON_MAX:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={
                "reason": [
                    _("Keep the reason to %(max)s characters or fewer.") % {"max": REASON_MAX}
                ]
            },
        )

    current = Lead.objects.filter(pk=lead.pk, workspace=ws).first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if current.owner_id is None:
        raise Conflict(PoolError.NOT_OWNED, _("This lead is already in the pool."))
    if current.owner_id != member.user_id and not member.has(Perm.LEAD_ASSIGN):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the lead's owner or a manager can release it to the pool."),
        )
    if current.status not in OPEN_STATUSES:
        raise ServiceError(
            PoolError.NOT_CLAIMABLE, _("Only open leads can be released to the pool.")
        )

    previous = current.owner_id
    now = timezone.now()
    released = Lead.objects.filter(pk=lead.pk, workspace=ws, owner_id=previous).update(
        owner=None, version=F("version") + 1, updated_at=now
    )
    if not released:
        raise Conflict(
            PoolError.OWNER_CHANGED,
            _("Someone else changed this lead's owner meanwhile. Reload and try again."),
        )
    LeadClaim.objects.filter(workspace=ws, lead_id=lead.pk, released_at__isnull=True).update(
        released_at=now, release_reason=reason
    )
    result = Lead.objects.get(pk=lead.pk)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="released",
        target=result,
        changes={"owner": [previous, None], "reason": [None, reason]},
    )
    emit(
        "lead.released",
        workspace_id=ws.pk,
        lead_id=result.pk,
        user_id=previous,
        reason=reason,
    )
    return result
