"""The conversion and merge panel of a lead's page; the rules live in leads.conversion/merge."""

from __future__ import annotations

from typing import Any

from django import template

from tradewind.customers.models import Customer
from tradewind.leads import conversion, merge
from tradewind.leads.choices import LeadStatus
from tradewind.leads.models import Lead
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

register = template.Library()


@register.simple_tag
def lead_conversion(lead: Lead, member: Membership | None) -> dict[str, Any]:
    """What became of the lead (linked where the member may look), whether it may be converted or
    merged now, and the history of leads merged into it."""
    if member is None:
        return {}
    customer = contact = opportunity = None
    if lead.converted_customer_id:
        customer = Customer.objects.visible_to(member).filter(pk=lead.converted_customer_id).first()
        contact = lead.converted_contact if customer else None
    if lead.converted_opportunity_id:
        opportunity = (
            Opportunity.objects.visible_to(member).filter(pk=lead.converted_opportunity_id).first()
        )
    return {
        "converted": lead.status == LeadStatus.CONVERTED,
        "customer": customer,
        "contact": contact,
        "opportunity": opportunity,
        "can_convert": conversion.can_convert(member, lead),
        "can_merge": member.has(Perm.LEAD_EDIT) and lead.status != LeadStatus.CONVERTED,
        "merged": merge.merged_history(lead),
    }
