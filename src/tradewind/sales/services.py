"""Writes of the sales app (minimal): the default pipeline and creating an opportunity. Stage
moves, closing and the board come with the opportunities issue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.core.money import all_currencies
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.custom_fields import clean_custom
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.owners import is_active_member
from tradewind.workspaces.permissions import Perm

from .choices import DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, OpportunityStatus
from .errors import OpportunityError
from .models import Opportunity, Pipeline, Stage

AUDIT_FIELDS = [
    "code",
    "name",
    "customer",
    "contact",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "expected_close_date",
    "need",
    "status",
    "owner",
]


def pipeline_default(workspace: Workspace) -> Pipeline:
    """The workspace's default pipeline, created with the six default stages on first use."""
    pipeline = Pipeline.objects.filter(workspace=workspace, is_default=True).first()
    if pipeline is not None:
        return pipeline
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(
                workspace=workspace, name=str(DEFAULT_PIPELINE_NAME), is_default=True
            )
            Stage.objects.bulk_create(
                Stage(
                    pipeline=pipeline,
                    key=key,
                    position=i,
                    probability=probability,
                    is_won=won,
                    is_lost=lost,
                )
                for i, (key, _label, probability, won, lost) in enumerate(DEFAULT_STAGES)
            )
    except IntegrityError:  # a concurrent first use created it
        pipeline = Pipeline.objects.get(workspace=workspace, is_default=True)
    return pipeline


def _invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


def _clean_amount(amount: Any, currency: str) -> tuple[Decimal | None, str]:
    currency = (currency or "").strip().upper()
    if amount in (None, ""):
        value = None
    else:
        try:
            value = Decimal(str(amount).replace(",", ""))
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise _invalid(
                OpportunityError.BAD_AMOUNT, "amount", _("Enter an amount, e.g. 200000.")
            ) from None
    if currency and currency not in all_currencies():
        raise _invalid(OpportunityError.UNKNOWN_CURRENCY, "currency", _("Unknown currency code."))
    if value is not None and not currency:
        raise _invalid(
            OpportunityError.UNKNOWN_CURRENCY, "currency", _("Say which currency the amount is in.")
        )
    return value, currency


@transaction.atomic
def opportunity_create(
    *,
    actor: Actor,
    customer: Customer,
    name: str,
    contact: Contact | None = None,
    stage_id: int | None = None,
    amount: Any = None,
    currency: str = "",
    expected_close_date: dt.date | None = None,
    need: str = "",
    owner_id: int | None = None,
    custom: dict[str, Any] | None = None,
) -> Opportunity:
    """An open opportunity on a customer the caller fetched through visible_to(), in the default
    pipeline (first stage unless `stage_id` names an open stage of it). `custom`: custom field
    values, validated (required ones too) by workspaces.custom_fields when given."""
    require(actor, Perm.OPPORTUNITY_CREATE)
    name = (name or "").strip()
    if not name:
        raise _invalid(OpportunityError.NAME_REQUIRED, "name", _("Name the opportunity."))
    if len(name) > 200:
        raise _invalid(ErrorCode.INVALID, "name", _("At most %(n)s characters.") % {"n": 200})
    if customer.workspace_id != actor.workspace.pk:
        raise ValueError("customer of another workspace")
    if contact is not None and contact.customer_id != customer.pk:
        raise _invalid(
            OpportunityError.CONTACT_NOT_OF_CUSTOMER,
            "contact",
            _("The contact must belong to the opportunity’s customer."),
        )
    value, currency = _clean_amount(amount, currency)
    custom_values = (
        clean_custom(actor.workspace, "opportunity", custom) if custom is not None else {}
    )
    pipeline = pipeline_default(actor.workspace)
    stages = pipeline.stages.all()
    stage = stages.filter(pk=stage_id).first() if stage_id else stages.first()
    if stage is None:
        raise _invalid(
            OpportunityError.UNKNOWN_STAGE, "stage", _("Choose a stage of the pipeline.")
        )
    if stage.is_closed:
        raise _invalid(
            OpportunityError.CLOSED_STAGE, "stage", _("A new opportunity starts in an open stage.")
        )
    owner_id = owner_id if owner_id is not None else (actor.user_id or customer.owner_id)
    if owner_id is not None and not is_active_member(actor.workspace, owner_id):
        raise _invalid(
            ErrorCode.INVALID, "owner", _("The owner must be an active member of this workspace.")
        )
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        workspace=actor.workspace,
        code=code_next(workspace=actor.workspace, kind="opportunity"),
        name=name,
        customer=customer,
        contact=contact,
        pipeline=pipeline,
        stage=stage,
        amount=value,
        currency=currency,
        expected_close_date=expected_close_date,
        need=(need or "").strip(),
        status=OpportunityStatus.OPEN,
        owner_id=owner_id,
        custom=custom_values,
        created_at=now,
        updated_at=now,
    )
    audit.record_create(actor=actor, target=opportunity, fields=[*AUDIT_FIELDS, "custom"])
    emit(
        "opportunity.created",
        workspace_id=actor.workspace.pk,
        opportunity_id=opportunity.pk,
        customer_id=customer.pk,
    )
    return opportunity
