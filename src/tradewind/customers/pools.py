"""Automatic pools (seed 001): built-in views of the customer list, counted live.

- nurturing (培育): potential, not qualified, no open opportunity
- has demand (有需求): potential and qualified, or with an open opportunity
- focus (重点): starred (rating 4 or 5) or targeted, not lost or invalid
- success (成功): signed or repeat buyer
- failure (失败): lost
- invalid (无效): invalid

"Qualified" is `qualified_q()`: the qualification's qualitative assessment is "valuable"
(customers/qualification.py); a fallback is kept for a build without it (docs/customers-pool.md).
All the counts are one query over the member's visible customers (`Count(filter=…)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Membership

from .models import Contact, Customer
from .pool_choices import WON_STAGES, CustomerStage

OPEN_OPPORTUNITY = "open"  # sales.OpportunityStatus.OPEN; customers may not import sales
STARRED_FROM = 4
QUALIFIED = "valuable"  # Qualitative.VALUABLE of customers/models_qualification.py
QUALIFIED_RATING = 3


@dataclass(frozen=True)
class AutoPool:
    key: str
    label: Promise
    icon: str
    help: Promise


POOLS: tuple[AutoPool, ...] = (
    AutoPool(
        "nurturing",
        _("Nurturing"),
        "bi-flower1",
        _("New customers not yet qualified, without an open opportunity."),
    ),
    AutoPool(
        "demand",
        _("Has demand"),
        "bi-lightning-charge",
        _("Qualified customers, or with an open opportunity."),
    ),
    AutoPool("focus", _("Focus"), "bi-star", _("Starred (4 or 5 stars) or targeted.")),
    AutoPool("success", _("Success"), "bi-trophy", _("Signed customers and repeat buyers.")),
    AutoPool("failure", _("Failure"), "bi-x-octagon", _("Customers marked lost.")),
    AutoPool("invalid", _("Invalid"), "bi-slash-circle", _("Customers marked invalid.")),
)
POOL_KEYS = tuple(p.key for p in POOLS)


def _open_opportunity() -> Exists:
    # sales.Opportunity through the reverse relation: customers may not import sales.
    opportunity: Any = Customer._meta.get_field("opportunities").related_model
    return Exists(
        opportunity._default_manager.filter(customer_id=OuterRef("pk"), status=OPEN_OPPORTUNITY)
    )


def qualified_q() -> Q:
    """A qualified customer: its qualification (三定, customers/qualification.py) says valuable.
    Fallback while that module is absent: at least one contact and a rating of 3 or more."""
    try:
        qualification: Any = Customer._meta.get_field("qualification").related_model  # type: ignore[attr-defined]
    except FieldDoesNotExist:
        has_contact = Exists(Contact.objects.filter(customer_id=OuterRef("pk")))
        return Q(has_contact) & Q(rating__gte=QUALIFIED_RATING)
    return Q(
        Exists(
            qualification._default_manager.filter(customer_id=OuterRef("pk"), qualitative=QUALIFIED)
        )
    )


def pool_q(key: str) -> Q:
    """The condition of one automatic pool (an unknown key matches nothing)."""
    potential = Q(stage=CustomerStage.POTENTIAL)
    open_opp = Q(_open_opportunity())
    if key == "nurturing":
        return potential & ~qualified_q() & ~open_opp
    if key == "demand":
        return potential & (qualified_q() | open_opp)
    if key == "focus":
        return (Q(rating__gte=STARRED_FROM) | Q(targeted=True)) & ~Q(
            stage__in=[CustomerStage.LOST, CustomerStage.INVALID]
        )
    if key == "success":
        return Q(stage__in=WON_STAGES)
    if key == "failure":
        return Q(stage=CustomerStage.LOST)
    if key == "invalid":
        return Q(stage=CustomerStage.INVALID)
    return Q(pk__in=[])


def apply_pool(qs: QuerySet[Customer], key: str) -> QuerySet[Customer]:
    """For list filters: `?pool=<key>` (a blank key keeps everything)."""
    return qs.filter(pool_q(key)) if key else qs


def pool_counts(member: Membership) -> dict[str, int]:
    """Every automatic pool's count among the customers the member may see: one query."""
    qs = Customer.objects.visible_to(member).order_by()
    return qs.aggregate(**{p.key: Count("pk", filter=pool_q(p.key)) for p in POOLS})


def pools_with_counts(member: Membership) -> list[tuple[AutoPool, int]]:
    counts = pool_counts(member)
    return [(p, counts.get(p.key) or 0) for p in POOLS]
