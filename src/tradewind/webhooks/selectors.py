"""Reads of the webhooks app. Endpoints and deliveries are workspace configuration: a member sees
them only while holding WEBHOOK_MANAGE (anyone else's lookups by id answer 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookSettings

DELIVERY_ORDER = ("-id",)


def endpoints_visible(member: Membership | None) -> QuerySet[WebhookEndpoint]:
    if member is None or not member.has(Perm.WEBHOOK_MANAGE):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.visible_to(member)


def endpoint_list(member: Membership) -> list[WebhookEndpoint]:
    return list(endpoints_visible(member).select_related("owner").order_by("url", "id"))


def deliveries_visible(member: Membership | None) -> QuerySet[WebhookDelivery]:
    if member is None or not member.has(Perm.WEBHOOK_MANAGE) or not member.is_active:
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.filter(workspace_id=member.workspace_id)


def delivery_page(
    member: Membership,
    *,
    endpoint_id: int,
    state: str = "",
    event_type: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """One endpoint's deliveries, newest first, filtered by state and event type (keyset paged;
    each filter has its own index)."""
    qs = deliveries_visible(member).filter(endpoint_id=endpoint_id).select_related("endpoint")
    if state in DeliveryState.values:
        qs = qs.filter(state=state)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return keyset_page(qs.defer("body"), order=DELIVERY_ORDER, cursor=cursor, limit=limit)


def settings_for(workspace: Workspace | int) -> WebhookSettings:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    row = WebhookSettings.objects.filter(workspace_id=workspace_id).first()
    if row is None:
        row, _created = WebhookSettings.objects.get_or_create(workspace_id=workspace_id)
    return row
