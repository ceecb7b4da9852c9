"""Webhooks API under /api/v1/webhooks: endpoints (create, read, change, delete, rotate the secret,
send a test event, switch on and off), their delivery log with replay, the event catalogue and
the workspace setting for private targets. Everything needs WEBHOOK_MANAGE: routes without an id
answer 403 without it, routes with an id 404 (like the other settings APIs). The signing secret is
returned only by create and rotate-secret, never by a list or detail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, ErrorOut, PageOut
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors, services
from .catalogue import EVENT_TYPES
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])
LIST_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class WebhookEventTypeOut(Schema):
    type: str
    label: str


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    disabled_at: dt.datetime | None
    disabled_reason: str = Field(description='"failures" (switched off automatically) or "manual"')
    failing_since: dt.datetime | None
    owner_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookEndpointSecretOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (whsec_…): shown this once")


class WebhookEndpointIn(Schema):
    url: str = ""
    description: str = ""
    event_types: list[str] = Field(default_factory=list, description="Types of GET /event-types")
    is_active: bool = True


class WebhookEndpointPatch(Schema):
    url: str | None = None
    description: str | None = None
    event_types: list[str] | None = None
    is_active: bool | None = None


class WebhookDeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: str = Field(description="The webhook-id header: the same on every attempt")
    event_type: str
    source: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class WebhookAttemptOut(Schema):
    id: int
    trigger: str
    started_at: dt.datetime
    duration_ms: int | None
    status_code: int | None
    address: str
    response_excerpt: str
    error: str


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    body: str = Field(description="The exact JSON body sent")
    log: list[WebhookAttemptOut]


class WebhookSettingsOut(Schema):
    allow_private_targets: bool
    server_allows_private_targets: bool


class WebhookSettingsIn(Schema):
    allow_private_targets: bool = False


class WebhookDeliveryFilter(Schema):
    state: str = Field("", description="pending, retrying, delivered, failed or skipped")
    event_type: str = ""
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _manager(request: HttpRequest) -> Any:
    require(request.actor, Perm.WEBHOOK_MANAGE)  # type: ignore[attr-defined]
    return request.member  # type: ignore[attr-defined]


def _endpoint_out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    out = {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types or []),
        "is_active": endpoint.is_active,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": endpoint.failing_since,
        "owner_id": endpoint.owner_id,
        "version": endpoint.version,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }
    if secret is not None:
        out["secret"] = secret
    return out


def _attempt_out(a: WebhookAttempt) -> dict[str, Any]:
    return {
        "id": a.pk,
        "trigger": a.trigger,
        "started_at": a.started_at,
        "duration_ms": a.duration_ms,
        "status_code": a.status_code,
        "address": a.address,
        "response_excerpt": a.response_excerpt,
        "error": a.error,
    }


@router.get("/event-types", response={200: list[WebhookEventTypeOut], **READ_ERRORS})
def event_types_api(request: HttpRequest) -> list[dict[str, str]]:
    return [{"type": k, "label": str(v)} for k, v in EVENT_TYPES.items()]


@router.get("/settings", response={200: WebhookSettingsOut, **LIST_ERRORS})
def settings_api(request: HttpRequest) -> dict[str, bool]:
    member = _manager(request)
    row = selectors.settings_for(member.workspace)
    return {
        "allow_private_targets": row.allow_private_targets,
        "server_allows_private_targets": services.private_targets_server_setting(),
    }


@router.put("/settings", response={200: WebhookSettingsOut, **ERRORS})
def settings_set_api(request: HttpRequest, payload: WebhookSettingsIn) -> dict[str, bool]:
    row = services.webhook_settings_set(
        actor=request.actor,  # type: ignore[attr-defined]
        allow_private_targets=payload.allow_private_targets,
    )
    return {
        "allow_private_targets": row.allow_private_targets,
        "server_allows_private_targets": services.private_targets_server_setting(),
    }


@router.get("/endpoints", response={200: list[WebhookEndpointOut], **LIST_ERRORS})
def endpoints_api(request: HttpRequest) -> list[dict[str, Any]]:
    member = _manager(request)
    return [_endpoint_out(e) for e in selectors.endpoint_list(member)]


@router.post("/endpoints", response={201: WebhookEndpointSecretOut, **ERRORS})
def endpoint_create_api(request: HttpRequest, payload: WebhookEndpointIn) -> Status:
    endpoint, secret = services.endpoint_create(
        actor=request.actor,  # type: ignore[attr-defined]
        url=payload.url,
        description=payload.description,
        event_types=payload.event_types,
        is_active=payload.is_active,
    )
    return Status(201, _endpoint_out(endpoint, secret))


@router.get("/endpoints/{endpoint_id}", response={200: WebhookEndpointOut, **READ_ERRORS})
def endpoint_api(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    return _endpoint_out(services.endpoint_get(request.actor, endpoint_id))  # type: ignore[attr-defined]


@router.patch("/endpoints/{endpoint_id}", response={200: WebhookEndpointOut, **ERRORS})
def endpoint_update_api(
    request: HttpRequest, endpoint_id: int, payload: WebhookEndpointPatch
) -> dict[str, Any]:
    endpoint = services.endpoint_update(
        actor=request.actor,  # type: ignore[attr-defined]
        endpoint_id=endpoint_id,
        url=payload.url,
        description=payload.description,
        event_types=payload.event_types,
        is_active=payload.is_active,
    )
    return _endpoint_out(endpoint)


@router.delete("/endpoints/{endpoint_id}", response={204: None, **ERRORS})
def endpoint_delete_api(request: HttpRequest, endpoint_id: int) -> Status:
    services.endpoint_delete(actor=request.actor, endpoint_id=endpoint_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret", response={200: WebhookEndpointSecretOut, **ERRORS}
)
def endpoint_rotate_api(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    endpoint, secret = services.endpoint_rotate_secret(
        actor=request.actor,  # type: ignore[attr-defined]
        endpoint_id=endpoint_id,
    )
    return _endpoint_out(endpoint, secret)


@router.post("/endpoints/{endpoint_id}/test", response={202: WebhookDeliveryOut, **ERRORS})
def endpoint_test_api(request: HttpRequest, endpoint_id: int) -> Status:
    delivery = services.endpoint_test(actor=request.actor, endpoint_id=endpoint_id)  # type: ignore[attr-defined]
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.get(
    "/endpoints/{endpoint_id}/deliveries",
    response={200: PageOut[WebhookDeliveryOut], **READ_ERRORS},
)
def deliveries_api(
    request: HttpRequest, endpoint_id: int, filters: Query[WebhookDeliveryFilter]
) -> dict[str, Any]:
    endpoint = services.endpoint_get(request.actor, endpoint_id)  # type: ignore[attr-defined]
    page = selectors.delivery_page(
        request.member,  # type: ignore[attr-defined]
        endpoint_id=endpoint.pk,
        state=filters.state,
        event_type=filters.event_type,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.get("/deliveries/{delivery_id}", response={200: WebhookDeliveryDetailOut, **READ_ERRORS})
def delivery_api(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    d: WebhookDelivery = services.delivery_get(request.actor, delivery_id)  # type: ignore[attr-defined]
    return {
        **{f: getattr(d, f) for f in WebhookDeliveryOut.model_fields},
        "body": d.body,
        "log": [_attempt_out(a) for a in d.log.order_by("-id")],
    }


@router.post("/deliveries/{delivery_id}/replay", response={202: WebhookDeliveryOut, **ERRORS})
def delivery_replay_api(request: HttpRequest, delivery_id: int) -> Status:
    delivery = services.delivery_replay(actor=request.actor, delivery_id=delivery_id)  # type: ignore[attr-defined]
    return Status(202, delivery)
