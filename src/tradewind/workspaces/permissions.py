"""What each role may do. Visibility (which rows) is the data scope's job; this is which verbs."""

from __future__ import annotations

from enum import StrEnum

from .choices import Role


class Perm(StrEnum):
    WORKSPACE_MANAGE = "workspace.manage"  # settings, members, teams, numbering
    AUDIT_VIEW = "audit.view"
    RATES_MANAGE = "rates.manage"
    LEAD_VIEW = "lead.view"
    LEAD_CREATE = "lead.create"
    LEAD_EDIT = "lead.edit"
    LEAD_DELETE = "lead.delete"
    LEAD_ASSIGN = "lead.assign"  # hand leads to others, release anyone's lead to the pool
    LEAD_REOPEN = "lead.reopen"  # move an invalid lead back to new
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"  # also: convert a lead into a new customer
    CUSTOMER_EDIT = "customer.edit"  # also: add or edit contacts, join a lead to a customer
    OPPORTUNITY_VIEW = "opportunity.view"
    OPPORTUNITY_CREATE = "opportunity.create"
    API_TOKEN = "api.token"


_ALL = frozenset(Perm)
_VIEW = frozenset(
    {Perm.LEAD_VIEW, Perm.CUSTOMER_VIEW, Perm.OPPORTUNITY_VIEW, Perm.AUDIT_VIEW, Perm.API_TOKEN}
)
_SELL = frozenset({Perm.CUSTOMER_CREATE, Perm.CUSTOMER_EDIT, Perm.OPPORTUNITY_CREATE})

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: _ALL,
    Role.MANAGER: _VIEW
    | _SELL
    | {Perm.LEAD_CREATE, Perm.LEAD_EDIT, Perm.LEAD_DELETE, Perm.LEAD_ASSIGN, Perm.LEAD_REOPEN},
    Role.SALES: _VIEW | _SELL | {Perm.LEAD_CREATE, Perm.LEAD_EDIT},
    Role.MARKETING: _VIEW | {Perm.LEAD_CREATE, Perm.LEAD_EDIT},
    Role.FINANCE: _VIEW | {Perm.RATES_MANAGE},
    Role.READ_ONLY: _VIEW,
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
