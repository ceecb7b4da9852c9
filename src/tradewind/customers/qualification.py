"""Qualification 三定 of a customer and its follow-up nodes: services (audited, emitted after commit)
and the reads the panel, the API and the automatic pools use (docs/customers-qualification.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import all_currencies
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS

from .models import Customer
from .models_qualification import (
    DEFAULT_NODES,
    CustomerNode,
    CustomerQualification,
    DealGrade,
    FollowUpNode,
    Qualitative,
)

QUALIFIED = Qualitative.VALUABLE
FIELDS = ["qualitative", "deal_grade", "expected_sign_date", "expected_amount", "currency"]

ACTION_LABELS.setdefault("qualified", gettext_lazy("set the qualification"))
ACTION_LABELS.setdefault("node_ticked", gettext_lazy("ticked a follow-up node"))
ACTION_LABELS.setdefault("node_unticked", gettext_lazy("unticked a follow-up node"))
FACT_LABELS.setdefault("node", gettext_lazy("follow-up node"))


class QualificationError(StrEnum):
    INVALID = "qualification_invalid"
    UNKNOWN_NODE = "unknown_node"


def qualified(qs: QuerySet) -> QuerySet:
    """Customers marked valuable (定性: 有价值): the "qualified" of the automatic pools."""
    return qs.filter(qualification__qualitative=QUALIFIED)


# --- reads -----------------------------------------------------------------------------------------


def nodes_of(workspace: Workspace, *, include_inactive: bool = False) -> list[FollowUpNode]:
    """The workspace's node sequence, seeded with the five default nodes on first use."""
    qs = FollowUpNode.objects.filter(workspace=workspace)
    nodes = list(qs.order_by("position", "id"))
    if not nodes:
        now = timezone.now()
        FollowUpNode.objects.bulk_create(
            [
                FollowUpNode(
                    workspace=workspace,
                    key=key,
                    label_en=en,
                    label_zh=zh,
                    position=i,
                    created_at=now,
                    updated_at=now,
                )
                for i, (key, en, zh) in enumerate(DEFAULT_NODES, start=1)
            ],
            ignore_conflicts=True,
        )
        nodes = list(qs.order_by("position", "id"))
    return nodes if include_inactive else [n for n in nodes if n.active]


def qualification_of(customer: Customer) -> CustomerQualification | None:
    return CustomerQualification.objects.filter(customer=customer).first()


def node_rows(customer: Customer) -> list[tuple[FollowUpNode, CustomerNode | None]]:
    """Every active node with this customer's tick (or None), in sequence order."""
    ticks = {
        t.node_id: t
        for t in CustomerNode.objects.filter(customer=customer).select_related("ticked_by")
    }
    return [(node, ticks.get(node.pk)) for node in nodes_of(customer.workspace)]


# --- writes ----------------------------------------------------------------------------------------


def _invalid(errors: dict[str, list[Any]]) -> ServiceError:
    return ServiceError(
        QualificationError.INVALID, _("Please correct the marked fields."), fields=errors
    )


def _clean(
    workspace: Workspace,
    qualitative: str,
    deal_grade: str,
    expected_sign_date: Any,
    expected_amount: Any,
    currency: str,
) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    qualitative, deal_grade = (qualitative or "").strip(), (deal_grade or "").strip()
    if qualitative and qualitative not in Qualitative.values:
        errors["qualitative"] = [_("Choose valuable, uncertain or not valuable.")]
    if deal_grade and deal_grade not in DealGrade.values:
        errors["deal_grade"] = [_("Choose a big, normal or small deal.")]
    if isinstance(expected_sign_date, str):
        try:
            expected_sign_date = (
                dt.date.fromisoformat(expected_sign_date.strip())
                if expected_sign_date.strip()
                else None
            )
        except ValueError:
            errors["expected_sign_date"] = [_("Enter a valid date (YYYY-MM-DD).")]
    amount = None
    if expected_amount not in (None, ""):
        try:
            amount = Decimal(str(expected_amount).replace(",", "").strip())
            if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 14:
                raise InvalidOperation
            amount = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["expected_amount"] = [_("Enter an amount, e.g. 200000.")]
    currency = (currency or "").strip().upper()
    if amount is not None and not currency:
        currency = workspace.base_currency
    if currency and currency not in all_currencies():
        errors["currency"] = [_("Unknown currency code.")]
    if errors:
        raise _invalid(errors)
    return {
        "qualitative": qualitative,
        "deal_grade": deal_grade,
        "expected_sign_date": expected_sign_date,
        "expected_amount": amount,
        "currency": currency if amount is not None else "",
    }


