from __future__ import annotations

from django import template

from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from ..choices import OPEN_STATUSES
from ..models import Lead

register = template.Library()


@register.filter
def can_assign(member: Membership | None, lead: Lead) -> bool:
    """Managers (LEAD_ASSIGN) may hand an open lead to someone or try the rules on it."""
    return member is not None and member.has(Perm.LEAD_ASSIGN) and lead.status in OPEN_STATUSES


@register.filter
def can_manage(member: Membership | None) -> bool:
    return member is not None and member.has(Perm.WORKSPACE_MANAGE)
