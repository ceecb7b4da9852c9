"""The customer public pool (公海): reps claim customers nobody owns and release the ones they
will not work.

A claim is a conditional UPDATE (`… WHERE owner IS NULL`): when several reps press "Claim" at the
same moment the database lets exactly one through; the others get a 409 naming the winner. A
rep's own claims are serialised by a lock on their membership row, so the holding cap and the
daily limit cannot be overrun by firing claims in parallel. A rep who released a customer (or
lost it to recycling) may not claim it again for the policy's cool-down days (docs/customers-pool.md).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
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
from tradewind.workspaces.timezones import zone

from . import lifecycle  # noqa: F401  (registers the audit action labels)
from .models import Customer
from .models_pool import CustomerClaim, CustomerPolicy
from .pool_choices import WON_STAGES, CustomerStage

REASON_MAX: int = CustomerClaim._meta.get_field("release_reason").max_length or 200
# Closing a stint of someone who no longer held the customer (an edit reassigned it) is not a
# release by them: no cool-down for it.
STALE_REASON = "owner_changed"


class PoolError(StrEnum):
    ALREADY_CLAIMED = "already_claimed"
    NOT_CLAIMABLE = "not_claimable"
    HOLDING_CAP = "holding_cap"
    DAILY_LIMIT = "daily_limit"
    COOLDOWN = "cooldown"
    NOT_OWNED = "not_owned"
    OWNER_CHANGED = "owner_changed"


def customer_for_claim(*, member: Membership, pk: int) -> Customer:
    """The customer a member pressed Claim on (workspaces/pool_claims.py)."""
    return for_claim(Customer, member=member, pk=pk)


# --- what a member may do (the pages show the buttons from these) ----------------------------------


def can_claim(member: Membership | None, customer: Customer) -> bool:
    return (
        member is not None
        and member.has(Perm.CUSTOMER_EDIT)
        and customer.owner_id is None
        and customer.stage != CustomerStage.INVALID
    )


def can_release(member: Membership | None, customer: Customer) -> bool:
    return (
        member is not None
        and member.has(Perm.CUSTOMER_EDIT)
        and customer.owner_id is not None
        and (customer.owner_id == member.user_id or member.has(Perm.CUSTOMER_ASSIGN))
    )


# --- counts ----------------------------------------------------------------------------------------


def claims_today(*, workspace: Workspace, user_id: int) -> int:
    start, end = day_bounds(workspace)
    return CustomerClaim.objects.filter(
        workspace=workspace, user_id=user_id, claimed_at__gte=start, claimed_at__lt=end
    ).count()


def customers_held(*, workspace: Workspace, user_id: int) -> int:
    """What counts against the holding cap: customers held that are not signed or repeat buyers
    (won customers never stop a rep prospecting)."""
    return (
        Customer.objects.filter(workspace=workspace, owner_id=user_id)
        .exclude(stage__in=WON_STAGES)
        .count()
    )


def cooldown_q(*, user_id: int, since: dt.datetime) -> Q:
    """Stints of this user closed by a release or by recycling since `since`."""
    return Q(user_id=user_id, released_at__gte=since) & ~Q(release_reason=STALE_REASON)


def cooldown_until(
    *, workspace: Workspace, customer_id: int, user_id: int, policy: CustomerPolicy
) -> dt.datetime | None:
    """When this rep may claim this customer again, or None when they may now."""
    if not policy.release_cooldown_days:
        return None
    window = dt.timedelta(days=policy.release_cooldown_days)
    last = (
        CustomerClaim.objects.filter(
            cooldown_q(user_id=user_id, since=timezone.now() - window),
            workspace=workspace,
            customer_id=customer_id,
        )
        .order_by("-released_at")
        .values_list("released_at", flat=True)
        .first()
    )
    return last + window if last else None


def cooling_down_ids(*, member: Membership, customer_ids: list[int]) -> dict[int, dt.datetime]:
    """For a page of the pool: which customers this member may not claim yet, and until when."""
    policy = CustomerPolicy.for_workspace(member.workspace)
    if not policy.release_cooldown_days or not customer_ids:
        return {}
    window = dt.timedelta(days=policy.release_cooldown_days)
    until: dict[int, dt.datetime] = {}
    rows = CustomerClaim.objects.filter(
        cooldown_q(user_id=member.user_id, since=timezone.now() - window),
        workspace_id=member.workspace_id,
        customer_id__in=customer_ids,
    ).values_list("customer_id", "released_at")
    for customer_id, released in rows:
        if released is not None:
            end = released + window
            until[customer_id] = max(until.get(customer_id, end), end)
    return until


# --- helpers ---------------------------------------------------------------------------------------


def _member_or_refuse(actor: Actor) -> Membership:
    if actor.member is None:
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("Only a member of the workspace can do this.")
        )
    return actor.member


def _already_claimed(actor: Actor, owner: object, owner_id: int) -> Conflict:
    if owner_id == actor.user_id:
        return Conflict(PoolError.ALREADY_CLAIMED, _("You already hold this customer."))
    return Conflict(
        PoolError.ALREADY_CLAIMED,
        _("This customer was just claimed by %(name)s.") % {"name": owner},
    )


def _not_claimable() -> ServiceError:
    return ServiceError(
        PoolError.NOT_CLAIMABLE, _("An invalid customer cannot be claimed from the pool.")
    )


def _check_limits(ws: Workspace, member: Membership, customer_id: int) -> None:
    policy = CustomerPolicy.for_workspace(ws)
    user_id = member.user_id
    until = cooldown_until(workspace=ws, customer_id=customer_id, user_id=user_id, policy=policy)
    if until is not None:
        local = until.astimezone(zone(ws.time_zone))
        raise ServiceError(
            PoolError.COOLDOWN,
            _(
                "You gave this customer back to the pool recently. You can claim it again "
                "from %(when)s."
            )
            % {"when": date_format(local, "SHORT_DATETIME_FORMAT")},
        )
    if customers_held(workspace=ws, user_id=user_id) >= policy.holding_cap:
        raise ServiceError(
            PoolError.HOLDING_CAP,
            _(
                "You already hold %(cap)s customers, the most one rep may hold. "
                "Release some before claiming more."
            )
            % {"cap": policy.holding_cap},
        )
    if claims_today(workspace=ws, user_id=user_id) >= policy.daily_claim_limit:
        raise ServiceError(
            PoolError.DAILY_LIMIT,
            _("You have made %(limit)s claims today, the daily limit. Try again tomorrow.")
            % {"limit": policy.daily_claim_limit},
        )


def _reason_or_refuse(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Please correct the marked fields."),
            fields={"reason": [_("Say why this customer goes back to the pool.")]},
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
    return reason


# --- services --------------------------------------------------------------------------------------


@transaction.atomic
def customer_claim(*, actor: Actor, customer: Customer) -> Customer:
    """Take a customer from the pool. Refuses with a coded error; never lets two reps hold one."""
    require(actor, Perm.CUSTOMER_EDIT)
    member = _member_or_refuse(actor)
    ws = actor.workspace
    user_id = member.user_id

    current = Customer.objects.filter(pk=customer.pk, workspace=ws).select_related("owner").first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if current.owner_id is not None:
        raise _already_claimed(actor, current.owner, current.owner_id)
    if current.stage == CustomerStage.INVALID:
        raise _not_claimable()

    # One claim at a time per rep: cool-down, cap and daily limit are checked under this lock.
    Membership.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()
    _check_limits(ws, member, current.pk)

    now = timezone.now()
    taken = (
        Customer.objects.filter(pk=customer.pk, workspace=ws, owner__isnull=True)
        .exclude(stage=CustomerStage.INVALID)
        .update(owner_id=user_id, version=F("version") + 1, updated_at=now)
    )
    if not taken:
        # Someone was faster (or the customer changed): say who holds it now, from committed data.
        after = (
            Customer.objects.filter(pk=customer.pk, workspace=ws).select_related("owner").first()
        )
        if after is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
        if after.owner_id is not None:
            raise _already_claimed(actor, after.owner, after.owner_id)
        raise _not_claimable()

    claimed = Customer.objects.select_related("owner").get(pk=customer.pk)
    CustomerClaim.objects.create(workspace=ws, customer=claimed, user_id=user_id, claimed_at=now)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="pool_claimed",
        target=claimed,
        changes={"owner": [None, user_id]},
    )
    emit("customer.claimed", workspace_id=ws.pk, customer_id=claimed.pk, user_id=user_id)
    return claimed


def close_stints(
    *,
    workspace: Workspace,
    owners: dict[int, int],
    now: dt.datetime,
    reason: str,
    recycled: bool = False,
) -> None:
    """End the holding of each customer's current owner (`owners`: customer id -> owner's user
    id), called before the owner is cleared. Their open stint is closed, or a closed one is
    written when the holding began outside the pool (creation, assignment), so the cool-down
    applies either way. Open stints of anyone else (an edit reassigned the customer) are closed
    without a cool-down. Four queries whatever the number of customers."""
    ids = list(owners)
    open_stints = CustomerClaim.objects.filter(
        workspace=workspace, customer_id__in=ids, released_at__isnull=True
    )
    of_owner = open_stints.filter(user_id=F("customer__owner_id"))
    had_open = set(of_owner.values_list("customer_id", flat=True))
    if had_open:
        of_owner.update(released_at=now, release_reason=reason, recycled=recycled)
    open_stints.update(released_at=now, release_reason=STALE_REASON)
    CustomerClaim.objects.bulk_create(
        [
            CustomerClaim(
                workspace=workspace,
                customer_id=customer_id,
                user_id=user_id,
                claimed_at=None,
                released_at=now,
                release_reason=reason,
                recycled=recycled,
            )
            for customer_id, user_id in owners.items()
            if customer_id not in had_open
        ]
    )


@transaction.atomic
def customer_release(*, actor: Actor, customer: Customer, reason: str) -> Customer:
    """Put a customer back in the pool, with a reason. The owner may; so may CUSTOMER_ASSIGN."""
    require(actor, Perm.CUSTOMER_EDIT)
    member = _member_or_refuse(actor)
    ws = actor.workspace
    reason = _reason_or_refuse(reason)

    current = Customer.objects.filter(pk=customer.pk, workspace=ws).first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if current.owner_id is None:
        raise Conflict(PoolError.NOT_OWNED, _("This customer is already in the pool."))
    if current.owner_id != member.user_id and not member.has(Perm.CUSTOMER_ASSIGN):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the customer’s owner or a manager can release it to the pool."),
        )

    previous = current.owner_id
    now = timezone.now()
    close_stints(workspace=ws, owners={current.pk: previous}, now=now, reason=reason)
    released = Customer.objects.filter(pk=customer.pk, workspace=ws, owner_id=previous).update(
        owner=None, version=F("version") + 1, updated_at=now
    )
    if not released:  # the stints written above roll back with this refusal
        raise Conflict(
            PoolError.OWNER_CHANGED,
            _("Someone else changed this customer’s owner meanwhile. Reload and try again."),
        )
    result = Customer.objects.get(pk=customer.pk)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="pool_released",
        target=result,
        changes={"owner": [previous, None], "reason": [None, reason]},
    )
    emit(
        "customer.released",
        workspace_id=ws.pk,
        customer_id=result.pk,
        user_id=previous,
        reason=reason,
    )
    return result
