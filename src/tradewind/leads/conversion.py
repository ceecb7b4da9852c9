"""Lead conversion (seed 000, cases 1–7): a qualified lead becomes a customer and a contact, plus an
opportunity when there is a concrete need, or joins a customer the workspace already has.

One transaction: any refusal on the way (a duplicate, a bad amount, a missing permission) leaves
nothing behind, numbers included. The lead's follow-ups MOVE to the customer (one row each, so
reports never count a follow-up twice); each move is audited on the follow-up, and the lead's own
audit trail stays on the lead, which keeps links to what it became.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.models import FollowUp
from tradewind.core.errors import Conflict, ErrorCode, NotFound
from tradewind.customers import services as customer_services
from tradewind.customers.choices import CustomerSource
from tradewind.customers.dedupe import Match, find_customer_matches
from tradewind.customers.models import Contact, Customer
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS

from .choices import LeadStatus
from .dedupe import lead_keys
from .models import Lead
from .status import move_for

ACTION_LABELS.setdefault("converted", gettext_lazy("converted the lead"))
ACTION_LABELS.setdefault("converted_from_lead", gettext_lazy("took in a converted lead"))
FACT_LABELS.setdefault("followups_moved", gettext_lazy("follow-ups moved to the customer"))
FACT_LABELS.setdefault("lead", gettext_lazy("lead"))


class LeadConversionError(StrEnum):
    NOT_QUALIFIED = "not_qualified"
    ALREADY_CONVERTED = "already_converted"
    CUSTOMER_NOT_FOUND = "customer_not_found"


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    customer: Customer
    contact: Contact | None
    opportunity: Opportunity | None
    customer_created: bool
    followups_moved: int


def customer_fields(lead: Lead) -> dict[str, Any]:
    """What a new customer takes from the lead (shown on the convert page before confirming)."""
    source = lead.source if lead.source in CustomerSource.values else CustomerSource.OTHER
    return {
        "name": lead.company_name,
        "name_alt": lead.company_name_alt,
        "country": lead.country.code if lead.country else "",
        "city": lead.city,
        "industry": lead.industry,
        "size": lead.company_size,
        "website": lead.website,
        "source": source,
        "tags": list(lead.tags or []),
        "owner": lead.owner_id,
    }


def contact_fields(lead: Lead) -> dict[str, Any]:
    """The lead's person as a contact; {} when the lead names nobody and no way to reach anyone."""
    name = lead.contact_name or lead.email or lead.phone
    if not name:
        return {}
    return {
        "name": name,
        "title": lead.contact_title,
        "phone": lead.phone,
        "email": lead.email,
        "whatsapp": lead.whatsapp,
        "wechat": lead.wechat,
    }


def customer_candidates(lead: Lead) -> list[Match]:
    """Customers the lead may belong to (by company, pinyin, domain, phone; contacts by e-mail and
    phone), for "join existing customer X" on the convert page."""
    return find_customer_matches(workspace=lead.workspace, keys=lead_keys(lead))


def can_convert(member: Any, lead: Lead) -> bool:
    return (
        member is not None
        and lead.status == LeadStatus.QUALIFIED
        and member.has(Perm.LEAD_EDIT)
        and (member.has(Perm.CUSTOMER_CREATE) or member.has(Perm.CUSTOMER_EDIT))
    )


def _customers_for(actor: Actor) -> Any:
    if actor.member is None:
        return Customer.objects.filter(workspace=actor.workspace)
    return Customer.objects.visible_to(actor.member)


def _check_convertible(current: Lead, version: int | None) -> None:
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this lead since you opened it. Reload to see their changes."),
        )
    if current.status == LeadStatus.CONVERTED:
        raise Conflict(
            LeadConversionError.ALREADY_CONVERTED,
            _("This lead is already converted."),
        )
    move = move_for(current.status, LeadStatus.CONVERTED)
    if move is None or not move.by_conversion:
        raise Conflict(
            LeadConversionError.NOT_QUALIFIED,
            _("Only a qualified lead can be converted. Qualify it first."),
        )


def _contact_on(customer: Customer, fields: dict[str, Any], lead: Lead) -> Contact | None:
    """The existing contact of `customer` with the lead's e-mail or phone, if any."""
    if lead.email:
        found = customer.contacts.filter(email=lead.email).first()
        if found:
            return found
    if lead.phone_e164:
        return customer.contacts.filter(phone_e164=lead.phone_e164).first()
    return None


