"""Finding the record a template preview is shown for: a lead, customer or opportunity by its
code, a contact by its e-mail address — only among the records the member sees."""

from __future__ import annotations

from typing import Any

from tradewind.activities.targets import TARGETS
from tradewind.workspaces.models import Membership

from .choices import RecordType

# Which record types a template of a kind may be previewed on, in the order they are tried.
LOOKUP_ORDER: dict[str, tuple[str, ...]] = {
    RecordType.ANY: ("lead", "customer", "opportunity", "contact"),
    RecordType.LEAD: ("lead",),
    RecordType.CONTACT: ("contact",),
    RecordType.CUSTOMER: ("customer", "contact"),
    RecordType.OPPORTUNITY: ("opportunity",),
}


def find_record(member: Membership, record_type: str, text: str) -> Any:
    """The first visible record matching `text` (code, or a contact's e-mail); None if none."""
    text = text.strip()
    if not text:
        return None
    for kind in LOOKUP_ORDER.get(record_type, ()):
        target = TARGETS[kind]
        if not member.has(target.view):
            continue
        qs = target.model_class().objects.visible_to(member)  # type: ignore[attr-defined]
        found = (
            qs.filter(email__iexact=text).order_by("id").first()
            if kind == "contact"
            else qs.filter(code__iexact=text).first()
        )
        if found is not None:
            return found
    return None
