"""Which status buttons a member sees; the rule lives in leads.status, not in the template."""

from __future__ import annotations

from django import template

from tradewind.leads import status
from tradewind.leads.choices import invalid_reason_label
from tradewind.leads.models import Lead
from tradewind.workspaces.models import Membership

register = template.Library()


@register.simple_tag
def allowed_moves(lead: Lead, member: Membership | None) -> list[status.Move]:
    if member is None:  # a page without a member shows no buttons (system actors use the service)
        return []
    return status.allowed_moves(lead, member)


@register.simple_tag
def invalid_reasons(member: Membership) -> list[tuple[str, str]]:
    return status.invalid_reasons(member.workspace)


@register.filter
def reason_label(code: str) -> str:
    return invalid_reason_label(code)
