"""The milestone strip of the customer timeline (created, qualified, starred, targeted, signed,
lost): the first time each was reached, derived from the customer's audit rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from tradewind.workspaces.models import AuditEvent

from .models import Customer

# --- milestones ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    key: str
    label: Any
    at: dt.datetime | None

    @property
    def reached(self) -> bool:
        return self.at is not None


MILESTONES: dict[str, Any] = {
    "created": pgettext_lazy("milestone", "Created"),
    "qualified": pgettext_lazy("milestone", "Qualified"),
    "starred": pgettext_lazy("milestone", "Starred"),
    "targeted": pgettext_lazy("milestone", "Targeted"),
    "signed": pgettext_lazy("milestone", "Signed"),
    "lost": pgettext_lazy("milestone", "Lost"),
}
# The audit keys each milestone is read from (other engineers' field names; unknown keys are
# harmless). A value that turns "on" (true, a stage value, a qualitative verdict) reaches it.
MILESTONE_KEYS = ("stage", "lifecycle_stage", "starred", "targeted", "qualitative", "rating")


def _reached(name: str, new: Any) -> str:
    """Qualified: the 三定 verdict turns "valuable" (customers/qualification.py); starred: a rating
    of 4 or 5 (the "focus" pool's rule, customers/pools.py) or a starred flag; targeted: the flag
    turns on; signed / lost: the life cycle stage (customers/lifecycle.py)."""
    if name in ("stage", "lifecycle_stage"):
        return {"signed": "signed", "repeat": "signed", "lost": "lost"}.get(str(new), "")
    if name in ("starred", "targeted") and new is True:
        return name
    if name == "rating" and new in (4, 5):
        return "starred"
    if name == "qualitative" and new == "valuable":
        return "qualified"
    return ""


def milestones(customer: Customer) -> list[Milestone]:
    """The first time each milestone was reached, from the customer's audit rows (one query over
    the rows that touch one of MILESTONE_KEYS, oldest first)."""
    reached: dict[str, dt.datetime] = {"created": customer.created_at}
    touches = Q(pk__in=[])
    for name in MILESTONE_KEYS:
        touches |= Q(changes__has_key=name)
    events = (
        AuditEvent.objects.filter(
            touches,
            workspace_id=customer.workspace_id,
            target_type=Customer.AUDIT_TYPE,
            target_id=customer.pk,
        )
        .order_by("id")
        .only("created_at", "changes")[:500]
    )
    for event in events:
        for name, pair in (event.changes or {}).items():
            if name in MILESTONE_KEYS and isinstance(pair, list) and len(pair) == 2:
                key = _reached(name, pair[1])
                if key:
                    reached.setdefault(key, event.created_at)
    return [Milestone(key, label, reached.get(key)) for key, label in MILESTONES.items()]