@transaction.atomic
def customer_qualify(
    *,
    actor: Actor,
    customer: Customer,
    qualitative: str = "",
    deal_grade: str = "",
    expected_sign_date: dt.date | str | None = None,
    expected_amount: Decimal | str | None = None,
    currency: str = "",
    version: int | None = None,
) -> CustomerQualification:
    """Set the 三定 of a customer the caller fetched through visible_to(). `version` is the
    qualification's version the editor saw (none yet: 0 or None); a newer one refuses (409)."""
    require(actor, Perm.CUSTOMER_EDIT)
    cleaned = _clean(
        actor.workspace, qualitative, deal_grade, expected_sign_date, expected_amount, currency
    )
    locked = Customer.objects.select_for_update().get(pk=customer.pk, workspace=actor.workspace)
    current = CustomerQualification.objects.filter(customer=locked).first()
    seen = current.version if current else 0
    if version is not None and version != seen:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this record since you opened it. Reload to see their changes."),
        )
    now = timezone.now()
    if current is None:
        current = CustomerQualification(
            workspace=actor.workspace, customer=locked, created_at=now, version=0
        )
    changes = audit.apply_changes(current, cleaned, FIELDS)
    if not changes:
        return current
    if current.qualitative == QUALIFIED and current.qualified_at is None:
        current.qualified_at = now
    current.updated_by_id = actor.user_id
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="qualified", target=locked, changes=changes
    )
    emit(
        "customer.qualified",
        workspace_id=actor.workspace.pk,
        customer_id=locked.pk,
        qualitative=current.qualitative,
        fields=sorted(changes),
    )
    return current


def _node(actor: Actor, node: FollowUpNode | int | str) -> FollowUpNode:
    qs = FollowUpNode.objects.filter(workspace=actor.workspace, active=True)
    if isinstance(node, FollowUpNode):
        found = qs.filter(pk=node.pk).first()
    elif isinstance(node, int) or (isinstance(node, str) and node.isdigit()):
        found = qs.filter(pk=int(node)).first()
    else:
        found = qs.filter(key=str(node)).first()
    if found is None:
        raise NotFound(QualificationError.UNKNOWN_NODE, _("This follow-up node does not exist."))
    return found


@transaction.atomic
def customer_node_tick(
    *,
    actor: Actor,
    customer: Customer,
    node: FollowUpNode | int | str,
    reached_on: dt.date | str | None = None,
) -> CustomerNode:
    """Mark a node reached on a day (default: today in the workspace); ticking again moves the day."""
    require(actor, Perm.CUSTOMER_EDIT)
    found = _node(actor, node)
    if isinstance(reached_on, str) and reached_on.strip():
        try:
            reached_on = dt.date.fromisoformat(reached_on.strip())
        except ValueError:
            raise _invalid({"reached_on": [_("Enter a valid date (YYYY-MM-DD).")]}) from None
    day = reached_on or timezone.localdate()
    if day > timezone.localdate() + dt.timedelta(days=1):
        raise _invalid(
            {"reached_on": [_("A node is reached today or earlier, not in the future.")]}
        )
    locked = Customer.objects.select_for_update().get(pk=customer.pk, workspace=actor.workspace)
    tick = CustomerNode.objects.filter(customer=locked, node=found).first()
    before = tick.reached_on.isoformat() if tick else None
    if tick is None:
        try:
            with transaction.atomic():
                tick = CustomerNode.objects.create(
                    workspace=actor.workspace,
                    customer=locked,
                    node=found,
                    reached_on=day,
                    ticked_by_id=actor.user_id,
                )
        except IntegrityError:  # ticked meanwhile: the row lock makes this rare
            tick = CustomerNode.objects.get(customer=locked, node=found)
    elif tick.reached_on != day:
        tick.reached_on = day
        tick.ticked_by_id = actor.user_id
        tick.save()
    else:
        return tick
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="node_ticked",
        target=locked,
        changes={"node": [None, found.label], "reached_on": [before, day.isoformat()]},
    )
    emit(
        "customer.node_ticked",
        workspace_id=actor.workspace.pk,
        customer_id=locked.pk,
        node_id=found.pk,
        reached_on=day.isoformat(),
    )
    return tick


@transaction.atomic
def customer_node_untick(
    *, actor: Actor, customer: Customer, node: FollowUpNode | int | str
) -> None:
    require(actor, Perm.CUSTOMER_EDIT)
    found = _node(actor, node)
    locked = Customer.objects.select_for_update().get(pk=customer.pk, workspace=actor.workspace)
    tick = CustomerNode.objects.filter(customer=locked, node=found).first()
    if tick is None:
        return
    tick.delete()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="node_unticked",
        target=locked,
        changes={"node": [found.label, None], "reached_on": [tick.reached_on.isoformat(), None]},
    )
    emit(
        "customer.node_unticked",
        workspace_id=actor.workspace.pk,
        customer_id=locked.pk,
        node_id=found.pk,
    )
