"""E-mail on the records' timelines: the customer timeline (customers/timeline.py, the customer's
own mail, its contacts' and its opportunities') and the follow-up card of a lead
(activities/timeline_sources.py). One indexed query on EmailLink per page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from tradewind.activities.timeline_sources import TimelineItem
from tradewind.activities.timeline_sources import register as register_followup_source
from tradewind.customers import timeline as customer_timeline
from tradewind.workspaces.audit import target_type as type_of

from .choices import Direction
from .models import EmailLink

customer_timeline.KINDS["email"] = pgettext_lazy("timeline", "E-mail")
customer_timeline.ICONS["email"] = "bi-envelope"


def _state_text(email: Any) -> str:
    return str(email.get_state_display())


def summary(email: Any) -> str:
    """ "to a@b.c · Sent" / "from a@b.c · Received": what a timeline line says besides the subject."""
    if email.direction == Direction.IN:
        who = pgettext_lazy("e-mail", "from %(who)s") % {"who": email.from_address}
    else:
        who = pgettext_lazy("e-mail", "to %(who)s") % {"who": ", ".join(email.to)}
    return f"{who} · {_state_text(email)}"


@customer_timeline.register("email", ("email",))
def customer_email_source(
    scope: customer_timeline.Scope,
    cursor: customer_timeline.Cursor | None,
    limit: int,
    kinds: frozenset[str],
) -> list[customer_timeline.Entry]:
    from django.db.models import Q

    wanted = Q(pk__in=[])
    for target_type in ("customer", "contact", "opportunity"):
        ids = scope.targets.get(target_type) or []
        if ids:
            wanted |= Q(target_type=target_type, target_id__in=ids)
    links = (
        EmailLink.objects.filter(wanted, workspace_id=scope.customer.workspace_id)
        .filter(customer_timeline.after(cursor, "email", "at", "email_id"))
        .select_related("email", "email__created_by")
        .order_by("-at", "-email_id")
    )
    entries: list[customer_timeline.Entry] = []
    seen: set[int] = set()
    for link in links[: limit * 2]:  # a message on two of the customer's records shows once
        email = link.email
        if email.pk in seen:
            continue
        seen.add(email.pk)
        entries.append(
            customer_timeline.Entry(
                at=link.at,
                source="email",
                id=email.pk,
                kind="email",
                title=email.subject or "—",
                actor=str(email.created_by or email.from_name or email.from_address),
                body=summary(email),
                detail={"email_id": email.pk, "direction": email.direction, "state": email.state},
            )
        )
        if len(entries) >= limit:
            break
    return entries


@register_followup_source("email")
def record_email_source(target: Any, limit: int) -> list[TimelineItem]:
    """The e-mail of one record (a lead's page), newest first."""
    links = (
        EmailLink.objects.filter(
            workspace_id=target.workspace_id, target_type=type_of(target), target_id=target.pk
        )
        .select_related("email", "email__created_by")
        .order_by("-at", "-id")[:limit]
    )
    return [
        TimelineItem(
            at=link.at,
            source="email",
            id=link.email_id,
            template="mailing/_timeline_item.html",
            data=link.email,
        )
        for link in links
    ]
