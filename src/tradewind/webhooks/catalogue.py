"""The public webhook event types and which internal events produce them.

`EVENT_TYPES` is what an endpoint may subscribe to (public type -> translated label). Internal
events (`workspaces.events.emit`) are mapped to public types by `public_types()`: some map one to
one (lead.created), some only for a payload value (opportunity.closed with outcome "won" ->
opportunity.won), some are renamed (receipt.created -> payment.received; order.created ->
order.confirmed, because an order is born confirmed).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_TYPES: dict[str, Promise] = {
    "lead.created": _("Lead created"),
    "lead.assigned": _("Lead assigned"),
    "lead.claimed": _("Lead claimed from the pool"),
    "lead.status_changed": _("Lead status changed"),
    "lead.converted": _("Lead converted"),
    "customer.created": _("Customer created"),
    "customer.claimed": _("Customer claimed from the pool"),
    "opportunity.created": _("Opportunity created"),
    "opportunity.stage_changed": _("Opportunity stage changed"),
    "opportunity.won": _("Opportunity won"),
    "opportunity.lost": _("Opportunity lost"),
    "quote.sent": _("Quote sent"),
    "quote.accepted": _("Quote accepted"),
    "order.confirmed": _("Order confirmed"),
    "order.shipped": _("Order shipped"),
    "order.completed": _("Order completed"),
    "order.cancelled": _("Order cancelled"),
    "payment.received": _("Payment received"),
}

# The type of the "send test event" button; not subscribable.
PING_TYPE = "webhook.ping"

# internal event -> public type, for the events that map one to one (or are only renamed)
_DIRECT: dict[str, str] = {
    "lead.created": "lead.created",
    "lead.assigned": "lead.assigned",
    "lead.claimed": "lead.claimed",
    "lead.status_changed": "lead.status_changed",
    "lead.converted": "lead.converted",
    "customer.created": "customer.created",
    "customer.claimed": "customer.claimed",
    "opportunity.created": "opportunity.created",
    "opportunity.stage_changed": "opportunity.stage_changed",
    "quote.sent": "quote.sent",
    "quote.accepted": "quote.accepted",
    "order.created": "order.confirmed",  # orders are created confirmed (orders.order_create)
    "order.shipped": "order.shipped",
    "order.completed": "order.completed",
    "order.cancelled": "order.cancelled",
    "receipt.created": "payment.received",
}

# The internal events the webhooks app subscribes to.
INTERNAL_EVENTS: tuple[str, ...] = (*_DIRECT, "opportunity.closed")


def public_types(name: str, payload: dict[str, Any]) -> list[str]:
    """The public types an internal event produces (usually one, often none)."""
    if name == "opportunity.closed":
        outcome = payload.get("outcome")
        return [f"opportunity.{outcome}"] if outcome in ("won", "lost") else []
    public = _DIRECT.get(name)
    return [public] if public else []


def label(event_type: str) -> str:
    found = EVENT_TYPES.get(event_type)
    if found is not None:
        return str(found)
    if event_type == PING_TYPE:
        return str(_("Test event"))
    return event_type