def _move_followups(actor: Actor, lead: Lead, customer: Customer) -> int:
    followups = list(
        FollowUp.objects.filter(workspace=actor.workspace, target_type="lead", target_id=lead.pk)
    )
    for f in followups:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            target=f,
            changes={"target_type": ["lead", "customer"], "target_id": [lead.pk, customer.pk]},
        )
    FollowUp.objects.filter(pk__in=[f.pk for f in followups]).update(
        target_type="customer", target_id=customer.pk, updated_at=timezone.now()
    )
    # The customer's dates follow what the lead knew.
    updates: dict[str, Any] = {}
    if lead.last_activity_at and (
        customer.last_contact_at is None or lead.last_activity_at > customer.last_contact_at
    ):
        updates["last_contact_at"] = lead.last_activity_at
    if lead.next_due_at and (
        customer.next_followup_at is None or lead.next_due_at < customer.next_followup_at
    ):
        updates["next_followup_at"] = lead.next_due_at
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates)
    return len(followups)


@transaction.atomic
def lead_convert(
    *,
    actor: Actor,
    lead: Lead,
    customer_id: int | None = None,
    create_opportunity: bool = False,
    opportunity_name: str = "",
    amount: Any = None,
    currency: str = "",
    stage_id: int | None = None,
    expected_close_date: dt.date | None = None,
    allow_duplicates: bool = False,
    customer_type: str = "",
    version: int | None = None,
) -> Conversion:
    """Convert a qualified lead. `customer_id` joins a customer the actor can see (the contact is
    added unless it already has one with the lead's e-mail or phone); without it a new customer is
    created, refused with 409 `duplicate` when it looks like an existing one unless
    `allow_duplicates`. `create_opportunity` adds an open opportunity in the default pipeline."""
    require(actor, Perm.LEAD_EDIT)
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    _check_convertible(current, version)
    contact_data = contact_fields(current)

    if customer_id is not None:
        require(actor, Perm.CUSTOMER_EDIT)
        customer = _customers_for(actor).filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(LeadConversionError.CUSTOMER_NOT_FOUND, _("Not found."))
        created = False
        contact = _contact_on(customer, contact_data, current) if contact_data else None
        if contact is None and contact_data:
            contact = customer_services.contact_create(
                actor=actor, customer=customer, **contact_data
            )
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="converted_from_lead",
            target=customer,
            changes={"lead": [None, current.code]},
        )
    else:
        data = customer_fields(current)
        if customer_type:
            data["type"] = customer_type
        customer = customer_services.customer_create(
            actor=actor, allow_duplicates=allow_duplicates, **data
        )
        if current.email_domain and not customer.email_domain:
            # The company's domain, known from the lead's e-mail, stays a dedupe key.
            Customer.objects.filter(pk=customer.pk).update(email_domain=current.email_domain)
            customer.email_domain = current.email_domain
        created = True
        contact = (
            customer_services.contact_create(
                actor=actor, customer=customer, perm=Perm.CUSTOMER_CREATE, **contact_data
            )
            if contact_data
            else None
        )
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="converted_from_lead",
            target=customer,
            changes={"lead": [None, current.code]},
        )

    opportunity = None
    if create_opportunity:
        if amount in (None, "") and (current.budget_max or current.budget_min):
            amount = current.budget_max or current.budget_min
            currency = currency or current.budget_currency
        opportunity = opportunity_create(
            actor=actor,
            customer=customer,
            contact=contact,
            name=opportunity_name or (current.need or current.company_name)[:200],
            stage_id=stage_id,
            amount=amount,
            currency=currency,
            expected_close_date=expected_close_date,
            need=current.need,
            owner_id=current.owner_id or actor.user_id,
            source="converted_lead",
        )

    moved = _move_followups(actor, current, customer)
    now = timezone.now()
    old_status = current.status
    current.status = LeadStatus.CONVERTED
    current.status_changed_at = now
    current.converted_customer = customer
    current.converted_contact = contact
    current.converted_opportunity = opportunity
    current.converted_at = now
    current.version += 1
    current.updated_at = now
    current.save()
    changes: dict[str, Any] = {
        "status": [old_status, current.status],
        "converted_customer": [None, customer.code],
    }
    if contact is not None:
        changes["converted_contact"] = [None, contact.name]
    if opportunity is not None:
        changes["converted_opportunity"] = [None, opportunity.code]
    if moved:
        changes["followups_moved"] = [0, moved]
    audit.record(
        actor=actor, verb=AuditVerb.TRANSITION, action="converted", target=current, changes=changes
    )
    emit(
        "lead.status_changed",
        workspace_id=actor.workspace.pk,
        lead_id=current.pk,
        from_status=old_status,
        to_status=current.status,
        invalid_reason="",
    )
    emit(
        "lead.converted",
        workspace_id=actor.workspace.pk,
        lead_id=current.pk,
        customer_id=customer.pk,
        customer_created=created,
        contact_id=contact.pk if contact else None,
        opportunity_id=opportunity.pk if opportunity else None,
    )
    return Conversion(current, customer, contact, opportunity, created, moved)
