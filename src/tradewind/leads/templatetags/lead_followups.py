"""Data for the lead page's follow-up card and the SLA badge; the rules live in leads.followups."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from tradewind.activities.forms import FollowUpForm
from tradewind.activities.selectors import timeline_for
from tradewind.leads import followups
from tradewind.leads.choices import OPEN_STATUSES
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

register = template.Library()


def can_record(member: Membership | None, lead: Lead) -> bool:
    return member is not None and member.has(Perm.LEAD_EDIT) and lead.status in OPEN_STATUSES


@register.simple_tag
def lead_followups(lead: Lead, member: Membership | None, form: Any = None) -> dict[str, Any]:
    allowed = can_record(member, lead)
    hint = ""
    if allowed:
        policy = LeadPolicy.for_workspace(member.workspace)  # type: ignore[union-attr]
        days = followups.cadence_days(policy, lead.grade)
        hint = _("Leave “Next follow-up due” empty to follow the cadence: in %(days)s days.") % {
            "days": days
        }
    return {
        "timeline": timeline_for(lead),
        "form": form if form is not None else (FollowUpForm() if allowed else None),
        "can_record": allowed,
        "due_hint": hint,
        "sla_breached": followups.sla_breached(lead),
    }


@register.filter
def sla_breached(lead: Lead) -> bool:
    return followups.sla_breached(lead)
