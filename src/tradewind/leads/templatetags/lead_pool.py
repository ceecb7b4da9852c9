"""Which pool buttons a member sees; the rule lives in leads.pool, not in the template."""

from __future__ import annotations

from django import template

from tradewind.leads import pool
from tradewind.leads.models import Lead
from tradewind.workspaces.models import Membership

register = template.Library()


@register.simple_tag
def pool_options(lead: Lead, member: Membership | None) -> dict[str, bool]:
    return {
        "can_claim": pool.can_claim(member, lead),
        "can_release": pool.can_release(member, lead),
    }
