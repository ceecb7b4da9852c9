"""The customer life cycle (seed 001), computed from records: created -> potential (潜在); the
first confirmed order or payment -> signed (签约); more than one -> repeat buyer (重复购买).
Lost (流失, with a reason from the workspace's list) and invalid (无效) are set by a person.

A person may also set any stage by hand (with a reason): `stage_manual` then holds it, and
`customer_stage_recompute` leaves the customer alone until someone hands it back to the records
(`stage="auto"`). Every change is audited.

**The one entry point for later records**: the orders issue calls
`customer_stage_recompute(customer=…, signed_orders=<confirmed orders or payments>)` after an
order is confirmed or a payment recorded (or cancelled). Until orders exist, a caller that passes
no count gets the number of the customer's won opportunities as the stand-in (docs/customers-pool.md).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS

from .models import Customer
from .models_pool import CustomerPolicy
from .pool_choices import CustomerStage

AUTO = "auto"  # the API's and the form's word for "computed from records again"
REASON_MAX = 200
WON_OPPORTUNITY = "won"  # sales.OpportunityStatus.WON; customers may not import sales

# Audit actions of the customer pool and life cycle (the timeline reads them). The pool's have
# their own names: "claimed"/"released" already read "… the lead pool".
ACTION_LABELS.setdefault("stage_changed", gettext_lazy("changed the stage"))
ACTION_LABELS.setdefault("pool_claimed", gettext_lazy("claimed from the public pool"))
ACTION_LABELS.setdefault("pool_released", gettext_lazy("released to the public pool"))
ACTION_LABELS.setdefault("pool_recycled", gettext_lazy("recycled to the public pool"))


class StageError(StrEnum):
    UNKNOWN_STAGE = "unknown_stage"
    REASON_REQUIRED = "reason_required"
    UNKNOWN_LOST_REASON = "unknown_lost_reason"


def stage_from_count(signed: int) -> str:
    if signed <= 0:
        return CustomerStage.POTENTIAL
    if signed == 1:
        return CustomerStage.SIGNED
    return CustomerStage.REPEAT


def won_opportunities(customer: Customer) -> int:
    """The stand-in for confirmed orders until the orders issue lands."""
    return customer.opportunities.filter(status=WON_OPPORTUNITY).count()  # type: ignore[attr-defined]


def _write(*, actor: Actor, current: Customer, stage: str, manual: bool, reason: str) -> Customer:
    before = {
        "stage": current.stage,
        "stage_manual": bool(current.stage_manual),
        "stage_reason": current.stage_reason,
    }
    after = {"stage": stage, "stage_manual": manual, "stage_reason": reason}
    changes = audit.diff(before, after)
    if not changes:
        return current
    now = timezone.now()
    Customer.objects.filter(pk=current.pk).update(
        stage=stage,
        stage_manual=manual,
        stage_reason=reason,
        stage_changed_at=now if stage != current.stage else current.stage_changed_at,
        version=F("version") + 1,
        updated_at=now,
    )
    current.refresh_from_db()
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="stage_changed", target=current, changes=changes
    )
    if "stage" in changes:
        emit(
            "customer.stage_changed",
            workspace_id=current.workspace_id,
            customer_id=current.pk,
            stage=stage,
            previous=before["stage"],
        )
    return current


@transaction.atomic
def customer_stage_recompute(
    *, customer: Customer, signed_orders: int | None = None, actor: Actor | None = None
) -> Customer:
    """Set the stage the records say: `signed_orders` confirmed orders/payments (None: count the
    customer's won opportunities). A stage set by hand is left alone. Audited when it changes,
    as `actor` or as the system ("life cycle"). Returns the customer as stored."""
    current = Customer.objects.select_for_update().select_related("workspace").get(pk=customer.pk)
    if current.stage_manual:
        return current
    count = won_opportunities(current) if signed_orders is None else signed_orders
    actor = actor or Actor.system(current.workspace, label="life cycle")
    return _write(
        actor=actor, current=current, stage=stage_from_count(count), manual=False, reason=""
    )


def can_set_stage(member, customer: Customer) -> bool:  # type: ignore[no-untyped-def]
    return (
        member is not None
        and member.has(Perm.CUSTOMER_EDIT)
        and (customer.owner_id in (None, member.user_id) or member.has(Perm.CUSTOMER_ASSIGN))
    )


def _invalid(field: str, message: str, code: str = ErrorCode.INVALID) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


@transaction.atomic
def customer_stage_set(
    *, actor: Actor, customer: Customer, stage: str, reason: str = "", version: int | None = None
) -> Customer:
    """Set a customer's stage by hand (held until handed back with `stage="auto"`). Lost needs a
    reason from the workspace's list; every other stage set by hand needs a reason in words.
    The owner may, a member who sees an ownerless customer may, CUSTOMER_ASSIGN may for anyone's."""
    require(actor, Perm.CUSTOMER_EDIT)
    ws = actor.workspace
    current = Customer.objects.select_for_update().filter(pk=customer.pk, workspace=ws).first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if actor.member is not None and not can_set_stage(actor.member, current):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the customer’s owner or a manager can change its stage."),
        )
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this record since you opened it. Reload to see their changes."),
        )
    stage = (stage or "").strip()
    reason = (reason or "").strip()
    if stage == AUTO:
        current.stage_manual = True  # so _write sees the hand-back as a change
        Customer.objects.filter(pk=current.pk).update(stage_manual=False)
        count = won_opportunities(current)
        return _write(
            actor=actor, current=current, stage=stage_from_count(count), manual=False, reason=""
        )
    if stage not in CustomerStage.values:
        raise _invalid("stage", _("Choose one of the stages."), StageError.UNKNOWN_STAGE)
    if not reason:
        raise _invalid("reason", _("Say why the stage is set by hand."), StageError.REASON_REQUIRED)
    if len(reason) > REASON_MAX:
        raise _invalid(
            "reason", _("Keep the reason to %(max)s characters or fewer.") % {"max": REASON_MAX}
        )
    if stage == CustomerStage.LOST:
        reasons = CustomerPolicy.for_workspace(ws).lost_reasons or []
        if reasons and reason not in reasons:
            raise _invalid(
                "reason",
                _("Choose one of the workspace’s reasons a customer is lost."),
                StageError.UNKNOWN_LOST_REASON,
            )
    return _write(actor=actor, current=current, stage=stage, manual=True, reason=reason)


@transaction.atomic
def customer_targeted_set(*, actor: Actor, customer: Customer, targeted: bool) -> Customer:
    """Mark a customer as targeted (重点, the focus pool) or not. Audited."""
    require(actor, Perm.CUSTOMER_EDIT)
    ws = actor.workspace
    current = Customer.objects.select_for_update().filter(pk=customer.pk, workspace=ws).first()
    if current is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if actor.member is not None and not can_set_stage(actor.member, current):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the customer’s owner or a manager can change this."),
        )
    if bool(current.targeted) == bool(targeted):
        return current
    now = timezone.now()
    Customer.objects.filter(pk=current.pk).update(
        targeted=bool(targeted), version=F("version") + 1, updated_at=now
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=current,
        changes={"targeted": [bool(current.targeted), bool(targeted)]},
    )
    current.refresh_from_db()
    emit("customer.updated", workspace_id=ws.pk, customer_id=current.pk, fields=["targeted"])
    return current
